// What of a mesh runs, or is meant to run, recognised by its images: a control plane, node
// agents, standalone proxies (gateways). A mesh is present by these, its injection labels and
// webhooks, and its proxies in pods — never by its CRDs or the config objects an uninstall
// leaves behind (`istioctl uninstall --purge` and `helm uninstall istiod` keep the CRDs and every
// object in them: https://istio.io/latest/docs/setup/install/helm/#uninstall).
import type { KubeObject } from '../../snapshot/types.ts';
import type { PodView, Workload } from '../workloads.ts';
import { imageRepository } from '../images.ts';
import { refString } from '../workloads.ts';
import { arr, obj, str } from './util.ts';
import { matchAllSelector, parseSelector, type Selector } from '../netpol/selector.ts';
import { oneLine } from '../../base/plain-text.ts';

export type MeshComponentMesh = 'istio' | 'linkerd' | 'consul';

/** One component found, for the mesh's evidence ("istiod Deployment istio-system/istiod (image …/pilot)"). */
export interface MeshComponent {
  mesh: MeshComponentMesh;
  role: 'control plane' | 'dataplane';
  text: string;
}

/**
 * The mesh component an image is, from its repository's last path segment (any registry or
 * mirror): Istio's istiod is `pilot` (container `discovery`; manifests/charts/istio-control/
 * istio-discovery/templates/deployment.yaml), its Envoy proxy (sidecars and gateways) `proxyv2`,
 * ambient's node proxy `ztunnel`, its CNI node agent `install-cni`; Linkerd's control plane
 * `controller` and `policy-controller`, its proxy `proxy` (cr.l5d.io/linkerd/…); Consul's servers
 * `consul`, its Kubernetes control plane `consul-k8s-control-plane`, its dataplane
 * `consul-dataplane` (hashicorp/…). Images named like these outside the mesh's own paths are
 * not taken (a `proxy` image is not Linkerd's unless its path says linkerd).
 * Red Hat's builds add `-rhel<N>`: OpenShift Service Mesh 2 ships `pilot-rhel8`, OpenShift
 * Service Mesh 3 also prefixes `istio-` and names its CNI agent `istio-cni`
 * (registry.redhat.io/openshift-service-mesh/istio-pilot-rhel9, istio-proxyv2-rhel9,
 * istio-ztunnel-rhel9, istio-cni-rhel9: the OSSM image names in openshift/cluster-ingress-operator
 * pkg/operator/controller/gatewayclass/controller.go, and the servicemeshoperator3 CSV's
 * images.<version>.{istiod,proxy,cni,ztunnel} annotations).
 */
export function meshComponentOfImage(image: string, container: string): { mesh: MeshComponentMesh; role: MeshComponent['role']; what: string } | undefined {
  const repo = imageRepository(image);
  const last = repo.slice(repo.lastIndexOf('/') + 1);
  const istio = repo.includes('istio');
  if (/^(istio-)?pilot(-rhel\d+)?$/.test(last) && (istio || container === 'discovery')) return { mesh: 'istio', role: 'control plane', what: 'istiod' };
  if (/^(istio-)?ztunnel(-rhel\d+)?$/.test(last)) return { mesh: 'istio', role: 'dataplane', what: 'ztunnel' };
  if (/^(istio-)?proxyv2(-rhel\d+)?$/.test(last) && (istio || container === 'istio-proxy')) return { mesh: 'istio', role: 'dataplane', what: 'Istio proxy' };
  if (/^(install-cni|istio-cni)(-rhel\d+)?$/.test(last) && istio) return { mesh: 'istio', role: 'dataplane', what: 'istio-cni node agent' };
  if (repo.includes('linkerd')) {
    if (last === 'controller' || last === 'policy-controller') return { mesh: 'linkerd', role: 'control plane', what: 'Linkerd control plane' };
    if (last === 'proxy') return { mesh: 'linkerd', role: 'dataplane', what: 'linkerd-proxy' };
  }
  if (repo.includes('hashicorp')) {
    if (last === 'consul' || last === 'consul-enterprise') return { mesh: 'consul', role: 'control plane', what: 'Consul server' };
    if (last === 'consul-k8s-control-plane') return { mesh: 'consul', role: 'control plane', what: 'Consul control plane' };
    if (last === 'consul-dataplane') return { mesh: 'consul', role: 'dataplane', what: 'Consul dataplane' };
  }
  return undefined;
}

/**
 * The mesh components the workloads run (live pods, else the workload's template: a Deployment
 * scaled to zero is still installed), first one per mesh, role and kind of component, at most
 * `limit` per mesh. O(workloads × containers).
 */
export function meshComponents(workloads: Iterable<Workload>, limit = 5): MeshComponent[] {
  const out: MeshComponent[] = [];
  const seen = new Set<string>();
  const count = new Map<MeshComponentMesh, number>();
  for (const w of workloads) {
    const spec = w.pods[0]?.spec ?? w.template?.spec;
    if (!spec || typeof spec !== 'object') continue;
    for (const c of [...arr(spec.containers), ...arr(spec.initContainers)]) {
      const image = str(obj(c)?.image);
      if (!image) continue;
      const found = meshComponentOfImage(image, str(obj(c)?.name) ?? '');
      if (!found) continue;
      const key = `${found.mesh}/${found.what}`;
      if (seen.has(key) || (count.get(found.mesh) ?? 0) >= limit) continue;
      seen.add(key);
      count.set(found.mesh, (count.get(found.mesh) ?? 0) + 1);
      out.push({ mesh: found.mesh, role: found.role, text: `${found.what} ${refString(w.ref)} (image ${imageRepository(image)})` });
    }
  }
  return out;
}

