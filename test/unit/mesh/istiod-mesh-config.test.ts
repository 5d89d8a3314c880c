// istiod reads its mesh config, ConfigMap istio (istio-<rev>), in the namespace it runs in:
// pilot/pkg/bootstrap/mesh.go getConfigurationSources takes kubemesh.NewConfigMapSource(args.Namespace,
// getMeshConfigMapName(revision)), args.Namespace being pilot-discovery's --namespace, whose default is
// POD_NAMESPACE, istio-system when unset (pilot/cmd/pilot-discovery/app/cmd.go, pilot/pkg/bootstrap/options.go);
// the istiod chart sets POD_NAMESPACE from metadata.namespace (templates/deployment.yaml) and its mesh
// config's rootNamespace defaults to global.istioNamespace (templates/configmap.yaml). An istiod
// installed in istio-control thus reads istio-control/istio, wherever ztaudit's config looks first.
import { describe, expect, it } from 'vitest';
import { mtlsChecks } from '../../../checks/mtls/index.ts';
import { istiodConfigMapRefs, istiodsOf, istioMeshConfigNamespaces } from '../../../src/analysis/mesh/configmaps.ts';
import { liveConfigMapRefs } from '../../../src/cli/source.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { runChecks } from '../../../src/engine/run.ts';
import { ctxOf, fails, run } from './helpers.ts';

const check = (id: string) => mtlsChecks.find((c) => c.id === id)!;

/** istiod as the chart renders it (helm -n <namespace>): POD_NAMESPACE from metadata.namespace, REVISION. */
const istiod = (namespace: string, { name = 'istiod', revision = 'default', env = '' } = {}) => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  selector: {matchLabels: {app: istiod}}
  template:
    metadata: {labels: {app: istiod, istio: pilot, sidecar.istio.io/inject: "false"}}
    spec:
      containers:
      - name: discovery
        image: docker.io/istio/pilot:1.28.0
        args: [discovery, --monitoringAddr=:15014]
        env:
        - {name: REVISION, value: ${revision}}
${env || `        - name: POD_NAMESPACE
          valueFrom: {fieldRef: {apiVersion: v1, fieldPath: metadata.namespace}}`}
---`;

const meshConfig = (namespace: string, mesh: string) => `
apiVersion: v1
kind: ConfigMap
metadata: {name: istio, namespace: ${namespace}}
data:
  mesh: |-
