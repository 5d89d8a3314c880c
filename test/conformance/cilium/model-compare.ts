// The same oracle scenarios asked of ztaudit's combined network model (every adapter, the
// Cilium composition, the precedence engine) instead of the Cilium evaluator alone: the
// scenario becomes a snapshot (a Cilium DaemonSet, the cilium-config ConfigMap, Namespaces,
// Pods, the policies) and each flow goes through ingressVerdict/egressVerdict.
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';
import { hasConn } from '../../../src/analysis/netpol/conns.ts';
import { parseIp } from '../../../src/base/ip.ts';
import { buildReachability, egressVerdict, ingressVerdict, type DirectionVerdict, type Endpoint, type ReachModel } from '../../../src/analysis/netpol/model.ts';
import type { OracleScenario } from './scenarios.ts';

export function scenarioSnapshot(s: OracleScenario) {
  const objects: KubeObject[] = [
    { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'cilium', namespace: 'kube-system' }, spec: { selector: { matchLabels: { 'k8s-app': 'cilium' } }, template: { metadata: { labels: { 'k8s-app': 'cilium' } }, spec: { containers: [{ name: 'cilium-agent', image: 'quay.io/cilium/cilium:v1.20.2' }] } } } },
    {
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cilium-config', namespace: 'kube-system' },
      data: {
        'enable-policy': s.enforcement,
        'allow-localhost': s.allowLocalhost ?? 'auto',
        'enable-non-default-deny-policies': String(s.enableNonDefaultDenyPolicies !== false),
        'enable-ipv6': String(s.enableIPv6 === true),
        'cluster-name': 'default',
      },
    },
    ...s.namespaces.map((n): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: n.name, labels: n.labels } })),
    ...s.pods.map((p): KubeObject => ({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: p.name, namespace: p.namespace, labels: p.labels },
      spec: { serviceAccountName: p.serviceAccount, containers: [{ name: 'c', image: 'example', ports: p.ports.map((x) => ({ name: x.name, containerPort: x.port, protocol: x.protocol })) }] },
    })),
    ...(s.services ?? []).map((v): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: v.name, namespace: v.namespace }, spec: { selector: v.selector, ports: [{ port: 80, protocol: 'TCP' }] } })),
    ...(s.policies as KubeObject[]),
  ];
  return snapshotFromObjects(objects);
}

/** Flows whose peer the model represents: pods, external addresses (and their DNS names), the whole world. */
export type FlowClass = 'pod' | 'external' | 'world' | 'node' | 'unmodelled';

export function flowClass(name: string): FlowClass {
  if (name.startsWith('external:')) return 'external';
  if (name === 'world') return 'world';
  if (name === 'host' || name === 'remote-node' || name === 'kube-apiserver') return 'node';
  if (name.includes('/')) return 'pod';
  return 'unmodelled';
}

export interface ModelAnswers { egress?: 'allowed' | 'denied'; ingress?: 'allowed' | 'denied'; peer: FlowClass }

function podEndpoint(model: ReachModel, name: string): Endpoint {
  const [ns, pod] = name.split('/');
  const node = model.workloadByKey.get(`${ns}/Pod/${pod}`);
  if (!node || node.classes.length !== 1) throw new Error(`no single class for ${name}`);
  return { kind: 'class', cls: node.classes[0] };
}

function admits(v: DirectionVerdict, protocol: 'TCP' | 'UDP' | 'SCTP', port: number): boolean {
  return hasConn(v.conns, protocol, port);
}

function deniedByRule(v: DirectionVerdict, protocol: 'TCP' | 'UDP' | 'SCTP', port: number): boolean {
  return v.decisions.some((d) => !d.allowed && d.cause.kind === 'rule' && hasConn(d.conns, protocol, port));
}

export function modelAnswers(s: OracleScenario, model: ReachModel): ModelAnswers[] {
  const endpointsOf = (name: string): Endpoint[] => {
    const c = flowClass(name);
    if (c === 'pod') return [podEndpoint(model, name)];
    if (c === 'world') return [{ kind: 'anonymous', family: 4 }];
    if (c === 'node') return name === 'kube-apiserver' ? [{ kind: 'apiserver' }] : [{ kind: 'node', name, labels: {} }];
    if (c === 'external') {
      const e = s.externals.find((x) => `external:${x.name}` === name)!;
      const ip = parseIp(e.ip)!;
      // Cilium gives a resolved address both its CIDR labels and its toFQDNs labels; the model
      // has an address endpoint and a name endpoint.
      return [{ kind: 'ip', family: ip.family, value: ip.value, text: e.ip }, ...(e.dnsName ? [{ kind: 'fqdn' as const, name: e.dnsName }] : [])];
    }
    return [];
  };
  return s.flows.map((f) => {
    const from = endpointsOf(f.from);
    const to = endpointsOf(f.to);
    const peer = flowClass(f.from) === 'pod' ? flowClass(f.to) : flowClass(f.from);
    const out: ModelAnswers = { peer };
    if (from.length === 0 || to.length === 0) return out;
    if (from[0].kind === 'class') {
      const [byAddress, ...byName] = to.map((dst) => egressVerdict(model, from[0], dst));
      const ok = admits(byAddress, f.protocol, f.port) || byName.some((v) => admits(v, f.protocol, f.port) && !deniedByRule(byAddress, f.protocol, f.port));
      out.egress = ok ? 'allowed' : 'denied';
    }
    if (to[0].kind === 'class') out.ingress = admits(ingressVerdict(model, from[0], to[0]), f.protocol, f.port) ? 'allowed' : 'denied';
    return out;
  });
}

export function scenarioReachModel(s: OracleScenario): ReachModel {
  return buildReachability(scenarioSnapshot(s));
}
