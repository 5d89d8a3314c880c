// Seeded generator of Cilium policy scenarios for the oracle comparison: namespaces, pods,
// external peers, CiliumNetworkPolicy/CiliumClusterwideNetworkPolicy objects mixing every
// feature the model claims (label sources, namespace/service-account/cluster labels, entities,
// CIDRs with except, FQDNs, toServices, ports/ranges/named ports/protocols, L7 rules, ICMP,
// deny rules, enableDefaultDeny, empty rules and empty peer lists, a few invalid rules), and
// the flows to judge. The same seed gives the same scenarios.
import { rng } from '../../../bench/prng.ts';

export interface OracleScenario {
  id: string;
  enforcement: 'default' | 'always' | 'never';
  allowLocalhost?: 'always' | 'policy';
  enableNonDefaultDenyPolicies?: boolean;
  enableIPv6?: boolean;
  namespaces: Array<{ name: string; labels: Record<string, string> }>;
  pods: Array<{ name: string; namespace: string; labels: Record<string, string>; serviceAccount: string; ports: Array<{ name: string; port: number; protocol: string }> }>;
  externals: Array<{ name: string; ip: string; dnsName?: string }>;
  /**
   * Services only ztaudit's side sees: the oracle keeps no Service table and resolves no
   * toServices, so a scenario carries them only where Cilium leaves toServices unresolved
   * anyway (a deny rule: pkg/policy/k8s service.go processRule reads egress allow rules only).
   */
  services?: Array<{ name: string; namespace: string; selector: Record<string, string> }>;
  policies: Array<Record<string, unknown>>;
  flows: Array<{ from: string; to: string; protocol: 'TCP' | 'UDP' | 'SCTP'; port: number }>;
}

/** Peers the oracle knows by these names (reserved identities). */
export const RESERVED_PEERS = ['host', 'remote-node', 'kube-apiserver', 'health', 'ingress', 'unmanaged', 'world'] as const;

const NAMESPACES = [
  { name: 'shop', labels: { team: 'a', env: 'prod' } },
  { name: 'pay', labels: { team: 'b', env: 'prod' } },
  { name: 'dev', labels: { team: 'a', env: 'dev' } },
];

const POD_TEMPLATES: Array<{ name: string; labels: Record<string, string>; serviceAccount: string; ports: Array<{ name: string; port: number; protocol: string }> }> = [
  { name: 'web', labels: { app: 'web', tier: 'front', 'pod-template-hash': '7d9f' }, serviceAccount: 'web', ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] },
  { name: 'db', labels: { app: 'db', tier: 'back', 'statefulset.kubernetes.io/pod-name': 'db-0' }, serviceAccount: 'db', ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }] },
  { name: 'api', labels: { app: 'api', tier: 'back', 'app.kubernetes.io/name': 'api' }, serviceAccount: 'default', ports: [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'grpc', port: 9090, protocol: 'TCP' }] },
  { name: 'dns', labels: { 'k8s-app': 'kube-dns' }, serviceAccount: 'coredns', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }] },
];

const EXTERNALS = [
  { name: 'google-dns', ip: '8.8.8.8', dnsName: 'dns.google' },
  { name: 'corp', ip: '10.1.2.3' },
  { name: 'partner', ip: '192.168.10.20', dnsName: 'api.example.com' },
  { name: 'v6', ip: '2001:db8::1', dnsName: 'v6.example.com' },
  { name: 'cdn', ip: '203.0.113.7', dnsName: 'sub.app.cilium.io' },
];

const FLOW_PORTS: Array<{ protocol: 'TCP' | 'UDP' | 'SCTP'; port: number }> = [
  { protocol: 'TCP', port: 80 }, { protocol: 'TCP', port: 8080 }, { protocol: 'TCP', port: 5432 }, { protocol: 'UDP', port: 53 },
  { protocol: 'TCP', port: 53 }, { protocol: 'TCP', port: 9090 }, { protocol: 'TCP', port: 8050 }, { protocol: 'SCTP', port: 1234 }, { protocol: 'UDP', port: 8080 },
];

const ENTITIES = ['all', 'world', 'cluster', 'host', 'remote-node', 'kube-apiserver', 'health', 'ingress', 'unmanaged', 'init', 'none', 'cluster-mesh', 'world-ipv4', 'world-ipv6'];

const CIDRS = [
  { cidr: '0.0.0.0/0' }, { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] }, { cidr: '10.0.0.0/8' }, { cidr: '8.8.8.8/32' }, { cidr: '192.168.0.0/16', except: ['192.168.10.0/24'] },
  { cidr: '::/0' }, { cidr: '2001:db8::/32' }, { cidr: '203.0.113.0/24' },
];