${mesh.split('\n').map((l) => `    ${l}`).join('\n')}
---`;

const strict = (namespace: string) => `
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: ${namespace}}
spec: {mtls: {mode: STRICT}}
---`;

const web = `
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: example/web:1, ports: [{containerPort: 8080}]}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}
`;

describe('Istio mesh config read where istiod runs', () => {
  it('istiod in istio-control: a STRICT PeerAuthentication in istio-system is not mesh-wide (mesh-not-strict fails on istio-control)', () => {
    const ctx = ctxOf(`${meshConfig('istio-control', 'rootNamespace: istio-control\ntrustDomain: cluster.local')}${strict('istio-system')}${istiod('istio-control')}${web}`);
    const [v] = fails(run(check('mtls.mesh-not-strict'), ctx));
    expect(v).toMatchObject({ resource: { kind: 'PeerAuthentication', namespace: 'istio-control', name: 'default' }, evidence: { rootNamespace: 'istio-control', rootNamespaceSource: 'ConfigMap istio-control/istio mesh.rootNamespace' } });
    expect(v!.message).toContain('No mesh-wide PeerAuthentication in root namespace istio-control');
  });

  it('istiod in istio-control: the STRICT PeerAuthentication of the root its mesh config names passes mesh-not-strict', () => {
    const ctx = ctxOf(`${meshConfig('istio-control', 'rootNamespace: istio-control')}${strict('istio-control')}${istiod('istio-control')}${web}`);
    expect(run(check('mtls.mesh-not-strict'), ctx)).toEqual([expect.objectContaining({ status: 'pass', message: 'Mesh-wide PeerAuthentication istio-control/default sets STRICT mTLS.' })]);
    // ztaudit's default istio-system is not the root istiod's mesh config names: the run says so, as for any mesh config.
    expect(runChecks([check('mtls.mesh-not-strict')], ctx)[0]!.warnings).toEqual([expect.stringMatching(/^mesh.istioRootNamespace is istio-system, but Istio's mesh config \(ConfigMap istio-control\/istio mesh.rootNamespace\) says istio-control/)]);
  });

  it('istiod in istio-control: enableAutoMtls false in istio-control/istio fails mtls.auto-mtls-disabled', () => {
    const ctx = ctxOf(`${meshConfig('istio-control', 'rootNamespace: istio-control\nenableAutoMtls: false')}${strict('istio-control')}${istiod('istio-control')}${web}`);
    const [v] = fails(run(check('mtls.auto-mtls-disabled'), ctx));
    expect(v).toMatchObject({ resource: { kind: 'ConfigMap', namespace: 'istio-control', name: 'istio' } });
    expect(v!.message).toContain('Istio auto mTLS is disabled (ConfigMap istio-control/istio mesh.enableAutoMtls)');
  });

  it('the configured namespace\'s mesh config is read first; istiod\'s namespace only when it has none', () => {
    const ctx = ctxOf(`${meshConfig('istio-system', 'rootNamespace: istio-system')}${meshConfig('istio-control', 'rootNamespace: istio-control')}${istiod('istio-control')}${web}`);
    expect(istioMeshConfigNamespaces(ctx.snapshot, ctx.config)('default')).toEqual({ namespaces: ['istio-system', 'istio-control'] });
    expect(fails(run(check('mtls.mesh-not-strict'), ctx))[0]!.evidence).toMatchObject({ rootNamespace: 'istio-system' });
  });

  it('where istiod reads: --namespace/-n, else POD_NAMESPACE (its value, or metadata.namespace), else istio-system; a revision\'s from REVISION', () => {
    const ns = (env: string, args = '') => {
      const ctx = ctxOf(istiod('istio-control', { env }).replace('args: [discovery, --monitoringAddr=:15014]', `args: [discovery${args}]`));
      return istiodsOf(ctx.snapshot).map((i) => i.namespace);
    };
    expect(ns('')).toEqual(['istio-control']);
    expect(ns('        - {name: POD_NAMESPACE, value: mesh-admin}')).toEqual(['mesh-admin']);
    expect(ns('        - {name: OTHER, value: x}')).toEqual(['istio-system']);
    expect(ns('', ', --namespace, flagged')).toEqual(['flagged']);
    expect(ns('', ', -n=short')).toEqual(['short']);
    expect(ns('        - name: POD_NAMESPACE\n          valueFrom: {configMapKeyRef: {name: x, key: y}}')).toEqual([undefined]);
    const canary = ctxOf(istiod('istio-control', { name: 'istiod-canary', revision: 'canary' }));
    expect(istiodsOf(canary.snapshot)).toEqual([{ from: 'Deployment istio-control/istiod-canary', namespace: 'istio-control', revision: 'canary' }]);
    expect(istiodConfigMapRefs(canary.snapshot)).toContainEqual({ namespace: 'istio-control', name: 'istio-canary' });
  });

  it('the live collector asks for the mesh config in the namespace istiod runs in', () => {
    const ctx = ctxOf(istiod('istio-control'));
    expect(liveConfigMapRefs(defaultConfig())(ctx.snapshot)).toContainEqual({ namespace: 'istio-control', name: 'istio' });
  });

  it('istiods in several namespaces, or a file mounted where --meshConfig points: not guessed, the run says so', () => {
    const two = ctxOf(`${meshConfig('istio-control', 'rootNamespace: istio-control')}${strict('istio-control')}${istiod('istio-control')}${istiod('istio-other')}${web}`);
    expect(istioMeshConfigNamespaces(two.snapshot, two.config)('default').namespaces).toEqual(['istio-system']);
    const [outcome] = runChecks([check('mtls.mesh-not-strict')], two);
    expect(outcome!.status).toBe('fail');
    expect(outcome!.warnings).toEqual(['where istiod reads its mesh config is not known (istiod of revision default runs in namespaces istio-control, istio-other (Deployment istio-control/istiod, Deployment istio-other/istiod), and each reads the mesh config in its own): it was looked for in mesh.istioRootNamespace and istio-system only, so the root namespace (istio-system, from config mesh.istioRootNamespace) may not be istiod\'s; set mesh.istioRootNamespace to the namespace whose ConfigMap istio istiod reads']);
    const mounted = ctxOf(`${istiod('istio-control').replace('        args:', '        volumeMounts: [{name: my-mesh, mountPath: /etc/istio/config}]\n        args:')}${web}`);
    expect(istioMeshConfigNamespaces(mounted.snapshot, mounted.config)('default').doubt).toBe('Deployment istio-control/istiod mounts volume "my-mesh" at /etc/istio/config, where istiod reads its mesh config file (--meshConfig ./etc/istio/config/mesh) before any ConfigMap');
  });

  it('live: istio-system/istio answered 404 and istio-control/istio refused leave the root unknown, naming istio-control/istio', () => {
    const ctx = ctxOf(`${strict('istio-system')}${istiod('istio-control')}${web}`);
    ctx.snapshot.coverage.configmaps = { status: 'forbidden', detail: 'get configmaps istio-control/istio' };
    ctx.snapshot.configMapsNotFound = ['istio-system/istio'];
    const [o] = runChecks([check('mtls.mesh-not-strict')], ctx);
    expect(o!.status).toBe('not-evaluated');
    expect(o!.reason).toContain('ConfigMap istio-control/istio: rootNamespace, trustDomain');
  });
});
