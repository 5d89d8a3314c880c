// network.intent-violation on a flow the model holds in doubt. Under Calico, Felix matches a
// Kubernetes NetworkPolicy ipBlock (and Calico nets) on the packet's address, pod addresses
// included (docs.tigera.io/calico/latest/reference/resources/networkpolicy, EntityRule "nets":
// "Match packets with IP in any of the listed CIDRs"; the Kubernetes NetworkPolicy is converted to
// such a rule). `0.0.0.0/0 except 10.0.0.0/8` then holds a pod whose address lies outside
// 10.0.0.0/8 — Calico's default pool is 192.168.0.0/16 (docs.tigera.io/calico/latest/reference/
// resources/ippool) — and not one inside it. With pod addresses unknown, `reach` answers UNKNOWN
// for shop/web → db/pg:5432; the intent check must not call the intent held on that reading.
import { describe, expect, it } from 'vitest';
import { buildReachability } from '../../../src/analysis/netpol/model.ts';
import { findDoubtedFlows } from '../../../src/analysis/netpol/flows.ts';
import { allConns } from '../../../src/analysis/netpol/conns.ts';
import { queryReach } from '../../../src/analysis/netpol/query.ts';
import { snap } from './helpers.ts';
import { c5, calicoNode, deployment, fromBlock, intentOf, shopAndDb } from './calico-intent-cases.ts';

describe('intent-violation on a flow the model holds in doubt', () => {
  it('c5: reach says UNKNOWN, and the intent is a medium finding saying it cannot be confirmed, naming the ipBlock and the pods', () => {
    const model = buildReachability(snap(c5));
    expect(queryReach(model, 'shop/web', 'db/pg', 5432).undetermined?.length).toBeGreaterThan(0);
    const r = intentOf(c5);
    expect(r.status).toBe('fail');
    const f = r;
    expect(f.severity).toBe('medium');
    expect(f.message).toContain('intent "web-never-db" cannot be confirmed');
    expect(f.message).toContain('Deployment shop/web → Deployment db/pg (TCP 5432) may be allowed');
    expect(f.message).toContain("whether the pod's address is in 0.0.0.0/0 except 10.0.0.0/8 is not known");
    expect(f.evidence?.doubtedFlows).toEqual([{ from: ['Deployment shop/web'], to: ['Deployment db/pg'], ports: 'TCP 5432', uncertain: [expect.stringContaining('NetworkPolicy db/not-from-vpc rule 0 (Allow)')] }]);
  });

  it('a certain allow is unchanged: 0.0.0.0/0 holds every IPv4 pod, a high violation', () => {
    const r = intentOf(calicoNode + shopAndDb + fromBlock('{cidr: 0.0.0.0/0}'));
    expect(r.status).toBe('fail');
    expect(r.severity).toBe('high');
    expect(r.message).toContain('intent "web-never-db" is violated');
  });

  it('a certain deny is unchanged: an ipBlock within special-purpose space (169.254.0.0/16, RFC 6890 link-local) holds no pod, the intent holds', () => {
    expect(intentOf(calicoNode + shopAndDb + fromBlock('{cidr: 169.254.0.0/16}')).status).toBe('pass');
    expect(intentOf(calicoNode + shopAndDb).status).toBe('pass');
  });

  it('without Calico (no CNI known, which matches an ipBlock on pod addresses too) the same policy leaves the intent unconfirmed, not held', () => {
    const r = intentOf(shopAndDb + fromBlock('{cidr: 0.0.0.0/0, except: [10.0.0.0/8]}'));
    expect([r.status, r.severity]).toEqual(['fail', 'medium']);
    expect(r.message).toContain('intent "web-never-db" cannot be confirmed');
  });

  it('the doubt search is capped: it stops after maxPairs doubt-tracked pairs and says so, with linear work', () => {
    const wide = calicoNode + shopAndDb + deployment('shop', 'api') + deployment('shop', 'cart') + fromBlock('{cidr: 0.0.0.0/0, except: [10.0.0.0/8]}');
    const model = buildReachability(snap(wide));
    const sources = model.classesByNamespace.get('shop')!;
    const dests = model.classesByNamespace.get('db')!;
    expect(sources).toHaveLength(3);
    const full = findDoubtedFlows(model, sources, dests, allConns());
    expect(full).toMatchObject({ count: 3, examined: 3, capped: false });
    const capped = findDoubtedFlows(model, sources, dests, allConns(), 20, undefined, 2);
    expect(capped).toMatchObject({ count: 2, examined: 2, capped: true });
  });
});
