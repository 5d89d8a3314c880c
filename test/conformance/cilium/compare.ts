// ztaudit's Cilium model asked the oracle's questions: the same scenario (settings, namespaces,
// pods, peers, policies) turned into a CiliumModel, and each flow answered per direction.
import type { KubeObject } from '../../../src/snapshot/types.ts';
import { parseIp } from '../../../src/base/ip.ts';
import { parseCiliumPolicy } from '../../../src/analysis/netpol/cilium/parse.ts';
import { DEFAULT_SETTINGS, type CiliumSettings } from '../../../src/analysis/netpol/cilium/config.ts';
import { admits, buildCiliumModelFrom, ciliumDirection, type CiliumEndpoint, type CiliumModel } from '../../../src/analysis/netpol/cilium/evaluate.ts';
import type { ReservedEntity } from '../../../src/analysis/netpol/cilium/labels.ts';
import type { OracleScenario } from './scenarios.ts';

export const CLUSTER_NAME = 'default';

/** Real namespaces carry their name as a label; the oracle gets the same labels. */
export function withNameLabels(s: OracleScenario): OracleScenario {
  return { ...s, namespaces: s.namespaces.map((n) => ({ ...n, labels: { 'kubernetes.io/metadata.name': n.name, ...n.labels } })) };
}

export function scenarioModel(s: OracleScenario): CiliumModel {
  const settings: CiliumSettings = {
    ...DEFAULT_SETTINGS,
    clusterName: CLUSTER_NAME,
    enforcement: s.enforcement,
    allowLocalhost: s.allowLocalhost !== 'policy',
    nonDefaultDenyPolicies: s.enableNonDefaultDenyPolicies !== false,
    ipv6: s.enableIPv6 === true,
  };
  const policies = s.policies.map((p) => parseCiliumPolicy(p as KubeObject, settings));
  const services = (s.services ?? []).map((v) => ({ namespace: v.namespace, name: v.name, labels: {}, selector: v.selector }));
  return buildCiliumModelFrom({ settings, policies, namespaceLabels: new Map(s.namespaces.map((n) => [n.name, n.labels])), services });
}

export function scenarioEndpoint(s: OracleScenario, name: string): CiliumEndpoint {
  if (name.startsWith('external:')) {
    const e = s.externals.find((x) => `external:${x.name}` === name);
    if (!e) throw new Error(`unknown external ${name}`);
    const ip = parseIp(e.ip);
    if (!ip) throw new Error(`bad ip ${e.ip}`);
    return { kind: 'external', ip, ...(e.dnsName ? { dnsName: e.dnsName } : {}) };
  }
  if (name === 'world') return { kind: 'external' };
  const pod = s.pods.find((p) => `${p.namespace}/${p.name}` === name);
  if (pod) {
    return { kind: 'pod', namespace: pod.namespace, labels: pod.labels, serviceAccount: pod.serviceAccount, namedPorts: pod.ports.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol as 'TCP' | 'UDP' | 'SCTP' })) };
  }
  return { kind: 'reserved', entity: name as ReservedEntity };
}

export interface ModelFlow { egress?: 'allowed' | 'denied'; ingress?: 'allowed' | 'denied' }

/** Egress is judged at a pod source, ingress at a pod destination (other peers run no policy here). */
export function modelVerdicts(s: OracleScenario, model: CiliumModel): ModelFlow[] {
  return s.flows.map((f) => {
    const src = scenarioEndpoint(s, f.from);
    const dst = scenarioEndpoint(s, f.to);
    const out: ModelFlow = {};
    if (src.kind === 'pod') out.egress = admits(ciliumDirection(model, src, dst, 'egress'), f.protocol, f.port) ? 'allowed' : 'denied';
    if (dst.kind === 'pod') out.ingress = admits(ciliumDirection(model, dst, src, 'ingress'), f.protocol, f.port) ? 'allowed' : 'denied';
    return out;
  });
}
