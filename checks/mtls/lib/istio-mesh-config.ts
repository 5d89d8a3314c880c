// Istio's mesh config (ConfigMap `istio`, key `mesh`) names the root namespace whose selector-less
// PeerAuthentications and AuthorizationPolicies apply mesh-wide, and the trust domain principals
// are read in (https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/ rootNamespace,
// trustDomain). The collector reads it by name, keeping what it read when another ConfigMap is
// refused: only when that ConfigMap is missing while a by-name read failed, and was not answered
// 404 (istioMeshConfigUnread), are both unknown, and Istio's defaults (istio-system,
// cluster.local) cannot stand in for them: a STRICT PeerAuthentication in istio-system is
// mesh-wide only when istio-system is the root.
import type { ConditionalRead } from '../../../src/engine/types.ts';
import type { AuditContext } from '../../../src/analysis/context.ts';
import { istioOutbound, istioPresent, istioRevisions } from '../../../src/analysis/mesh/index.ts';
import { configMapIn, istiodConfigMapRefs, istioInjectorConfigMapName, istioMeshConfigNamespaces, istioMeshConfigUnread, istioRevisionResolver } from '../../../src/analysis/mesh/configmaps.ts';
import { meshModel } from '../../../src/analysis/mesh/model.ts';
import { subsetTlsRuleCount } from '../../../src/analysis/mesh/destination-rules.ts';
import { istioWaypointRootsResolved } from '../../../src/analysis/mesh/istio-authz.ts';
import { awaitsIstioInjection } from '../../../src/analysis/mesh/istio.ts';
import { configMapsUnreadable, configMapUnread } from '../../../src/analysis/configmaps.ts';

/**
 * Holds when Istio is installed and its mesh config is unread: ConfigMap istio, or istio-<rev> of a
 * revision in use (each revision's istiod reads its own); `settings` are the ones the check judges
 * by, named in the reason.
 */
function istioMeshConfigRead(settings: string): ConditionalRead {
  return {
    kinds: ['configmaps'],
    when: `when Istio is installed: its mesh config (ConfigMap istio, and istio-<rev> for each revision in use: ${settings})`,
    holds(ctx) {
      if (!configMapsUnreadable(ctx.snapshot) || !istioPresent(ctx)) return undefined;
      const unread = ['default', ...istioRevisions(ctx.snapshot)].flatMap((r) => istioMeshConfigUnread(ctx.snapshot, ctx.config, r)?.ref ?? []);
      if (unread.length === 0) return undefined;
      const names = unread.slice(0, NAMED).map((ref) => `${ref.namespace}/${ref.name}`).join(', ');
      return `Istio's mesh config (ConfigMap${unread.length > 1 ? 's' : ''} ${names}${unread.length > NAMED ? `, and ${unread.length - NAMED} more` : ''}: ${settings})`;
    },
  };
}

/**
 * An istio.io/rev label may name a tag, an alias whose webhook istio-revision-tag-<tag> names the
 * revision that injects (https://istio.io/latest/docs/setup/upgrade/canary/, "Stable revision
 * labels"): the MutatingWebhookConfigurations are read when a label value is neither stamped on
 * the pod nor has its own istio-<value> ConfigMap, and for `default` (istio-injection=enabled) when
 * ConfigMap istio is absent: the default tag then names the revision (istioRevisionResolver). Unread, which
 * revision's mesh config such workloads follow is unknown.
 */
export const ISTIO_REVISION_TAGS_READ: ConditionalRead = {
  kinds: ['mutatingwebhookconfigurations'],
  when: 'when Istio is installed and a workload not yet injected follows the default tag (istio-injection=enabled, no ConfigMap istio) or an istio.io/rev label naming no revision whose ConfigMap istio-<rev> was read, or a waypoint Gateway does while policies are attached to the istio-waypoint GatewayClass: the tag webhooks (istio-revision-tag-<tag>) that say which revision it is',
  holds(ctx) {
    if (!istioPresent(ctx)) return undefined;
    meshModel(ctx.snapshot, ctx.config);
    // A waypoint's revision names the root namespace whose GatewayClass policies it takes.
    istioWaypointRootsResolved(ctx.snapshot, ctx.config);
    const values = [...istioRevisionResolver(ctx.snapshot, ctx.config).consulted].sort();
    if (values.length === 0) return undefined;
    return `the Istio revision tag webhooks (istio-revision-tag-${values.slice(0, NAMED).join(', istio-revision-tag-')}${values.length > NAMED ? ', …' : ''}) that say which revision istio.io/rev ${values.length > 1 ? 'values name' : `${values[0]} names`}`;
  },
};