const FQDNS = [{ matchName: 'dns.google' }, { matchName: 'API.example.com' }, { matchPattern: '*.example.com' }, { matchPattern: '**.cilium.io' }, { matchPattern: '*' }, { matchPattern: '*.cilium.io' }, { matchName: 'example.com' }];

/**
 * `networkPolicies`: also mix in Kubernetes NetworkPolicies (Cilium imports them into the same
 * repository). Their podSelectors also name labels Cilium's identity filter drops
 * (pod-template-hash, statefulset.kubernetes.io/pod-name): Cilium matches them on identities.
 */
export function generateScenarios(seed: number, count: number, options: { networkPolicies?: boolean } = {}): OracleScenario[] {
  const r = rng(seed);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const chance = (p: number) => r() < p;
  const some = <T,>(xs: readonly T[], max: number): T[] => {
    const n = 1 + Math.floor(r() * max);
    const out: T[] = [];
    for (let i = 0; i < n; i++) {
      const x = pick(xs);
      if (!out.includes(x)) out.push(x);
    }
    return out;
  };

  const out: OracleScenario[] = [];
  for (let s = 0; s < count; s++) {
    const namespaces = NAMESPACES.slice(0, 2 + Math.floor(r() * 2));
    const pods: OracleScenario['pods'] = [];
    for (const ns of namespaces) {
      for (const t of some(POD_TEMPLATES, 3)) pods.push({ ...t, namespace: ns.name, labels: { ...t.labels }, ports: t.ports.map((p) => ({ ...p })) });
    }
    const enableIPv6 = chance(0.1);
    const nsNames = namespaces.map((n) => n.name);

    const labelSel = (): Record<string, unknown> => {
      switch (Math.floor(r() * 12)) {
        case 0: return {};
        case 1: return { matchLabels: { app: pick(['web', 'db', 'api']) } };
        case 2: return { matchLabels: { 'k8s:app': pick(['web', 'db', 'api']) } };
        case 3: return { matchLabels: { 'any:app': pick(['web', 'db']) } };
        case 4: return { matchLabels: { tier: pick(['front', 'back']) } };
        case 5: return { matchExpressions: [{ key: 'app', operator: pick(['In', 'NotIn']), values: some(['web', 'db', 'api'], 2) }] };
        case 6: return { matchExpressions: [{ key: pick(['tier', 'k8s:tier', 'k8s-app']), operator: pick(['Exists', 'DoesNotExist']) }] };
        case 7: return { matchLabels: { 'statefulset.kubernetes.io/pod-name': 'db-0' } };
        case 8: return { matchLabels: { 'app.kubernetes.io/name': 'api' } };
        case 9: return { matchLabels: { 'pod-template-hash': '7d9f' } };
        case 10: return { matchLabels: { 'k8s-app': 'kube-dns' } };
        default: return { matchLabels: { 'io.cilium.k8s.policy.serviceaccount': pick(['web', 'db', 'default']) } };
      }
    };
    const withExtra = (sel: Record<string, unknown>, extra: Record<string, string>): Record<string, unknown> => ({ ...sel, matchLabels: { ...((sel.matchLabels as Record<string, string>) ?? {}), ...extra } });
    const peerSel = (): Record<string, unknown> => {
      const base = labelSel();
      switch (Math.floor(r() * 10)) {
        case 0: return withExtra(base, { 'k8s:io.kubernetes.pod.namespace': pick(nsNames) });
        case 1: return withExtra(base, { 'io.kubernetes.pod.namespace': pick(nsNames) });
        case 2: return withExtra(base, { 'io.cilium.k8s.namespace.labels.team': pick(['a', 'b']) });
        case 3: return withExtra(base, { 'k8s:io.cilium.k8s.namespace.labels.env': pick(['prod', 'dev']) });
        case 4: return { ...base, matchExpressions: [...((base.matchExpressions as unknown[]) ?? []), { key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' }] };
        case 5: return withExtra(base, { 'k8s:io.cilium.k8s.policy.cluster': pick(['default', 'other']) });
        case 6: return { matchLabels: { 'reserved:host': '' } };
        case 7: return withExtra(base, { 'any:io.kubernetes.pod.namespace': pick(nsNames) });
        default: return base;
      }
    };
    const portRules = (deny: boolean): Array<Record<string, unknown>> => {
      const n = 1 + Math.floor(r() * 2);
      const rules: Array<Record<string, unknown>> = [];
      for (let i = 0; i < n; i++) {
        if (chance(0.05)) {
          rules.push({});
          continue;
        }
        const ports: Array<Record<string, unknown>> = [];
        for (let j = 0; j < 1 + Math.floor(r() * 2); j++) {
          const port = pick(['80', '8080', '5432', '53', '0', 'http', 'dns', 'pg', 'grpc', '8000', '1', 'HTTP', '9090']);
          const p: Record<string, unknown> = { port };
          if (port === '8000') p.endPort = pick([8100, 7000]);
          if (port === '1') p.endPort = 65535;
          const proto = pick([undefined, 'TCP', 'UDP', 'ANY', 'SCTP', 'TCP']);
          if (proto) p.protocol = proto;
          ports.push(p);
        }
        const rule: Record<string, unknown> = { ports };
        if (!deny && chance(0.15) && ports.every((p) => p.protocol === 'TCP' && p.port !== '0')) rule.rules = { http: [{ method: 'GET', path: '/' }] };
        rules.push(rule);
      }
      return rules;
    };
    const peerRule = (dir: 'ingress' | 'egress', deny: boolean): Record<string, unknown> => {
      const f = dir === 'ingress' ? 'from' : 'to';
      const rule: Record<string, unknown> = {};
      switch (Math.floor(r() * 11)) {
        case 0: break;
        case 1: case 2: case 3: rule[`${f}Endpoints`] = Array.from({ length: 1 + Math.floor(r() * 2) }, peerSel); break;
        case 4: rule[`${f}Endpoints`] = chance(0.5) ? [] : [{}]; break;
        case 5: rule[`${f}Entities`] = chance(0.1) ? [] : some(ENTITIES, 2); break;
        case 6: rule[`${f}CIDR`] = some(CIDRS.filter((c) => !c.except).map((c) => c.cidr), 2); break;
        case 7: rule[`${f}CIDRSet`] = some(CIDRS, 2); break;
        case 8:
          if (dir === 'egress' && !deny) rule.toFQDNs = some(FQDNS, 2);
          else rule[`${f}Entities`] = ['world'];
          break;
        case 9:
          if (dir === 'egress') rule.toServices = [{ k8sService: { serviceName: 'missing', namespace: pick(nsNames) } }];
          else rule.fromEntities = ['cluster'];
          break;
        default: rule[`${f}Entities`] = ['all'];
      }
      if (chance(0.03)) {
        rule[`${f}Entities`] = ['world'];
        rule[`${f}CIDR`] = ['10.0.0.0/8'];
      }
      const l4 = r();
      if (l4 < 0.5) rule.toPorts = portRules(deny);
      else if (l4 < 0.55) rule.icmps = [{ fields: [{ type: 8 }] }];
      return rule;
    };
    const ruleSpec = (clusterwide: boolean, ns: string): Record<string, unknown> => {
      const spec: Record<string, unknown> = {};
      let es = labelSel();
      if (!clusterwide && chance(0.1)) es = withExtra(es, { 'k8s:io.kubernetes.pod.namespace': pick(nsNames) });
      if (!clusterwide && chance(0.05)) es = withExtra(es, { 'io.kubernetes.pod.namespace': pick([ns, 'elsewhere']) });
      spec.endpointSelector = es;
      const lists: Array<['ingress' | 'egress', boolean, string]> = [['ingress', false, 'ingress'], ['ingress', true, 'ingressDeny'], ['egress', false, 'egress'], ['egress', true, 'egressDeny']];
      for (const [dir, deny, key] of lists) {
        const p = deny ? 0.2 : 0.55;
        if (!chance(p)) continue;
        if (!deny && chance(0.12)) spec[key] = [{}];
        else spec[key] = Array.from({ length: 1 + Math.floor(r() * 2) }, () => peerRule(dir, deny));
      }
      // A toFQDNs rule learns addresses only from lookups Cilium's DNS proxy intercepted for the
      // same pods (language.rst, "DNS based"): the DNS rule that makes it work goes beside it.
      // Cilium's repository is handed the names' identities directly, so it needs no such rule.
      if (Array.isArray(spec.egress) && spec.egress.some((x) => (x as Record<string, unknown>).toFQDNs)) {
        (spec.egress as unknown[]).push({ toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }] });
      }
      if (!['ingress', 'ingressDeny', 'egress', 'egressDeny'].some((k) => k in spec)) {
        if (chance(0.9)) spec.ingress = [peerRule('ingress', false)];
      }
      if (chance(0.2)) {
        const edd: Record<string, boolean> = {};
        if (chance(0.6)) edd.ingress = chance(0.5);
        if (chance(0.6)) edd.egress = chance(0.5);
        spec.enableDefaultDeny = edd;
      }
      return spec;
    };
    const policies: Array<Record<string, unknown>> = [];
    for (let p = 0; p < 1 + Math.floor(r() * 4); p++) {
      const clusterwide = chance(0.35);
      const ns = pick(nsNames);
      const metadata: Record<string, unknown> = { name: `p${p}` };
      if (!clusterwide) metadata.namespace = ns;
      const obj: Record<string, unknown> = { apiVersion: 'cilium.io/v2', kind: clusterwide ? 'CiliumClusterwideNetworkPolicy' : 'CiliumNetworkPolicy', metadata };
      const shape = r();
      if (shape < 0.75) obj.spec = ruleSpec(clusterwide, ns);
      else if (shape < 0.9) obj.specs = Array.from({ length: 1 + Math.floor(r() * 2) }, () => ruleSpec(clusterwide, ns));
      else {
        obj.spec = ruleSpec(clusterwide, ns);
        obj.specs = chance(0.5) ? [] : [ruleSpec(clusterwide, ns)];
      }
      policies.push(obj);
    }

    if (options.networkPolicies) {
      const npSel = (): Record<string, unknown> => pick([{}, { matchLabels: { app: pick(['web', 'db', 'api']) } }, { matchLabels: { tier: pick(['front', 'back']) } }, { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['db'] }] }, { matchLabels: { 'pod-template-hash': '7d9f' } }, { matchExpressions: [{ key: 'statefulset.kubernetes.io/pod-name', operator: 'DoesNotExist' }] }]);
      const npPeer = (): Record<string, unknown> => {
        switch (Math.floor(r() * 5)) {
          case 0: return { podSelector: npSel() };
          case 1: return { namespaceSelector: pick([{}, { matchLabels: { team: pick(['a', 'b']) } }]) };
          case 2: return { namespaceSelector: { matchLabels: { env: pick(['prod', 'dev']) } }, podSelector: npSel() };
          case 3: return { ipBlock: pick([{ cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] }, { cidr: '8.8.8.0/24' }, { cidr: '192.168.0.0/16' }]) };
          default: return { podSelector: {} };
        }
      };
      const npPorts = () => Array.from({ length: 1 + Math.floor(r() * 2) }, () => {
        const port = pick([80, 8080, 5432, 53, 'http', 'dns', 'pg', 9090]);
        const p: Record<string, unknown> = { port };
        const proto = pick([undefined, 'TCP', 'UDP']);
        if (proto) p.protocol = proto;
        if (port === 8080 && chance(0.3)) p.endPort = 9090;
        return p;
      });
      for (let k = 0; k < 1 + Math.floor(r() * 2); k++) {
        const spec: Record<string, unknown> = { podSelector: npSel() };
        const types: string[] = [];
        if (chance(0.7)) types.push('Ingress');
        if (chance(0.5)) types.push('Egress');
        if (types.length === 0) types.push('Ingress');
        spec.policyTypes = types;
        for (const [t, key, peerKey] of [['Ingress', 'ingress', 'from'], ['Egress', 'egress', 'to']] as const) {
          if (!types.includes(t) || chance(0.2)) continue;
          spec[key] = Array.from({ length: 1 + Math.floor(r() * 2) }, () => {
            const rule: Record<string, unknown> = {};
            if (chance(0.8)) rule[peerKey] = Array.from({ length: 1 + Math.floor(r() * 2) }, npPeer);
            if (chance(0.5)) rule.ports = npPorts();
            return rule;
          });
        }
        policies.push({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: `np${k}`, namespace: pick(nsNames) }, spec });
      }
    }

    const flows: OracleScenario['flows'] = [];
    const podIds = pods.map((p) => `${p.namespace}/${p.name}`);
    for (const a of podIds) {
      for (const b of podIds) {
        if (a === b) continue;
        for (const fp of [pick(FLOW_PORTS), pick(FLOW_PORTS)]) flows.push({ from: a, to: b, ...fp });
      }
      for (const e of EXTERNALS) {
        flows.push({ from: a, to: `external:${e.name}`, ...pick(FLOW_PORTS) });
        flows.push({ from: `external:${e.name}`, to: a, ...pick(FLOW_PORTS) });
      }
      for (const peer of RESERVED_PEERS) {
        if (peer === 'world' && enableIPv6) continue;
        flows.push({ from: a, to: peer, ...pick(FLOW_PORTS) });
        flows.push({ from: peer, to: a, ...pick(FLOW_PORTS) });
      }
    }
    const enforcement = chance(0.9) ? 'default' : pick(['always', 'never'] as const);
    out.push({
      id: `s${seed}-${s}`,
      enforcement,
      ...(chance(0.1) ? { allowLocalhost: 'policy' as const } : {}),
      ...(chance(0.1) ? { enableNonDefaultDenyPolicies: false } : {}),
      ...(enableIPv6 ? { enableIPv6 } : {}),
      namespaces,
      pods,
      externals: EXTERNALS,
      policies,
      flows,
    });
  }
  return out;
}
