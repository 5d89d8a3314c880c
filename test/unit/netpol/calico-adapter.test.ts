// The Calico adapter (policies in the API-neutral layers, evaluated by the shared precedence
// engine) against the Calico-native tier walk (calico/evaluate.ts, whose semantics the
// documentation cases in calico-evaluate.test.ts pin down): seeded random clusters, every
// pod pair and address, both directions, every port. Plus the adapter's own contract.
import { describe, expect, it } from 'vitest';
import { formatConns, intersectConns } from '../../../src/analysis/netpol/conns.ts';
import { queryReach, reachMatrix } from '../../../src/analysis/netpol/query.ts';
import { snap as yamlSnap } from './helpers.ts';
import { describeRule, podSetMatches, ruleRef, type Endpoint, type MatchContext } from '../../../src/analysis/netpol/engine.ts';
import { buildReachability, egressVerdict, ingressVerdict } from '../../../src/analysis/netpol/model.ts';
import type { PodClass } from '../../../src/analysis/netpol/model.ts';
import { calicoAdapter } from '../../../src/analysis/netpol/calico/adapter.ts';
import type { CalicoEndpoint, CalicoEvalContext } from '../../../src/analysis/netpol/calico/evaluate.ts';
import { ruleHits, walkTiers } from '../../../src/analysis/netpol/calico/evaluate.ts';
import { applyingTiers, calicoPlan } from '../../../src/analysis/netpol/calico/plan.ts';
import type { KubeObject, Snapshot } from '../../../src/snapshot/types.ts';
import { emptyConns, addInterval } from '../../../src/analysis/netpol/conns.ts';
import { parseIp } from '../../../src/base/ip.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { podEndpoint, snap } from './calico-helpers.ts';

