// The policies a waypoint enforces for a callee (waypointPolicies): those attached by targetRefs to
// the waypoint's Gateway, to a Service selecting the callee, or to the istio-waypoint GatewayClass
// in the root namespace (https://istio.io/latest/docs/ambient/usage/l4-policy/, attachment table;
// https://istio.io/latest/docs/ambient/usage/waypoint/). They are looked up in an index built once
// per model; these tests hold the lookup to a plain scan of every policy, and count the work.
import { describe, expect, it } from 'vitest';
import { authzMissing } from '../../../checks/mtls/authz-missing.ts';
import { istioAuthzModel, waypointPolicies, type IstioAuthzModel } from '../../../src/analysis/mesh/istio-authz.ts';
import { selectorMatches } from '../../../src/analysis/mesh/istio.ts';
import type { MeshCallee } from '../../../src/analysis/mesh/flow.ts';
import type { ParsedAuthzPolicy } from '../../../src/analysis/mesh/authz.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';
import { ctxOf, deployment, fails, run } from './helpers.ts';

/** The attachment rule read straight off the policy list: every policy, every verdict. */
function scanEveryPolicy(model: IstioAuthzModel, callee: MeshCallee, wp: { name: string; namespace: string }): ParsedAuthzPolicy[] {
  const services = new Set((model.services.get(callee.namespace) ?? []).filter((s) => Object.keys(s.selector).length > 0 && selectorMatches(s.selector, callee.labels)).map((s) => s.name));
  return model.authz.all.filter((p) => p.targeted && p.action && p.problems.length === 0 && p.targetRefs.some((t) =>
    (t.kind === 'Gateway' && p.namespace === wp.namespace && t.name === wp.name)
    || (t.kind === 'Service' && p.namespace === callee.namespace && services.has(t.name))
    || (t.kind === 'GatewayClass' && p.namespace === model.root && t.name === 'istio-waypoint')));
}

const ns = (name: string, labels: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
const service = (namespace: string, name: string, selector: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { selector, ports: [{ port: 80 }] } });
const policy = (namespace: string, name: string, targetRefs: Array<{ kind: string; name: string }>, spec: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name, namespace },
  spec: { targetRefs: targetRefs.map((t) => ({ group: t.kind === 'Service' ? '' : 'gateway.networking.k8s.io', ...t })), action: 'ALLOW', rules: [{ from: [{ source: { principals: ['cluster.local/ns/web/sa/front'] } }] }], ...spec },
});

const calleeOf = (namespace: string, name: string, labels: Record<string, string>): MeshCallee => ({ namespace, name, serviceAccount: '', labels, port: 0, protocol: 'TCP', dataplane: 'ambient' });

