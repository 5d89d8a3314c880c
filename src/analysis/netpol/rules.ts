// Rule-level judgements the network checks share: which rules open a policy to everyone,
// which policies are namespace-wide default denies.

import type { ParsedPolicy, PolicyRule } from './policy.ts';

export type OpenReason = 'any peer (from/to missing or empty)' | 'every pod in every namespace' | 'every address (ipBlock /0)';

/** Why a rule admits every source (or destination), or undefined when it is selective. */
export function openReason(rule: PolicyRule): OpenReason | undefined {
  if (rule.peers === 'any') return 'any peer (from/to missing or empty)';
  for (const p of rule.peers) {
    if (p.kind === 'ipBlock' && p.block.lo === 0n && p.block.hi === (p.block.family === 4 ? (1n << 32n) - 1n : (1n << 128n) - 1n)) return 'every address (ipBlock /0)';
    if (p.kind === 'pods' && p.namespaceSelector?.empty && (!p.podSelector || p.podSelector.empty)) return 'every pod in every namespace';
  }
  return undefined;
}

const FAMILY_MAX = { 4: (1n << 32n) - 1n, 6: (1n << 128n) - 1n } as const;

/** Whether CIDR blocks (before `except`) together cover one whole address family. */
function coversFamily(blocks: Array<{ family: 4 | 6; lo: bigint; hi: bigint }>, family: 4 | 6): boolean {
  const sorted = blocks.filter((b) => b.family === family).sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
  let next = 0n;
  for (const b of sorted) {
    if (b.lo > next) return false;
    if (b.hi + 1n > next) next = b.hi + 1n;
    if (next > FAMILY_MAX[family]) return true;
  }
  return false;
}

/**
 * Why an egress rule reaches every address outside the cluster, or undefined. Unlike
 * openReason, `namespaceSelector: {}` does not count: it reaches every pod, no external IP.
 * ipBlocks count when together they cover a whole family (0.0.0.0/1 + 128.0.0.0/1 is /0).
 */
export function externalOpenReason(rule: PolicyRule): 'any peer (to missing or empty)' | 'every address (ipBlocks cover 0.0.0.0/0 or ::/0)' | undefined {
  if (rule.peers === 'any') return 'any peer (to missing or empty)';
  const blocks = rule.peers.flatMap((p) => (p.kind === 'ipBlock' ? [p.block] : []));
  return coversFamily(blocks, 4) || coversFamily(blocks, 6) ? 'every address (ipBlocks cover 0.0.0.0/0 or ::/0)' : undefined;
}

/** The protocols on which the rule allows every port (no ports, a port-less entry, or ranges covering 1-65535). */
export function allPortProtocols(rule: PolicyRule): string[] {
  if (rule.ports === 'any') return ['TCP', 'UDP', 'SCTP'];
  const out: string[] = [];
  for (const proto of ['TCP', 'UDP', 'SCTP'] as const) {
    const specs = rule.ports.filter((p) => p.protocol === proto);
    if (specs.some((p) => p.kind === 'all')) { out.push(proto); continue; }
    const ranges = specs.flatMap((p) => (p.kind === 'range' ? [[p.lo, p.hi] as const] : [])).sort((a, b) => a[0] - b[0]);
    let next = 1;
    for (const [lo, hi] of ranges) {
      if (lo > next) break;
      next = Math.max(next, hi + 1);
    }
    if (next > 65535) out.push(proto);
  }
  return out;
}

/** Port text for evidence: "any", or "TCP 8080, UDP 53, TCP http". */
export function portsText(rule: PolicyRule): string {
  if (rule.ports === 'any') return 'any';
  return rule.ports.map((p) => (p.kind === 'all' ? `${p.protocol} (all ports)` : p.kind === 'named' ? `${p.protocol} ${p.name}` : p.lo === p.hi ? `${p.protocol} ${p.lo}` : `${p.protocol} ${p.lo}-${p.hi}`)).join(', ');
}

/** Whether the rule's ports include DNS (53 on UDP or TCP, or a whole protocol). */
export function portsIncludeDns(rule: PolicyRule): boolean {
  if (rule.ports === 'any') return true;
  return rule.ports.some((p) => (p.protocol === 'UDP' || p.protocol === 'TCP') && (p.kind === 'all' || (p.kind === 'range' && p.lo <= 53 && p.hi >= 53) || (p.kind === 'named' && /dns/.test(p.name))));
}

/** A policy that selects every pod of its namespace and allows nothing in `dir`. */
export function isDefaultDeny(p: ParsedPolicy, dir: 'ingress' | 'egress'): boolean {
  if (p.errors.length || !p.podSelector.empty) return false;
  return dir === 'ingress' ? p.ingressType && p.ingress.length === 0 : p.egressType && p.egress.length === 0;
}

export function isSystemNamespace(ns: string | undefined, systemNamespaces: readonly string[]): boolean {
  return ns !== undefined && systemNamespaces.includes(ns);
}
