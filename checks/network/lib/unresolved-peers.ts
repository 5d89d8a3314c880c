// Allow rules whose peers the model cannot resolve (a Cilium CIDR group that is not collected,
// cloud provider groups): they match nothing in every verdict, so a check that would pass a
// policy for admitting no outside address cannot vouch for it; it says which peer it could not read.
import type { Peer, Rule } from '../../../src/analysis/netpol/layers.ts';

/** What each Allow rule of `rules` names that may hold outside addresses and is not resolved. */
export function unresolvedAddressPeers(rules: readonly Rule[]): Array<{ rule: number; peers: string[] }> {
  const out: Array<{ rule: number; peers: string[] }> = [];
  for (const r of rules) {
    if (r.action !== 'Allow' || r.peers === 'any') continue;
    const peers = r.peers.flatMap((p: Peer) => (p.kind === 'entity' && p.entity === 'other' && p.unresolved?.may === 'addresses' ? [p.unresolved.what] : []));
    if (peers.length) out.push({ rule: r.index, peers });
  }
  return out;
}

/** "it allows egress to <peer>, which the model does not resolve, …": what a check says instead of a pass. */
export function unresolvedText(verb: string, found: ReadonlyArray<{ peers: string[] }>): string {
  const all = found.flatMap((f) => f.peers);
  return `it ${verb} ${all[0]}${all.length > 1 ? ` (and ${all.length - 1} more)` : ''}, which the model does not resolve, so whether that opens every address is not known`;
}