function mulberry32(a: number): () => number {
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random cluster: namespaces, service accounts, pods, Services, tiers and Calico policies. */
function randomCluster(seed: number): KubeObject[] {
  const rnd = mulberry32(seed);
  const int = (n: number) => Math.floor(rnd() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  const chance = (p: number) => rnd() < p;
  const NS = ['a', 'b', 'c'];
  const APPS = ['web', 'db', 'api'];
  const objs: KubeObject[] = [];
  for (const ns of NS) {
    objs.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { team: pick(['x', 'y']), ...(chance(0.5) ? { env: pick(['prod', 'dev']) } : {}) } } });
    for (const sa of ['default', 'robot']) objs.push({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: sa, namespace: ns, labels: chance(0.5) ? { role: pick(['ci', 'ops']) } : {} } });
  }
  const podCount = 4 + int(5);
  for (let i = 0; i < podCount; i++) {
    const ports = chance(0.6) ? [{ name: pick(['http', 'metrics', 'dns']), containerPort: pick([80, 8080, 53, 9090]), protocol: pick(['TCP', 'UDP']) }] : [];
    objs.push({
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: `p${i}`, namespace: pick(NS), labels: { app: pick(APPS), ...(chance(0.5) ? { tier: pick(['fe', 'be']) } : {}) } },
      spec: { serviceAccountName: pick(['default', 'robot']), containers: [{ name: 'c', image: 'x', ports }] },
    });
  }
  objs.push({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc', namespace: 'a' }, spec: { selector: { app: pick(APPS) }, ports: [{ port: 80, targetPort: pick([80, 8080]), protocol: 'TCP' }] } });
  const tiers = ['default'];
  for (const t of ['security', 'platform']) {
    if (!chance(0.5)) continue;
    tiers.push(t);
    objs.push({ apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name: t }, spec: { ...(chance(0.8) ? { order: pick([100, 300, 2_000_000]) } : {}), ...(chance(0.4) ? { defaultAction: pick(['Deny', 'Pass']) } : {}) } });
  }
  const sel = () => pick([`app == '${pick(APPS)}'`, `app != '${pick(APPS)}'`, `tier in {'fe'}`, `!has(tier)`, 'all()', `app starts with 'w'`, `projectcalico.org/serviceaccount == 'robot'`, `has(tier) && app == '${pick(APPS)}'`]);
  const nsSel = () => pick([`team == 'x'`, `env == 'prod'`, 'all()', `projectcalico.org/name == '${pick(NS)}'`, 'global()']);
  const ports = (proto: boolean) => (proto ? pick([[80], ['8000:8080'], [53, 9090], ['http'], ['dns', 80]]) : [pick(['http', 'dns', 'metrics'])]);
  const entity = (peerSide: boolean, proto: boolean) => {
    const e: Record<string, unknown> = {};
    if (chance(peerSide ? 0.5 : 0.15)) e.selector = sel();
    if (chance(peerSide ? 0.2 : 0.05)) e.notSelector = sel();
    if (chance(peerSide ? 0.25 : 0.05)) e.namespaceSelector = nsSel();
    if (chance(peerSide ? 0.15 : 0.05)) e.serviceAccounts = chance(0.5) ? { names: ['robot'] } : { selector: `role == '${pick(['ci', 'ops'])}'` };
    if (chance(peerSide ? 0.2 : 0.05)) e.nets = [pick(['10.0.0.0/8', '192.0.2.0/24', '0.0.0.0/0', '2001:db8::/32'])];
    if (chance(peerSide ? 0.1 : 0.05)) e.notNets = [pick(['10.0.0.0/8', '192.0.2.0/24'])];
    if (chance(0.3)) e.ports = ports(proto);
    if (chance(0.1)) e.notPorts = ports(proto);
    if (peerSide && chance(0.05)) e.services = { name: 'svc', namespace: 'a' };
    return e;
  };
  const rule = (dir: 'ingress' | 'egress') => {
    const protocol = chance(0.6) ? pick(['TCP', 'UDP', 'ICMP', 6, 'SCTP']) : undefined;
    const withPorts = protocol === 'TCP' || protocol === 'UDP' || protocol === 6 || protocol === 'SCTP';
    const r: Record<string, unknown> = { action: pick(['Allow', 'Allow', 'Deny', 'Pass', 'Log']) };
    if (protocol !== undefined) r.protocol = protocol;
    if (chance(0.1)) r.notProtocol = pick(['UDP', 'TCP']);
    if (chance(0.05)) r.ipVersion = pick([4, 6]);
    const src = entity(dir === 'ingress', withPorts);
    const dst = entity(dir === 'egress', withPorts);
    if (!withPorts) for (const e of [src, dst]) for (const k of ['ports', 'notPorts'] as const) if (Array.isArray(e[k])) e[k] = (e[k] as unknown[]).filter((p) => typeof p === 'string' && !/^\d/.test(p));
    if (Object.keys(src).length) r.source = src;
    if (Object.keys(dst).length) r.destination = dst;
    return r;
  };
  const policyCount = 1 + int(5);
  for (let i = 0; i < policyCount; i++) {
    const global = chance(0.5);
    const spec: Record<string, unknown> = { selector: chance(0.2) ? '' : sel() };
    if (chance(0.8)) spec.order = pick([1, 10, 10, 100, 1000]);
    const tier = pick(tiers);
    if (tier !== 'default' || chance(0.3)) spec.tier = tier;
    if (global && chance(0.3)) spec.namespaceSelector = nsSel().replace('global()', 'all()');
    if (chance(0.2)) spec.serviceAccountSelector = `role == '${pick(['ci', 'ops'])}'`;
    const ni = int(3);
    const ne = int(3);
    if (ni) spec.ingress = Array.from({ length: ni }, () => rule('ingress'));
    if (ne) spec.egress = Array.from({ length: ne }, () => rule('egress'));
    if (chance(0.6)) spec.types = pick([['Ingress'], ['Egress'], ['Ingress', 'Egress']]);
    objs.push({
      apiVersion: chance(0.2) ? 'crd.projectcalico.org/v1' : 'projectcalico.org/v3',
      kind: global ? 'GlobalNetworkPolicy' : 'NetworkPolicy',
      metadata: { name: `pol-${i}`, ...(global ? {} : { namespace: pick(NS) }) },
      spec,
    });
  }
  return objs;
}