/** Whether a workload (its first live pod, else its template) runs one of `mesh`'s control-plane components (meshComponentOfImage). */
export function runsMeshControlPlane(w: Workload, mesh: MeshComponentMesh): boolean {
  const spec = w.pods[0]?.spec ?? w.template?.spec;
  if (!spec || typeof spec !== 'object') return false;
  return [...arr(spec.containers), ...arr(spec.initContainers)].some((c) => {
    const image = str(obj(c)?.image);
    const found = image ? meshComponentOfImage(image, str(obj(c)?.name) ?? '') : undefined;
    return found?.mesh === mesh && found.role === 'control plane';
  });
}

/** Whether each pod is Ready: true or false, or undefined where the input does not say (manifests, a snapshot of an older version). */
export type PodReadiness = (pods: readonly PodView[]) => Map<PodView, boolean | undefined>;

/**
 * The readiness of a few pods, read from their live objects in one pass over `pods` (a namespace
 * test first, so the control plane's handful costs no key per pod of the cluster): the pod's
 * Ready condition (`status.conditions`, kept alone by the slim Pod view, src/snapshot/kinds.ts);
 * without one, a phase other than Running (Pending, Failed, Succeeded) is not ready. A Service
 * sends traffic to Ready pods only ("Ready: the Pod is able to serve requests and should be added
 * to the load balancing pools of all matching Services",
 * https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-conditions), so a
 * control plane none of whose pods is Ready (a crash loop, a failing readiness probe) answers no
 * webhook and signs no certificate. O(pods) once per call.
 */
export function podReadiness(pods: readonly KubeObject[]): PodReadiness {
  return (wanted) => {
    const out = new Map<PodView, boolean | undefined>();
    const byKey = new Map<string, PodView[]>();
    const namespaces = new Set<string>();
    for (const p of wanted) {
      out.set(p, undefined);
      namespaces.add(p.namespace);
      const key = `${p.namespace}/${p.name}`;
      const list = byKey.get(key);
      if (list) list.push(p);
      else byKey.set(key, [p]);
    }
    if (wanted.length === 0) return out;
    for (const o of pods) {
      const ns = o.metadata?.namespace ?? 'default';
      if (!namespaces.has(ns)) continue;
      const views = byKey.get(`${ns}/${o.metadata?.name ?? ''}`);
      if (!views) continue;
      const ready = readyOf(o);
      for (const v of views) out.set(v, ready);
    }
    return out;
  };
}

function readyOf(o: KubeObject): boolean | undefined {
  const status = obj(o.status);
  if (!status) return undefined;
  const condition = arr(status.conditions).map(obj).find((c) => c && str(c.type) === 'Ready');
  if (condition) return str(condition.status) === 'True';
  const phase = str(status.phase);
  return phase !== undefined && phase !== 'Running' ? false : undefined;
}

/** Every pod's readiness unknown: manifests, or a caller with no pods to read. */
export const readinessUnknown: PodReadiness = (wanted) => new Map(wanted.map((p) => [p, undefined]));

/**
 * Istio's injection webhooks: a revision's injector (istio-sidecar-injector[-<rev>], labelled
 * istio.io/rev) and revision tags (istio-revision-tag-<tag>). A remote cluster of a multicluster
 * mesh, or one whose istiod runs outside it, has these and no istiod of its own
 * (https://istio.io/latest/docs/setup/install/external-controlplane/).
 */
export function istioInjectionWebhooks(webhooks: KubeObject[]): string[] {
  const out = new Set<string>();
  for (const w of webhooks) if (isIstioInjectionWebhook(w)) out.add(w.metadata!.name!);
  return [...out].sort();
}

function isIstioInjectionWebhook(w: KubeObject): boolean {
  const name = w.metadata?.name ?? '';
  return name !== '' && (name.startsWith('istio-sidecar-injector') || name.startsWith('istio-revision-tag-') || typeof w.metadata?.labels?.['istio.io/rev'] === 'string');
}

/**
 * Why Istio's control plane is gone while its injection webhooks remain, or undefined. The istiod
 * chart's injector webhooks call the istiod Service in the cluster (clientConfig.service, with
 * failurePolicy: Fail; manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml):
 * with no istiod pod behind it, the API server refuses every new pod they select, and the running
 * sidecars have no CA to renew their workload certificates from (istiod is the mesh's CA,
 * https://istio.io/latest/docs/concepts/security/#pki), so mutual TLS stops working rather than
 * being enforced. A webhook calling a URL (clientConfig.url) is served from outside the cluster (an
 * external or remote control plane, https://istio.io/latest/docs/setup/install/external-controlplane/),
 * which the snapshot cannot see: then nothing is said. So too for a webhook Service with no selector
 * or of type ExternalName: on the remote cluster of a primary-remote mesh the injector calls Service
 * istio-system/istiod, which selects nothing, its Endpoints pointing at the primary's east-west
 * gateway (https://istio.io/latest/docs/setup/install/multicluster/primary-remote/; istio/istio
 * manifests/charts/istio-control/istio-discovery/templates/remote-istiod-service.yaml and
 * remote-istiod-endpoints.yaml); and for one missing from a complete read of the Services, where
 * the webhook's backend is not known. Judged on live workloads only (callers pass them when the
 * pods were read): a manifests directory rarely holds the mesh's install. `services` undefined: the
 * Services were not read, so the verdict is not claimed ({ servicesUnread } names the webhooks' Services)
 * unless no istiod pod anywhere may be ready. Each called Service is judged on the pods behind it
 * (a canary revision's webhook is not served by another revision's Ready istiod); the verdict names
 * each revision whose Service has none ready. O(pods × called Services), a handful of Services.
 */
