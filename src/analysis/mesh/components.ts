// What of a mesh runs, or is meant to run, recognised by its images: a control plane, node
// agents, standalone proxies (gateways). A mesh is present by these, its injection labels and
// webhooks, and its proxies in pods — never by its CRDs or the config objects an uninstall
// leaves behind (`istioctl uninstall --purge` and `helm uninstall istiod` keep the CRDs and every
// object in them: https://istio.io/latest/docs/setup/install/helm/#uninstall).
import type { KubeObject } from '../../snapshot/types.ts';
import type { Workload } from '../workloads.ts';
import { imageRepository } from '../images.ts';
import { refString } from '../workloads.ts';
import { arr, obj, str } from './util.ts';

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
 * Services were not read, so the verdict is not claimed ({ servicesUnread } names the webhooks' Services).
 */
export function istioControlPlaneGone(webhooks: KubeObject[], workloads: Iterable<Workload>, services: KubeObject[] | undefined): { gone: string } | { servicesUnread: string } | undefined {
  const hooks = webhooks.filter(isIstioInjectionWebhook);
  const called = new Set<string>();
  for (const h of hooks) {
    for (const wh of arr(h.webhooks)) {
      const cc = obj(obj(wh)?.clientConfig);
      const svc = obj(cc?.service);
      if (svc) called.add(`${str(svc.namespace) ?? 'default'}/${str(svc.name) ?? ''}`);
      else if (str(cc?.url)) return undefined;
    }
  }
  if (called.size === 0) return undefined;
  for (const w of workloads) if (w.pods.length > 0 && runsMeshControlPlane(w, 'istio')) return undefined;
  const list = (xs: string[]) => `${xs.slice(0, 3).join(', ')}${xs.length > 3 ? ', …' : ''}`;
  if (services === undefined) return { servicesUnread: `the Service${called.size > 1 ? 's' : ''} ${list([...called].sort())} Istio's injection webhooks call, whose selector says whether istiod runs in this cluster or outside it (primary-remote)` };
  const byKey = new Map(services.map((o) => [`${o.metadata?.namespace ?? 'default'}/${o.metadata?.name ?? ''}`, o]));
  for (const key of called) {
    const spec = obj(byKey.get(key)?.spec);
    if (!spec || str(spec.type) === 'ExternalName' || Object.keys(obj(spec.selector) ?? {}).length === 0) return undefined;
  }
  const names = hooks.map((h) => h.metadata!.name!).sort();
  return { gone: `no istiod pod runs, yet the injection webhook${names.length > 1 ? 's' : ''} ${list(names)} remain${names.length > 1 ? '' : 's'}, calling Service ${list([...called].sort())} with nothing behind it: new pods in the namespaces labelled for Istio are refused (failurePolicy Fail) and the running sidecars cannot renew their certificates from istiod, the mesh's CA, so mutual TLS is not being enforced` };
}