const IPS = ['10.1.2.3', '192.0.2.9', '203.0.113.5', '2001:db8::1'];

function serviceContext(s: Snapshot): CalicoEvalContext {
  return {
    serviceConns(namespace, name, pod) {
      const svc = (s.resources.services ?? []).find((o) => o.metadata?.namespace === namespace && o.metadata?.name === name);
      const sel = svc?.spec?.selector as Record<string, string> | undefined;
      if (!sel || pod.namespace !== namespace) return undefined;
      const labels = pod.labels as Map<string, string>;
      if (!Object.entries(sel).every(([k, v]) => labels.get(k) === v)) return undefined;
      const out = emptyConns();
      for (const p of svc!.spec.ports) addInterval(out, p.protocol ?? 'TCP', p.targetPort, p.targetPort);
      return out;
    },
  };
}

describe('the network model on Calico policies = the Calico-native tier walk (seeded random clusters)', () => {
  it('agrees on every pair, direction and port', () => {
    let pairs = 0;
    let nonTrivial = 0;
    let matrixPairs = 0;
    const disagreements: string[] = [];
    const matrixDisagreements: string[] = [];
    for (let seed = 1; seed <= 250; seed++) {
      const s = snapshotFromObjects(randomCluster(seed));
      const model = buildReachability(s);
      expect(model.composition.name).toBe('calico');
      const native = calicoPlan(s);
      const svcCtx = serviceContext(s);
      const pods = s.resources.pods ?? [];
      const eps: Array<{ model: Endpoint; calico: CalicoEndpoint; name: string }> = [
        ...pods.map((p) => {
          const name = `${p.metadata!.namespace}/${p.metadata!.name}`;
          const cls = model.workloadByKey.get(`${p.metadata!.namespace}/Pod/${p.metadata!.name}`)!.classes[0];
          return { model: { kind: 'class', cls } as Endpoint, calico: podEndpoint(s, name) as CalicoEndpoint, name };
        }),
        ...IPS.map((ip) => {
          const { family, value } = parseIp(ip)!;
          return { model: { kind: 'ip', family, value, text: ip } as Endpoint, calico: { kind: 'ip', family, value } as CalicoEndpoint, name: ip };
        }),
      ];
      // The streamed matrix (pods only) against the native walk in both directions.
      const matrix = new Map(reachMatrix(model, { external: false }).map((r) => [`${r.from} => ${r.to}`, formatConns(r.conns)]));
      const podEps = eps.filter((e) => e.model.kind === 'class');
      for (const src of podEps) {
        for (const dst of podEps) {
          if (src === dst) continue;
          const native = (dir: 'ingress' | 'egress') => walkTiers(applyingTiers(calicoPlan(s), ((dir === 'ingress' ? dst : src).calico as Extract<CalicoEndpoint, { kind: 'pod' }>).labels, dir).map(({ tier, policies }) => ({
            tier, entries: policies.map((p) => ({ policy: p, order: p.order, sortKey: p.name, hits: () => ruleHits(p[dir], src.calico, dst.calico, svcCtx) })),
          }))).allowed;
          const want = intersectConns(native('egress'), native('ingress'));
          const got = matrix.get(`${src.name}[Pod] => ${dst.name}[Pod]`) ?? 'No Connections';
          matrixPairs++;
          if (got !== formatConns(want)) matrixDisagreements.push(`seed ${seed} ${src.name} => ${dst.name}: matrix ${got}, native ${formatConns(want)}`);
        }
      }
      for (const src of eps) {
        for (const dst of eps) {
          for (const dir of ['ingress', 'egress'] as const) {
            const local = dir === 'ingress' ? dst : src;
            if (local.model.kind !== 'class') continue;
            const verdict = dir === 'ingress' ? ingressVerdict(model, src.model, dst.model) : egressVerdict(model, src.model, dst.model);
            const nativeTiers = applyingTiers(native, (local.calico as Extract<CalicoEndpoint, { kind: 'pod' }>).labels, dir).map(({ tier, policies }) => ({
              tier, entries: policies.map((p) => ({ policy: p, order: p.order, sortKey: p.name, hits: () => ruleHits(p[dir], src.calico, dst.calico, svcCtx) })),
            }));
            const viaNative = walkTiers(nativeTiers);
            pairs++;
            if (viaNative.governed) nonTrivial++;
            if (formatConns(verdict.conns) !== formatConns(viaNative.allowed)) disagreements.push(`seed ${seed} ${dir} ${src.name} -> ${dst.name}: model ${formatConns(verdict.conns)}, native ${formatConns(viaNative.allowed)}`);
          }
        }
      }
    }
    console.log(`calico model differential: ${pairs - disagreements.length}/${pairs} direction verdicts agree (${nonTrivial} governed by some Calico tier)`);
    console.log(`calico matrix differential: ${matrixPairs - matrixDisagreements.length}/${matrixPairs} pod pairs of reach --matrix agree`);
    expect(matrixDisagreements.slice(0, 10)).toEqual([]);
    expect(disagreements.slice(0, 10)).toEqual([]);
    expect(nonTrivial).toBeGreaterThan(5000);
  });
});

