// One mesh model per (snapshot, config): which meshes are present, every workload's mesh
// membership and effective mTLS mode. All mtls checks and the report read this model.

import type { Config } from '../../config/types.ts';
import type { AuditContext } from '../context.ts';
import type { Snapshot } from '../../snapshot/types.ts';
import { KINDS, POD_VIEW_KINDS, type KindKey } from '../../snapshot/kinds.ts';
import { istioControlPlaneGone, type IstiodDown, istioInjectionWebhooks, linkerdControlPlaneGone, linkerdInjectionWebhooks, linkerdInjectorFailurePolicy, linkerdInjectorScope, linkerdWebhooksInstalled, meshComponents, podReadiness } from './components.ts';
import { templatesStandIn, workloadsOf, type PodView, type Workload } from '../workloads.ts';
import { awaitsIstioInjection, hasIstioProxy, indexPeerAuthentications, istioProxyOwnPorts, istioMembership, istioNamespaceMeantMeshed, resolveIstioMode, meshInboundCapture, istioProxyConfigMode, sidecarBypassedPorts, type IstioCaptureDefaults, type IstioPolicyIndex, type ResolvedMode } from './istio.ts';
import type { MeshWorkloadDetail, MtlsPosture } from '../../run/types.ts';
import { admitsUnauthenticated, linkerdClusterDefault, linkerdClusterNetworks, type LinkerdClusterNetworks, linkerdDefaultPolicy, linkerdInjectRefused, linkerdMembership, LINKERD_NOT_INJECTED, linkerdNamespaceMeantMeshed, parseServer, type ClusterDefault, type EffectivePolicy, type LinkerdServer } from './linkerd.ts';
import { containerNames, containerPorts, memoizeBySnapshotAndConfig, obj, stringMap } from './util.ts';
import { indexLinkerdPolicies, type LinkerdPolicyIndex } from './linkerd-authz.ts';
import { linkerdCniEnabled, linkerdNamespaceSettingsRead, linkerdProxyInitPorts, linkerdSkippedPorts, linkerdSkippedSubnets, linkerdTrustDomain, type LinkerdProxyInit } from './linkerd.ts';
import { istioMeshConfigNamespaces, istioMeshInterceptionMode, istioRoot, istioRootOf, istioRevisionOf, LINKERD_CONFIG_CONFIGMAP, type IstioRoot } from './configmaps.ts';
import { istioInjectorOf, type IstioInjector } from './istio-injector.ts';
import { configMapUnread } from '../configmaps.ts';
import { linkerdReleaseOfDeployments } from './linkerd-release.ts';
import { readNamespacePolicies } from '../pss/index.ts';
import { CONSUL_EXCLUDE_INBOUND_ANNOTATION, CONSUL_INJECT_ANNOTATION, CONSUL_SERVICE_ANNOTATION, consulDefaultIntention, consulInjector, consulMembership, consulMutualTLSApplies, consulPortList, consulServesNamespace, consulServiceName, consulServicePort, serviceAccountOf, consulTransparentProxy, indexConsulMutualTLS, syncedConditionText, indexServiceIntentions, type ConsulDefaultIntention, type ConsulInjector, type ConsulIntentionIndex, type ConsulMutualTLSIndex, type ConsulTransparentProxy } from './consul.ts';

export type MeshName = 'istio' | 'linkerd' | 'consul';

