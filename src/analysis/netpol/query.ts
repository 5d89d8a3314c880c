// Questions asked of the reachability model: one flow (`queryReach`) and every workload pair
// (`reachMatrix`), answered as typed results; `ztaudit reach` (src/cli/reach.ts) prints them.

import { emptyConns, intersectConns, isEmptyConns, restrictConns, unionConns, type ConnSet, type Protocol } from './conns.ts';
import { ALL_V4, formatRange, parseIp, type IpRange } from './ip.ts';
import { buildReachability, egressVerdict, ingressVerdict, type Endpoint, type ReachModel, type RuleRef, type WorkloadNode } from './model.ts';

export interface DirectionAnswer {
  isolated: boolean;
  allowed: boolean;
  /** Policies isolating the pod in this direction. */
  policies: string[];
  /** Rules that allow the asked connection. */
  decidedBy: RuleRef[];
}

export interface ReachAnswer {
  from: string;
  to: string;
  port?: number;
  protocol?: Protocol;
  allowed: boolean;
  /** Connections allowed end to end (restricted to the asked port/protocol, if any). */
  ports: ConnSet;
  egress: DirectionAnswer;
  ingress: DirectionAnswer;
  notes: string[];
}

export type ReachTarget = { kind: 'workload'; node: WorkloadNode; label: string } | { kind: 'ip'; endpoint: Endpoint & { kind: 'ip' }; label: string };

export class ReachInputError extends Error {
  readonly code = 'REACH_INPUT';
}

/** "ns/name[Kind]", the workload naming used in matrices and the netpol-analyzer format. */
export function workloadLabel(n: WorkloadNode): string {
  return `${n.ref.namespace ?? ''}/${n.ref.name}[${n.ref.kind}]`;
}

/** Resolves "NS/NAME", "NS/KIND/NAME" or an IP address. Throws ReachInputError with a helpful message. */
export function resolveTarget(model: ReachModel, text: string): ReachTarget {
  const ip = parseIp(text);
  if (ip) return { kind: 'ip', endpoint: { kind: 'ip', family: ip.family, value: ip.value, text }, label: text };
  const parts = text.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !p)) throw new ReachInputError(`"${text}": expected NAMESPACE/WORKLOAD, NAMESPACE/KIND/WORKLOAD or an IP address`);
  const [ns, kindOrName, maybeName] = parts;
  const name = maybeName ?? kindOrName;
  const kind = maybeName ? kindOrName.toLowerCase() : undefined;
  const found = model.workloads.filter((w) => w.ref.namespace === ns && w.ref.name === name && (!kind || w.ref.kind.toLowerCase() === kind));
  if (found.length === 0) {
    const inNs = model.workloads.filter((w) => w.ref.namespace === ns).map((w) => `${w.ref.kind}/${w.ref.name}`).slice(0, 10);
    throw new ReachInputError(`no workload "${name}" in namespace "${ns}"${inNs.length ? ` (known: ${inNs.join(', ')})` : ''}`);
  }
  if (found.length > 1) throw new ReachInputError(`"${text}" is ambiguous: ${found.map((w) => `${ns}/${w.ref.kind}/${name}`).join(', ')}`);
  return { kind: 'workload', node: found[0], label: workloadLabel(found[0]) };
}

function endpointsOf(t: ReachTarget): Endpoint[] {
  return t.kind === 'ip' ? [t.endpoint] : t.node.classes.map((cls) => ({ kind: 'class', cls }) as Endpoint);
}