describe('waypointPolicies', () => {
  it('finds the same policies, in the same order, as a scan of every policy on a generated mesh', () => {
    // A small deterministic generator (LCG): namespaces with waypoints of shared names, Services
    // that select some workloads, and policies attaching to any of them, or to other namespaces'
    // objects, the GatewayClass in and out of the root namespace, several refs at once, malformed.
    let seed = 42;
    const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
    const objs: KubeObject[] = [ns('istio-system', {})];
    const namespaces = Array.from({ length: 12 }, (_, i) => `ns${i}`);
    const waypoints = ['waypoint', 'wp-a', 'wp-b'];
    for (const n of namespaces) {
      objs.push(ns(n, { 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': waypoints[rnd(3)], ...(rnd(4) === 0 ? { 'istio.io/use-waypoint-namespace': namespaces[rnd(12)] } : {}) }));
      for (let w = 0; w < 6; w++) objs.push(deployment(n, `w${w}`, { labels: { tier: `t${w % 3}` } }));
      for (let s = 0; s < 4; s++) objs.push(service(n, `svc${s}`, rnd(5) === 0 ? {} : rnd(2) === 0 ? { app: `w${rnd(6)}` } : { tier: `t${rnd(3)}` }));
    }
    const ref = (): { kind: string; name: string } => {
      switch (rnd(5)) {
        case 0: case 1: return { kind: 'Gateway', name: waypoints[rnd(3)] };
        case 2: case 3: return { kind: 'Service', name: `svc${rnd(5)}` };
        default: return { kind: 'GatewayClass', name: rnd(2) === 0 ? 'istio-waypoint' : 'istio' };
      }
    };
    for (let i = 0; i < 400; i++) {
      const where = rnd(6) === 0 ? 'istio-system' : namespaces[rnd(12)];
      const refs = Array.from({ length: 1 + rnd(3) }, ref);
      const kind = rnd(10);
      objs.push(policy(where, `p${i}`, refs, kind === 0 ? { action: 'DENY' } : kind === 1 ? { action: 'BOGUS' } : kind === 2 ? { rules: [{ from: [{ source: { principals: ['a/b/c'] } }] }] } : {}));
    }
    // Policies no waypoint enforces: selector-based ones.
    for (const n of namespaces) objs.push({ apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'by-selector', namespace: n }, spec: { selector: { matchLabels: { app: 'w0' } } } });
    const ctx = ctxOf('', undefined, objs);
    const model = istioAuthzModel(ctx.snapshot, ctx.config);
    let compared = 0;
    const answers = new Set<string>();
    for (const n of namespaces) {
      for (let w = 0; w < 6; w++) {
        const callee = calleeOf(n, `w${w}`, { app: `w${w}`, tier: `t${w % 3}` });
        // The waypoint the namespace's istio.io/use-waypoint names (the generator labels each namespace).
        const nsLabels = model.namespaces.get(n)!.labels;
        const wp = { name: nsLabels['istio.io/use-waypoint'], namespace: nsLabels['istio.io/use-waypoint-namespace'] ?? n };
        for (const at of [wp, { name: 'wp-a', namespace: n }, { name: 'nowhere', namespace: n }]) {
          const want = scanEveryPolicy(model, callee, at);
          expect(waypointPolicies(model, callee, at).map((p) => `${p.namespace}/${p.ref.name}`)).toEqual(want.map((p) => `${p.namespace}/${p.ref.name}`));
          compared++;
          answers.add(want.map((p) => `${p.namespace}/${p.ref.name}`).join(','));
        }
      }
    }
    expect(compared).toBe(12 * 6 * 3);
    // The case exercises the lookup: the answers differ from callee to callee.
    expect(answers.size).toBeGreaterThan(20);
  });

  it('mtls.authz-missing reads each targetRef policy a bounded number of times, not once per workload (2,000 ambient namespaces)', () => {
    const N = 2000;
    const objs: KubeObject[] = [policy('istio-system', 'all-waypoints', [{ kind: 'GatewayClass', name: 'istio-waypoint' }], { action: 'DENY', rules: [{ from: [{ source: { namespaces: ['legacy'] } }] }] })];
    for (let n = 0; n < N; n++) {
      objs.push(ns(`ns${n}`, { 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'waypoint' }));
      objs.push(deployment(`ns${n}`, 'api'));
      objs.push(service(`ns${n}`, 'api', { app: 'api' }));
      // The waypoint handles calls to the Service and to the pods alike, so its policies cover api.
      objs.push({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'waypoint', namespace: `ns${n}`, labels: { 'istio.io/waypoint-for': 'all' } }, spec: { gatewayClassName: 'istio-waypoint' } });
      objs.push(policy(`ns${n}`, 'at-waypoint', [{ kind: 'Gateway', name: 'waypoint' }]));
      objs.push(policy(`ns${n}`, 'at-service', [{ kind: 'Service', name: 'api' }], { action: 'DENY', rules: [{ from: [{ source: { namespaces: ['legacy'] } }] }] }));
    }
    const ctx = ctxOf('', undefined, objs);
    const model = istioAuthzModel(ctx.snapshot, ctx.config);
    expect(model.authz.all).toHaveLength(2 * N + 1);
    // The work, counted as reads of a policy's targetRefs: a scan per verdict reads every policy
    // for every workload (2,000 × 4,001 reads); the index reads each once.
    let reads = 0;
    for (const p of model.authz.all) {
      const refs = p.targetRefs;
      Object.defineProperty(p, 'targetRefs', { get: () => { reads++; return refs; }, enumerable: true });
    }
    const out = run(authzMissing, ctx);
    expect(fails(out)).toEqual([]);
    expect(out).toHaveLength(N);
    expect(out[N - 1].message).toBe(`Deployment ns${N - 1}/api: ALLOW policies decide who may call it (ns${N - 1}/at-waypoint); ns${N - 1}/at-waypoint enforced by waypoint ns${N - 1}/waypoint (namespace ns${N - 1} label istio.io/use-waypoint, for its Services; istio.io/waypoint-for: all)`);
    expect(reads).toBeLessThanOrEqual(model.authz.all.length);
    // Verdicts are unchanged: each workload gets its own two policies and the root one, in order.
    const callee = calleeOf('ns7', 'api', { app: 'api' });
    expect(waypointPolicies(model, callee, { name: 'waypoint', namespace: 'ns7' }).map((p) => `${p.namespace}/${p.ref.name}`)).toEqual(['istio-system/all-waypoints', 'ns7/at-waypoint', 'ns7/at-service']);
  });
});