export function istioControlPlaneGone(webhooks: KubeObject[], workloads: Iterable<Workload>, services: KubeObject[] | undefined, readiness: PodReadiness = readinessUnknown): { gone: string; down: IstiodDown[] } | { servicesUnread: string } | undefined {
  const hooks = webhooks.filter(isIstioInjectionWebhook);
  const { called, callers, url } = webhookBackends(hooks);
  if (url || called.size === 0) return undefined;
  const list = (xs: string[]) => `${xs.slice(0, 3).join(', ')}${xs.length > 3 ? ', …' : ''}`;
  if (services === undefined) {
    // Which pods a Service selects cannot be told: any istiod pod not known to be unready keeps "runs".
    const istiod: PodView[] = [];
    for (const w of workloads) if (w.pods.length > 0 && runsMeshControlPlane(w, 'istio')) istiod.push(...w.pods);
    const ready = readiness(istiod);
    if (istiod.some((p) => ready.get(p) !== false)) return undefined;
    return { servicesUnread: `the Service${called.size > 1 ? 's' : ''} ${list([...called].sort())} Istio's injection webhooks call, whose selector says whether istiod runs in this cluster or outside it (primary-remote)` };
  }
  // Each revision has its own istiod-<rev> Service and injector webhook
  // (https://istio.io/latest/docs/setup/upgrade/canary/), and a Service sends traffic only to the
  // Ready pods of its own namespace its selector matches (pod-lifecycle/#pod-conditions): each
  // called Service is judged on the pods behind it, so a Ready istiod of another revision serves
  // none of its webhooks. A Service missing, selector-less or ExternalName is served from
  // elsewhere or unknown: not judged.
  const byKey = new Map(services.map((o) => [`${o.metadata?.namespace ?? 'default'}/${o.metadata?.name ?? ''}`, o]));
  const judged = new Map<string, { namespace: string; selector: Record<string, string>; pods: PodView[] }>();
  const namespaces = new Set<string>();
  for (const key of [...called].sort()) {
    const svc = byKey.get(key);
    const spec = obj(svc?.spec);
    const selector = obj(spec?.selector) as Record<string, unknown> | undefined;
    if (!spec || str(spec.type) === 'ExternalName' || !selector || Object.keys(selector).length === 0) continue;
    const namespace = svc!.metadata?.namespace ?? 'default';
    judged.set(key, { namespace, selector: Object.fromEntries(Object.entries(selector).map(([k, v]) => [k, String(v)])), pods: [] });
    namespaces.add(namespace);
  }
  if (judged.size === 0) return undefined;
  // One pass over the live pods, a namespace test first; the called Services are a handful.
  const istiodByNamespace = new Map<string, PodView[]>();
  for (const w of workloads) {
    const istiod = runsMeshControlPlane(w, 'istio');
    for (const p of w.pods) {
      if (p.origin !== 'pod' || !namespaces.has(p.namespace)) continue;
      for (const j of judged.values()) if (j.namespace === p.namespace && Object.entries(j.selector).every(([k, v]) => p.labels[k] === v)) j.pods.push(p);
      if (!istiod) continue;
      const list = istiodByNamespace.get(p.namespace);
      if (list) list.push(p);
      else istiodByNamespace.set(p.namespace, [p]);
    }
  }
  // A selector naming no revision (the default revision's istiod Service selects app: istiod,
  // istio: pilot) that matches no pod is not lined up with a revision's pods: then the istiod pods
  // of its namespace stand behind it, as before revisions were told apart. One naming a revision
  // (istio.io/rev: canary) that matches none has no istiod of that revision.
  for (const j of judged.values()) if (j.pods.length === 0 && j.selector['istio.io/rev'] === undefined) j.pods = istiodByNamespace.get(j.namespace) ?? [];
  const ready = readiness([...judged.values()].flatMap((j) => j.pods));
  const down: string[] = [];
  const revisions = new Set<string>();
  const byService: IstiodDown[] = [];
  for (const [key, j] of judged) {
    if (j.pods.some((p) => ready.get(p) !== false)) continue;
    const names = [...(callers.get(key) ?? [])].sort();
    const revs = [...new Set([...names.map((n) => hooks.find((h) => h.metadata!.name === n)?.metadata?.labels?.['istio.io/rev']), j.selector['istio.io/rev']].filter((r): r is string => typeof r === 'string' && r !== ''))].sort();
    for (const r of revs) revisions.add(r);
    const rev = revs.length ? ` for revision ${revs.join(', ')}` : '';
    const pods = j.pods.map((p) => `${p.namespace}/${p.name}`).sort();
    const which = pods.length === 0 ? `no istiod pod runs${rev}` : `no istiod pod is ready${rev} (${pods.length > 1 ? `its ${pods.length} pods` : 'its pod'} ${list(pods)} fail${pods.length > 1 ? '' : 's'} the readiness probe, a crash loop or a start that does not finish)`;
    const text = `${which}, yet the injection webhook${names.length > 1 ? 's' : ''} ${list(names)} remain${names.length > 1 ? '' : 's'}, calling Service ${key} with ${pods.length === 0 ? 'nothing' : 'no ready endpoint'} behind it`;
    down.push(text);
    byService.push({ service: { namespace: j.namespace, name: key.slice(j.namespace.length + 1) }, revisions: revs, gone: `${text}: ${goneEffect(revs)}` });
  }
  if (down.length === 0) return undefined;
  return { gone: `${down.join('; ')}: ${goneEffect([...revisions])}`, down: byService };
}

