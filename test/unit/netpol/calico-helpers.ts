// Test helpers for the Calico model alone: a snapshot from YAML, the Calico labels of a pod,
// and one flow judged by the tier walk in both directions (egress at the source, ingress at
// the destination), as Felix would on the two nodes.
import { parseIp } from '../../../src/base/ip.ts';
import { isProtocol, hasConn, type Protocol } from '../../../src/analysis/netpol/conns.ts';
import { calicoPlan, applyingTiers } from '../../../src/analysis/netpol/calico/plan.ts';
import { calicoPodLabels, podServiceAccount } from '../../../src/analysis/netpol/calico/labels.ts';
import { ruleHits, walkTiers, type CalicoEndpoint, type CalicoNamedPort, type TieredVerdict } from '../../../src/analysis/netpol/calico/evaluate.ts';
import type { CalicoPolicy } from '../../../src/analysis/netpol/calico/policy.ts';
import type { KubeObject, Snapshot } from '../../../src/snapshot/types.ts';
import { snap } from './helpers.ts';
import { workloadYaml } from '../../helpers/workload.ts';

export { snap };

function record(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
}

export function podEndpoint(s: Snapshot, ref: string): Extract<CalicoEndpoint, { kind: 'pod' }> {
  const [namespace, name] = ref.split('/');
  const pod = (s.resources.pods ?? []).find((p: KubeObject) => p.metadata?.namespace === namespace && p.metadata?.name === name);
  if (!pod) throw new Error(`no pod ${ref}`);
  const nsObj = (s.resources.namespaces ?? []).find((n: KubeObject) => n.metadata?.name === namespace);
  const spec = (pod.spec ?? {}) as Record<string, unknown>;
  const sa = podServiceAccount(spec);
  const saObj = (s.resources.serviceaccounts ?? []).find((o: KubeObject) => o.metadata?.namespace === namespace && o.metadata?.name === sa);
  const namedPorts: CalicoNamedPort[] = [];
  for (const c of (spec.containers as Array<{ ports?: Array<Record<string, unknown>> }>) ?? []) {
    for (const p of c.ports ?? []) {
      const proto = p.protocol ?? 'TCP';
      if (typeof p.name === 'string' && typeof p.containerPort === 'number' && isProtocol(proto)) namedPorts.push({ name: p.name, protocol: proto, port: p.containerPort });
    }
  }
  return {
    kind: 'pod',
    namespace,
    labels: calicoPodLabels({ namespace, podLabels: record(pod.metadata?.labels), namespaceLabels: record(nsObj?.metadata?.labels), serviceAccount: sa, serviceAccountLabels: saObj ? record(saObj.metadata?.labels) : undefined }),
    namedPorts,
  };
}

export function endpoint(s: Snapshot, ref: string): CalicoEndpoint {
  if (!ref.includes('/')) {
    const ip = parseIp(ref);
    if (!ip) throw new Error(`bad ip ${ref}`);
    return { kind: 'ip', ...ip };
  }
  return podEndpoint(s, ref);
}

/** The tier walk for `local` in `dir` against `peer` (the flow goes src → dst). */
export function direction(s: Snapshot, dir: 'ingress' | 'egress', src: CalicoEndpoint, dst: CalicoEndpoint): TieredVerdict<CalicoPolicy> {
  const local = dir === 'ingress' ? dst : src;
  if (local.kind !== 'pod') return { governed: false, allowed: { SCTP: [[1, 65535]], TCP: [[1, 65535]], UDP: [[1, 65535]] }, denied: { SCTP: [], TCP: [], UDP: [] }, decisions: [] };
  const plan = calicoPlan(s);
  const tiers = applyingTiers(plan, local.labels, dir).map(({ tier, policies }) => ({
    tier,
    entries: policies.map((p) => ({ policy: p, order: p.order, sortKey: p.name, hits: () => ruleHits(p[dir], src, dst) })),
  }));
  return walkTiers(tiers);
}

export interface FlowAnswer {
  allowed: boolean;
  egress: TieredVerdict<CalicoPolicy>;
  ingress: TieredVerdict<CalicoPolicy>;
  /** "GlobalNetworkPolicy x rule 0 (Deny)", "end of tier default (Deny)", "profile" for the port asked. */
  decidedBy: { egress: string; ingress: string };
}

function decisionFor(v: TieredVerdict<CalicoPolicy>, proto: Protocol, port: number): string {
  for (const d of v.decisions) {
    if (!hasConn(d.conns, proto, port)) continue;
    // A Pass hands the connection on: the final word comes later.
    if (d.kind !== 'profile' && d.action === 'Pass') continue;
    if (d.kind === 'rule') return `${d.policy.id} rule ${d.rule} (${d.action})`;
    if (d.kind === 'end-of-tier') return `end of tier ${d.tier} (${d.action})`;
    return 'profile';
  }
  return 'none';
}

/** Judges one connection src → dst on proto/port; refs are "namespace/pod" or an IP address. */
export function flow(s: Snapshot, src: string, dst: string, proto: Protocol, port: number): FlowAnswer {
  const a = endpoint(s, src);
  const b = endpoint(s, dst);
  const egress = direction(s, 'egress', a, b);
  const ingress = direction(s, 'ingress', a, b);
  const allowed = hasConn(egress.allowed, proto, port) && hasConn(ingress.allowed, proto, port);
  return { allowed, egress, ingress, decidedBy: { egress: decisionFor(egress, proto, port), ingress: decisionFor(ingress, proto, port) } };
}

/** A pod with labels, optional service account and named ports. */
export function calicoPod(namespace: string, name: string, labels: Record<string, string>, opts: { sa?: string; ports?: Array<{ name?: string; containerPort: number; protocol?: string }> } = {}): string {
  return `---\n${workloadYaml(namespace, name, { kind: 'Pod', labels, serviceAccount: opts.sa || undefined, container: { name: 'c', image: 'nginx' }, ports: opts.ports?.length ? opts.ports : undefined })}`;
}

export function namespace(name: string, labels: Record<string, string> = {}): string {
  return `---
apiVersion: v1
kind: Namespace
metadata:
  name: ${name}
  labels: ${JSON.stringify(labels)}
`;
}
