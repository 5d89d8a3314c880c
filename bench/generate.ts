// Deterministic synthetic clusters for the scale benchmark, written as snapshot files.
//   node bench/generate.ts --size S|M|L|XL [--seed N] [-o FILE]
// Realistic shape: pods of one Deployment share labels and an owner chain (Pod -> ReplicaSet
// -> Deployment); namespaces carry PSA labels; policies, roles and bindings repeat patterns
// real platform teams use — and realistic mistakes (missing default-deny, allow-all
// ingress, unrestricted egress, cluster-admin bindings, wildcard roles, aggregation into view,
// privileged pods, PERMISSIVE mTLS, Ingress hosts without TLS).
import { parseArgs } from 'node:util';
import { SNAPSHOT_SCHEMA_VERSION, type KubeObject, type Snapshot } from '../src/snapshot/types.ts';
import { KINDS, type KindKey } from '../src/snapshot/kinds.ts';
import { writeSnapshot } from '../src/snapshot/io.ts';
import { rng } from './prng.ts';

export interface SizeSpec {
  pods: number;
  namespaces: number;
  networkPolicies: number;
  roles: number; // Roles + ClusterRoles
  bindings: number; // RoleBindings + ClusterRoleBindings
  ingresses: number;
}

export const SIZES: Record<'S' | 'M' | 'L' | 'XL', SizeSpec> = {
  S: { pods: 1_500, namespaces: 100, networkPolicies: 200, roles: 50, bindings: 600, ingresses: 20 },
  M: { pods: 15_000, namespaces: 1_000, networkPolicies: 2_000, roles: 500, bindings: 6_000, ingresses: 200 },
  L: { pods: 150_000, namespaces: 10_000, networkPolicies: 20_000, roles: 5_000, bindings: 60_000, ingresses: 2_000 },
  // L's shape at 500,000 pods: about 1.5 million objects (16 pods a namespace, so the count is exact).
  XL: { pods: 500_000, namespaces: 31_250, networkPolicies: 62_500, roles: 15_625, bindings: 187_500, ingresses: 6_250 },
};


const TIERS = ['frontend', 'backend', 'worker', 'database', 'cache'];
const PORTS: Record<string, number> = { frontend: 8080, backend: 9090, worker: 7070, database: 5432, cache: 6379 };