/**
 * One istiod Service with no ready pod behind it, and the revisions whose injector webhooks call it
 * (its webhooks' and its selector's istio.io/rev; a tag's webhook names the revision it points at).
 * Istio serves each workload from its own revision's istiod (configmaps.ts istioRevisionValue), so
 * what is lost is lost for that revision's workloads only; `revisions` empty: the webhooks and the
 * Service name none, and every workload may be served by it. `gone`: why, as `gone` says it.
 */
export interface IstiodDown {
  service: { namespace: string; name: string };
  revisions: string[];
  gone: string;
}

const goneEffect = (revisions: string[]) => `new pods in ${revisions.length > 0 ? `the namespaces on revision ${revisions.join(', ')}` : 'the namespaces labelled for Istio'} are refused (failurePolicy Fail) and their running sidecars cannot renew their certificates from istiod, the mesh's CA, so mutual TLS is not being enforced`;

/**
 * Linkerd's proxy injector webhook: MutatingWebhookConfiguration linkerd-proxy-injector-webhook-config,
 * labelled linkerd.io/control-plane-component: proxy-injector, its webhook
 * linkerd-proxy-injector.linkerd.io (linkerd/linkerd2 charts/linkerd-control-plane/templates/
 * proxy-injector-rbac.yaml). `linkerd uninstall` removes it with the control plane.
 */
/**
 * Whether Linkerd's proxy injector webhooks are evidence that Linkerd is installed, not a
 * leftover of an uninstall (as Istio's CRDs are, `leftover`): some pod runs a linkerd-proxy, or a
 * Service a webhook calls exists (or the Services could not be read, so that cannot be told). A
 * webhook alone, calling a Service that is gone, with no proxy anywhere, says nothing about
 * mutual TLS: it made every Linkerd check apply to a cluster without Linkerd (a high "meshed pods
 * accept plaintext" finding about a linkerd-config that does not exist).
 */
export function linkerdWebhooksInstalled(hooks: KubeObject[], workloads: Iterable<Workload>, services: KubeObject[] | undefined): boolean {
  if (hooks.length === 0) return false;
  if (services === undefined) return true;
  const { called, url } = webhookBackends(hooks);
  if (url) return true; // served from elsewhere
  if (services.some((o) => called.has(`${o.metadata?.namespace ?? 'default'}/${o.metadata?.name ?? ''}`))) return true;
  for (const w of workloads) {
    for (const pod of w.pods) if ([...arr(pod.spec.containers), ...arr(pod.spec.initContainers)].some((c) => str(obj(c)?.name) === 'linkerd-proxy')) return true;
  }
  return false;
}

/**
 * What the webhooks of `hooks` call: the in-cluster Services ("ns/name"), their failurePolicies
 * (the API server's default is Fail, admissionregistration.k8s.io/v1), and whether one calls a
 * URL instead (its backend served from elsewhere).
 */
function webhookBackends(hooks: KubeObject[]): { called: Set<string>; callers: Map<string, Set<string>>; policies: Set<string>; url: boolean } {
  const called = new Set<string>();
  const callers = new Map<string, Set<string>>();
  const policies = new Set<string>();
  let url = false;
  for (const h of hooks) {
    for (const wh of arr(h.webhooks)) {
      const cc = obj(obj(wh)?.clientConfig);
      const svc = obj(cc?.service);
      if (svc) {
        const key = `${str(svc.namespace) ?? 'default'}/${str(svc.name) ?? ''}`;
        called.add(key);
        const names = callers.get(key) ?? new Set<string>();
        names.add(h.metadata?.name ?? '');
        callers.set(key, names);
      } else if (str(cc?.url)) url = true;
      policies.add(str(obj(wh)?.failurePolicy) ?? 'Fail');
    }
  }
  return { called, callers, policies, url };
}

export function linkerdInjectionWebhooks(webhooks: KubeObject[]): KubeObject[] {
  return webhooks.filter((w) => w.metadata?.name && (w.metadata.labels?.['linkerd.io/control-plane-component'] === 'proxy-injector'
    || arr(w.webhooks).some((h) => str(obj(h)?.name) === 'linkerd-proxy-injector.linkerd.io')));
}

/** What a failed call to Linkerd's proxy injector webhook does to a pod (linkerdInjectorFailurePolicy). */
export type LinkerdInjectorFailure = { policy: 'Fail' | 'Ignore'; webhooks: string } | { unread: string };

/**
 * The failurePolicy of Linkerd's proxy injector webhook (linkerdInjectionWebhooks), which decides
 * what the API server does with a pod when the webhook call fails: Ignore admits it as it is,
 * without a proxy; Fail refuses to create it (https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/#failure-policy).
 * The chart writes `failurePolicy: {{.Values.webhookFailurePolicy}}`, Ignore by default (linkerd2
 * charts/linkerd-control-plane/templates/proxy-injector-rbac.yaml and values.yaml at
 * stable-2.14.10; charts/linkerd2 at stable-2.9.4). Unset, the API's default: Fail in
 * admissionregistration.k8s.io/v1, Ignore in v1beta1 (k8s.io/api admissionregistration
 * types.go FailurePolicy "Defaults to Fail" / "Defaults to Ignore"). Merged over every webhook
 * (any failing closed gives Fail): used only when the webhooks' selectors are not read, as
 * linkerdInjectorOutcome decides per webhook otherwise. `unread`: the webhook configurations were not read, or hold no such webhook
 * (`coverage`: the kind's collection status).
 */
