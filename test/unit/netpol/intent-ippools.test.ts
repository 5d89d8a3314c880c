// Calico IPPools say where pod addresses lie, so an ipBlock matched on them (Felix converts a
// Kubernetes NetworkPolicy ipBlock into rule nets, matched on the packet's address) is settled:
// "An IP pool resource (IPPool) represents a collection of IP addresses from which Calico expects
// endpoint IPs to be assigned" (https://docs.tigera.io/calico/latest/reference/resources/ippool);
// spec.allowedUses Workload (default Workload, Tunnel) is what pods draw from; a disabled pool
// hands out no new addresses, but pods keep theirs. Pool selection (nodeSelector, the
// cni.projectcalico.org/ipv4pools annotations) only narrows the pools a pod draws from
// (https://docs.tigera.io/calico/latest/networking/ipam/get-started-ip-addresses), so the union
// of the Workload pools holds every pod's address; ippool-pod-pools.test.ts narrows it per pod.
import { describe, expect, it } from 'vitest';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { calicoNode, c5, config, intentOf, shopAndDb, fromBlock } from './calico-intent-cases.ts';
import { snap } from './helpers.ts';
import type { Snapshot } from '../../../src/snapshot/types.ts';
import { runChecks } from '../../../src/engine/run.ts';
import { intentViolation } from '../../../checks/network/intent-violation.ts';

const pool = (name: string, cidr: string, extra = '', apiVersion = 'crd.projectcalico.org/v1') => `---
apiVersion: ${apiVersion}
kind: IPPool
metadata: {name: ${name}}
spec: {cidr: ${cidr}${extra}}
`;

const reach = (s: Snapshot) => reachCommandCore(s, { from: 'shop/web', to: 'db/pg', port: '5432' });

describe('Calico IPPools settle a pod against an ipBlock (c5: 0.0.0.0/0 except 10.0.0.0/8 on pg:5432)', () => {
  for (const apiVersion of ['crd.projectcalico.org/v1', 'projectcalico.org/v3']) {
    it(`the default pool 192.168.0.0/16 (${apiVersion}) lies outside the except: reach ALLOWED (exit 0), the intent a definite high violation`, () => {
      const yaml = c5 + pool('default-ipv4-ippool', '192.168.0.0/16', ', ipipMode: Always, natOutgoing: true', apiVersion);
      const r = reach(snap(yaml));
      expect(r.exitCode).toBe(0);
      expect(r.output).toContain('ALLOWED: shop/web[Deployment] -> db/pg[Deployment] on 5432/TCP');
      expect(r.output).toContain('ALLOWED by NetworkPolicy db/not-from-vpc rule 0 (Allow): TCP 5432');
      const v = intentOf(yaml);
      expect(v.status).toBe('fail');
      expect(v.severity).toBe('high');
      expect(v.message).toContain('intent "web-never-db" is violated');
    });
  }

  it('a pool 10.244.0.0/16 inside the except: reach DENIED for certain (exit 1), the intent holds', () => {
    const yaml = c5 + pool('pods', '10.244.0.0/16');
    const r = reach(snap(yaml));
    expect(r.exitCode).toBe(1);
    expect(r.output).toContain('DENIED: shop/web[Deployment] -> db/pg[Deployment] on 5432/TCP');
    expect(r.output).not.toContain('uncertain');
    expect(intentOf(yaml).status).toBe('pass');
  });

  it('a disabled pool gives a pod made now no address: live, 10.244.0.0/16 disabled beside 192.168.0.0/16 leaves web\'s template pods in 192.168.0.0/16, ALLOWED; from manifests its pods may hold one still (UNKNOWN; a running pod keeps one: ippool-pod-pools.test.ts)', () => {
    const yaml = c5 + pool('old', '10.244.0.0/16', ', disabled: true') + pool('new', '192.168.0.0/16');
    const live = snap(yaml);
    live.origin = 'live';
    expect(reach(live).exitCode).toBe(0);
    expect(reach(snap(yaml)).exitCode).toBe(2);
  });

  it('a Tunnel-only or LoadBalancer pool gives pods no address: with 192.168.0.0/16 for Workload the flow is ALLOWED', () => {
    const yaml = c5 + pool('tunnels', '10.250.0.0/24', ', allowedUses: [Tunnel]') + pool('lb', '10.96.100.0/24', ', allowedUses: [LoadBalancer]') + pool('pods', '192.168.0.0/16', ', allowedUses: [Workload, Tunnel]');
    expect(reach(snap(yaml)).exitCode).toBe(0);
  });

  it('two pools, one inside the except and one outside: UNKNOWN (exit 2) naming the pools, the intent a medium "cannot be confirmed"', () => {
    const yaml = c5 + pool('a', '192.168.0.0/16') + pool('b', '10.244.0.0/16');
    const r = reach(snap(yaml));
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain("whether the pod's address is in 0.0.0.0/0 except 10.0.0.0/8 is not known: the pods' address pools (IPPool a (192.168.0.0/16), IPPool b (10.244.0.0/16)) lie partly inside it");
    const v = intentOf(yaml);
    expect(v.status).toBe('fail');
    expect(v.severity).toBe('medium');
    expect(v.message).toContain('IPPool a (192.168.0.0/16), IPPool b (10.244.0.0/16)');
  });

  it('IPPools forbidden: UNKNOWN (exit 2), and reach and the intent finding say the IPPools could not be read', () => {
    const s = snap(c5 + pool('default-ipv4-ippool', '192.168.0.0/16'));
    s.resources['calico.ippools'] = [];
    s.coverage['calico.ippools'] = { status: 'forbidden', detail: 'list ippools.crd.projectcalico.org' };
    const r = reach(s);
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('Calico IPPools could not be read (ippools.crd.projectcalico.org forbidden)');
    const [outcome] = runChecks([intentViolation], { snapshot: s, config, now: new Date('2026-12-05T00:00:00Z') });
    expect(outcome.results[0]).toMatchObject({ status: 'fail', severity: 'medium' });
    expect(outcome.results[0].message).toContain('Calico IPPools could not be read');
  });

  it('no IPPool in the manifests keeps today\'s doubt and says none was read', () => {
    const r = reach(snap(c5));
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('no Calico IPPool was read');
  });

  it('without Calico, IPPools change nothing (pods do not take their addresses from them): the ipBlock stays in doubt', () => {
    const r = intentOf(shopAndDb + fromBlock('{cidr: 0.0.0.0/0, except: [10.0.0.0/8]}') + pool('p', '192.168.0.0/16'));
    expect([r.status, r.severity]).toEqual(['fail', 'medium']);
    expect(r.message).not.toContain('IPPool');
  });

  it('a pool inside a wider allow is certain: 0.0.0.0/0 with an IPv4-only pool holds the pod without the IPv6 caveat', () => {
    const r = reach(snap(calicoNode + shopAndDb + fromBlock('{cidr: 0.0.0.0/0}') + pool('p', '192.168.0.0/16')));
    expect(r.exitCode).toBe(0);
    expect(r.output).not.toContain('cover IPv4 only');
  });
});
