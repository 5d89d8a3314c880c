// `reach --matrix` and `reach -o json` where a flow is certain on some ports and in doubt on others.
// The scene (as test/unit/netpol/reach-anyport-doubt.test.ts): Cilium's entities
// (https://docs.cilium.io/en/v1.17/security/policy/language/#entities-based): `host` "includes the
// local host ... all containers running in host networking mode on the local host", `remote-node`
// is "any node in any of the connected clusters other than the local host", its host-network
// containers included; with `allow-localhost: policy` (cilium-config, same docs) the local host's
// traffic is subject to policy. A host-network agent on shop/web's own node is `host`, admitted on
// TCP 80 only; on any other node it is `remote-node`, admitted on every port. The model does not
// place pods on nodes: TCP 80 is certain, every other port may go either way.
import { describe, expect, it } from 'vitest';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { cluster } from '../netpol/cilium-anyport-scene.ts';
import { snap } from '../netpol/helpers.ts';

const REST = 'SCTP 1-65535,TCP 1-79,81-65535,UDP 1-65535';
const matrix = (output: 'text' | 'json' | 'csv', effective = false) => reachCommandCore(snap(cluster), { matrix: true, output, effective }).output;

describe('reach --matrix: a row certain on some ports only says which', () => {
  it('text: the agent -> web row is marked with its certain and doubtful parts, a legend closes the matrix, certain rows stay as they were', () => {
    const lines = matrix('text').split('\n');
    expect(lines).toContain(`mon/agent[DaemonSet] => shop/web[Deployment] : All Connections [? certain: TCP 80; in doubt: ${REST}]`);
    // Nothing doubts the reverse flow (shop/web has no egress policy; the agent's side is open).
    expect(lines).toContain('shop/web[Deployment] => mon/agent[DaemonSet] : All Connections');
    expect(lines.filter((l) => l.includes('[?'))).toHaveLength(2);
    expect(lines[lines.length - 1]).toMatch(/^note: 1 row ends in "\[\? certain: \.\.\.; in doubt: \.\.\.\]": .*certain only for those named certain; those in doubt may go either way/);
  });

  it('JSON: the row carries certain and inDoubt beside conn; a certain row has neither', () => {
    const rows = JSON.parse(matrix('json')) as Array<Record<string, string>>;
    expect(rows.find((r) => r.src === 'mon/agent[DaemonSet]' && r.dst === 'shop/web[Deployment]')).toEqual({ src: 'mon/agent[DaemonSet]', dst: 'shop/web[Deployment]', conn: 'All Connections', certain: 'TCP 80', inDoubt: REST });
    expect(rows.find((r) => r.src === 'shop/web[Deployment]' && r.dst === 'mon/agent[DaemonSet]')).toEqual({ src: 'shop/web[Deployment]', dst: 'mon/agent[DaemonSet]', conn: 'All Connections' });
  });

  it('CSV: a column in_doubt (before ipv4 and ipv6), empty where the row is certain', () => {
    const lines = matrix('csv').split('\n');
    expect(lines[0]).toBe('src,dst,conn,in_doubt,ipv4,ipv6');
    expect(lines).toContain(`mon/agent[DaemonSet],shop/web[Deployment],All Connections,"${REST}",,`);
    expect(lines).toContain('shop/web[Deployment],mon/agent[DaemonSet],All Connections,,,');
  });

  it('--effective (no mesh here) keeps the mark', () => {
    expect(matrix('text', true).split('\n')).toContain(`mon/agent[DaemonSet] => shop/web[Deployment] : All Connections [? certain: TCP 80; in doubt: ${REST}]`);
  });
});

describe('reach -o json with allowed null: top-level ports are only what is certain', () => {
  const ask = (port?: string) => JSON.parse(reachCommandCore(snap(cluster), { from: 'mon/agent', to: 'shop/web', output: 'json', ...(port ? { port } : {}) }).output);

  it('without --port: ports TCP 80 (certain), portsInDoubt the rest; network.ports keeps the model reading', () => {
    const j = ask();
    expect(j.allowed).toBeNull();
    expect(j.ports).toEqual({ TCP: ['80'] });
    expect(j.portsInDoubt).toEqual({ SCTP: ['1-65535'], TCP: ['1-79', '81-65535'], UDP: ['1-65535'] });
    expect(j.network.ports).toEqual({ SCTP: ['1-65535'], TCP: ['1-65535'], UDP: ['1-65535'] });
  });

  it('--port 81: nothing certain (ports {}), TCP 81 in doubt', () => {
    const j = ask('81');
    expect([j.allowed, j.ports, j.portsInDoubt]).toEqual([null, {}, { TCP: ['81'] }]);
  });

  it('--port 80 is certain: allowed true, ports TCP 80, no portsInDoubt', () => {
    const j = ask('80');
    expect([j.allowed, j.ports, j.portsInDoubt]).toEqual([true, { TCP: ['80'] }, undefined]);
  });
});
