// Synthetic clusters for the network-segmentation benchmark (and reusable by others):
// live-style objects (Deployment -> ReplicaSet -> Pod, StatefulSet pods with per-pod labels),
// namespaces labelled by team, and NetworkPolicies in the patterns real platform teams write,
// including their usual mistakes (allow-all, selector typos, open egress, invalid CIDRs).
import { snapshotFromObjects } from '../src/collect/from-objects.ts';
import type { IntentRule } from '../src/config/types.ts';
import type { KubeObject, Snapshot } from '../src/snapshot/types.ts';
import { rng } from './prng.ts';

export interface NetpolBenchSpec {
  pods: number;
  namespaces: number;
  networkPolicies: number;
  seed?: number;
}

export const FULL_SIZE: NetpolBenchSpec = { pods: 150_000, namespaces: 10_000, networkPolicies: 20_000 };

export function scaled(factor: number): NetpolBenchSpec {
  return {
    pods: Math.round(FULL_SIZE.pods * factor),
    namespaces: Math.max(1, Math.round(FULL_SIZE.namespaces * factor)),
    networkPolicies: Math.round(FULL_SIZE.networkPolicies * factor),
  };
}


const TEAMS = Array.from({ length: 20 }, (_, i) => `team-${i}`);
const NP = 'networking.k8s.io/v1';

/** Segmentation intents that exercise the cluster-wide flow search. */
export function benchIntents(): IntentRule[] {
  return [
    { name: 'frontend-never-database', from: { podSelector: { tier: 'frontend' } }, to: { podSelector: { tier: 'database' } }, ports: [5432] },
    { name: 'worker-never-frontend', from: { podSelector: { tier: 'worker' } }, to: { podSelector: { tier: 'frontend' } } },
    { name: 'ns0-isolated-from-ns1', from: { namespace: 'ns-1' }, to: { namespace: 'ns-0' } },
  ];
}