export function linkerdInjectorFailurePolicy(webhooks: KubeObject[], coverage: string): LinkerdInjectorFailure {
  if (coverage !== 'ok') return { unread: `MutatingWebhookConfigurations could not be read (${coverage})` };
  const policies = new Set<string>();
  const names = new Set<string>();
  for (const h of linkerdInjectionWebhooks(webhooks)) {
    for (const wh of arr(h.webhooks)) {
      const policy = str(obj(wh)?.failurePolicy) ?? (h.apiVersion === 'admissionregistration.k8s.io/v1beta1' ? 'Ignore' : 'Fail');
      policies.add(policy);
      names.add(h.metadata!.name!);
    }
  }
  if (names.size === 0) return { unread: 'no MutatingWebhookConfiguration of Linkerd\'s proxy injector is in the input' };
  const list = [...names].sort().join(', ');
  if (policies.has('Fail')) return { policy: 'Fail', webhooks: list };
  if ([...policies].every((p) => p === 'Ignore')) return { policy: 'Ignore', webhooks: list };
  return { unread: `the failurePolicy of MutatingWebhookConfiguration ${list} is neither Fail nor Ignore` };
}

/**
 * The pods Linkerd's proxy injector webhook is called for: each webhook of its
 * MutatingWebhookConfigurations (linkerdInjectionWebhooks) with its namespaceSelector and
 * objectSelector as the API server evaluates them (absent or `{}`: every namespace, every object;
 * k8s.io/api admissionregistration/v1 types.go, "Default to the empty LabelSelector, which matches
 * everything"). The chart writes both from proxyInjector.namespaceSelector and objectSelector
 * (linkerd2 charts/linkerd-control-plane/templates/proxy-injector-rbac.yaml at stable-2.14.10),
 * and its `rules` (the chart's: operations [CREATE], apiGroups [""], apiVersions [v1], resources
 * [pods, services]), which must match a pod's creation for it to be called at all (podCreateRules: `notPods`).
 * `problem`: a selector that cannot be read as a LabelSelector, or rules or matchConditions that
 * cannot be judged, so whether the webhook is called for a pod is not known. Read whether the
 * injector works or not: a pod no webhook is called for is never injected. undefined when the
 * webhook configurations were not read or hold no webhook of Linkerd's injector (then the chart's
 * default namespaceSelector is assumed: linkerdInjectorExcludes).
 */
export interface LinkerdInjectorScope {
  /** `config`: its MutatingWebhookConfiguration's name; `policy`: its failurePolicy (the API's default when unset: linkerdInjectorFailurePolicy). */
  hooks: Array<{ where: string; config: string; policy: string; namespace?: Selector; object?: Selector; problem?: string; entry?: true; /** `problem` is in its rules or matchConditions, not a selector. */ rulesProblem?: true; /** Its rules match no pod CREATE (podCreateRules): called for no pod. */ notPods?: string }>;
}

/** Why whether a webhook of `scope` is called cannot be told: its entry is no object, or a selector cannot be read. */
const unreadableHook = (hook: LinkerdInjectorScope['hooks'][number]) => hook.entry
  ? `${hook.where} cannot be read (the webhook entry is not an object)`
  : hook.rulesProblem ? `whether ${hook.where} is called for pods cannot be judged (${hook.problem})`
    : `${hook.where} has a selector that cannot be read (${hook.problem})`;

export function linkerdInjectorScope(webhooks: KubeObject[], coverage: string): LinkerdInjectorScope | undefined {
  if (coverage !== 'ok') return undefined;
  const hooks: LinkerdInjectorScope['hooks'] = [];
  for (const h of linkerdInjectionWebhooks(webhooks)) {
    for (const [i, raw] of arr(h.webhooks).entries()) {
      const wh = obj(raw);
      const config = oneLine(h.metadata!.name!);
      const where = oneLine(`MutatingWebhookConfiguration ${h.metadata!.name!} webhook ${str(wh?.name) ?? `[${i}]`}`);
      const policy = oneLine(str(wh?.failurePolicy) ?? (h.apiVersion === 'admissionregistration.k8s.io/v1beta1' ? 'Ignore' : 'Fail'));
      // An entry that is no object is unreadable, not a webhook with no selectors (which would match every pod).
      if (!wh) {
        hooks.push({ where, config, policy: 'unreadable', problem: 'the webhook entry is not an object', entry: true });
        continue;
      }
      const ns = parseSelector(wh.namespaceSelector, 'namespaceSelector');
      const ob = parseSelector(wh.objectSelector, 'objectSelector');
      const rules = podCreateRules(wh);
      const selectorProblem = [...ns.errors, ...ob.errors][0];
      const problem = selectorProblem ?? ('problem' in rules ? rules.problem : undefined);
      hooks.push(problem !== undefined ? { where, config, policy, problem: oneLine(problem), ...(selectorProblem === undefined ? { rulesProblem: true as const } : {}) } : { where, config, policy, namespace: ns.selector ?? matchAllSelector, object: ob.selector ?? matchAllSelector, ...('notPods' in rules ? { notPods: oneLine(rules.notPods) } : {}) });
    }
  }
  return hooks.length > 0 ? { hooks } : undefined;
}

