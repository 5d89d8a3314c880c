// reach toward an address no manifest's pod holds, where the egress rule that decides names a
// port by name. A named port resolves on the destination pod ("This can either be a numerical or
// named port on a pod", NetworkPolicyPort.port,
// https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/; the
// upstream e2e "should allow egress access on one named port" reaches a server pod by the name
// alone, with no `to`), and nothing upstream says a name never matches a pod reached by its
// address. From manifests the address may be a pod's ("not a known pod address … a running pod may
// have it"), so a pod there declaring the name would be allowed: UNKNOWN (exit 2), naming the port,
// not DENIED. In a live snapshot the running pods' addresses are known: DENIED as before.
// Reviewer repro /tmp/rev-netcore s12.
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';
import { ns, pod, policy, snap } from './helpers.ts';

const CLIENT = ns('b') + pod('b', 'client', { app: 'client' });
const egress = (ports: string) => policy('b', 'eg', `{podSelector: {}, policyTypes: [Egress], egress: [{ports: [${ports}]}]}`);
const reach = (yaml: string, port = '8080') => reachCommandCore(snap(yaml), { from: 'b/client', to: '1.2.3.4', port });

describe('reach to an address that may be a pod, through a named port (repro s12)', () => {
  it('from manifests: UNKNOWN (exit 2), naming the named port, where DENIED was said', () => {
    const r = reach(CLIENT + egress('{port: web}'));
    // Before: "DENIED: b/client[Pod] -> 1.2.3.4 on 8080/TCP", exit 1.
    expect(r.exitCode).toBe(2);
    expect(r.output).toMatch(/^UNKNOWN: b\/client\[Pod\] -> 1\.2\.3\.4 on 8080\/TCP/);
    expect(r.output).toContain('note: uncertain: NetworkPolicy b/eg rule 0 (Allow): its named port TCP web resolves on the destination pod, and the address may be a pod\'s that declares it');
  });

  it('a named port of another protocol leaves the asked one denied; a numeric port is answered as before', () => {
    const udp = reach(CLIENT + egress('{port: web, protocol: UDP}'));
    expect(udp.exitCode).toBe(1);
    expect(udp.output).not.toContain('named port');
    expect(reach(CLIENT + egress('{port: 9090}')).exitCode).toBe(1);
    expect(reach(CLIENT + egress('{port: 8080}')).exitCode).toBe(0);
  });

  it('in a live snapshot the address no running pod holds is outside the cluster: DENIED (exit 1), as before', () => {
    const yaml = CLIENT + egress('{port: web}');
    const live = snapshotFromObjects(parseAllDocuments(yaml).map((d) => d.toJS() as KubeObject).filter((o) => o && typeof o === 'object'), { origin: 'live' });
    const r = reachCommandCore(live, { from: 'b/client', to: '1.2.3.4', port: '8080' });
    expect(r.exitCode).toBe(1);
    expect(r.output).not.toContain('named port');
  });
});
