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