export interface NamespaceInfo {
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface WorkloadMesh {
  workload: Workload;
  namespace: string;
  /** Labels of a representative pod (selectors are matched against these). */
  labels: Record<string, string>;
  annotations: Record<string, string>;
  mesh: MeshName | 'none';
  meshedPods: number;
  /** Pods (or the template) not in any mesh, with the first reason seen. */
  unmeshedPods: number;
  unmeshedReason?: string;
  unmeshedSample: string[];
  /**
   * Templates the API server refuses to create pods from (Linkerd's injector fails on them and its
   * webhook's failurePolicy is Fail: linkerdMembership `refused`), with the first reason: they run
   * neither in the mesh nor out of it, and are counted in neither meshedPods nor unmeshedPods.
   */
  refusedPods?: number;
  refusedReason?: string;
  /**
   * Pods running outside the mesh that the API server would refuse to create again (linkerdMembership
   * `refusedIfRecreated`), with the first reason: counted in unmeshedPods, as they run now.
   */
  refusedIfRecreated?: string;
  /**
   * Every pod counted in unmeshedPods may yet get Linkerd's proxy: whether the injector's webhook is
   * called for them cannot be told (linkerdMembership `unconfirmed`, the first why). Outside the
   * mesh is not confirmed, nor is inside it.
   */
  unmeshedUnconfirmed?: string;
  /** Why the namespace is expected to be meshed (empty = not expected). */
  meantMeshedBy: string[];
  istio?: ResolvedMode;
  /** Istio: the revision whose istiod configures the workload's proxy ('default': ConfigMap istio), and that revision's root namespace. */
  istioRevision?: string;
  /** Istio: the istio.io/rev value that named no revision or tag found (the workload is read as the default revision's). */
  istioRevisionUnresolved?: string;
  istioRoot?: IstioRoot;
  /**
   * Istio: a template its revision's injector has yet to inject (no istio-proxy in it), the
   * install-wide capture the injector writes where the template sets none (its config's key
   * `values`, global.proxy.includeInboundPorts, excludeInboundPorts, includeIPRanges,
   * excludeIPRanges, includeOutboundPorts, excludeOutboundPorts; the revision's mesh config
   * defaultConfig.interceptionMode): istioInboundCapture's and istioOutboundCapture's `defaults`.
   */
  istioCaptureDefaults?: IstioCaptureDefaults;
  /**
   * Istio: why the istiod of the workload's revision serves it no longer (MeshModel
   * istio.controlPlaneDown, the entries naming its revision or none), or undefined.
   */
  istioControlPlaneGone?: string;
  linkerdPolicy?: EffectivePolicy;
  /** Consul service name (annotation, selecting Service, else service account). */
  consulService?: string;
  /** Consul: whether the sidecar redirects the pod's traffic (annotation, namespace label, injector default). */
  consulTransparentProxy?: ConsulTransparentProxy;
  /**
   * Its Namespace object is not in the input (MeshModel.unseenNamespaces): the namespace's labels
   * and annotations, which decide injection, revision, dataplane and default policy, are unknown,
   * so what is derived from them here (read as none) is no verdict.
   */
  namespaceUnknown?: true;
  /**
   * Its Namespace object is not in the input: whether the namespace's labels mean it to be meshed
   * is unknown (meantMeshedBy holds only what else says so), even where the pods decide their
   * mesh by themselves (namespaceUnknown unset).
   */
  intentUnknown?: true;
}

export interface MeshModel {
  present: boolean;
  /**
   * `root`: Istio's root namespace (of the default revision) and where it came from
   * (policies.rootNamespace is its name). `policiesFor`: the PeerAuthentications as the istiod of
   * a workload's revision composes them, with that revision's root namespace.
   */
  istio: { present: boolean; evidence: string[]; leftover?: MeshLeftover; policies: IstioPolicyIndex; root: IstioRoot; policiesFor: (namespace: string, labels: Record<string, string>) => IstioPolicyIndex; controlPlaneGone?: string; controlPlaneDown?: IstiodDown[]; controlPlaneServicesUnread?: string; /** Why the injector config of the revision of a template labelled for injection is not known (istioInjectorOf): its policy and selectors were not applied. */ injectorUnread?: string[] };
  /**
   * `trustDomainUnread`: why linkerd-config (identityTrustDomain) may be missing
   * (configMapUnread): identities written out in an authorization may match a caller the
   * assumed trust domain does not (mesh-flows.ts linkerdTrustDomainGuard).
   */
  linkerd: { present: boolean; evidence: string[]; leftover?: MeshLeftover; clusterDefault: ClusterDefault; /** linkerdCniEnabled: why the control plane injects for the Linkerd CNI plugin. */ cni?: string; /** linkerdProxyInitPorts: the installed proxyInit.ignoreInboundPorts/ignoreOutboundPorts, each when read. */ proxyInit: LinkerdProxyInit; servers: Map<string, LinkerdServer[]>; policy: LinkerdPolicyIndex; /** linkerdClusterNetworks: what cluster-* policies admit by address. */ clusterNetworks: LinkerdClusterNetworks; trustDomainUnread?: 'forbidden' | 'error'; controlPlaneGone?: string; controlPlaneServicesUnread?: string };
  /**
   * `mutualTLSUnread`: the config entry kinds that set the mTLS mode and could not be read
   * ("consul.servicedefaults: forbidden"), and why Services (which name a pod's Consul service)
   * could not be; consulMutualTLSUnknown says when that leaves a workload's mode unknown.
   */
  consul: { present: boolean; evidence: string[]; leftover?: MeshLeftover; defaultIntention: ConsulDefaultIntention; injector?: ConsulInjector; intentions: ConsulIntentionIndex; mutualTLS: ConsulMutualTLSIndex; mutualTLSUnread: { entries: string[]; services?: 'forbidden' | 'error' } };
  namespaces: Map<string, NamespaceInfo>;
  /**
   * The namespaces workloads run in whose Namespace object the input does not hold (a manifests
   * directory without it, or one created after the live list), system ones left out, sorted: the
   * mesh reads injection, revision and defaults from the namespace's own labels and annotations
   * (Istio's injection webhook namespaceSelector on istio-injection / istio.io/rev; Linkerd's
   * linkerd.io/inject namespace annotation), so those are unknown, not empty. The checks that
   * depend on them judge nothing there (their unjudgedNamespaces), as the pod-security checks do.
   * Only namespaces with a workload whose verdict reads them (WorkloadMesh.namespaceUnknown).
   */
  unseenNamespaces: string[];
  workloads: WorkloadMesh[];
  workloadsByNamespace: Map<string, WorkloadMesh[]>;
}

/** Why a kind is not in the snapshot when it was refused or failed to list; undefined when read (or not served). */
const unreadKind = (snapshot: Snapshot, k: KindKey): 'forbidden' | 'error' | undefined => {
  const s = snapshot.coverage[k]?.status;
  return s === 'forbidden' || s === 'error' ? s : undefined;
};
const CONSUL_MTLS_KINDS = ['consul.servicedefaults', 'consul.proxydefaults', 'consul.meshes'] as const;

const ISTIO_OBJECT_KINDS: readonly KindKey[] = KINDS.filter((k) => k.key.startsWith('istio.')).map((k) => k.key);
const LINKERD_KINDS: readonly KindKey[] = KINDS.filter((k) => k.key.startsWith('linkerd.')).map((k) => k.key);
const CONSUL_OBJECT_KINDS: readonly KindKey[] = KINDS.filter((k) => k.key.startsWith('consul.')).map((k) => k.key);
/** The kinds whose objects in a manifests directory show a mesh the cluster runs (the policies that configure it). */
const MANIFEST_EVIDENCE_KINDS: Record<MeshName, readonly KindKey[]> = {
  istio: ['istio.peerauthentications', 'istio.authorizationpolicies', 'istio.destinationrules', 'istio.gateways'],
  linkerd: ['linkerd.servers', 'linkerd.authorizationpolicies', 'linkerd.meshtlsauthentications', 'linkerd.serverauthorizations', 'linkerd.networkauthentications', 'linkerd.httproutes'],
  consul: ['consul.serviceintentions'],
};
const MESH_TITLE = { istio: 'Istio', linkerd: 'Linkerd', consul: 'Consul' } as const;

/**
 * A mesh's API left in a cluster where nothing of it runs: the kinds the API server serves
 * (listed, or refused: the collector lists only what discovery found) and the objects in them.
 */
export interface MeshLeftover {
  kinds: string[];
  objects: number;
}

function leftoverOf(snapshot: Snapshot, kinds: readonly KindKey[]): MeshLeftover {
  const out: MeshLeftover = { kinds: [], objects: 0 };
  for (const k of kinds) {
    if (!served(snapshot, k)) continue;
    out.kinds.push(k);
    // The collector's count: the objects themselves are not read (nothing judges them).
    out.objects += snapshot.coverage[k]?.count ?? 0;
  }
  return out;
}

/**
 * Whether the API server serves the kind: listed, or refused (the collector lists a kind only
 * once discovery found it, so a 403 comes from the authorizer for an API that is there). A
 * failed list says nothing either way. Served is no presence (CRDs outlive an uninstall): it
 * names what is left of a mesh that does not run.
 */
const served = (snapshot: Snapshot, k: KindKey): boolean => snapshot.coverage[k]?.status === 'ok' || snapshot.coverage[k]?.status === 'forbidden';

export const meshModel = memoizeBySnapshotAndConfig((snapshot: Snapshot, config: Config): MeshModel => {
  const root = istioRoot(snapshot, config);
  const namespaces = new Map<string, NamespaceInfo>();
  for (const n of snapshot.resources.namespaces ?? []) {
    const name = n.metadata?.name;
    if (name) namespaces.set(name, { labels: stringMap(n.metadata?.labels), annotations: stringMap(n.metadata?.annotations) });
  }
  const nsInfo = (ns: string): NamespaceInfo => namespaces.get(ns) ?? { labels: {}, annotations: {} };
  // Which namespaces are in the input, as the pod-security model reads them (known: the object
  // itself, not one the manifests reader made up for objects that name it); a refused one (an
  // invalid Pod Security label) is still read here: its mesh labels are what the file says.
  const namespacePolicies = readNamespacePolicies(snapshot, config);
  const unseen = new Set<string>();
  const namespaceUnseen = (ns: string): boolean => {
    const p = namespacePolicies.namespaces.get(ns) ?? namespacePolicies.unknown(ns);
    return !p.known && !p.refused && !p.system;
  };

  // A mesh is present by what of it runs or is meant to run: its control plane, node agents and
  // proxies (by image, and proxies in pods below), its injection webhooks, namespaces labelled for
  // it. Never by its CRDs alone: they and every object in them outlive an uninstall
  // (components.ts). From manifests, the mesh's objects are written for a mesh the cluster runs
  // (no CRD is "served" there, and the install lives in another repository): they count.
  const istioEvidence: string[] = [];
  const linkerdEvidence: string[] = [];
  const consulEvidence: string[] = [];
  const evidenceOf = { istio: istioEvidence, linkerd: linkerdEvidence, consul: consulEvidence };
  const allWorkloads = workloadsOf(snapshot);
  for (const c of meshComponents(allWorkloads)) evidenceOf[c.mesh].push(c.text);
  const hooks = istioInjectionWebhooks(snapshot.resources.mutatingwebhookconfigurations ?? []);
  if (hooks.length > 0) istioEvidence.push(`injection webhook${hooks.length > 1 ? 's' : ''} ${hooks.slice(0, 3).join(', ')}${hooks.length > 3 ? ', …' : ''}`);
  const manifests = templatesStandIn(snapshot);
  const leftovers = { istio: leftoverOf(snapshot, ISTIO_OBJECT_KINDS), linkerd: leftoverOf(snapshot, LINKERD_KINDS), consul: leftoverOf(snapshot, CONSUL_OBJECT_KINDS) };
  if (manifests) {
    for (const mesh of ['istio', 'linkerd', 'consul'] as const) {
      const kinds = MANIFEST_EVIDENCE_KINDS[mesh].filter((k) => served(snapshot, k));
      if (kinds.length > 0) evidenceOf[mesh].push(`${MESH_TITLE[mesh]} objects in the manifests (${kinds.join(', ')})`);
    }
  }
  const linkerdHooks = linkerdInjectionWebhooks(snapshot.resources.mutatingwebhookconfigurations ?? []);
  if (linkerdWebhooksInstalled(linkerdHooks, allWorkloads, (snapshot.coverage.services?.status ?? 'ok') === 'ok' ? snapshot.resources.services ?? [] : undefined)) linkerdEvidence.push(`injection webhook ${linkerdHooks.map((h) => h.metadata!.name!).sort().slice(0, 3).join(', ')}`);
  const configmaps = snapshot.resources.configmaps ?? [];
  if (configmaps.some((c) => c.metadata?.name === 'linkerd-config')) linkerdEvidence.push('linkerd-config ConfigMap');
  const consulDefault = consulDefaultIntention(configmaps, (ref) => configMapUnread(snapshot, ref));
  if (!consulDefault.assumed) consulEvidence.push(`${consulDefault.resource.namespace}/${consulDefault.resource.name} ConfigMap`);
  const injector = consulInjector(snapshot.resources.deployments ?? []);
  if (injector) consulEvidence.push(`connect injector ${injector.source}`);
  const servicesByNs = new Map<string, Array<{ name: string; selector: Record<string, string> }>>();
  for (const svc of snapshot.resources.services ?? []) {
    const ns = svc.metadata?.namespace ?? 'default';
    const list = servicesByNs.get(ns) ?? [];
    list.push({ name: svc.metadata?.name ?? '', selector: stringMap(obj(svc.spec)?.selector) });
    servicesByNs.set(ns, list);
  }
  for (const [name, info] of namespaces) {
    if (istioNamespaceMeantMeshed(info.labels)) istioEvidence.push(`namespace ${name} labelled for Istio`);
    if (linkerdNamespaceMeantMeshed(info.annotations)) linkerdEvidence.push(`namespace ${name} annotated for Linkerd`);
  }

  const peerAuthentications = snapshot.resources['istio.peerauthentications'] ?? [];
  const policies = indexPeerAuthentications(peerAuthentications, root.namespace, { manifests: templatesStandIn(snapshot) });
  // One index per root namespace a revision in use names (usually one).
  const rootOf = istioRootOf(snapshot, config);
  const indexByRoot = new Map<string, IstioPolicyIndex>([[root.namespace, policies]]);
  const revisionPolicies = (revision: string): { root: IstioRoot; policies: IstioPolicyIndex } => {
    const r = revision === 'default' ? root : rootOf(revision);
    let idx = indexByRoot.get(r.namespace);
    if (!idx) indexByRoot.set(r.namespace, (idx = indexPeerAuthentications(peerAuthentications, r.namespace, { manifests: templatesStandIn(snapshot) })));
    return { root: r, policies: idx };
  };
  const strictNamespaces = new Set<string>();
  for (const [ns, pa] of policies.namespaceWinner) if (pa.mode === 'STRICT') strictNamespaces.add(ns);

  const servers = new Map<string, LinkerdServer[]>();
  for (const o of snapshot.resources['linkerd.servers'] ?? []) {
    const s = parseServer(o);
    let list = servers.get(s.namespace);
    if (!list) servers.set(s.namespace, (list = []));
    list.push(s);
  }
  // The release the control plane's Deployments name: where linkerd-config names none, it decides what differs between releases.
  const linkerdRelease = linkerdReleaseOfDeployments(snapshot.resources.deployments ?? []);
  const linkerdCni = linkerdCniEnabled(configmaps, linkerdRelease);
  const linkerdProxyInit = linkerdProxyInitPorts(configmaps, linkerdRelease);
  const linkerdInjectorBroken = linkerdProxyInit.absent
    ? { absent: linkerdProxyInit.absent, failure: linkerdInjectorFailurePolicy(snapshot.resources.mutatingwebhookconfigurations ?? [], snapshot.coverage.mutatingwebhookconfigurations?.status ?? 'ok') }
    : undefined;
  // Which pods the injector is called for, working or not: one no webhook is called for is never injected.
  const linkerdScope = linkerdInjectorScope(snapshot.resources.mutatingwebhookconfigurations ?? [], snapshot.coverage.mutatingwebhookconfigurations?.status ?? 'ok');
  const clusterDefault = linkerdClusterDefault(configmaps, config.mesh.linkerdDefaultInboundPolicy, configMapUnread(snapshot, LINKERD_CONFIG_CONFIGMAP));
  const meshedByConfig = new Set(config.mesh.meshedNamespaces);

  const injectors = istioInjectorOf(snapshot, config);
  const meshInterception = new Map<string, ReturnType<typeof istioMeshInterceptionMode>>();
  const meshInterceptionOf = (revision: string) => {
    if (!meshInterception.has(revision)) meshInterception.set(revision, istioMeshInterceptionMode(configmaps, istioMeshConfigNamespaces(snapshot, config)(revision).namespaces, revision));
    return meshInterception.get(revision);
  };
  const injectorUnread = new Set<string>();
  const workloads: WorkloadMesh[] = [];
  let istioPods = 0;
  let linkerdPods = 0;
  let consulPods = 0;
  for (const w of allWorkloads) {
    if (w.pods.length === 0) continue;
    const namespace = w.ref.namespace ?? w.pods[0].namespace;
    const ns = nsInfo(namespace);
    // Unknown only where a verdict reads the namespace's metadata: the mesh, unless the pods
    // decide it by themselves (podDecidesMesh); whether it is meant to be meshed (config
    // mesh.meshedNamespaces, a STRICT PeerAuthentication there still say so: meantMeshedBy).
    const intentUnknown = namespaceUnseen(namespace);
    let namespaceUnknown = intentUnknown && !w.pods.every(podDecidesMesh);
    let meshedIstio = 0;
    let meshedLinkerd = 0;
    let meshedConsul = 0;
    let unmeshed = 0;
    let refused = 0;
    let refusedReason: string | undefined;
    let refusedIfRecreated: string | undefined;
    let unmeshedReason: string | undefined;
    let unconfirmed = 0;
    let unconfirmedWhy: string | undefined;
    const unmeshedSample: string[] = [];
    const meantIstio = istioNamespaceMeantMeshed(ns.labels);
    const meantLinkerd = linkerdNamespaceMeantMeshed(ns.annotations);
    // The injector of the revision the template would be injected by (istioMembership asks only for a template its webhook is called for).
    const injectorFor = (pod: PodView): IstioInjector | undefined => {
      const r = injectors(istioRevisionOf(snapshot, config, ns.labels, pod.labels, pod.annotations).revision);
      if ('injector' in r) return r.injector;
      injectorUnread.add(r.unread);
      return undefined;
    };
    for (const pod of w.pods) {
      const i = istioMembership(ns.labels, pod, injectorFor);
      const l = linkerdMembership({ name: namespace, ...ns }, pod, linkerdInjectorBroken, linkerdScope);
      const c = consulMembership(namespace, pod, injector);
      if (i.meshed) meshedIstio++;
      else if (l.meshed) meshedLinkerd++;
      else if (c.meshed) meshedConsul++;
      else if (l.refused && !i.requested && !c.requested) {
        refused++;
        refusedReason ??= l.reason;
      } else {
        unmeshed++;
        if (l.refusedIfRecreated && !i.requested && !c.requested) refusedIfRecreated ??= l.reason;
        if (l.unconfirmed !== undefined && !i.requested && !c.requested) {
          unconfirmed++;
          unconfirmedWhy ??= l.unconfirmed;
        }
        if (unmeshedSample.length < 5) unmeshedSample.push(pod.name);
        // Explain in terms of the mesh the namespace (or pod) asked for.
        unmeshedReason ??= (c.requested || pod.annotations[CONSUL_INJECT_ANNOTATION] !== undefined) && !i.requested && !l.requested ? c.reason : meantLinkerd || (l.requested && !i.requested) ? l.reason : i.reason;
      }
    }
    const mesh: WorkloadMesh['mesh'] = meshedIstio > 0 && meshedIstio >= meshedLinkerd ? 'istio' : meshedLinkerd > 0 ? 'linkerd' : meshedConsul > 0 ? 'consul' : 'none';
    // A Linkerd template meshed by its own annotation still takes its default inbound policy and
    // skipped ports from the namespace's annotations where it has none: unknown, not absent.
    if (intentUnknown && mesh === 'linkerd' && w.pods.some((p) => linkerdNamespaceSettingsRead(p).length > 0)) namespaceUnknown = true;
    if (namespaceUnknown) unseen.add(namespace);
    if (mesh === 'istio') istioPods += meshedIstio;
    if (mesh === 'linkerd') linkerdPods += meshedLinkerd;
    if (mesh === 'consul') consulPods += meshedConsul;
    const rep: PodView = w.pods[0];
    const meantMeshedBy: string[] = [];
    if (meantIstio) meantMeshedBy.push('namespace labelled for Istio injection');
    if (meantLinkerd) meantMeshedBy.push('namespace annotated linkerd.io/inject');
    // A value the injector refuses was still written to mesh the pods: they are outside the mesh, and meant not to be.
    const nsInject = ns.annotations['linkerd.io/inject'];
    if (linkerdInjectRefused(nsInject)) meantMeshedBy.push(`namespace annotated linkerd.io/inject=${JSON.stringify(nsInject)}, a value Linkerd's proxy injector refuses`);
    const podInject = w.pods.map((p) => p.annotations['linkerd.io/inject']).find(linkerdInjectRefused);
    if (podInject !== undefined) meantMeshedBy.push(`pod annotated linkerd.io/inject=${JSON.stringify(podInject)}, a value Linkerd's proxy injector refuses`);
    if (injector?.injectDefault && namespace !== injector.namespace && consulServesNamespace(injector, namespace)) meantMeshedBy.push(`Consul connect injector injects by default (${injector.source})`);
    if (meshedByConfig.has(namespace)) meantMeshedBy.push('listed in config mesh.meshedNamespaces');
    if (strictNamespaces.has(namespace)) meantMeshedBy.push(`namespace PeerAuthentication ${policies.namespaceWinner.get(namespace)!.name} requires STRICT mTLS`);

    const wm: WorkloadMesh = {
      workload: w,
      namespace,
      labels: rep.labels,
      annotations: rep.annotations,
      mesh,
      meshedPods: meshedIstio + meshedLinkerd + meshedConsul,
      unmeshedPods: unmeshed,
      unmeshedReason,
      unmeshedSample,
      ...(refused > 0 ? { refusedPods: refused, refusedReason } : {}),
      ...(refusedIfRecreated !== undefined ? { refusedIfRecreated } : {}),
      ...(unmeshed > 0 && unconfirmed === unmeshed ? { unmeshedUnconfirmed: unconfirmedWhy! } : {}),
      meantMeshedBy,
      ...(namespaceUnknown ? { namespaceUnknown: true as const } : {}),
      ...(intentUnknown ? { intentUnknown: true as const } : {}),
    };
    if (mesh === 'istio') {
      const rev = istioRevisionOf(snapshot, config, ns.labels, rep.labels, rep.annotations);
      wm.istioRevision = rev.revision;
      if (rev.unresolved !== undefined) wm.istioRevisionUnresolved = rev.unresolved;
      const rp = revisionPolicies(wm.istioRevision);
      wm.istioRoot = rp.root;
      wm.istio = resolveIstioMode(rp.policies, namespace, rep.labels);
      if (awaitsIstioInjection(rep)) {
        const injector = injectors(wm.istioRevision);
        const values = 'injector' in injector ? injector.injector.values : undefined;
        const interceptionMode = istioProxyConfigMode(rep.annotations, meshInterceptionOf(wm.istioRevision));
        if (values || interceptionMode) wm.istioCaptureDefaults = { ...(values ? { values } : {}), ...(interceptionMode ? { interceptionMode } : {}) };
      }
    }
    if (mesh === 'linkerd') wm.linkerdPolicy = linkerdDefaultPolicy(ns.annotations, rep, namespace, clusterDefault, w.template);
    if (mesh === 'consul') {
      wm.consulService = consulServiceName(rep, servicesByNs.get(namespace) ?? []);
      wm.consulTransparentProxy = consulTransparentProxy(ns.labels, rep.annotations, injector);
    }
    workloads.push(wm);
  }
  if (istioPods > 0) istioEvidence.push(`${istioPods} pod(s) with an Istio dataplane`);
  if (linkerdPods > 0) linkerdEvidence.push(`${linkerdPods} pod(s) with a linkerd-proxy`);
  if (consulPods > 0) consulEvidence.push(`${consulPods} pod(s) with a Consul dataplane`);

  const workloadsByNamespace = new Map<string, WorkloadMesh[]>();
  for (const w of workloads) {
    const list = workloadsByNamespace.get(w.namespace);
    if (list) list.push(w);
    else workloadsByNamespace.set(w.namespace, [w]);
  }
  const istioPresent = istioEvidence.length > 0;
  // Only from live workloads, every one of them read: a manifests directory rarely holds the mesh's install.
  const liveRead = !manifests && POD_VIEW_KINDS.every((k) => (snapshot.coverage[k]?.status ?? 'ok') === 'ok' || snapshot.coverage[k]?.status === 'absent');
  const servicesRead = (snapshot.coverage.services?.status ?? 'ok') === 'ok';
  const readiness = podReadiness(snapshot.resources.pods ?? []);
  const cp = istioPresent && liveRead ? istioControlPlaneGone(snapshot.resources.mutatingwebhookconfigurations ?? [], allWorkloads, servicesRead ? snapshot.resources.services ?? [] : undefined, readiness) : undefined;
  const controlPlaneGone = cp && 'gone' in cp ? cp.gone : undefined;
  const controlPlaneDown = cp && 'gone' in cp ? cp.down : undefined;
  const controlPlaneServicesUnread = cp && 'servicesUnread' in cp ? cp.servicesUnread : undefined;
  // Each workload is served by its own revision's istiod: only the Services of that revision (or
  // ones naming none) being down leave it without a control plane. O(workloads × Services down).
  if (controlPlaneDown) {
    for (const w of workloads) {
      if (w.mesh !== 'istio') continue;
      const mine = controlPlaneDown.filter((d) => d.revisions.length === 0 || d.revisions.includes(w.istioRevision ?? 'default'));
      if (mine.length > 0) w.istioControlPlaneGone = mine.map((d) => d.gone).join('; ');
    }
  }
  const linkerdPresent = linkerdEvidence.length > 0;
  const lcp = linkerdPresent && liveRead ? linkerdControlPlaneGone(snapshot.resources.mutatingwebhookconfigurations ?? [], allWorkloads, servicesRead ? snapshot.resources.services ?? [] : undefined, readiness) : undefined;
  // A pod the injector should have meshed is not helped by a restart while no injector runs and
  // its webhook ignores the failure: said in workload-outside-mesh's reason.
  if (lcp && 'gone' in lcp && lcp.admitsUnmeshed) {
    for (const w of workloads) {
      // Only where a restart would have meshed it: not where the webhook is not called for it anyway.
      if (w.unmeshedReason?.startsWith(LINKERD_NOT_INJECTED) && w.unmeshedReason.endsWith(' (restart the pod)')) w.unmeshedReason = `${w.unmeshedReason.replace(/ \(restart the pod\)$/, '')}: no ready linkerd-proxy-injector pod runs and its webhook ignores the failure, so new pods start without a proxy (restart them once the injector runs again)`;
    }
  }
  const linkerdGone = lcp && 'gone' in lcp ? { controlPlaneGone: lcp.gone } : lcp && 'servicesUnread' in lcp ? { controlPlaneServicesUnread: lcp.servicesUnread } : {};
  const consulPresent = consulEvidence.length > 0;
  // What is left of a mesh that does not run: its CRDs (and objects), said in the posture.
  const leftover = (present: boolean, l: MeshLeftover) => (!present && l.kinds.length > 0 ? { leftover: l } : {});
  const linkerdPolicy = indexLinkerdPolicies({
    authorizationPolicies: snapshot.resources['linkerd.authorizationpolicies'] ?? [],
    serverAuthorizations: snapshot.resources['linkerd.serverauthorizations'] ?? [],
    meshTlsAuthentications: snapshot.resources['linkerd.meshtlsauthentications'] ?? [],
    networkAuthentications: snapshot.resources['linkerd.networkauthentications'] ?? [],
    httpRoutes: snapshot.resources['linkerd.httproutes'] ?? [],
    gatewayHttpRoutes: snapshot.resources['gatewayapi.httproutes'] ?? [],
    gatewayGrpcRoutes: snapshot.resources['gatewayapi.grpcroutes'] ?? [],
    statusObserved: !templatesStandIn(snapshot),
  }, linkerdTrustDomain(configmaps, linkerdRelease));
  const trustDomainUnread = configMapUnread(snapshot, LINKERD_CONFIG_CONFIGMAP);
  const servicesUnread = unreadKind(snapshot, 'services');
  const consulMutualTLSUnread = {
    entries: CONSUL_MTLS_KINDS.flatMap((k) => { const why = unreadKind(snapshot, k); return why ? [`${k}: ${why}`] : []; }),
    ...(servicesUnread ? { services: servicesUnread } : {}),
  };
  return {
    present: istioPresent || linkerdPresent || consulPresent,
    istio: { present: istioPresent, evidence: istioEvidence, ...leftover(istioPresent, leftovers.istio), policies, root, policiesFor: (ns, labels) => revisionPolicies(istioRevisionOf(snapshot, config, nsInfo(ns).labels, labels).revision).policies, ...(controlPlaneGone ? { controlPlaneGone, controlPlaneDown } : {}), ...(controlPlaneServicesUnread ? { controlPlaneServicesUnread } : {}), ...(injectorUnread.size > 0 ? { injectorUnread: [...injectorUnread].sort() } : {}) },
    linkerd: { present: linkerdPresent, evidence: linkerdEvidence, ...leftover(linkerdPresent, leftovers.linkerd), clusterDefault, ...(linkerdCni ? { cni: linkerdCni } : {}), proxyInit: linkerdProxyInit, servers, policy: linkerdPolicy, clusterNetworks: linkerdClusterNetworks(configmaps, configMapUnread(snapshot, LINKERD_CONFIG_CONFIGMAP), linkerdRelease), ...(trustDomainUnread ? { trustDomainUnread } : {}), ...linkerdGone },
    consul: { present: consulPresent, evidence: consulEvidence, ...leftover(consulPresent, leftovers.consul), defaultIntention: consulDefault, injector, intentions: indexServiceIntentions(snapshot.resources['consul.serviceintentions'] ?? []), mutualTLS: indexConsulMutualTLS(snapshot.resources['consul.servicedefaults'] ?? [], snapshot.resources['consul.proxydefaults'] ?? [], snapshot.resources['consul.meshes'] ?? []), mutualTLSUnread: consulMutualTLSUnread },
    namespaces,
    unseenNamespaces: [...unseen].sort(),
    workloads,
    workloadsByNamespace,
  };
}, ['network', 'tls', 'mtls']);

export type WorkloadModeEntry = MeshWorkloadDetail;

/**
 * How a mode admits inbound traffic. Istio: STRICT requires mTLS, PERMISSIVE also takes
 * plaintext, DISABLE takes only plaintext. Linkerd: a policy that admits unauthenticated
 * clients from anywhere (all-unauthenticated, audit) is plaintext; only from the cluster
 * network (cluster-unauthenticated) is permissive; the rest require a mesh identity.
 */
export function mtlsPostureOf(mode: string): MtlsPosture {
  if (mode === 'STRICT') return 'authenticated';
  if (mode === 'PERMISSIVE') return 'permissive';
  if (mode === 'DISABLE') return 'plaintext';
  if (mode.startsWith('linkerd:')) {
    const policy = mode.slice('linkerd:'.length);
    if (!admitsUnauthenticated(policy)) return 'authenticated';
    return policy === 'cluster-unauthenticated' ? 'permissive' : 'plaintext';
  }
  return 'outside';
}

/**
 * Why the Consul mTLS mode of `w` (a Consul workload) is not known, or undefined when it is. It is
 * looked up by the workload's service name in ServiceDefaults, else ProxyDefaults global: unread
 * config entries would show Consul's default, or a guessed name's mode, as if known; unread
 * Services (for a pod without a connect-service annotation) name it after its service account,
 * which matters only while some entry in effect may be permissive; an entry whose last update
 * failed is not what Consul applies (consul-k8s configentry_controller.go syncUnknownWithError:
 * Consul keeps the version it held before), as is one not synced while Consul holds, or may hold,
 * an entry of that name (consul.ts consulHoldsUnsyncedEntry), and a permissive entry not yet synced
 * while the Mesh entry Consul holds cannot be shown (its allowEnablingPermissiveMutualTLS decides
 * whether Consul accepts it). The report shows the mode as unknown (weak port '*'),
 * and a call the mode decides is judged under strict and permissive (mesh-flows.ts).
 */
export function consulMutualTLSUnknown(model: MeshModel, w: WorkloadMesh): string | undefined {
  const tls = model.consul.mutualTLS;
  const unread = model.consul.mutualTLSUnread;
  if (unread.entries.length > 0) return `Consul's config entries could not be read (${unread.entries.join(', ')}), so whether the service port also takes plaintext (permissive mode) is not known`;
  if (unread.services && !w.annotations[CONSUL_SERVICE_ANNOTATION]) {
    const permissive = tls.entries.some((e) => e.inEffect && e.mode === 'permissive' && !e.updateFailed && !e.meshUnknown);
    const failed = !permissive && tls.entries.find((e) => e.updateFailed || e.heldByConsul || e.meshUnknown);
    const entry = failed && `${failed.ref.kind} ${failed.ref.namespace}/${failed.ref.name}`;
    const may = permissive ? 'a ServiceDefaults or ProxyDefaults in effect sets permissive mode'
      : !failed ? undefined
        : failed.meshUnknown ? `${entry} sets permissive mode, which Consul may have accepted (whether the Mesh entry allows it is unknown)`
          : `${failed.updateFailed ? 'the last update of ' : ''}${entry} ${failed.updateFailed ? 'failed' : 'is not synced, but Consul holds, or may hold, an entry of that name'}, so Consul may hold it permissive`;
    if (may) return `its Consul service name could not be read (services: ${unread.services}; no ${CONSUL_SERVICE_ANNOTATION} annotation), and ${may}`;
  }
  const mode = tls.modeOf(w.consulService ?? serviceAccountOf(w.workload.pods[0]), w.namespace);
  const f = mode.updateFailed;
  if (f?.status === 'False') return `${f.entry} is not synced to Consul (Synced=False, ${syncedConditionText(f)}), but Consul holds, or may hold, an entry of that name that the consul-k8s controller did not write over, strict or permissive, which the snapshot cannot show (without it: ${mode.source})`;
  if (f) return `the last update of ${f.entry} failed (Synced=Unknown, ${syncedConditionText(f)}), and Consul keeps the version it held before, strict or permissive, which the snapshot cannot show (as written: ${mode.source})`;
  const u = mode.meshUnknown;
  return u ? `${u.entry} sets mutualTLSMode permissive and is not reported synced, so Consul applies it only if the Mesh entry allows enabling permissive mode, and ${u.why}` : undefined;
}

/** Per-workload mesh, effective mTLS mode and its classification, for report.json. */
export function meshWorkloadModes(snapshot: Snapshot, config: Config): MeshWorkloadDetail[] {
  const model = meshModel(snapshot, config);
  return model.workloads.map((w): MeshWorkloadDetail => {
    const workload = { kind: w.workload.ref.kind, namespace: w.workload.ref.namespace, name: w.workload.ref.name };
    if (w.mesh === 'istio' && w.istio) {
      const mode = w.istio.mode;
      const entry: MeshWorkloadDetail = { workload, mesh: 'istio', mode, posture: mtlsPostureOf(mode) };
      const ports = Object.entries(w.istio.ports);
      if (ports.length > 0) {
        entry.ports = { ...w.istio.ports };
        // A port whose mode differs from the workload's and is not STRICT weakens it.
        const weak = ports.filter(([, m]) => m !== mode && m !== 'STRICT');
        if (weak.length > 0) entry.weakPorts = Object.fromEntries(weak);
      }
      // Ports the sidecar does not capture take plaintext whatever the mode.
      const rep = w.workload.pods[0];
      const capture = rep ? meshInboundCapture(model.namespaces.get(w.namespace)?.labels ?? {}, rep, w.istioCaptureDefaults) : undefined;
      const bypassed = sidecarBypassedPorts(capture, rep ? containerPorts(rep.spec).map((p) => p.port) : [], rep ? istioProxyOwnPorts(rep.annotations) : []);
      if (Object.keys(bypassed).length > 0) entry.weakPorts = { ...entry.weakPorts, ...bypassed };
      if (capture?.redirect === 'none') entry.posture = 'plaintext';
      return entry;
    }
    if (w.mesh === 'linkerd' && w.linkerdPolicy) {
      const mode = `linkerd:${w.linkerdPolicy.policy}` as const;
      const entry: MeshWorkloadDetail = { workload, mesh: 'linkerd', mode, posture: mtlsPostureOf(mode) };
      // Ports the proxy skips inbound never reach it: plaintext whatever the policy.
      const rep = w.workload.pods[0];
      const skipped = rep ? linkerdSkippedPorts(model.namespaces.get(w.namespace)?.annotations ?? {}, rep, w.namespace, undefined, model.linkerd).find((s) => s.direction === 'inbound') : undefined;
      if (skipped && skipped.ports.length > 0) entry.weakPorts = Object.fromEntries(skipped.ports.map((p) => [p, `skips the linkerd-proxy (${skipped.source})`]));
      // Connections from skipped source subnets bypass it on every port.
      const subnets = rep ? linkerdSkippedSubnets(model.namespaces.get(w.namespace)?.annotations ?? {}, rep, w.namespace, undefined, model.linkerd) : undefined;
      if (subnets && subnets.subnets.length > 0) entry.weakPorts = { ...entry.weakPorts, '*': `connections from ${subnets.subnets.map((s) => s.text).join(', ')} skip the linkerd-proxy (${subnets.source})` };
      return entry;
    }
    // Consul's sidecar accepts only mutual TLS from mesh services on its public listener; ports
    // excluded from redirection bypass it, and without the transparent proxy nothing is
    // redirected (the application's port takes plaintext unless it listens on localhost only).
    if (w.mesh === 'consul') {
      const tproxy = w.consulTransparentProxy;
      const entry: MeshWorkloadDetail = tproxy?.enabled === false
        ? { workload, mesh: 'consul', mode: 'consul:no-tproxy', posture: 'plaintext' }
        : { workload, mesh: 'consul', mode: 'consul:mtls', posture: 'authenticated' };
      const weak: Record<string, string> = {};
      for (const p of consulPortList(w.annotations[CONSUL_EXCLUDE_INBOUND_ANNOTATION])) weak[p] = `excluded from the Consul sidecar (pod annotation ${CONSUL_EXCLUDE_INBOUND_ANNOTATION})`;
      if (tproxy?.enabled === undefined && tproxy) weak['*'] = `transparent proxy unknown: ${tproxy.source} is not a boolean`;
      // Permissive mTLS (consul.ts indexConsulMutualTLS) passes plaintext to the service port, without intentions.
      // Without the transparent proxy the mode does not apply (consulMutualTLSApplies).
      if (consulMutualTLSApplies(tproxy)) {
        const mtls = model.consul.mutualTLS.modeOf(w.consulService ?? serviceAccountOf(w.workload.pods[0]), w.namespace);
        const unknown = consulMutualTLSUnknown(model, w);
        if (unknown) {
          weak['*'] ??= `mTLS mode unknown: ${unknown}`;
        } else if (mtls.mode === 'permissive') {
          const rep = w.workload.pods[0];
          const port = consulServicePort(w.annotations, rep ? containerPorts(rep.spec) : []);
          weak[port ?? '*'] ??= `plaintext accepted on the service port, without intentions: ${mtls.source}`;
        }
      }
      if (Object.keys(weak).length > 0) entry.weakPorts = weak;
      return entry;
    }
    // No pod runs, in the mesh or out of it: the API server refuses them (linkerdMembership `refused`).
    if (w.refusedPods && w.unmeshedPods === 0 && w.meshedPods === 0) return { workload, mesh: 'none', mode: 'refused', posture: 'refused', refused: w.refusedReason! };
    const refused = w.refusedIfRecreated ?? w.refusedReason;
    return { workload, mesh: 'none', mode: 'none', posture: 'outside', ...(refused !== undefined ? { refused } : {}) };
  });
}

/**
 * Whether a pod (or template) decides its Istio or Linkerd membership without its namespace's
 * labels and annotations:
 * - a live pod runs what it runs (labels added later do nothing until a restart);
 * - a template that already carries istio-proxy or linkerd-proxy (`istioctl kube-inject`,
 *   `linkerd inject --manual`) runs it, and the injectors skip it
 *   (https://istio.io/latest/docs/setup/additional-setup/sidecar-injection/#manual-sidecar-injection);
 * - a pod label sidecar.istio.io/inject "false": Istio's "Controlling the injection policy" table
 *   (https://istio.io/latest/docs/setup/additional-setup/sidecar-injection/#controlling-the-injection-policy)
 *   does not inject when either label is disabled. A pod label "true" does not decide: the
 *   namespace label istio-injection=disabled vetoes it (the same table: "disabled" wins over
 *   "enabled"), so in a namespace whose labels are unknown the pod's injection is unknown;
 * - a pod annotation linkerd.io/inject: the pod's value overrides the namespace's
 *   (https://linkerd.io/2/features/proxy-injection/, "Overriding injection").
 */
export function podDecidesMesh(pod: PodView): boolean {
  if (pod.origin === 'pod' || hasIstioProxy(pod) || containerNames(pod.spec).includes('linkerd-proxy')) return true;
  // The label beats the legacy annotation of the same name.
  const istio = pod.labels['sidecar.istio.io/inject'] ?? pod.annotations['sidecar.istio.io/inject'];
  if (istio === 'false') return true;
  const linkerd = pod.annotations['linkerd.io/inject'];
  return linkerd === 'enabled' || linkerd === 'ingress' || linkerd === 'disabled';
}

/** Whether any pod or template in the snapshot runs with a mesh proxy (used by other areas too). */
export function podHasMeshProxy(pod: PodView): boolean {
  const names = containerNames(pod.spec);
  return hasIstioProxy(pod) || names.includes('linkerd-proxy') || names.includes('consul-dataplane') || names.includes('envoy-sidecar');
}

// ---- applicability gates shared by the mtls checks --------------------------------------

export function meshPresent(ctx: AuditContext): boolean {
  return meshModel(ctx.snapshot, ctx.config).present;
}
export function istioPresent(ctx: AuditContext): boolean {
  return meshModel(ctx.snapshot, ctx.config).istio.present;
}
export function linkerdPresent(ctx: AuditContext): boolean {
  return meshModel(ctx.snapshot, ctx.config).linkerd.present;
}
export function consulPresent(ctx: AuditContext): boolean {
  return meshModel(ctx.snapshot, ctx.config).consul.present;
}