function dedupeRules(list: RuleRef[]): RuleRef[] {
  const seen = new Set<string>();
  return list.filter((r) => {
    const k = `${r.policy}#${r.rule}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * Is traffic from `from` to `to` allowed (on `port`/`protocol`, or on anything when omitted)?
 * Both directions must allow it: egress at the source and ingress at the destination.
 * A workload whose pods fall into several classes counts as reachable when any pod pair is.
 */
export function queryReach(model: ReachModel, from: string | ReachTarget, to: string | ReachTarget, port?: number, protocol?: Protocol): ReachAnswer {
  const src = typeof from === 'string' ? resolveTarget(model, from) : from;
  const dst = typeof to === 'string' ? resolveTarget(model, to) : to;
  const proto = port !== undefined && !protocol ? 'TCP' : protocol;
  const notes: string[] = [];
  let total = emptyConns();
  const eg: DirectionAnswer = { isolated: false, allowed: false, policies: [], decidedBy: [] };
  const ing: DirectionAnswer = { isolated: false, allowed: false, policies: [], decidedBy: [] };
  for (const s of endpointsOf(src)) {
    for (const d of endpointsOf(dst)) {
      const e = egressVerdict(model, s, d);
      const i = ingressVerdict(model, s, d);
      const eConns = restrictConns(e.conns, proto, port);
      const iConns = restrictConns(i.conns, proto, port);
      eg.isolated ||= e.isolated;
      ing.isolated ||= i.isolated;
      eg.policies.push(...e.policies);
      ing.policies.push(...i.policies);
      if (!isEmptyConns(eConns)) eg.allowed = true;
      if (!isEmptyConns(iConns)) ing.allowed = true;
      const both = intersectConns(eConns, iConns);
      total = unionConns(total, both);
      // Only rules that contribute to the asked connection count as deciding it.
      for (const r of e.decidedBy) if (!isEmptyConns(restrictConns(r.conns, proto, port))) eg.decidedBy.push({ policy: r.policy, rule: r.rule });
      for (const r of i.decidedBy) if (!isEmptyConns(restrictConns(r.conns, proto, port))) ing.decidedBy.push({ policy: r.policy, rule: r.rule });
      if (s.kind === 'class' && s.cls.hostNetwork) notes.push('source runs with hostNetwork: NetworkPolicy enforcement is implementation-defined');
      if (d.kind === 'class' && d.cls.hostNetwork) notes.push('destination runs with hostNetwork: NetworkPolicy enforcement is implementation-defined');
    }
  }
  if (src.kind === 'ip') notes.push('source is outside the cluster: egress is not governed by NetworkPolicy');
  if (dst.kind === 'ip') notes.push('destination is outside the cluster: ingress is not governed by NetworkPolicy');
  if (src.kind === 'workload' && src.node.classes.length > 1) notes.push(`${src.label} has pods with ${src.node.classes.length} different label/port sets; the answer is their union`);
  if (dst.kind === 'workload' && dst.node.classes.length > 1) notes.push(`${dst.label} has pods with ${dst.node.classes.length} different label/port sets; the answer is their union`);
  eg.policies = [...new Set(eg.policies)];
  ing.policies = [...new Set(ing.policies)];
  eg.decidedBy = dedupeRules(eg.decidedBy);
  ing.decidedBy = dedupeRules(ing.decidedBy);
  return { from: src.label, to: dst.label, port, protocol: proto, allowed: !isEmptyConns(total), ports: total, egress: eg, ingress: ing, notes: [...new Set(notes)] };
}

export interface MatrixRow {
  from: string;
  to: string;
  conns: ConnSet;
}

/** Cuts IPv4 space at every boundary of the given ranges (netpol-analyzer's external peers). */
export function cutIpv4(ranges: IpRange[]): IpRange[] {
  const cuts = new Set<bigint>([ALL_V4.lo, ALL_V4.hi + 1n]);
  for (const r of ranges) {
    if (r.family !== 4) continue;
    cuts.add(r.lo);
    cuts.add(r.hi + 1n);
  }
  const sorted = [...cuts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const out: IpRange[] = [];
  for (let i = 0; i + 1 < sorted.length; i++) out.push({ family: 4, lo: sorted[i], hi: sorted[i + 1] - 1n });
  return out;
}

function ipBlockRanges(model: ReachModel, dir: 'ingress' | 'egress'): IpRange[] {
  const out: IpRange[] = [];
  for (const p of model.policies) {
    if (p.errors.length) continue;
    for (const r of p[dir]) if (r.peers !== 'any') for (const peer of r.peers) if (peer.kind === 'ipBlock') out.push(...peer.ranges);
  }
  return out;
}

export interface MatrixOptions {
  /** Include external IPv4 peers, cut at the policies' ipBlock boundaries (default true). */
  external?: boolean;
}

/**
 * Every workload pair (and external range) with a non-empty set of allowed connections.
 * Cost is quadratic in pod classes: meant for the CLI and reviews, not for the checks.
 */
export function reachMatrix(model: ReachModel, options: MatrixOptions = {}): MatrixRow[] {
  const rows: MatrixRow[] = [];
  const pairCache = new Map<string, ConnSet>();
  const classConns = (a: Endpoint & { kind: 'class' }, b: Endpoint & { kind: 'class' }): ConnSet => {
    const k = `${a.cls.id}:${b.cls.id}`;
    let c = pairCache.get(k);
    if (!c) {
      c = intersectConns(egressVerdict(model, a, b).conns, ingressVerdict(model, a, b).conns);
      pairCache.set(k, c);
    }
    return c;
  };
  const nodes = [...model.workloads].sort((a, b) => (workloadLabel(a) < workloadLabel(b) ? -1 : 1));
  for (const a of nodes) {
    for (const b of nodes) {
      if (a === b) continue;
      let c = emptyConns();
      for (const ca of a.classes) for (const cb of b.classes) c = unionConns(c, classConns({ kind: 'class', cls: ca }, { kind: 'class', cls: cb }));
      if (!isEmptyConns(c)) rows.push({ from: workloadLabel(a), to: workloadLabel(b), conns: c });
    }
  }
  if (options.external !== false) {
    const ep = (r: IpRange): Endpoint => ({ kind: 'ip', family: 4, value: r.lo, text: formatRange(r) });
    for (const piece of cutIpv4(ipBlockRanges(model, 'ingress'))) {
      for (const b of nodes) {
        let c = emptyConns();
        for (const cb of b.classes) c = unionConns(c, ingressVerdict(model, ep(piece), { kind: 'class', cls: cb }).conns);
        if (!isEmptyConns(c)) rows.push({ from: `${formatRange(piece)}[External]`, to: workloadLabel(b), conns: c });
      }
    }
    for (const piece of cutIpv4(ipBlockRanges(model, 'egress'))) {
      for (const a of nodes) {
        let c = emptyConns();
        for (const ca of a.classes) c = unionConns(c, egressVerdict(model, { kind: 'class', cls: ca }, ep(piece)).conns);
        if (!isEmptyConns(c)) rows.push({ from: workloadLabel(a), to: `${formatRange(piece)}[External]`, conns: c });
      }
    }
  }
  return rows.sort((x, y) => (x.from < y.from ? -1 : x.from > y.from ? 1 : x.to < y.to ? -1 : x.to > y.to ? 1 : 0));
}