export function generateCluster(spec: SizeSpec, seed = 1): Snapshot {
  const rand = rng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  const chance = (p: number) => rand() < p;
  const r: Partial<Record<KindKey, KubeObject[]>> = {};
  for (const k of KINDS) r[k.key] = [];
  const push = (key: KindKey, o: KubeObject) => r[key]!.push(o);
  const ts = '2026-01-01T00:00:00Z';

  const podsPerNs = Math.max(1, Math.round(spec.pods / spec.namespaces));
  const policiesPerNs = spec.networkPolicies / spec.namespaces;
  let podCount = 0;

  // kube-system with an enforcing CNI and DNS
  push('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system', labels: { 'kubernetes.io/metadata.name': 'kube-system' } } });
  push('daemonsets', { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'calico-node', namespace: 'kube-system' }, spec: { selector: { matchLabels: { 'k8s-app': 'calico-node' } }, template: { metadata: { labels: { 'k8s-app': 'calico-node' } }, spec: { hostNetwork: true, containers: [{ name: 'calico-node', image: 'docker.io/calico/node:v3.30.2', securityContext: { privileged: true } }] } } } });
  push('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'istio-system', labels: { 'kubernetes.io/metadata.name': 'istio-system' } } });
  push('istio.peerauthentications', { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'istio-system', creationTimestamp: ts }, spec: { mtls: { mode: 'STRICT' } } });

  for (let n = 0; n < spec.namespaces; n++) {
    const ns = `team-${String(n).padStart(5, '0')}`;
    const level = chance(0.15) ? undefined : chance(0.5) ? 'restricted' : 'baseline';
    const labels: Record<string, string> = { 'kubernetes.io/metadata.name': ns, team: `t${n % 97}` };
    if (level) labels['pod-security.kubernetes.io/enforce'] = level;
    if (chance(0.7)) labels['istio-injection'] = 'enabled';
    push('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels } });

    // Workloads: a handful of Deployments sharing the namespace's pods.
    const deployments = Math.max(1, Math.min(5, Math.round(podsPerNs / 3)));
    let left = Math.min(podsPerNs, spec.pods - podCount);
    for (let d = 0; d < deployments && left > 0; d++) {
      const tier = TIERS[d % TIERS.length];
      const name = `${tier}-${d}`;
      const replicas = d === deployments - 1 ? left : Math.max(1, Math.min(left, Math.round(podsPerNs / deployments)));
      left -= replicas;
      const privileged = chance(0.03);
      const hardened = chance(0.6);
      const podLabels = { app: name, tier, 'app.kubernetes.io/part-of': ns };
      const container = {
        name: tier,
        image: `registry.example.com/${ns}/${tier}:1.${d}.0`,
        ports: [{ name: 'http', containerPort: PORTS[tier] }],
        securityContext: privileged
          ? { privileged: true }
          : hardened ? { allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } } : {},
      };
      const podSpec = { serviceAccountName: chance(0.2) ? 'default' : name, containers: [container] };
      const uidD = `${ns}-${name}`;
      push('deployments', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: ns, uid: uidD }, spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: podLabels }, spec: podSpec } } });
      const rs = `${name}-7d9f8b6c5`;
      push('replicasets', { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: rs, namespace: ns, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name, uid: uidD, controller: true }] }, spec: { replicas, selector: { matchLabels: { app: name, 'pod-template-hash': '7d9f8b6c5' } }, template: { metadata: { labels: { ...podLabels, 'pod-template-hash': '7d9f8b6c5' } }, spec: podSpec } } });
      for (let p = 0; p < replicas; p++) {
        push('pods', {
          apiVersion: 'v1', kind: 'Pod',
          metadata: { name: `${rs}-${p.toString(36).padStart(5, 'x')}`, namespace: ns, labels: { ...podLabels, 'pod-template-hash': '7d9f8b6c5' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs, controller: true }] },
          spec: { ...podSpec, containers: labels['istio-injection'] && !chance(0.05) ? [container, { name: 'istio-proxy', image: 'docker.io/istio/proxyv2:1.26.0' }] : [container] },
          status: { phase: 'Running', podIP: `10.${(n >> 8) & 255}.${n & 255}.${p % 250}` },
        });
        podCount++;
      }
      push('services', { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec: { type: chance(0.01) ? 'LoadBalancer' : 'ClusterIP', selector: { app: name }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } });
      push('serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: ns } });
    }
    push('serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: ns } });

    // NetworkPolicies: default deny (missing in some namespaces), then allows. In a tenth of
    // the namespaces the default deny is a Calico NetworkPolicy instead (the cluster runs
    // Calico), so the model's other layers are measured too.
    const want = Math.floor(policiesPerNs) + (rand() < policiesPerNs % 1 ? 1 : 0);
    for (let i = 0; i < want; i++) {
      const name = i === 0 ? 'default-deny' : `allow-${i}`;
      let pspec: Record<string, unknown>;
      if (i === 0 && n % 10 === 3) {
        push('calico-v3.networkpolicies', {
          apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name, namespace: ns },
          spec: { selector: 'all()', types: ['Ingress', 'Egress'], egress: [{ action: 'Allow', protocol: 'UDP', destination: { namespaceSelector: "kubernetes.io/metadata.name == 'kube-system'", selector: "k8s-app == 'kube-dns'", ports: [53] } }] },
        });
        continue;
      }
      if (i === 0 && !chance(0.1)) pspec = { podSelector: {}, policyTypes: ['Ingress', 'Egress'] };
      else if (chance(0.03)) pspec = { podSelector: {}, ingress: [{}], policyTypes: ['Ingress'] }; // mistake: allow-all
      else if (chance(0.05)) pspec = { podSelector: { matchLabels: { tier: 'frontend' } }, egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }], policyTypes: ['Egress'] };
      else pspec = {
        podSelector: { matchLabels: { tier: pick(TIERS) } },
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ podSelector: { matchLabels: { tier: pick(TIERS) } } }, { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': `team-${String((n + 1) % spec.namespaces).padStart(5, '0')}` } } }], ports: [{ port: 'http' }] }],
      };
      push('networkpolicies', { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec: pspec });
    }

    if (labels['istio-injection'] && chance(0.3)) {
      push('istio.peerauthentications', { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: ns, creationTimestamp: ts }, spec: { mtls: { mode: chance(0.3) ? 'PERMISSIVE' : 'STRICT' } } });
      push('istio.destinationrules', { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'backend', namespace: ns }, spec: { host: `backend-1.${ns}.svc.cluster.local`, trafficPolicy: { tls: { mode: chance(0.1) ? 'DISABLE' : 'ISTIO_MUTUAL' } } } });
    }
  }

  // The platform team's AdminNetworkPolicies: one per team (tenant isolation: same team passed
  // to NetworkPolicy, monitoring allowed, other tenants denied; a few teams open up by
  // mistake), and the BaselineAdminNetworkPolicy blocking the cloud metadata address.
  const teams = Math.min(97, spec.namespaces);
  for (let t = 0; t < teams; t++) {
    const team = { matchLabels: { team: `t${t}` } };
    const ingress = chance(0.03)
      ? [{ name: 'everyone', action: 'Allow', from: [{ namespaces: {} }] }]
      : [
          { name: 'same-tenant', action: 'Pass', from: [{ namespaces: team }] },
          { name: 'monitoring', action: 'Allow', from: [{ namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }], ports: [{ portNumber: { port: 9100, protocol: 'TCP' } }] },
          { name: 'other-tenants', action: 'Deny', from: [{ namespaces: {} }] },
        ];
    push('anp.adminnetworkpolicies', { apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'AdminNetworkPolicy', metadata: { name: `tenant-t${t}` }, spec: { priority: 100 + t, subject: { namespaces: team }, ingress } });
  }
  push('anp.baselineadminnetworkpolicies', {
    apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'BaselineAdminNetworkPolicy', metadata: { name: 'default' },
    spec: { subject: { namespaces: {} }, egress: [{ name: 'no-cloud-metadata', action: 'Deny', to: [{ networks: ['169.254.169.254/32'] }] }] },
  });

  // Ingresses
  for (let i = 0; i < spec.ingresses; i++) {
    const ns = `team-${String((i * 5) % spec.namespaces).padStart(5, '0')}`;
    const host = `app${i}.example.com`;
    push('ingresses', { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: `web-${i}`, namespace: ns }, spec: { ingressClassName: 'nginx', ...(chance(0.9) ? { tls: [{ hosts: [host], secretName: `web-${i}-tls` }] } : {}), rules: [{ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'frontend-0', port: { number: 80 } } } }] } }] } });
  }

  // RBAC: ClusterRoles (some aggregated into view/edit), Roles, bindings.
  const clusterRoles = Math.round(spec.roles * 0.1);
  for (let i = 0; i < clusterRoles; i++) {
    const agg = chance(0.1);
    const labels: Record<string, string> = agg ? { [`rbac.authorization.k8s.io/aggregate-to-${pick(['view', 'edit'])}`]: 'true' } : {};
    const rules = chance(0.05)
      ? [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }]
      : [{ apiGroups: ['', 'apps'], resources: [pick(['pods', 'deployments', 'configmaps', 'services', 'secrets'])], verbs: ['get', 'list', 'watch'] }];
    push('clusterroles', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: `platform-role-${i}`, labels }, rules });
  }
  if (chance(1)) push('clusterroles', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'team-aggregate' }, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } }] }, rules: [] });
  const roles = spec.roles - clusterRoles;
  for (let i = 0; i < roles; i++) {
    const ns = `team-${String(i % spec.namespaces).padStart(5, '0')}`;
    push('roles', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: `deployer-${i}`, namespace: ns }, rules: [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list', 'update', 'patch'] }, ...(chance(0.1) ? [{ apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] }] : [])] });
  }
  const clusterBindings = Math.round(spec.bindings * 0.02);
  for (let i = 0; i < spec.bindings; i++) {
    const ns = `team-${String(i % spec.namespaces).padStart(5, '0')}`;
    const subject = chance(0.5)
      ? { kind: 'ServiceAccount', name: pick(['frontend-0', 'backend-1', 'worker-2', 'default']), namespace: ns }
      : { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: `dev${i % 5000}@example.com` };
    if (i < clusterBindings) {
      const role = chance(0.02) ? 'cluster-admin' : `platform-role-${i % Math.max(1, clusterRoles)}`;
      push('clusterrolebindings', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: `crb-${i}` }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role }, subjects: [subject] });
    } else {
      const toRole = chance(0.5) && roles > 0;
      const roleRef = toRole
        ? { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: `deployer-${(i % spec.namespaces) + spec.namespaces * Math.floor(rand() * Math.max(1, Math.floor(roles / spec.namespaces)))}` }
        : { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: pick(['view', 'edit', 'team-aggregate']) };
      push('rolebindings', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: `rb-${i}`, namespace: ns }, roleRef, subjects: [subject] });
    }
  }

  const coverage: Snapshot['coverage'] = {};
  for (const k of KINDS) coverage[k.key] = k.builtin || (r[k.key]?.length ?? 0) > 0 ? { status: 'ok', count: r[k.key]?.length ?? 0 } : { status: 'absent' };
  return {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    cluster: { name: `synthetic-${podCount}`, version: 'v1.36.3' },
    collectedAt: '2026-11-26T02:00:00Z',
    source: 'live',
    origin: 'live',
    coverage,
    resources: r,
    notes: [],
  };
}

