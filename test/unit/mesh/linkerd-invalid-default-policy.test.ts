// A config.linkerd.io/default-inbound-policy annotation whose value is not a policy is ignored:
// the policy controller logs "Invalid default policy annotation value" and serves the cluster
// default (linkerd2 policy-controller/k8s/index/src/inbound/workload.rs Settings::from_metadata,
// `default_policy(anns).unwrap_or_else(|error| { ... None })`; upstream test
// policy-controller/k8s/index/src/inbound/tests/annotation.rs default_policy_annotated_invalid:
// annotation "bogus" -> `test.default_server()`), and the proxy injector warns "unrecognized value
// used for the ... annotation" and keeps proxy.defaultInboundPolicy (pkg/inject/inject.go). The
// namespace's value does not step in: the injector copies a namespace annotation only onto a pod
// without that key (pkg/inject/inject.go GetConfigOverride). Valid values:
// https://linkerd.io/2/reference/authorization-policy/#default-policies.
// Before: reach said UNKNOWN ("is not a Linkerd policy value") and mtls.authz-missing judged the
// typo as if it were the policy.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../../../src/cli/io.ts';
import { main } from '../../../src/cli/main.ts';
import { meshModel } from '../../../src/analysis/mesh/index.ts';
import { authzMissing } from '../../../checks/mtls/authz-missing.ts';
import { linkerdUnauthenticatedDefault } from '../../../checks/mtls/linkerd-unauthenticated-default.ts';
import { ctxOf, run } from './helpers.ts';

const ANN = 'config.linkerd.io/default-inbound-policy';
const IGNORED = `pod annotation ${ANN} "all-authenticted" is not a Linkerd policy, so Linkerd ignores it`;

/** The reviewer's case: cluster default deny, shop injected by namespace, api's template annotated with a typo. */
const cluster = (o: { clusterDefault?: string; nsPolicy?: string; apiPolicy?: string } = {}) => `
apiVersion: v1
kind: Namespace
metadata: {name: linkerd}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: linkerd-config, namespace: linkerd}
data:
  values: |
    proxy:
      defaultInboundPolicy: ${o.clusterDefault ?? 'deny'}
    proxyInit: {ignoreInboundPorts: "4567,4568", ignoreOutboundPorts: "4567,4568"}
---
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  annotations: {linkerd.io/inject: enabled${o.nsPolicy ? `, ${ANN}: ${o.nsPolicy}` : ''}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata:
      labels: {app: api}
      annotations: {${ANN}: ${JSON.stringify(o.apiPolicy ?? 'all-authenticted')}}
    spec:
      serviceAccountName: api
      containers: [{name: app, image: x/api:1, ports: [{containerPort: 8080, name: http}, {containerPort: 5432, name: db}]}]
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec: {selector: {app: api}, ports: [{name: http, port: 80, targetPort: 8080}, {name: db, port: 5432}]}
---
apiVersion: v1
kind: Namespace
metadata: {name: legacy}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: old, namespace: legacy}
spec:
  selector: {matchLabels: {app: old}}
  template:
    metadata: {labels: {app: old}}
    spec:
      containers: [{name: app, image: x/old:1}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      serviceAccountName: web
      containers: [{name: app, image: x/web:1}]
`;

async function reach(yaml: string, ...args: string[]): Promise<{ code: number; out: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'ztaudit-linkerd-invalid-'));
  writeFileSync(join(dir, 'all.yaml'), yaml);
  const out: string[] = [];
  const io: CliIO = { stdout: (t) => out.push(t), stderr: () => {}, env: {}, isTTY: false, cwd: dir };
  const code = await main(['reach', '--manifests', dir, ...args], io);
  return { code, out: out.join('') };
}
const policyOf = (yaml: string) => {
  const ctx = ctxOf(yaml);
  return meshModel(ctx.snapshot, ctx.config).workloads.find((w) => w.workload.ref.name === 'api')!.linkerdPolicy;
};
const matrixLine = (out: string, pair: string) => out.split('\n').find((l) => l.startsWith(`${pair} : `)) ?? `${pair} : (no line)`;

