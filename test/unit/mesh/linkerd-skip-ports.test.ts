import { describe, expect, it } from 'vitest';
import { parsePolicyPortSet } from '../../../src/analysis/mesh/index.ts';
import { linkerdSkipPorts } from '../../../checks/mtls/linkerd-skip-ports.ts';
import { runChecks } from '../../../src/engine/run.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';
import { ctxOf, deployment, fails } from './helpers.ts';
import { meshVerdictOverConns } from '../../../src/analysis/mesh/flow-verdict.ts';
import { allConns } from '../../../src/analysis/netpol/conns.ts';

const ns = (annotations: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', annotations: { 'linkerd.io/inject': 'enabled', ...annotations } } });
const SKIP_IN = 'config.linkerd.io/skip-inbound-ports';
const SKIP_OUT = 'config.linkerd.io/skip-outbound-ports';

describe('mtls.linkerd-skip-ports', () => {
  it('one result per meshed workload: skipped ports fail with direction and source, others pass', () => {
    const ctx = ctxOf('', undefined, [ns({}), deployment('shop', 'web'), deployment('shop', 'db', { annotations: { [SKIP_IN]: '3306,33060' } })]);
    const v = [...linkerdSkipPorts.evaluate(ctx)];
    expect(v).toHaveLength(2);
    expect(v.find((x) => x.resource.name === 'web')?.status).toBe('pass');
    const db = v.find((x) => x.resource.name === 'db')!;
    expect(db).toMatchObject({ status: 'fail', evidence: { inbound: { ports: ['3306', '33060'], source: `pod annotation ${SKIP_IN}` } } });
    expect(db.evidence).not.toHaveProperty('outbound');
    expect(db.message).toMatch(/inbound 3306, 33060 bypass the linkerd-proxy/);
  });

  it('namespace annotations apply to every meshed pod; a pod value (even empty) overrides them', () => {
    const ctx = ctxOf('', undefined, [
      ns({ [SKIP_OUT]: '5432,6379-6380' }),
      deployment('shop', 'web'),
      deployment('shop', 'api', { annotations: { [SKIP_OUT]: '' } }),
      deployment('shop', 'worker', { annotations: { [SKIP_IN]: '9000' } }),
    ]);
    const v = [...linkerdSkipPorts.evaluate(ctx)];
    expect(v.find((x) => x.resource.name === 'web')).toMatchObject({ status: 'fail', evidence: { outbound: { ports: ['5432', '6379-6380'], source: 'namespace shop annotation config.linkerd.io/skip-outbound-ports' } } });
    expect(v.find((x) => x.resource.name === 'api')?.status).toBe('pass');
    expect(v.find((x) => x.resource.name === 'worker')).toMatchObject({ status: 'fail', evidence: { inbound: { ports: ['9000'] }, outbound: { ports: ['5432', '6379-6380'] } } });
  });

  it('unmeshed workloads get no result; without Linkerd the check is not applicable', () => {
    const ctx = ctxOf('', undefined, [ns({}), deployment('shop', 'web'), deployment('shop', 'off', { annotations: { 'linkerd.io/inject': 'disabled', [SKIP_IN]: '80' } })]);
    expect([...linkerdSkipPorts.evaluate(ctx)].map((x) => x.resource.name)).toEqual(['web']);
    const none = ctxOf('', undefined, [deployment('shop', 'web', { annotations: { [SKIP_IN]: '80' } })]);
    expect(runChecks([linkerdSkipPorts], none)[0].status).toBe('not-applicable');
  });

  // Its reader is Linkerd's policy controller, not linkerd-init: policy-controller/k8s/index/src/ports.rs
  // parse_portset (linkerd2 stable-2.14.10, edge-25.12.3) trims each entry and each range bound, reads
  // a port as Rust's NonZeroU16 ("+80", "000080" are 80), and one entry it cannot read fails the
  // whole list, which ports_annotation replaces with the empty set.
  it('the require-identity port list is read as the policy controller reads it: trimmed, all or nothing', () => {
    expect(parsePolicyPortSet(' 25,587 ,,4000-4100, 0443')).toEqual({ ports: ['25', '587', '4000-4100', '443'] });
    expect(parsePolicyPortSet('+80, 000081 , 90 - 92,7-7,')).toEqual({ ports: ['80', '81', '90-92', '7'] });
    expect(parsePolicyPortSet('\u00858000\u3000')).toEqual({ ports: ['8000'] });
    for (const bad of ['25,x', '25,70000', '9-3', '0', '2-', '-5', '1-2-3', '\ufeff8000', '８０']) expect(parsePolicyPortSet(bad)).toHaveProperty('error');
  });

  // linkerd2-proxy-init pkg/iptables/iptables.go makeMultiportDestinations (proxy-init/v2.4.9) logs
  // an entry ParsePortRange rejects and leaves it out: "mysql" sends nothing around the proxy.
  it('a malformed entry never crashes; it skips nothing, so the workload passes, naming the entry', () => {
    const ctx = ctxOf('', undefined, [ns({}), deployment('shop', 'db', { annotations: { [SKIP_IN]: 'mysql' } })]);
    const [v] = [...linkerdSkipPorts.evaluate(ctx)];
    expect(fails([v])).toEqual([]);
    expect(v.evidence).toMatchObject({ inbound: { ports: [], invalidEntries: ['mysql'] } });
    expect(v.message).toContain('"mysql"');
    expect(v.message).toContain('logs and ignores it');
  });

  it('the mesh\'s verdict over every port judges the skipped ports, not a number another annotation holds (a metrics port, a build id)', () => {
    const ctx = ctxOf('', undefined, [ns({}), deployment('shop', 'web'),
      deployment('shop', 'db', { annotations: { [SKIP_IN]: '3306', 'prometheus.io/port': '9090', 'example.com/build': '4242' } })]);
    const over = meshVerdictOverConns(ctx.snapshot, ctx.config, { kind: 'Deployment', namespace: 'shop', name: 'web' }, { kind: 'Deployment', namespace: 'shop', name: 'db' }, allConns())!;
    const judged = over.ports.map((p) => p.port);
    expect(judged).toContain(3306);
    expect(judged).not.toContain(9090);
    expect(judged).not.toContain(4242);
  });
});

// A running pod's proxy-init was set up from the pod's annotations at injection; the injector
// copies the namespace's config annotations only then (linkerd2 controller/proxy-injector/webhook.go:
// "If namespace has annotations that do not exist on pod then copy them over").
describe('mtls.linkerd-skip-ports on running pods', () => {
  it('a namespace skip list added after injection does not bypass the running pod\'s proxy yet; the message says a restart would', () => {
    const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-0', namespace: 'shop', annotations: { 'linkerd.io/inject': 'enabled' } }, spec: { containers: [{ name: 'web', image: 'x', ports: [{ containerPort: 3306 }] }, { name: 'linkerd-proxy', image: 'y' }] } };
    const ctx = ctxOf('', undefined, [ns({ [SKIP_IN]: '3306' }), pod]);
    const v = [...linkerdSkipPorts.evaluate(ctx)].find((x) => x.resource.name === 'web-0');
    expect(v?.status).toBe('pass');
    expect(v?.message).toMatch(/namespace shop annotation config\.linkerd\.io\/skip-inbound-ports says "3306".*restarted/);
  });

  // The injector writes the namespace's value onto the pods it injects (pkg/inject/inject.go
  // AppendNamespaceAnnotations), so a webhook-injected pod's list is usually the namespace's old one.
  it('a webhook-injected pod holding the namespace\'s earlier list is told a restart picks up the new one, unless its Deployment\'s template sets its own', () => {
    const pod = (owner?: string): KubeObject => ({
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: 'web-0', namespace: 'shop', labels: { app: 'web' }, annotations: { 'linkerd.io/inject': 'enabled', 'linkerd.io/created-by': 'linkerd/proxy-injector stable-2.14.10', [SKIP_IN]: '25' }, ...(owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: owner, uid: 'u1', controller: true }] } : {}) },
      spec: { containers: [{ name: 'web', image: 'x', ports: [{ containerPort: 25 }] }, { name: 'linkerd-proxy', image: 'y' }] },
    });
    const bare = [...linkerdSkipPorts.evaluate(ctxOf('', undefined, [ns({ [SKIP_IN]: '25,3306' }), pod()]))].find((x) => x.resource.name === 'web-0');
    expect(bare).toMatchObject({ status: 'fail', evidence: { inbound: { ports: ['25'] }, pendingOnRestart: [`namespace shop annotation ${SKIP_IN} says "25,3306"`] } });
    const owned = (templateAnnotations: Record<string, string>) => {
      const d = deployment('shop', 'web', { annotations: templateAnnotations, ports: [25] });
      d.metadata!.uid = 'd1';
      const rs: KubeObject = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-5d8f7', namespace: 'shop', uid: 'u1', labels: { app: 'web' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'd1', controller: true }] }, spec: (d.spec as Record<string, unknown>) };
      return [...linkerdSkipPorts.evaluate(ctxOf('', undefined, [ns({ [SKIP_IN]: '25,3306' }), d, rs, pod('web-5d8f7')]))].find((x) => x.resource.name === 'web');
    };
    expect(owned({ 'linkerd.io/inject': 'enabled' })).toMatchObject({ status: 'fail', evidence: { pendingOnRestart: [`namespace shop annotation ${SKIP_IN} says "25,3306"`] } });
    expect(owned({ [SKIP_IN]: '25' })?.evidence).not.toHaveProperty('pendingOnRestart');
  });
});