/** Which selector or rule of a readable webhook leaves the pod out (why), or undefined when the API server calls it for the pod; in the API server's order (ShouldCallHook: namespaceSelector, objectSelector, rules). */
function hookExcludes(hook: LinkerdInjectorScope['hooks'][number], nsLabels: Record<string, string>, podLabels: Record<string, string>): string | undefined {
  if (!hook.namespace!.matches(nsLabels)) return `the Linkerd proxy injector's namespaceSelector excludes this namespace (${hook.where}: ${hook.namespace!.key})`;
  if (!hook.object!.matches(podLabels)) return `the Linkerd proxy injector's objectSelector excludes this pod (${hook.where}: ${hook.object!.key})`;
  if (hook.notPods !== undefined) return `the Linkerd proxy injector's rules match no pod CREATE (${hook.where}: ${hook.notPods})`;
  return undefined;
}

const RULE_LISTS = ['operations', 'apiGroups', 'apiVersions', 'resources'] as const;
const RULES_SHOWN = 3;

/**
 * Whether a webhook's `rules` match the creation of a pod, as the API server matches them
 * (k8s.io/apiserver v0.36.3, staging/src/k8s.io/apiserver in kubernetes v1.36.3,
 * pkg/admission/plugin/webhook/predicates/rules/rules.go Matcher.Matches, and generic/webhook.go
 * ShouldCallHook, which calls the webhook when any rule matches): `operations` holds CREATE or
 * `*`; `apiGroups` "" or `*`; `apiVersions` v1 or `*`; `resources` an entry whose resource is
 * `pods` or `*` and whose subresource (after the first "/") is none or `*`; `scope` unset, `*` or
 * Namespaced (a pod is namespaced; Cluster or any other value matches none). Each compared
 * exactly, an absent list holding nothing. Pods are served by v1 of the core group alone, so
 * matchPolicy Equivalent adds no other resource to try. No rules: called for nothing. `notPods`:
 * the rules, as written, that match none; `problem`: rules or matchConditions that cannot be
 * judged here (not the API's shape, or CEL matchConditions, which decide after the rules).
 */
function podCreateRules(wh: Record<string, unknown>): { matches: true } | { notPods: string } | { problem: string } {
  if (arr(wh.matchConditions).length > 0) return { problem: 'its matchConditions (CEL expressions) are not evaluated here' };
  if (wh.rules !== undefined && wh.rules !== null && !Array.isArray(wh.rules)) return { problem: 'rules is not a list' };
  const rules = arr(wh.rules);
  const shown: string[] = [];
  for (const [i, raw] of rules.entries()) {
    const rule = obj(raw);
    if (!rule) return { problem: `rules[${i}] is not an object` };
    const lists: Partial<Record<(typeof RULE_LISTS)[number], string[]>> = {};
    for (const key of RULE_LISTS) {
      const v = rule[key];
      if (v !== undefined && v !== null && (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))) return { problem: `rules[${i}].${key} is not a list of strings` };
      lists[key] = arr(v) as string[];
    }
    const scope = rule.scope;
    if (scope !== undefined && scope !== null && typeof scope !== 'string') return { problem: `rules[${i}].scope is not a string` };
    const anyOf = (items: string[], wanted: string) => items.includes('*') || items.includes(wanted);
    const resource = lists.resources!.some((r) => {
      const slash = r.indexOf('/');
      const [res, sub] = slash < 0 ? [r, ''] : [r.slice(0, slash), r.slice(slash + 1)];
      return (res === '*' || res === 'pods') && (sub === '*' || sub === '');
    });
    if (anyOf(lists.operations!, 'CREATE') && anyOf(lists.apiGroups!, '') && anyOf(lists.apiVersions!, 'v1') && resource && (scope === undefined || scope === null || scope === '*' || scope === 'Namespaced')) return { matches: true };
    if (shown.length < RULES_SHOWN) shown.push(`${RULE_LISTS.map((k) => `${k} ${JSON.stringify(lists[k])}`).join(', ')}${typeof scope === 'string' ? `, scope ${JSON.stringify(scope)}` : ''}`);
  }
  if (rules.length === 0) return { notPods: 'it has no rules' };
  return { notPods: `rules ${shown.join('; ')}${rules.length > RULES_SHOWN ? `; and ${rules.length - RULES_SHOWN} more` : ''}` };
}

/**
 * Whether the API server calls Linkerd's proxy injector for a pod of `namespace` with `podLabels`:
 * when any webhook's namespaceSelector selects the namespace (whose labels carry
 * kubernetes.io/metadata.name, which the API server sets to its name) and its objectSelector the
 * pod. `sees: false` names the selector that leaves it out; `sees: undefined`, the one that cannot
 * be read, when no readable webhook is called for it.
 */
export function linkerdInjectorSees(scope: LinkerdInjectorScope, namespace: string, nsLabels: Record<string, string>, podLabels: Record<string, string>): { sees: true } | { sees: false | undefined; why: string } {
  let notWhy: string | undefined;
  let unknownWhy: string | undefined;
  for (const hook of scope.hooks) {
    if (hook.problem !== undefined) {
      unknownWhy ??= unreadableHook(hook);
      continue;
    }
    const excluded = hookExcludes(hook, { ...nsLabels, 'kubernetes.io/metadata.name': namespace }, podLabels);
    if (excluded === undefined) return { sees: true };
    notWhy ??= excluded;
  }
  return unknownWhy !== undefined ? { sees: undefined, why: unknownWhy } : { sees: false, why: notWhy! };
}

