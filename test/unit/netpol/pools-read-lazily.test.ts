// A class's address pools (Calico IPAM's, or its pods' live addresses) cost a pass over its pods
// (calico/ip-pools.ts podPoolsOf, pod-addresses.ts liveAddressesOf). The engine reads them only
// for a rule whose peers hold a CIDR matched on pod addresses: a rule that names pods by label
// has the same answer whatever the pools, so at 150,000 pods the report's "admits other
// namespaces at L4" walk (src/analysis/details.ts l4Candidates) no longer builds the pools of
// every class it tries. The verdicts stay the engine's: pools still settle an ipBlock rule.
// Upstream: a podSelector/namespaceSelector peer selects pods by their and their namespace's
// labels (https://kubernetes.io/docs/concepts/services-networking/network-policies/#behavior-of-to-and-from-selectors);
// an ipBlock matched on a pod's address under Calico, settled by its IPAM pools, is cited in
// ippool-pod-pools.test.ts (Calico's EntityRule nets:
// https://docs.tigera.io/calico/latest/reference/resources/networkpolicy#entityrule).
import { describe, expect, it } from 'vitest';
import { buildReachability, ingressVerdict } from '../../../src/analysis/netpol/model.ts';
import { isEmptyConns } from '../../../src/analysis/netpol/conns.ts';
import type { PodClass } from '../../../src/analysis/netpol/layers.ts';
import { calicoNode, deployment, fromBlock, shopAndDb } from './calico-intent-cases.ts';
import { snap } from './helpers.ts';

const pool = (name: string, cidr: string) => `---
apiVersion: crd.projectcalico.org/v1
kind: IPPool
metadata: {name: ${name}}
spec: {cidr: ${cidr}}
`;

const fromShop = `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: from-shop, namespace: db}
spec:
  podSelector: {matchLabels: {app: pg}}
  policyTypes: [Ingress]
  ingress:
  - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: shop}}}]
    ports: [{port: 5432}]
`;

/** A third namespace, `lab`, with its pod `bench`: a peer pg's label rule does not name. */
const lab = `---
apiVersion: v1
kind: Namespace
metadata: {name: lab, labels: {kubernetes.io/metadata.name: lab}}
${deployment('lab', 'bench')}`;

/** `from`'s class → pg's class as the engine answers it, and the classes whose pools were read. */
function judge(yaml: string, from = 'shop'): { admitted: boolean; poolsRead: string[] } {
  const model = buildReachability(snap(yaml));
  const read: string[] = [];
  const own = model.match.classPools!;
  model.match.classPools = (cls: PodClass) => { read.push(`${cls.namespace}/${cls.labels.app}`); return own(cls); };
  const cls = (ns: string) => model.classes.find((c) => c.namespace === ns && !c.hostNetwork)!;
  const v = ingressVerdict(model, { kind: 'class', cls: cls(from) }, { kind: 'class', cls: cls('db') });
  return { admitted: !isEmptyConns(v.conns), poolsRead: read };
}

describe("a class's address pools are read only for a rule with a CIDR matched on pod addresses (Calico, pools 192.168.0.0/16)", () => {
  it('pg admits namespace shop by label: web is admitted, and no pools are read', () => {
    expect(judge(calicoNode + shopAndDb + lab + fromShop + pool('a', '192.168.0.0/16'))).toEqual({ admitted: true, poolsRead: [] });
  });

  it('the same rule does not name lab: lab/bench is refused, and still no pools are read', () => {
    expect(judge(calicoNode + shopAndDb + lab + fromShop + pool('a', '192.168.0.0/16'), 'lab')).toEqual({ admitted: false, poolsRead: [] });
  });

  it('pg admits 0.0.0.0/0 except 192.168.0.0/16 instead: web\'s pools (all in the except) are read and settle it: not admitted', () => {
    const r = judge(calicoNode + shopAndDb + fromBlock('{cidr: 0.0.0.0/0, except: [192.168.0.0/16]}') + pool('a', '192.168.0.0/16'));
    expect(r.admitted).toBe(false);
    expect(r.poolsRead).toContain('shop/web');
  });

  it('the same ipBlock with web\'s pool outside the except: web is admitted, by its pools', () => {
    const r = judge(calicoNode + shopAndDb + fromBlock('{cidr: 0.0.0.0/0, except: [192.168.0.0/16]}') + pool('b', '10.244.0.0/16'));
    expect(r.admitted).toBe(true);
    expect(r.poolsRead).toContain('shop/web');
  });
});
