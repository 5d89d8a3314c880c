import { parseAllDocuments } from 'yaml';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig, type Config } from '../../../src/config/types.ts';
import type { AuditContext } from '../../../src/analysis/context.ts';
import type { Check } from '../../../src/engine/types.ts';
import type { Verdict } from '../../../src/base/vocabulary.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';
import { workload, workloadYaml, type WorkloadOptions } from '../../helpers/workload.ts';

export function objects(yamlText: string): KubeObject[] {
  return parseAllDocuments(yamlText).map((d) => d.toJSON() as KubeObject).filter((o) => o && typeof o === 'object');
}

export function ctxOf(yamlText: string, configure?: (c: Config) => void, extra: KubeObject[] = []): AuditContext {
  const config = defaultConfig();
  configure?.(config);
  return { snapshot: snapshotFromObjects([...objects(yamlText), ...extra]), config, now: new Date('2026-06-01T00:00:00Z') };
}

/** Runs a check the way the engine does (coverage gate and appliesTo aside). */
export function run(check: Check, ctx: AuditContext): Verdict[] {
  return [...check.evaluate(ctx)];
}

export const fails = (vs: Verdict[]) => vs.filter((v) => v.status === 'fail');

type DeploymentOptions = { labels?: Record<string, string>; annotations?: Record<string, string>; hostNetwork?: boolean; ports?: number[] };
/** A Deployment object: pods labelled app=<name> plus `labels`, container `app` listening on `ports` (default 8080). */
export function deployment(ns: string, name: string, opts: DeploymentOptions = {}): KubeObject {
  return workload(ns, name, { labels: { app: name, ...opts.labels }, annotations: opts.annotations ?? {}, hostNetwork: opts.hostNetwork, container: { name: 'app', image: 'example/app:1' }, ports: opts.ports ?? [8080] });
}

/** A Namespace as YAML (a document ending in `---`), Istio-injected unless other labels are given. */
export const namespaceYaml = (name: string, labels = 'istio-injection: enabled') => `
apiVersion: v1
kind: Namespace
metadata: {name: ${name}, labels: {${labels}}}
---`;

/** A Deployment as YAML (a document ending in `---`), listening on 8000 unless `ports` says otherwise; the options are workload()'s. */
export function deploymentYaml(namespace: string, name: string, o: WorkloadOptions = {}): string {
  return `\n${workloadYaml(namespace, name, { ...o, ports: o.ports ?? [8000] })}---`;
}

/**
 * A Service selecting app=<name> with `ports` (targetPort the same; names that declare no protocol), as YAML ending in `---`. An
 * Istio sidecar caller sends Istio mTLS only to a pod port a Service leads to; any other port it
 * reaches through PassthroughCluster, without TLS (flow-verdict.ts istioPassthrough).
 */
export const serviceYaml = (namespace: string, name: string, ports: number[] = [8000]) => `
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: ${namespace}}
spec: {selector: {app: ${name}}, ports: [${ports.map((p) => `{name: port-${p}, port: ${p}}`).join(', ')}]}
---`;

/**
 * An ambient namespace whose waypoint Gateway has no istio.io/waypoint-for label while its
 * GatewayClass says `all` (istio/istio pilot/pkg/serviceregistry/kube/controller/ambient/waypoints.go:
 * the class's label replaces the default `service`, the Gateway's own would replace that). The
 * waypoint's ALLOW names web's front only, so shop/front calling shop/api is refused there.
 */
export const WAYPOINT_CLASS_ALL = `${namespaceYaml('shop', 'istio.io/dataplane-mode: ambient, istio.io/use-waypoint: waypoint')}${deploymentYaml('shop', 'api', { serviceAccount: 'api' })}${deploymentYaml('shop', 'front', { serviceAccount: 'front', ports: [] })}
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: api-callers, namespace: shop}
spec:
  targetRefs: [{kind: Gateway, group: gateway.networking.k8s.io, name: waypoint}]
  action: ALLOW
  rules:
  - from: [{source: {principals: ["cluster.local/ns/web/sa/front"]}}]
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec: {selector: {app: api}, ports: [{port: 8000}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: platform-waypoint, labels: {istio.io/waypoint-for: all}}
spec: {controllerName: istio.io/mesh-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: waypoint, namespace: shop}
spec: {gatewayClassName: platform-waypoint, listeners: [{name: mesh, port: 15008, protocol: HBONE}]}
`;

/**
 * istiod of the default revision at `version` (its Deployment as the istiod chart writes it, image
 * docker.io/istio/pilot), so the AuthorizationPolicies are read as that release reads them: with
 * no istiod in the input, a policy using targetRef(s) or a `when` key older releases do not know
 * cannot be confirmed (authz.ts, parseAsReleasesRead). 1.30.2 knows every field ztaudit reads.
 */
/**
 * Istio's sidecar injector config as the istiod chart installs it (istiod-injector-configmap.yaml:
 * policy from global.proxy.autoInject, default enabled; no selectors), as YAML ending in `---`.
 */
export const istioInjectorYaml = (config = 'policy: enabled\nalwaysInjectSelector: []\nneverInjectSelector: []', namespace = 'istio-system') => `
apiVersion: v1
kind: ConfigMap
metadata: {name: istio-sidecar-injector, namespace: ${namespace}}
data:
  config: |-
${config.split('\n').map((l) => `    ${l}`).join('\n')}
---`;

export const istiodYaml = (version = '1.30.2') => deploymentYaml('istio-system', 'istiod', {
  labels: { app: 'istiod', istio: 'pilot', 'sidecar.istio.io/inject': 'false' }, selector: { app: 'istiod' },
  container: { name: 'discovery', image: `docker.io/istio/pilot:${version}` }, ports: [15012],
});