describe('the adapter contract (docs/network-model.md)', () => {
  const parse = (yaml: string) => {
    const s = snap(yaml);
    return { s, out: calicoAdapter.parse({ snapshot: s, namespaceLabels: new Map() }) };
  };

  it('names a deciding rule as the issue asks: "GlobalNetworkPolicy deny-x (order 10) rule 0 (Deny)"', () => {
    const { out } = parse(`
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: deny-x}
spec: {order: 10, selector: all(), ingress: [{action: Deny}]}
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: allow-web, namespace: shop}
spec: {tier: security, order: 5, ingress: [{action: Allow}]}
---
apiVersion: projectcalico.org/v3
kind: Tier
metadata: {name: security}
spec: {order: 100}
`);
    const gnp = out.policies.find((p) => p.kindLabel === 'GlobalNetworkPolicy')!;
    const np = out.policies.find((p) => p.kindLabel === 'Calico NetworkPolicy')!;
    expect(describeRule(ruleRef(gnp, gnp.ingress![0]))).toBe('GlobalNetworkPolicy deny-x (order 10) rule 0 (Deny)');
    expect(describeRule(ruleRef(np, np.ingress![0]))).toBe('Calico NetworkPolicy shop/allow-web (tier security, order 5) rule 0 (Allow)');
    expect(new Set(out.policies.map((p) => p.id)).size).toBe(2);
    expect(gnp.id).not.toBe('deny-x'); // unique across APIs (an AdminNetworkPolicy may be called deny-x too)
  });

  it('keeps an invalid policy, with its errors, out of evaluation', () => {
    const { out } = parse(`
apiVersion: crd.projectcalico.org/v1
kind: GlobalNetworkPolicy
metadata: {name: default.broken}
spec: {selector: "app = 'web'", ingress: [{action: Deny}]}
`);
    expect(out.policies).toHaveLength(1);
    expect(out.policies[0].errors[0]).toMatch(/^spec.selector: selector "app = 'web'" does not parse: expected '=='/);
    expect(out.policies[0].ingress).toBeUndefined();
    expect(out.policies[0].ref).toEqual({ kind: 'GlobalNetworkPolicy', name: 'broken' });
  });

  it('leaves preDNAT / doNotTrack policies out, with a coverage note naming them', () => {
    const { out } = parse(`
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: host-guard}
spec: {preDNAT: true, applyOnForward: true, selector: has(node-role), ingress: [{action: Deny}]}
`);
    expect(out.policies).toEqual([]);
    expect(out.notes).toContainEqual({ object: { kind: 'GlobalNetworkPolicy', name: 'host-guard' }, message: expect.stringMatching(/preDNAT: applies to host endpoints only/) });
  });

  it('host-network pods are not Calico endpoints: never selected, never a selected peer', () => {
    const { s, out } = parse(`
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: p}
spec: {selector: "app == 'agent'", ingress: [{action: Allow, source: {selector: "app == 'agent'"}}]}
`);
    const nsLabels = new Map([['kube-system', { 'kubernetes.io/metadata.name': 'kube-system' }]]);
    const ctx: MatchContext = { namespaceLabels: nsLabels, fallback: 'allow' };
    const cls = (hostNetwork: boolean): PodClass => ({ id: 0, namespace: 'kube-system', labels: { app: 'agent' }, namedPorts: [], hostNetwork, serviceAccount: 'default', serviceAccountLabels: {}, workloads: [], podCount: 1, ingressPolicies: [], egressPolicies: [], ingressPlan: [], egressPlan: [] });
    expect(s.resources['calico-v3.globalnetworkpolicies']).toHaveLength(1);
    expect(podSetMatches(ctx, out.policies[0].subject, undefined, cls(false))).toBe(true);
    expect(podSetMatches(ctx, out.policies[0].subject, undefined, cls(true))).toBe(false);
    const peer = out.policies[0].ingress![0].peers;
    expect(peer !== 'any' && peer[0].kind === 'pods' && podSetMatches(ctx, peer[0], undefined, cls(true))).toBe(false);
  });

  it('reports the tiers with their order and default action, the built-in default tier included', () => {
    const { out } = parse(`
apiVersion: crd.projectcalico.org/v1
kind: Tier
metadata: {name: security}
spec: {order: 300, defaultAction: Pass}
`);
    expect(out.tiers).toEqual(expect.arrayContaining([
      { name: 'security', order: 300, defaultAction: 'Pass', ref: { kind: 'Tier', name: 'security' } },
      { name: 'default', order: 1_000_000, defaultAction: 'Deny' },
    ]));
  });

  it('a rule on the policy\'s own pods (an ingress rule\'s destination selector) is a subject condition', () => {
    const { s, out } = parse(`
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: per-app}
spec:
  selector: all()
  ingress:
  - {action: Allow, protocol: TCP, destination: {selector: "app == 'web'", ports: [80]}}
  - {action: Deny}
`);
    const rule = out.policies[0].ingress![0];
    expect(rule.peers).toBe('any');
    expect(rule.subject?.where?.key).toBe('calico(app == "web")');
    expect(s.resources['calico-v3.globalnetworkpolicies']).toHaveLength(1);
  });
});