if (import.meta.filename === process.argv[1]) {
  const { values } = parseArgs({ options: { size: { type: 'string', default: 'S' }, seed: { type: 'string', default: '1' }, output: { type: 'string', short: 'o' } } });
  const size = values.size as keyof typeof SIZES;
  if (!SIZES[size]) throw new Error(`--size must be S, M, L or XL`);
  const snap = generateCluster(SIZES[size], Number(values.seed));
  const out = values.output ?? `bench/out/cluster-${size}.snap.json.gz`;
  const { mkdirSync } = await import('node:fs');
  const { dirname } = await import('node:path');
  mkdirSync(dirname(out), { recursive: true });
  writeSnapshot(out, snap);
  const total = Object.values(snap.resources).reduce((n, l) => n + (l?.length ?? 0), 0);
  console.log(`${out}: ${snap.resources.pods?.length} pods, ${snap.resources.namespaces?.length} namespaces, ${snap.resources.networkpolicies?.length} NetworkPolicies, ${snap.resources['calico-v3.networkpolicies']?.length} Calico NetworkPolicies, ${snap.resources['anp.adminnetworkpolicies']?.length} AdminNetworkPolicies, ${(snap.resources.roles?.length ?? 0) + (snap.resources.clusterroles?.length ?? 0)} roles, ${(snap.resources.rolebindings?.length ?? 0) + (snap.resources.clusterrolebindings?.length ?? 0)} bindings, ${snap.resources.ingresses?.length} ingresses, ${total} objects`);
}
