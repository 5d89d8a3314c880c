// Istio's root namespace is meshConfig.rootNamespace in the `mesh` key of ConfigMap `istio`
// ("The namespace to treat as the administrative root namespace for Istio configuration",
// https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/), istio-system when unset
// (DefaultMeshConfig, istio/istio pkg/config/mesh/mesh.go). istiod acts on that value, so ztaudit
// does too; its own mesh.istioRootNamespace only applies when the mesh config names none, and a
// disagreement is a warning of the run naming both.
import { describe, expect, it } from 'vitest';
import { mtlsChecks } from '../../../checks/mtls/index.ts';
import { resolveIstioRoot } from '../../../src/analysis/mesh/index.ts';
import { istioAuthzModel } from '../../../src/analysis/mesh/istio-authz.ts';
import { runChecks } from '../../../src/engine/run.ts';
import { ctxOf, fails, objects, run } from './helpers.ts';
import { meshFlowVerdict } from '../../../src/analysis/mesh/flow-verdict.ts';
import { meshWorkloadModes } from '../../../src/analysis/mesh/index.ts';

const check = (id: string) => mtlsChecks.find((c) => c.id === id)!;
const meshConfig = (mesh: string, namespace = 'istio-system') => `
apiVersion: v1
kind: ConfigMap
metadata: {name: istio, namespace: ${namespace}}
data:
  mesh: |
${mesh.split('\n').map((l) => `    ${l}`).join('\n')}
---`;
const cluster = `
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
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-config}
spec: {mtls: {mode: STRICT}}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: allow-nothing, namespace: istio-config}
spec: {}
`;

describe('Istio root namespace', () => {
  it('comes from meshConfig.rootNamespace when the mesh config names one, else from ztaudit\'s config', () => {
    expect(resolveIstioRoot(objects(meshConfig('rootNamespace: istio-config')), 'istio-system')).toEqual({ namespace: 'istio-config', source: 'ConfigMap istio-system/istio mesh.rootNamespace', configuredOtherwise: 'istio-system' });
    expect(resolveIstioRoot(objects(meshConfig('rootNamespace: istio-config')), 'istio-config')).toEqual({ namespace: 'istio-config', source: 'ConfigMap istio-system/istio mesh.rootNamespace' });
    // The ConfigMap in the configured namespace comes first (istiod installed there).
    expect(resolveIstioRoot(objects(`${meshConfig('rootNamespace: a')}${meshConfig('rootNamespace: b', 'mesh')}`), 'mesh').namespace).toBe('b');
    for (const cms of ['', meshConfig('enableAutoMtls: true'), meshConfig('rootNamespace: ""'), meshConfig('rootNamespace: [oops'), meshConfig('rootNamespace: istio-config', 'elsewhere')]) {
      expect(resolveIstioRoot(objects(cms), 'istio-system')).toEqual({ namespace: 'istio-system', source: 'config mesh.istioRootNamespace' });
    }
  });

  it('mtls.mesh-not-strict and mtls.authz-missing read the mesh-wide policies of the root namespace the mesh config names', () => {
    const named = ctxOf(`${meshConfig('rootNamespace: istio-config')}${cluster}`);
    expect(fails(run(check('mtls.mesh-not-strict'), named))).toEqual([]);
    expect(run(check('mtls.mesh-not-strict'), named)[0]).toMatchObject({ status: 'pass', message: 'Mesh-wide PeerAuthentication istio-config/default sets STRICT mTLS.', evidence: { rootNamespace: 'istio-config', rootNamespaceSource: 'ConfigMap istio-system/istio mesh.rootNamespace' } });
    expect(fails(run(check('mtls.authz-missing'), named))).toEqual([]);
    expect(istioAuthzModel(named.snapshot, named.config).root).toBe('istio-config');
    // Without it, ztaudit's default (istio-system) holds no mesh-wide policy: both fail.
    const unnamed = ctxOf(cluster);
    expect(fails(run(check('mtls.mesh-not-strict'), unnamed)).map((v) => v.message)).toEqual([expect.stringContaining('No mesh-wide PeerAuthentication in root namespace istio-system')]);
    expect(fails(run(check('mtls.authz-missing'), unnamed)).map((v) => `${v.resource.namespace}/${v.resource.name}`)).toEqual(['shop/web']);
    // ConfigMaps that could not be read leave the configured value, and the evidence says why.
    const forbidden = ctxOf(`${meshConfig('rootNamespace: istio-config')}${cluster}`);
    forbidden.snapshot.resources.configmaps = [];
    forbidden.snapshot.coverage.configmaps = { status: 'forbidden' };
    expect(fails(run(check('mtls.mesh-not-strict'), forbidden))[0].evidence).toMatchObject({ rootNamespace: 'istio-system', rootNamespaceSource: 'config mesh.istioRootNamespace (ConfigMap istio-system/istio could not be read: forbidden)' });
  });

  // The mesh config names the root namespace (and the trust domain principals are read in):
  // unread, Istio's default istio-system cannot stand in for it. Here the true root is mesh-root,
  // which holds no policy, so shop/web is PERMISSIVE; istio-system's STRICT PeerAuthentication,
  // read on the default root, would pass mtls.mesh-not-strict as mesh-wide.
  it('ConfigMaps that could not be read leave every check that reads the root namespace not evaluated, not judged on the default root', () => {
    const strictInDefaultRoot = `${meshConfig('rootNamespace: mesh-root')}${cluster}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec: {mtls: {mode: STRICT}}
`;
    const rootReaders = ['mtls.mesh-not-strict', 'mtls.permissive-override', 'mtls.invalid-peerauthentication', 'mtls.authz-missing', 'mtls.authz-allow-any', 'mtls.authz-plaintext-bypass'];
    const read = ctxOf(strictInDefaultRoot);
    for (const id of rootReaders) expect(runChecks([check(id)], read)[0].status, id).not.toBe('not-evaluated');
    expect(runChecks([check('mtls.mesh-not-strict')], read)[0].status).toBe('fail');
    for (const status of ['forbidden', 'error'] as const) {
      const ctx = ctxOf(strictInDefaultRoot);
      ctx.snapshot.resources.configmaps = [];
      ctx.snapshot.coverage.configmaps = { status, detail: 'get configmaps istio-system/istio' };
      for (const id of rootReaders) {
        const [o] = runChecks([check(id)], ctx);
        expect(o.status, id).toBe('not-evaluated');
        expect(o.reason, id).toBe(`needs configmaps: ${status} (get configmaps istio-system/istio) for Istio's mesh config (ConfigMap istio-system/istio: rootNamespace, trustDomain)`);
        expect(o.results, id).toEqual([]);
      }
    }
    // Without Istio the ConfigMap is not read for these checks: Linkerd's authorization is judged.
    const linkerdOnly = ctxOf(`
apiVersion: v1
kind: Namespace
metadata: {name: shop, annotations: {linkerd.io/inject: enabled, config.linkerd.io/default-inbound-policy: deny}}
`);
    linkerdOnly.snapshot.coverage.configmaps = { status: 'forbidden' };
    linkerdOnly.snapshot.coverage['linkerd.servers'] = { status: 'ok' };
    expect(runChecks([check('mtls.authz-missing')], linkerdOnly)[0].status).not.toBe('not-evaluated');
  });

  it('a config that names another root namespace is overruled by the mesh config, with a warning naming both', () => {
    const ctx = ctxOf(`${meshConfig('rootNamespace: istio-config')}${cluster}`, (c) => { c.mesh.istioRootNamespace = 'mesh-admin'; });
    const [outcome] = runChecks([check('mtls.mesh-not-strict')], ctx);
    expect(outcome.status).toBe('pass');
    expect(outcome.warnings).toEqual(['mesh.istioRootNamespace is mesh-admin, but Istio\'s mesh config (ConfigMap istio-system/istio mesh.rootNamespace) says istio-config: mesh-wide policies are read from istio-config, as istiod does; set mesh.istioRootNamespace: istio-config to match']);
    const agreed = ctxOf(`${meshConfig('rootNamespace: istio-config')}${cluster}`, (c) => { c.mesh.istioRootNamespace = 'istio-config'; });
    expect(runChecks([check('mtls.mesh-not-strict')], agreed)[0].warnings).toBeUndefined();
  });
});