// felix/calc/policy_sorter.go PolKVLess: from v3.32.0 an order tie is broken on
// "name/namespace/kind" (a Kubernetes NetworkPolicy: its own name, kind KubernetesNetworkPolicy);
// up to v3.31 on the v1 key's name alone ("namespace/knp.default.<name>" for a Kubernetes
// NetworkPolicy, the name for a GlobalNetworkPolicy). Reviewer repro r1-knp-tiebreak.
describe('an order tie between a Kubernetes NetworkPolicy and a Calico policy, by Calico release', () => {
  const cluster = (image: string) => `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: calico-node, namespace: kube-system}
spec: {template: {spec: {containers: [{name: calico-node, image: '${image}'}]}}}
---
apiVersion: v1
kind: Pod
metadata: {name: frontend, namespace: shop, labels: {app: frontend}}
spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: shop, labels: {app: db}}
spec: {containers: [{name: c, image: postgres, ports: [{containerPort: 5432}]}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-frontend, namespace: shop}
spec:
  podSelector: {matchLabels: {app: db}}
  policyTypes: [Ingress]
  ingress: [{from: [{podSelector: {matchLabels: {app: frontend}}}], ports: [{port: 5432}]}]
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: deny-db}
spec: {order: 1000, selector: app == 'db', types: [Ingress], ingress: [{action: Deny, source: {selector: app == 'frontend'}}]}
`;
  const ask = (image: string) => {
    const model = buildReachability(yamlSnap(cluster(image)));
    const r = queryReach(model, 'shop/frontend', 'shop/db', 5432);
    return { allowed: r.allowed, by: r.ingress.decisions[0]?.by, notes: model.notes.map((n) => n.message) };
  };

  it('v3.32 and later: "allow-frontend/shop/KubernetesNetworkPolicy" sorts before "deny-db//GlobalNetworkPolicy": allowed', () => {
    expect(ask('docker.io/calico/node:v3.32.0')).toEqual({ allowed: true, by: 'NetworkPolicy shop/allow-frontend rule 0 (Allow)', notes: [] });
  });
  it('up to v3.31: "deny-db" sorts before "shop/knp.default.allow-frontend": denied', () => {
    expect(ask('quay.io/calico/node:v3.31.3')).toEqual({ allowed: false, by: 'GlobalNetworkPolicy deny-db (order 1000) rule 0 (Deny)', notes: [] });
  });
  it('release unknown: the newest rule, and a note names the tie', () => {
    expect(ask('calico/node:latest')).toEqual({
      allowed: true,
      by: 'NetworkPolicy shop/allow-frontend rule 0 (Allow)',
      notes: ["Calico's version is unknown: NetworkPolicy shop/allow-frontend and GlobalNetworkPolicy deny-db (order 1000) share an order; ties are broken by name/namespace/kind, as Calico v3.32 and later compare; earlier releases compare the stored name, \"namespace/knp.default.<name>\" for a Kubernetes NetworkPolicy"],
    });
  });
});