export const ISTIO_MESH_CONFIG_READ = istioMeshConfigRead('rootNamespace, trustDomain');

/**
 * For the checks judging which ports and calls an Istio sidecar captures: a template the injector
 * has yet to inject takes, where its annotations set none, its revision's injector values
 * (ConfigMap istio-sidecar-injector, key values: global.proxy include/exclude ports and ranges)
 * and mesh config (ConfigMap istio: defaultConfig.interceptionMode), as the injection template
 * renders them (src/analysis/mesh/istio.ts captureSettings, istioProxyConfigMode). Unread, a
 * bypass they set would pass as captured: holds when such a template's revision has its mesh
 * config unread (istioMeshConfigUnread), or its injector ConfigMap unread where the collector asks
 * for it, beside each istiod of the snapshot (istiodConfigMapRefs); one it never asks for is not
 * in the input, and Istio's chart defaults stand in, as when every read succeeded.
 */
export const ISTIO_TEMPLATE_CAPTURE_READ: ConditionalRead = {
  kinds: ['configmaps'],
  when: 'when an Istio sidecar pod template is not yet injected: its revision\'s injector values (ConfigMap istio-sidecar-injector, key values: global.proxy capture ports and ranges) and mesh config (ConfigMap istio: defaultConfig.interceptionMode), which stand in for the traffic annotations it does not set',
  holds(ctx) {
    if (!configMapsUnreadable(ctx.snapshot) || !istioPresent(ctx)) return undefined;
    const revisions = new Set<string>();
    for (const w of meshModel(ctx.snapshot, ctx.config).workloads) {
      const rep = w.workload.pods[0];
      if (w.mesh === 'istio' && rep && awaitsIstioInjection(rep)) revisions.add(w.istioRevision ?? 'default');
    }
    const asked = new Set(istiodConfigMapRefs(ctx.snapshot).map((ref) => `${ref.namespace}/${ref.name}`));
    const configmaps = ctx.snapshot.resources.configmaps ?? [];
    const unread = [...revisions].sort().flatMap((r) => {
      const name = istioInjectorConfigMapName(r);
      const places = istioMeshConfigNamespaces(ctx.snapshot, ctx.config)(r).namespaces;
      const injector = configMapIn(configmaps, places, name) ? undefined : places.find((namespace) => asked.has(`${namespace}/${name}`) && configMapUnread(ctx.snapshot, { namespace, name }));
      return [istioMeshConfigUnread(ctx.snapshot, ctx.config, r)?.ref, injector === undefined ? undefined : { namespace: injector, name }].filter((ref) => ref !== undefined);
    });
    if (unread.length === 0) return undefined;
    const names = unread.slice(0, NAMED).map((ref) => `${ref.namespace}/${ref.name}`).join(', ');
    return `the Istio install settings a pod template not yet injected takes (ConfigMap${unread.length > 1 ? 's' : ''} ${names}${unread.length > NAMED ? `, and ${unread.length - NAMED} more` : ''}: global.proxy capture values, defaultConfig.interceptionMode)`;
  },
};

/** The same ConfigMap, for mtls.auto-mtls-disabled: enableAutoMtls and the root namespace whose DestinationRules apply mesh-wide. */
export const ISTIO_AUTO_MTLS_READ = istioMeshConfigRead('enableAutoMtls, rootNamespace');

const NAMED = 3;