/**
 * What the API server does with a pod of `namespace` with `podLabels` while Linkerd's proxy
 * injector fails on every pod it is called for, deciding webhook by webhook: each webhook has its
 * own failurePolicy and selectors, and the policy applies only when the API server calls that
 * webhook (k8s.io/api admissionregistration/v1 types.go MutatingWebhook; "ObjectSelector decides
 * whether to run the webhook based on if the object has matching labels";
 * https://kubernetes.io/docs/reference/access-authn-authz/extensible-admission-controllers/#failure-policy).
 * `refused`: a webhook surely called for the pod has failurePolicy Fail (its configurations named).
 * `ignored`: every webhook that may be called for it has failurePolicy Ignore, so it starts without
 * a proxy. `notCalled`: no webhook is called for it (why). `unknown`: a webhook that may refuse it
 * cannot be judged: its selectors or its entry cannot be read, or its failurePolicy is neither
 * Fail nor Ignore.
 */
export type LinkerdInjectorOutcome = { refused: string } | { ignored: string } | { notCalled: string } | { unknown: string; selector: boolean };

export function linkerdInjectorOutcome(scope: LinkerdInjectorScope, namespace: string, nsLabels: Record<string, string>, podLabels: Record<string, string>): LinkerdInjectorOutcome {
  const nsWithName = { ...nsLabels, 'kubernetes.io/metadata.name': namespace };
  const refusing = new Set<string>();
  const ignoring = new Set<string>();
  let notWhy: string | undefined;
  let unknown: { unknown: string; selector: boolean } | undefined;
  for (const hook of scope.hooks) {
    if (hook.problem !== undefined) {
      // Called or not, a webhook that ignores its failures lets the pod in.
      if (hook.policy === 'Ignore') ignoring.add(hook.config);
      else unknown ??= { unknown: unreadableHook(hook), selector: true };
      continue;
    }
    const excluded = hookExcludes(hook, nsWithName, podLabels);
    if (excluded !== undefined) {
      notWhy ??= excluded;
      continue;
    }
    if (hook.policy === 'Fail') refusing.add(hook.config);
    else if (hook.policy === 'Ignore') ignoring.add(hook.config);
    else unknown ??= { unknown: `the failurePolicy of ${hook.where} is neither Fail nor Ignore`, selector: false };
  }
  if (refusing.size > 0) return { refused: [...refusing].sort().join(', ') };
  if (unknown) return unknown;
  if (ignoring.size > 0) return { ignored: [...ignoring].sort().join(', ') };
  return { notCalled: notWhy! };
}

/**
 * The control-plane components a meshed Linkerd needs, by the container that runs each on the
 * Linkerd controller image (charts/linkerd-control-plane/templates/identity.yaml, destination.yaml,
 * proxy-injector.yaml), and what their absence does. The proxy asks linkerd-identity for its
 * certificate, issued for identity.issuer.issuanceLifetime (24h0m0s in the chart's values.yaml;
 * "Linkerd automatically rotates the TLS certificates for data plane proxies every 24 hours",
 * https://linkerd.io/2.10/tasks/automatically-rotating-control-plane-tls-credentials/), and
 * linkerd-destination for endpoints and the policy it authorizes inbound calls by.
 */
const LINKERD_COMPONENTS = [
  { container: 'identity', deployment: 'linkerd-identity', without: 'the running proxies cannot renew their certificates (issued for 24h by default) and new ones get none, so meshed pods lose their mTLS identity' },
  { container: 'destination', deployment: 'linkerd-destination', without: 'proxies cannot discover endpoints nor receive the policy that authorizes inbound calls' },
] as const;

/** The proxy's control-plane addresses (partials.proxy in the chart): in the cluster by a Service name or localhost, else served from elsewhere. */
const LINKERD_PROXY_ADDRESSES = ['LINKERD2_PROXY_IDENTITY_SVC_ADDR', 'LINKERD2_PROXY_DESTINATION_SVC_ADDR'];
const inClusterAddress = (addr: string) => /^(localhost\.?|127\.0\.0\.1|\[::1\])(:\d+)?$/.test(addr) || /^[^.:]+\.[^.:]+\.svc([.:]|$)/.test(addr);

/**
 * Why Linkerd's control plane is gone while Linkerd is still installed, or undefined. Installed:
 * its proxy injector webhook remains, or live pods still run a linkerd-proxy (both go with
 * `linkerd uninstall`; namespace annotations or linkerd-config alone are not enough). Gone: no
 * pod runs linkerd-identity or linkerd-destination (a Deployment deleted or scaled to zero), or,
 * while the injector webhook remains, the proxy injector. The webhook's failurePolicy is the
 * chart's webhookFailurePolicy, Ignore by default: then a new pod is admitted without a proxy,
 * outside the mesh; with Fail it is refused. Mirrors istioControlPlaneGone's care for a control
 * plane served from outside the cluster: a webhook calling a URL, a webhook Service with no
 * selector or of type ExternalName, one missing from a complete read of the Services, and proxies
 * whose control-plane addresses are no in-cluster Service name say nothing; `services` undefined
 * (unread) gives { servicesUnread } instead of a verdict. `admitsUnmeshed`: the injector is gone
 * while its webhook ignores failures, so a new pod starts without a proxy. Judged on live workloads
 * only (the caller's gate). O(workloads × containers).
 */