// Calico matches a `services` rule on the Service's EndpointSlices
// (docs.tigera.io/calico/latest/network-policy/policy-rules/service-policy); for a Service
// without a selector only they hold the endpoints, and they are not collected. Reviewer repro
// r4-calico-svc-noselector (the documentation's own example).
describe('a services rule naming a Service without a selector', () => {
  const yaml = `
apiVersion: v1
kind: Pod
metadata: {name: app, namespace: my-app, labels: {app: app}}
spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: v1
kind: Service
metadata: {name: kubernetes, namespace: default}
spec: {clusterIP: 10.96.0.1, ports: [{name: https, port: 443, protocol: TCP, targetPort: 6443}]}
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: allow-api-access, namespace: my-app}
spec:
  selector: all()
  egress:
  - action: Allow
    destination:
      services: {name: kubernetes, namespace: default}
`;
  it('says in the answer and in the coverage notes that the verdict is uncertain', () => {
    const model = buildReachability(yamlSnap(yaml));
    const r = queryReach(model, 'my-app/app', '172.18.0.2', 6443);
    const why = 'egress rule 0: Service default/kubernetes has no selector: Calico matches the endpoints in its EndpointSlices, which are not collected, so the rule is counted as matching none of them and verdicts it could decide are uncertain';
    expect(r.notes).toContain(`Calico NetworkPolicy my-app/allow-api-access ${why}`);
    expect(model.notes).toContainEqual({ object: expect.objectContaining({ name: 'allow-api-access' }), message: `NetworkPolicy my-app/allow-api-access ${why}` });
    // A Service with a selector resolves to its pods: nothing to say.
    const withSelector = yaml.replace('spec: {clusterIP: 10.96.0.1,', 'spec: {selector: {app: api}, clusterIP: 10.96.0.1,');
    expect(queryReach(buildReachability(yamlSnap(withSelector)), 'my-app/app', '172.18.0.2', 6443).notes.filter((n) => n.includes('EndpointSlices'))).toEqual([]);
  });
});