// A revision's istiod reads its own mesh config, ConfigMap "istio-" + revision (istio/istio
// pilot/pkg/bootstrap/mesh.go getMeshConfigMapName), so its rootNamespace decides which
// namespace's selector-less PeerAuthentication is mesh-wide for the workloads it configures.
describe('Istio root namespace per revision', () => {
  const yaml = `
apiVersion: v1
kind: ConfigMap
metadata: {name: istio-canary, namespace: istio-system}
data:
  mesh: |
    rootNamespace: istio-config
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec: {mtls: {mode: STRICT}}
---
apiVersion: v1
kind: Namespace
metadata: {name: canary, labels: {istio.io/rev: canary}}
---
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: canary}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: api, image: example/api:1, ports: [{containerPort: 8080}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: api, image: example/api:1, ports: [{containerPort: 8080}]}]}
`;
  it('resolveIstioRoot reads istio-<rev> for a revision', () => {
    expect(resolveIstioRoot(objects(yaml), 'istio-system', 'canary')).toEqual({ namespace: 'istio-config', source: 'ConfigMap istio-system/istio-canary mesh.rootNamespace', configuredOtherwise: 'istio-system' });
    expect(resolveIstioRoot(objects(yaml), 'istio-system')).toEqual({ namespace: 'istio-system', source: 'config mesh.istioRootNamespace' });
  });

  it('a canary workload takes its mesh-wide policy from istio-config (none: PERMISSIVE), a default one from istio-system (STRICT); mesh-not-strict judges each root, reach lets plaintext into the canary one only', () => {
    const ctx = ctxOf(yaml);
    const modes = Object.fromEntries(meshWorkloadModes(ctx.snapshot, ctx.config).map((w) => [w.workload.namespace, w.mode]));
    expect(modes).toEqual({ canary: 'PERMISSIVE', shop: 'STRICT' });
    const v = run(check('mtls.mesh-not-strict'), ctx);
    expect(v.map((x) => [x.status, `${x.resource.namespace}/${x.resource.name}`])).toEqual([['fail', 'istio-config/default'], ['pass', 'istio-system/default']]);
    expect(v[0]).toMatchObject({ evidence: { rootNamespace: 'istio-config', rootNamespaceSource: 'ConfigMap istio-system/istio-canary mesh.rootNamespace', istioWorkloads: 1, workloadsNotStrict: 1 } });
    expect(meshFlowVerdict(ctx.snapshot, ctx.config, 'external', { kind: 'Deployment', namespace: 'canary', name: 'api' }, 8080, 'TCP').verdict).toBe('allowed');
    expect(meshFlowVerdict(ctx.snapshot, ctx.config, 'external', { kind: 'Deployment', namespace: 'shop', name: 'api' }, 8080, 'TCP').verdict).toBe('denied');
  });
});