/**
 * For the checks judging which templates Istio's sidecar injector injects: said in their coverage
 * when the injector config (policy, neverInjectSelector, alwaysInjectSelector) of a template's
 * revision was not read, so the templates its webhook is called for were judged by their labels
 * alone (MeshModel istio.injectorUnread), as Istio's chart default (policy enabled, no selectors) has it.
 */
export function istioInjectorNote(ctx: AuditContext): string | undefined {
  const unread = meshModel(ctx.snapshot, ctx.config).istio.injectorUnread ?? [];
  if (unread.length === 0) return undefined;
  return `Istio's sidecar injector config was not read (${unread.slice(0, NAMED).join('; ')}${unread.length > NAMED ? `, and ${unread.length - NAMED} more` : ''}): the pod templates labelled for injection were judged by their labels alone, without its policy, neverInjectSelector and alwaysInjectSelector`;
}

/**
 * For mtls.outbound-allow-any: the mesh config of each revision a meshed workload runs under
 * (ConfigMap istio, istio-<rev> for a revision: outboundTrafficPolicy), looked for as istioOutbound
 * does (the configured root namespace, then istio-system). One revision's refused leaves the
 * others' known, but the check judges them all in one run, so any one unread holds.
 */
export const ISTIO_OUTBOUND_READ: ConditionalRead = {
  kinds: ['configmaps'],
  when: 'when Istio is installed: its mesh config (ConfigMap istio, and istio-<rev> for each revision in use: outboundTrafficPolicy, rootNamespace)',
  holds(ctx) {
    if (!configMapsUnreadable(ctx.snapshot) || !istioPresent(ctx)) return undefined;
    const missing = [...istioOutbound(ctx.snapshot, ctx.config).meshConfigs.keys()].flatMap((revision) => istioMeshConfigUnread(ctx.snapshot, ctx.config, revision)?.ref ?? []);
    if (missing.length === 0) return undefined;
    const names = missing.slice(0, NAMED).map((ref) => `${ref.namespace}/${ref.name}`).join(', ');
    return `Istio's mesh config (ConfigMap${missing.length > 1 ? 's' : ''} ${names}${missing.length > NAMED ? `, and ${missing.length - NAMED} more` : ''}: outboundTrafficPolicy)`;
  },
};

/**
 * For a check judging flows through the mesh: an Istio sidecar caller sends Istio mutual TLS, or
 * not, by the DestinationRule of the Service it dials (flow-verdict.ts istioCallerTls), and a pod
 * port no Service leads to it reaches only through PassthroughCluster, in plaintext
 * (istioPassthrough), so the Services leading to a callee's port decide whether it presents its
 * identity. Holds when Istio is installed.
 */
export const ISTIO_CLIENT_TLS_SERVICES_READ: ConditionalRead = {
  kinds: ['services'],
  when: 'when Istio is installed: the Services through which a sidecar caller sends Istio mTLS (by their DestinationRules); a pod port no Service leads to is reached in plaintext through PassthroughCluster',
  holds(ctx) {
    if (!istioPresent(ctx)) return undefined;
    const rules = ctx.snapshot.resources['istio.destinationrules']?.length ?? 0;
    if (rules > 0) return `the Services ${rules} Istio DestinationRule(s) set client TLS for`;
    return 'the Services that decide which pod ports Istio sidecar callers reach with mTLS (any other through PassthroughCluster, in plaintext)';
  },
};

/**
 * A sidecar caller's client TLS set by a DestinationRule subset applies to the calls a mesh
 * VirtualService routes to the subset (src/analysis/mesh/flow-verdict.ts routedTls): read only
 * where such a subset exists.
 */
export const ISTIO_MESH_ROUTES_READ: ConditionalRead = {
  kinds: ['istio.virtualservices'],
  when: 'when an Istio DestinationRule subset sets client TLS of its own: the VirtualServices that route sidecar calls to it',
  holds(ctx) {
    const n = subsetTlsRuleCount(ctx.snapshot.resources['istio.destinationrules'] ?? []);
    return n > 0 ? `the mesh routes to the subsets of ${n} Istio DestinationRule(s) that set client TLS` : undefined;
  },
};