describe('Linkerd: a default-inbound-policy annotation that is not a policy falls back to the cluster default', () => {
  it('reach: under cluster default deny the call is DENIED, and the answer says the annotation is ignored (was: UNKNOWN)', async () => {
    for (const from of ['legacy/old', 'shop/web']) {
      const r = await reach(cluster(), '--from', from, '--to', 'shop/api', '--port', '8080');
      expect(r.code, from).toBe(1);
      expect(r.out.split('\n')[0]).toBe(`DENIED: ${from}[Deployment] -> shop/api[Deployment] on 8080/TCP`);
      expect(r.out).toContain(`mesh DENIED: no Server covers port 8080: default inbound policy deny (ConfigMap linkerd/linkerd-config (proxy.defaultInboundPolicy); ${IGNORED}); deny refuses every client not explicitly authorized`);
    }
    const matrix = (await reach(cluster(), '--matrix', '--effective')).out;
    // The installed proxyInit.ignoreInboundPorts 4567,4568 reach the pod around its proxy, declared or not.
    expect(matrixLine(matrix, 'legacy/old[Deployment] => shop/api[Deployment]')).toBe('legacy/old[Deployment] => shop/api[Deployment] : SCTP 1-65535,TCP 4567-4568,UDP 1-65535 [mesh linkerd]');
    expect(matrixLine(matrix, 'shop/web[Deployment] => shop/api[Deployment]')).toBe('shop/web[Deployment] => shop/api[Deployment] : SCTP 1-65535,TCP 4567-4568,UDP 1-65535 [mesh linkerd]');
  });

  it('under cluster default all-authenticated: the meshed caller is ALLOWED, the plaintext one DENIED', async () => {
    const yaml = cluster({ clusterDefault: 'all-authenticated' });
    expect((await reach(yaml, '--from', 'shop/web', '--to', 'shop/api', '--port', '8080')).out.split('\n')[0]).toBe('ALLOWED: shop/web[Deployment] -> shop/api[Deployment] on 8080/TCP');
    expect((await reach(yaml, '--from', 'legacy/old', '--to', 'shop/api', '--port', '8080')).out.split('\n')[0]).toBe('DENIED: legacy/old[Deployment] -> shop/api[Deployment] on 8080/TCP');
  });

  it('findings: authz-missing and linkerd-unauthenticated-default judge the cluster default and say the annotation is ignored', () => {
    const deny = ctxOf(cluster());
    const a = run(authzMissing, deny).find((v) => v.resource.name === 'api');
    expect(a).toMatchObject({ status: 'pass', message: `Deployment shop/api: default inbound policy deny (ConfigMap linkerd/linkerd-config (proxy.defaultInboundPolicy); ${IGNORED})` });
    const u = run(linkerdUnauthenticatedDefault, deny).find((v) => v.resource.name === 'api');
    expect(u).toMatchObject({ status: 'pass', evidence: { policy: 'deny' } });
    expect(u?.message).toContain(IGNORED);

    const open = ctxOf(cluster({ clusterDefault: 'all-unauthenticated' }));
    const o = run(authzMissing, open).find((v) => v.resource.name === 'api');
    expect(o).toMatchObject({ status: 'fail', evidence: { defaultPolicy: 'all-unauthenticated', source: `ConfigMap linkerd/linkerd-config (proxy.defaultInboundPolicy); ${IGNORED}` } });
    expect(o?.message).toContain('on ports 8080 (no Server; default all-unauthenticated), 5432 (no Server; default all-unauthenticated)');
    expect(run(linkerdUnauthenticatedDefault, open).find((v) => v.resource.name === 'api')).toMatchObject({ status: 'fail', severity: 'high', evidence: { policy: 'all-unauthenticated' } });
  });

  it('the namespace\'s valid value does not step in (the injector copies it only onto pods without the key)', () => {
    expect(policyOf(cluster({ nsPolicy: 'all-unauthenticated' }))).toMatchObject({ policy: 'deny', ignored: { value: 'all-authenticted', source: `pod annotation ${ANN}` } });
    // A namespace value that is not a policy is ignored the same way for a template that takes it.
    const fromNs = policyOf(cluster({ nsPolicy: 'Deny' }).replace(`      annotations: {${ANN}: "all-authenticted"}\n`, ''));
    expect(fromNs).toMatchObject({ policy: 'deny', source: `ConfigMap linkerd/linkerd-config (proxy.defaultInboundPolicy); namespace shop annotation ${ANN} "Deny" is not a Linkerd policy, so Linkerd ignores it` });
  });

  it('a hostile value is quoted, never passed through raw', () => {
    const p = policyOf(cluster({ apiPolicy: 'x"\n\u001b[31mred' }));
    expect(p?.policy).toBe('deny');
    expect(p?.source).toContain(`pod annotation ${ANN} "x\\"\\n\\u001b[31mred" is not a Linkerd policy`);
    expect(p?.source).not.toContain('\n');
    expect(p?.source).not.toContain('\u001b');
  });

  it('a running pod with its own bad value is not told a restart picks up the namespace\'s (its own stays)', () => {
    const live = `${cluster({ nsPolicy: 'all-authenticated' })}---
apiVersion: v1
kind: Pod
metadata: {name: api-live, namespace: shop, labels: {app: live}, annotations: {${ANN}: bogus}}
spec: {containers: [{name: app, image: x, ports: [{containerPort: 8000}]}, {name: linkerd-proxy, image: y}]}
`;
    const ctx = ctxOf(live);
    const v = run(linkerdUnauthenticatedDefault, ctx).find((x) => x.resource.name === 'api-live');
    expect(v).toMatchObject({ status: 'pass', evidence: { policy: 'deny' } });
    expect(v?.evidence).not.toHaveProperty('pendingOnRestart');
    expect(v?.message).not.toMatch(/restart/);
    // Nor one without a value of its own whose namespace's value is not a policy: a restart changes nothing.
    const bare = run(linkerdUnauthenticatedDefault, ctxOf(live.replace(`, annotations: {${ANN}: bogus}`, '').replace(`${ANN}: all-authenticated`, `${ANN}: Deny`))).find((x) => x.resource.name === 'api-live');
    expect(bare).toMatchObject({ status: 'pass', evidence: { policy: 'deny', source: 'ConfigMap linkerd/linkerd-config (proxy.defaultInboundPolicy)' } });
    expect(bare?.evidence).not.toHaveProperty('pendingOnRestart');
  });
});

