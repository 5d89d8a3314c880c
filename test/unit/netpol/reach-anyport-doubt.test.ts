// `reach` with no `--port` where some ports are certain and the others in doubt.
// Cilium's entities (https://docs.cilium.io/en/v1.17/security/policy/language/#entities-based):
// `host` "includes the local host ... all containers running in host networking mode on the local
// host", `remote-node` is "any node in any of the connected clusters other than the local host",
// its host-network containers included. With `allow-localhost: policy` the local host's traffic
// is subject to policy (cilium-config, same docs' "allow-localhost"). So a host-network agent on
// shop/web's own node is `host`, admitted on TCP 80 only; on any other node it is `remote-node`,
// admitted on every port. The model does not place pods on nodes: TCP 80 is certain, every other
// port may go either way, and a port-less answer must say so rather than claim them all.
import { describe, expect, it } from 'vitest';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { cluster } from './cilium-anyport-scene.ts';
import { snap } from './helpers.ts';

const ask = (opts: { port?: string; output?: 'text' | 'json' } = {}) => reachCommandCore(snap(cluster), { from: 'mon/agent', to: 'shop/web', ...opts });

describe('reach without --port: TCP 80 certain, every other port in doubt', () => {
  it('is UNKNOWN (exit 2), names the certain and the doubtful ports, and does not claim All Connections', () => {
    const r = ask();
    const lines = r.output.split('\n');
    expect(r.exitCode).toBe(2);
    expect(lines[0]).toBe('UNKNOWN: mon/agent[DaemonSet] -> shop/web[Deployment]');
    expect(lines).toContain('  connections: certain TCP 80; in doubt SCTP 1-65535,TCP 1-79,81-65535,UDP 1-65535');
    expect(lines).not.toContain('  connections: All Connections');
    expect(lines).toContain('  note: certain only for TCP 80; SCTP 1-65535,TCP 1-79,81-65535,UDP 1-65535 may go either way');
    expect(lines.some((l) => l.startsWith('  note: uncertain: CiliumNetworkPolicy shop/a rule 1 "ingress[1]" (Allow): a host-network pod is the entity remote-node only to pods of other nodes'))).toBe(true);
  });

  it('JSON: allowed null, the certain and the doubtful ports apart', () => {
    const j = JSON.parse(ask({ output: 'json' }).output);
    expect(j.allowed).toBeNull();
    expect(j.effective).toBe('unknown');
    expect(j.network.certainPorts).toEqual({ TCP: ['80'] });
    expect(j.network.portsInDoubt).toEqual({ SCTP: ['1-65535'], TCP: ['1-79', '81-65535'], UDP: ['1-65535'] });
    expect(j.network.undetermined).toContain('certain only for TCP 80; SCTP 1-65535,TCP 1-79,81-65535,UDP 1-65535 may go either way');
  });

  it('--port 80 stays certain: ALLOWED (exit 0); --port 81 is UNKNOWN (exit 2)', () => {
    const r80 = ask({ port: '80' });
    expect([r80.output.split('\n')[0], r80.exitCode]).toEqual(['ALLOWED: mon/agent[DaemonSet] -> shop/web[Deployment] on 80/TCP', 0]);
    expect(r80.output).not.toContain('may go either way');
    const r81 = ask({ port: '81' });
    expect([r81.output.split('\n')[0], r81.exitCode]).toEqual(['UNKNOWN: mon/agent[DaemonSet] -> shop/web[Deployment] on 81/TCP', 2]);
  });
});