export function linkerdControlPlaneGone(webhooks: KubeObject[], workloads: Iterable<Workload>, services: KubeObject[] | undefined, readiness: PodReadiness = readinessUnknown): { gone: string; admitsUnmeshed: boolean } | { servicesUnread: string } | undefined {
  const hooks = linkerdInjectionWebhooks(webhooks);
  const { called, policies, url } = webhookBackends(hooks);
  if (url) return undefined;
  // The components each control-plane pod runs; counted as running once the pod's readiness is known not to be false.
  const componentsOf = new Map<PodView, Set<string>>();
  let proxies = 0;
  for (const w of workloads) {
    for (const pod of w.pods) {
      const running = new Set<string>();
      // A native sidecar (config.alpha.linkerd.io/proxy-enable-native-sidecar) is an init container.
      for (const c of [...arr(pod.spec.containers), ...arr(pod.spec.initContainers)]) {
        const name = str(obj(c)?.name) ?? '';
        const image = str(obj(c)?.image);
        if (name === 'linkerd-proxy') {
          proxies++;
          for (const e of arr(obj(c)?.env)) {
            const value = str(obj(e)?.value);
            if (LINKERD_PROXY_ADDRESSES.includes(str(obj(e)?.name) ?? '') && value !== undefined && !inClusterAddress(value)) return undefined;
          }
        } else if (image && meshComponentOfImage(image, name)?.mesh === 'linkerd') {
          running.add(name);
        }
      }
      // The chart labels each component's pods (linkerd.io/control-plane-component: identity,
      // destination, proxy-injector, with linkerd.io/control-plane-ns naming their own namespace),
      // whatever registry its images come from (a vendor's build).
      const component = pod.labels['linkerd.io/control-plane-component'];
      if (component && pod.labels['linkerd.io/control-plane-ns'] === pod.namespace) running.add(component);
      if (running.size > 0) componentsOf.set(pod, running);
    }
  }
  if (hooks.length === 0 && proxies === 0) return undefined;
  const ready = readiness([...componentsOf.keys()]);
  const running = new Set<string>();
  const notReady = new Map<string, number>();
  for (const [pod, components] of componentsOf) {
    for (const c of components) {
      if (ready.get(pod) !== false) running.add(c);
      else notReady.set(c, (notReady.get(c) ?? 0) + 1);
    }
  }
  const missing: Array<{ name: string; without: string; notReady?: number }> = LINKERD_COMPONENTS.filter((c) => !running.has(c.container)).map((c) => ({ name: c.deployment, without: c.without, ...(notReady.has(c.container) ? { notReady: notReady.get(c.container)! } : {}) }));
  if (hooks.length > 0 && !running.has('proxy-injector')) {
    const refused = policies.has('Fail');
    const names = hooks.map((h) => h.metadata!.name!).sort().join(', ');
    missing.push({ name: 'linkerd-proxy-injector', without: `its webhook ${names} (failurePolicy ${[...policies].sort().join('/')}) ${refused ? 'refuses new pods in the namespaces annotated linkerd.io/inject' : 'lets new pods in the namespaces annotated linkerd.io/inject start without a proxy, outside the mesh'}`, ...(notReady.has('proxy-injector') ? { notReady: notReady.get('proxy-injector')! } : {}) });
  }
  if (missing.length === 0) return undefined;
  if (called.size > 0) {
    const list = [...called].sort().join(', ');
    if (services === undefined) return { servicesUnread: `the Service${called.size > 1 ? 's' : ''} ${list} Linkerd's proxy injector webhook calls, whose selector says whether Linkerd's control plane runs in this cluster` };
    const byKey = new Map(services.map((o) => [`${o.metadata?.namespace ?? 'default'}/${o.metadata?.name ?? ''}`, o]));
    for (const key of called) {
      // A Service missing from a complete read answers nothing: what `kubectl delete namespace
      // linkerd` leaves (the cluster-scoped webhook stays, the proxies still call
      // linkerd-identity-headless.linkerd.svc). Linkerd has no install whose injector Service is
      // absent (its control plane elsewhere is a webhook URL or a selector-less Service).
      const svc = byKey.get(key);
      if (!svc) continue;
      const spec = obj(svc.spec);
      if (!spec || str(spec.type) === 'ExternalName' || Object.keys(obj(spec.selector) ?? {}).length === 0) return undefined;
    }
  }
  const by = hooks.length > 0 ? `its proxy injector webhook remains${proxies > 0 ? ` and ${proxies} pod(s) run a linkerd-proxy` : ''}` : `${proxies} pod(s) still run a linkerd-proxy`;
  const names = missing.map((m) => m.name);
  const admitsUnmeshed = names.includes('linkerd-proxy-injector') && !policies.has('Fail');
  // A component whose pods run but none is Ready serves as little as one with no pod (podReadiness).
  const shown = missing.map((m) => (m.notReady ? `${m.name} (${m.notReady > 1 ? `its ${m.notReady} pods run, none` : 'its pod runs, not'} ready)` : m.name));
  const anyNotReady = missing.some((m) => m.notReady);
  return { admitsUnmeshed, gone: `no ${anyNotReady ? 'ready ' : ''}pod runs ${shown.length > 1 ? `${shown.slice(0, -1).join(', ')} or ${shown[shown.length - 1]}` : shown[0]} although Linkerd is still installed (${by}): ${missing.map((m) => `without ${m.name} ${m.without}`).join('; ')}` };
}