// linkerd-config's `values` key holds the install-time Helm values Linkerd reads with
// sigs.k8s.io/yaml (pkg/config ValuesFromConfigMap); when they cannot be parsed the installed
// proxy.defaultInboundPolicy is not known, and the finding says so rather than naming it as read.
describe('linkerd-config whose values cannot be parsed', () => {
  const broken = (values: string) => `
apiVersion: v1
kind: ConfigMap
metadata: {name: linkerd-config, namespace: linkerd}
data:
  values: ${JSON.stringify(values)}
---
apiVersion: v1
kind: Namespace
metadata: {name: shop, annotations: {linkerd.io/inject: enabled}}
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
  it('the finding says the values could not be read and the install default is assumed, not "(Linkerd install default)"', () => {
    for (const [values, why] of [['proxy: [oops', 'is not valid YAML'], ['- a list', 'is not a YAML mapping']] as const) {
      const ctx = ctxOf(broken(values));
      const cd = meshModel(ctx.snapshot, ctx.config).linkerd.clusterDefault;
      expect(cd.policy).toBe('all-unauthenticated');
      expect(cd.source).toContain(`Linkerd install default, assumed (ConfigMap linkerd/linkerd-config key values ${why}`);
      const [v] = run(linkerdUnauthenticatedDefault, ctx).filter((x) => x.resource.kind === 'ConfigMap');
      expect(v.message).toContain('so proxy.defaultInboundPolicy could not be read');
      expect(v.message).not.toContain('(Linkerd install default)');
    }
    // Values without the key are the install default, said as before.
    const ctx = ctxOf(broken('proxy: {logLevel: info}'));
    expect(meshModel(ctx.snapshot, ctx.config).linkerd.clusterDefault.source).toBe('Linkerd install default');
  });
});