export function generateNetpolObjects(spec: NetpolBenchSpec): KubeObject[] {
  const rand = rng(spec.seed ?? 7);
  const chance = (p: number) => rand() < p;
  const out: KubeObject[] = [];
  out.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system' } });
  out.push({
    apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'calico-node', namespace: 'kube-system' },
    spec: { template: { metadata: { labels: { 'k8s-app': 'calico-node' } }, spec: { hostNetwork: true, containers: [{ name: 'calico-node', image: 'quay.io/calico/node:v3.30.2' }] } } },
  });
  out.push({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'coredns-0', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } }, spec: { containers: [{ name: 'coredns', image: 'coredns', ports: [{ name: 'dns', containerPort: 53, protocol: 'UDP' }, { name: 'dns-tcp', containerPort: 53 }] }] } });

  const podsPerNs = spec.pods / spec.namespaces;
  const policiesPerNs = spec.networkPolicies / spec.namespaces;
  let podsMade = 0;
  let policiesMade = 0;
  for (let n = 0; n < spec.namespaces; n++) {
    const ns = `ns-${n}`;
    const team = TEAMS[n % TEAMS.length];
    out.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { team, env: n % 3 === 0 ? 'prod' : 'dev' } } });

    // Workloads: three Deployments and one StatefulSet, pods spread to hit the target count.
    const wantPods = Math.round(podsPerNs * (n + 1)) - podsMade;
    const share = [0.3, 0.3, 0.2, 0.2].map((f) => Math.max(1, Math.round(f * wantPods)));
    share[3] = Math.max(1, wantPods - share[0] - share[1] - share[2]);
    const deps: Array<[string, string, Array<{ name: string; containerPort: number }>]> = [
      ['web', 'frontend', [{ name: 'http', containerPort: 8080 }]],
      ['api', 'backend', [{ name: 'http', containerPort: 9090 }, { name: 'metrics', containerPort: 9100 }]],
      ['jobs', 'worker', [{ name: 'metrics', containerPort: 9100 }]],
    ];
    deps.forEach(([name, tier, ports], i) => {
      const labels = { app: name, tier };
      const hash = `${(n * 7 + i).toString(36)}x`;
      out.push({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: ns, uid: `${ns}-${name}` }, spec: { replicas: share[i], selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name, image: `${name}:1`, ports }] } } } });
      out.push({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: `${name}-${hash}`, namespace: ns, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name, controller: true }] }, spec: { replicas: share[i] } });
      for (let p = 0; p < share[i]; p++) {
        out.push({
          apiVersion: 'v1', kind: 'Pod',
          metadata: { name: `${name}-${hash}-${p}`, namespace: ns, labels: { ...labels, 'pod-template-hash': hash }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${name}-${hash}`, controller: true }] },
          spec: { containers: [{ name, image: `${name}:1`, ports }] },
        });
      }
    });
    // StatefulSet pods carry a per-pod label: each is its own class, as in real clusters.
    const dbLabels = { app: 'db', tier: 'database' };
    out.push({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: ns }, spec: { replicas: share[3], selector: { matchLabels: dbLabels }, template: { metadata: { labels: dbLabels }, spec: { containers: [{ name: 'pg', image: 'postgres:17', ports: [{ name: 'pg', containerPort: 5432 }] }] } } } });
    for (let p = 0; p < share[3]; p++) {
      out.push({
        apiVersion: 'v1', kind: 'Pod',
        metadata: { name: `db-${p}`, namespace: ns, labels: { ...dbLabels, 'statefulset.kubernetes.io/pod-name': `db-${p}` }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', controller: true }] },
        spec: { containers: [{ name: 'pg', image: 'postgres:17', ports: [{ name: 'pg', containerPort: 5432 }] }] },
      });
    }
    podsMade += share.reduce((a, b) => a + b, 0);

    out.push({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: ns }, spec: { type: chance(0.05) ? 'LoadBalancer' : 'ClusterIP', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http' }] } });
    if (chance(0.02)) out.push({ apiVersion: NP, kind: 'Ingress', metadata: { name: 'web', namespace: ns }, spec: { rules: [{ host: `${ns}.example.com`, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] } });

    // Policies: a default deny in most namespaces, then allow rules; mistakes sprinkled in.
    const wantPolicies = Math.round(policiesPerNs * (n + 1)) - policiesMade;
    const pol = (name: string, specBody: Record<string, unknown>) => {
      out.push({ apiVersion: NP, kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec: specBody });
      policiesMade++;
    };
    const candidates: Array<() => void> = [
      () => (chance(0.8) ? pol('default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }) : pol('deny-all', { podSelector: {} })),
      () => pol('db-from-api', { podSelector: { matchLabels: { tier: 'database' } }, ingress: [{ from: [{ podSelector: { matchLabels: { tier: 'backend' } } }], ports: [{ port: 'pg' }] }] }),
      () => pol('web-from-team', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team } } }, { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }], ports: [{ port: 'http' }] }] }),
      () => pol('egress-dns', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ port: 53, protocol: 'UDP' }, { port: 53 }] }] }),
      () => pol('api-egress', { podSelector: { matchLabels: { tier: 'backend' } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { tier: 'database' } } }], ports: [{ port: 5432 }] }, { to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.96.0.0/12'] } }], ports: [{ port: 443 }] }] }),
      () => pol('monitoring', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'In', values: [TEAMS[0], TEAMS[1]] }] }, podSelector: { matchLabels: { app: 'prometheus' } } }], ports: [{ port: 'metrics' }, { port: 9100, endPort: 9110 }] }] }),
    ];
    const mistakes: Array<() => void> = [
      () => pol('allow-all', { podSelector: {}, ingress: [{}] }),
      () => pol('typo', { podSelector: { matchLabels: { app: 'webapp' } }, policyTypes: ['Ingress'] }),
      () => pol('egress-anywhere', { podSelector: { matchLabels: { tier: 'worker' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] }),
      () => pol('bad-cidr', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/33' } }] }] }),
    ];
    for (let k = 0; k < wantPolicies; k++) {
      if (chance(0.06)) mistakes[Math.floor(rand() * mistakes.length)]();
      else candidates[k % candidates.length]();
    }
  }
  // Names must be unique per namespace: later duplicates are renamed.
  const seen = new Set<string>();
  for (const o of out) {
    if (o.kind !== 'NetworkPolicy') continue;
    let key = `${o.metadata!.namespace}/${o.metadata!.name}`;
    for (let i = 2; seen.has(key); i++) {
      o.metadata!.name = `${o.metadata!.name!.replace(/-\d+$/, '')}-${i}`;
      key = `${o.metadata!.namespace}/${o.metadata!.name}`;
    }
    seen.add(key);
  }
  return out;
}

/** A live-style snapshot of the synthetic cluster. */
export function generateNetpolSnapshot(spec: NetpolBenchSpec): Snapshot {
  const s = snapshotFromObjects(generateNetpolObjects(spec), { clusterName: 'bench-netpol', origin: 'live', collectedAt: '2026-01-01T00:00:00Z' });
  s.source = 'live';
  return s;
}
