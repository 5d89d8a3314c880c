// `ztaudit reach` core: answers, exit codes, text/JSON output, the matrix and bad input.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { captureIO } from '../../helpers/cli.ts';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { buildReachability } from '../../../src/analysis/netpol/model.ts';
import { ns, pod, policy, snap } from './helpers.ts';
import { workloadYaml } from '../../helpers/workload.ts';

const deployment = (namespace: string, name: string, labels: Record<string, string>, replicas = 3) =>
  `---\n${workloadYaml(namespace, name, { replicas, selector: labels, labels, container: { name: 'c', image: 'app' }, ports: [{ name: 'pg', containerPort: 5432 }] })}`;

const shop = ns('shop') + deployment('shop', 'frontend', { tier: 'frontend' }) + deployment('shop', 'db', { tier: 'database' }) + deployment('shop', 'api', { tier: 'api' }) +
  policy('shop', 'deny', '{podSelector: {}, policyTypes: [Ingress]}') +
  policy('shop', 'db-from-api', '{podSelector: {matchLabels: {tier: database}}, ingress: [{from: [{podSelector: {matchLabels: {tier: api}}}], ports: [{port: pg}]}]}');

describe('reachCommandCore', () => {
  const snapshot = snap(shop);

  it('allowed flow: exit 0, names the deciding rule', () => {
    const r = reachCommandCore(snapshot, { from: 'shop/api', to: 'shop/db', port: '5432' });
    expect(r.exitCode).toBe(0);
    expect(r.output).toContain('ALLOWED: shop/api[Deployment] -> shop/db[Deployment] on 5432/TCP');
    expect(r.output).toContain('shop/db-from-api rule 0');
  });

  it('denied flow: exit 1, says which policies isolate the destination', () => {
    const r = reachCommandCore(snapshot, { from: 'shop/frontend', to: 'shop/db', port: '5432/tcp' });
    expect(r.exitCode).toBe(1);
    expect(r.output).toMatch(/DENIED/);
    expect(r.output).toContain('ingress at shop/db[Deployment]: isolated by shop/db-from-api, shop/deny');
    expect(r.output).toContain('DENIED by NetworkPolicy isolation (shop/db-from-api, shop/deny select it; no rule allows it): TCP 5432');
  });

  it('JSON output has allowed, ports, egress and ingress', () => {
    const r = reachCommandCore(snapshot, { from: 'shop/api', to: 'shop/db', output: 'json' });
    const j = JSON.parse(r.output);
    expect(j.allowed).toBe(true);
    expect(j.ports).toEqual({ TCP: ['5432'] });
    expect(j.egress).toEqual({ isolated: false, allowed: true, policies: [], isolatingPolicies: [], decidedBy: [], decisions: [{ allowed: true, conns: 'All Connections', by: 'default (no policy decides it)' }] });
    expect(j.ingress).toMatchObject({ isolated: true, allowed: true, decidedBy: [{ policy: 'shop/db-from-api', rule: 0, api: 'NetworkPolicy', action: 'Allow' }] });
    expect(j.ingress.decisions).toEqual([
      { allowed: true, conns: 'TCP 5432', by: 'NetworkPolicy shop/db-from-api rule 0 (Allow)', rule: expect.objectContaining({ policy: 'shop/db-from-api', rule: 0 }) },
      { allowed: false, conns: 'SCTP 1-65535,TCP 1-5431,5433-65535,UDP 1-65535', by: 'NetworkPolicy isolation (shop/db-from-api, shop/deny select it; no rule allows it)' },
    ]);
  });

  it('UDP on the same port is denied', () => {
    expect(reachCommandCore(snapshot, { from: 'shop/api', to: 'shop/db', port: '5432/UDP' }).exitCode).toBe(1);
  });

  it('exports the matrix as CSV with a header and quoted fields, and refuses CSV for one flow', () => {
    const csv = reachCommandCore(snapshot, { matrix: true, output: 'csv' });
    expect(csv.exitCode).toBe(0);
    const lines = csv.output.split('\n');
    expect(lines[0]).toBe('src,dst,conn,in_doubt,ipv4,ipv6');
    const json = JSON.parse(reachCommandCore(snapshot, { matrix: true, output: 'json' }).output) as Array<{ src: string; dst: string; conn: string }>;
    expect(lines).toHaveLength(json.length + 1);
    const q = (f: string) => (/[",]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f);
    expect(lines.slice(1)).toEqual(json.map((r) => [r.src, r.dst, r.conn, '', '', ''].map(q).join(',')));
    const one = reachCommandCore(snapshot, { from: 'a/x', to: 'b/y', output: 'csv' });
    expect(one.exitCode).toBe(2);
    expect(one.output).toContain('--output csv applies to --matrix');
  });

  it('matrix lists each allowed workload pair once', () => {
    const r = reachCommandCore(snapshot, { matrix: true });
    expect(r.exitCode).toBe(0);
    const lines = r.output.split('\n');
    expect(lines).toContain('shop/api[Deployment] => shop/db[Deployment] : TCP 5432');
    expect(lines.some((l) => l.startsWith('shop/frontend[Deployment] => shop/db'))).toBe(false);
    expect(lines).toContain('shop/db[Deployment] => 0.0.0.0-255.255.255.255[External] : All Connections');
    const json = JSON.parse(reachCommandCore(snapshot, { matrix: true, output: 'json' }).output);
    expect(json).toContainEqual({ src: 'shop/api[Deployment]', dst: 'shop/db[Deployment]', conn: 'TCP 5432' });
  });

  it('bad input is exit 2 with a reason', () => {
    expect(reachCommandCore(snapshot, { from: 'shop/nope', to: 'shop/db' })).toMatchObject({ exitCode: 2 });
    expect(reachCommandCore(snapshot, { from: 'shop/nope', to: 'shop/db' }).output).toContain('known: Deployment/frontend');
    expect(reachCommandCore(snapshot, { from: 'shop/api', to: 'shop/db', port: '99999' }).exitCode).toBe(2);
    expect(reachCommandCore(snapshot, { from: 'shop/api', to: 'shop/db', port: '80/ICMP' }).exitCode).toBe(2);
    expect(reachCommandCore(snapshot, { from: 'shop/api' }).exitCode).toBe(2);
  });

  it('a refused --port says what it takes; a port\'s name toward an address is refused, a malformed name says why', () => {
    const forms = 'give a port number 1-65535 or a container port\'s name, optionally with /TCP, /UDP or /SCTP (5432, 53/UDP, http), or a protocol alone (TCP, UDP or SCTP)';
    const said = (port: string, to = 'shop/db') => reachCommandCore(snapshot, { from: 'shop/api', to, port });
    expect(said('metrics-2', '10.0.0.1')).toEqual({ exitCode: 2, output: 'ztaudit reach: --port: port "metrics-2" is a name: it resolves on the destination pod\'s container ports, and 10.0.0.1 is an address; give the port\'s number' });
    for (const port of ['80/HTTP', '99999', '0', '80/', 'tcp/80', 'pg/ICMP']) expect(said(port)).toEqual({ exitCode: 2, output: `ztaudit reach: --port "${port}": ${forms}` });
    const rule = 'at most 15 lowercase letters, digits and dashes, a letter at least, no dash at either end or twice in a row';
    for (const [port, head] of [['HTTP', 'HTTP'], ['my--port', 'my--port'], ['-pg', '-pg'], ['sixteen-letters1', 'sixteen-letters1'], ['Pg/UDP', 'Pg']]) {
      expect(said(port)).toEqual({ exitCode: 2, output: `ztaudit reach: --port "${port}": "${head}" is not a port's name (${rule}); ${forms}` });
    }
    expect(said('5432/tcp').exitCode).toBe(0);
    expect(said('UDP').exitCode).toBe(1);
    expect(said('udp').exitCode).toBe(1); // a protocol, not a port named "udp"
  });

  it('an address range for --from or --to is refused as one, not read as a workload; refusals name the flag', () => {
    expect(reachCommandCore(snapshot, { from: '10.0.0.0/8', to: 'shop/db' })).toEqual({ exitCode: 2, output: 'ztaudit reach: --from: "10.0.0.0/8" is an address range: reach answers for one address; give an IP address such as 10.0.0.0, or NAMESPACE/WORKLOAD' });
    expect(reachCommandCore(snapshot, { from: 'shop/api', to: 'fd00::/8' }).output).toBe('ztaudit reach: --to: "fd00::/8" is an address range: reach answers for one address; give an IP address such as fd00::, or NAMESPACE/WORKLOAD');
    expect(reachCommandCore(snapshot, { from: 'shop/api', to: 'shop/nope' }).output).toMatch(/^ztaudit reach: --to: no workload "nope" in namespace "shop" \(known: /);
    expect(reachCommandCore(snapshot, { from: '10.0.0.1', to: 'shop/db', port: '5432' }).exitCode).toBe(1);
  });

  it('NS/KIND/NAME disambiguates', () => {
    expect(reachCommandCore(snapshot, { from: 'shop/deployment/api', to: 'shop/Deployment/db', port: '5432' }).exitCode).toBe(0);
  });

  it('the model is memoized per snapshot and pods fold into classes', () => {
    const m = buildReachability(snapshot);
    expect(buildReachability(snapshot)).toBe(m);
    const many = snap(Array.from({ length: 50 }, (_, i) => pod('a', `p${i}`, { app: i % 2 ? 'x' : 'y' })).join(''));
    expect(buildReachability(many).classes).toHaveLength(2);
    expect(buildReachability(many).workloads).toHaveLength(50);
  });
});

describe('reach and the matrix agree on IPv6 peers and name what denies a flow', () => {
  const clients = ns('shop') + ns('other') + deployment('shop', 'api', { app: 'api' }, 1) + deployment('other', 'client', { app: 'client' }, 1);

  it('the matrix lists the IPv6 addresses an ipBlock ::/0 egress allows, as reach does; without an IPv6 range it keeps the IPv4 rows only', () => {
    const s = snap(clients + policy('shop', 'api-out', '{podSelector: {matchLabels: {app: api}}, policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: "::/0"}}]}]}'));
    expect(reachCommandCore(s, { from: 'shop/api', to: '2600::1', port: '443' }).output.split('\n')[0]).toBe('ALLOWED: shop/api[Deployment] -> 2600::1 on 443/TCP');
    const rows = reachCommandCore(s, { matrix: true }).output.split('\n').filter((l) => l.startsWith('shop/api[Deployment] =>'));
    expect(rows).toEqual(['shop/api[Deployment] => ::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff[External] : All Connections']);
    // An IPv6 /32 cuts IPv6 space in three; only its own piece is allowed.
    const narrow = snap(clients + policy('shop', 'api-out', '{podSelector: {matchLabels: {app: api}}, policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: "2001:db8::/32"}}]}]}'));
    expect(reachCommandCore(narrow, { matrix: true }).output.split('\n').filter((l) => l.startsWith('shop/api[Deployment] =>'))).toEqual(['shop/api[Deployment] => 2001:db8::-2001:db8:ffff:ffff:ffff:ffff:ffff:ffff[External] : All Connections']);
    expect(reachCommandCore(snap(clients), { matrix: true }).output).not.toContain('::');
  });

  it('a flow each direction allows part of, but not the same part, is denied by the two together, not "by nothing"', () => {
    const s = snap(clients + policy('shop', 'api-in', '{podSelector: {matchLabels: {app: api}}, ingress: [{ports: [{port: 8000}]}]}')
      + policy('other', 'client-out', '{podSelector: {matchLabels: {app: client}}, egress: [{ports: [{port: 53, protocol: UDP}]}]}'));
    const r = reachCommandCore(s, { from: 'other/client', to: 'shop/api' });
    expect(r.exitCode).toBe(1);
    expect(r.output.split('\n')[1]).toBe('  network DENIED by the two directions together: egress allows only UDP 53 and ingress only TCP 8000, no connection both allow; mesh: shop/api is not in a service mesh: no mesh authorization restricts calls to it');
    // One port asked: the direction that denies it is named, as before.
    expect(reachCommandCore(s, { from: 'other/client', to: 'shop/api', port: '8000' }).output.split('\n')[1]).toContain('network DENIED by NetworkPolicy isolation (other/client-out select it; no rule allows it)');
  });
});

describe('reach --port NAME: a container port\'s name, resolved on each destination pod', () => {
  const named = ns('web') +
    `---\n${workloadYaml('web', 'api', { labels: { app: 'api' }, selector: { app: 'api' }, container: { name: 'c', image: 'api' }, ports: [{ name: 'http', containerPort: 8080 }, { name: 'dns', containerPort: 5353, protocol: 'UDP' }] })}` +
    `---\n${workloadYaml('web', 'legacy', { labels: { app: 'legacy' }, selector: { app: 'legacy' }, container: { name: 'c', image: 'legacy' }, ports: [{ name: 'web', containerPort: 8080 }] })}` +
    `---\n${workloadYaml('web', 'client', { labels: { app: 'client' }, selector: { app: 'client' }, container: { name: 'c', image: 'client' } })}` +
    policy('web', 'http-from-client', '{podSelector: {}, policyTypes: [Ingress], ingress: [{from: [{podSelector: {matchLabels: {app: client}}}], ports: [{port: http}, {port: dns, protocol: UDP}]}]}');
  const snapshot = snap(named);
  const reach = (to: string, port: string, output: 'text' | 'json' = 'text') => reachCommandCore(snapshot, { from: 'web/client', to, port, output });

  it('a policy\'s named port admits the number the destination pod gives it, asked by number or by name; another number is denied', () => {
    const byNumber = reach('web/api', '8080');
    expect(byNumber.exitCode).toBe(0);
    expect(byNumber.output).toContain('ALLOWED: web/client[Deployment] -> web/api[Deployment] on 8080/TCP');
    expect(byNumber.output).toContain('ALLOWED by NetworkPolicy web/http-from-client rule 0 (Allow): TCP 8080');
    const byName = reach('web/api', 'http');
    expect(byName.exitCode).toBe(0);
    expect(byName.output.split('\n')[0]).toBe('ALLOWED: web/client[Deployment] -> web/api[Deployment] on http/TCP (port 8080)');
    expect(byName.output).toContain('ALLOWED by NetworkPolicy web/http-from-client rule 0 (Allow): TCP 8080');
    expect(JSON.parse(reach('web/api', 'http', 'json').output)).toMatchObject({ port: 8080, portName: 'http', portNumbers: [8080], protocol: 'TCP', allowed: true, ports: { TCP: ['8080'] } });
    const other = reach('web/api', '9090');
    expect(other.exitCode).toBe(1);
    expect(other.output).toContain('DENIED by NetworkPolicy isolation (web/http-from-client select it; no rule allows it): TCP 9090');
  });

  it('a destination pod that does not name the port is denied by number and by name, and the answer says it has no such port', () => {
    expect(reach('web/legacy', '8080').exitCode).toBe(1);
    const byName = reach('web/legacy', 'http');
    expect(byName.exitCode).toBe(1);
    expect(byName.output.split('\n').slice(0, 2)).toEqual([
      'DENIED: web/client[Deployment] -> web/legacy[Deployment] on http/TCP (no such port)',
      '  network DENIED by web/legacy[Deployment] names no TCP container port "http"; mesh: no connection to judge',
    ]);
    expect(JSON.parse(reach('web/legacy', 'http', 'json').output)).toMatchObject({ portName: 'http', portNumbers: [], allowed: false, ports: {} });
    expect(JSON.parse(reach('web/legacy', 'http', 'json').output).port).toBeUndefined();
  });

  it('a name resolves with its protocol, TCP unless said: dns/UDP is the UDP port named dns, http/UDP names nothing', () => {
    expect(reach('web/api', 'dns/UDP').output.split('\n')[0]).toBe('ALLOWED: web/client[Deployment] -> web/api[Deployment] on dns/UDP (port 5353)');
    expect(reach('web/api', 'dns').exitCode).toBe(1);
    expect(reach('web/api', 'dns').output.split('\n')[0]).toBe('DENIED: web/client[Deployment] -> web/api[Deployment] on dns/TCP (no such port)');
    expect(reach('web/api', 'http/UDP').exitCode).toBe(1);
  });

  it('without any policy, a port reached by name still has to exist on the destination', () => {
    const open = snap(ns('web') +
      `---\n${workloadYaml('web', 'api', { labels: { app: 'api' }, selector: { app: 'api' }, container: { name: 'c', image: 'api' }, ports: [{ name: 'http', containerPort: 8080 }] })}` +
      `---\n${workloadYaml('web', 'client', { labels: { app: 'client' }, selector: { app: 'client' }, container: { name: 'c', image: 'client' } })}`);
    expect(reachCommandCore(open, { from: 'web/client', to: 'web/api', port: 'http' }).output.split('\n')[0]).toBe('ALLOWED: web/client[Deployment] -> web/api[Deployment] on http/TCP (port 8080)');
    expect(reachCommandCore(open, { from: 'web/client', to: 'web/api', port: 'grpc' }).exitCode).toBe(1);
    expect(reachCommandCore(open, { from: 'web/client', to: 'web/api', port: 'http/UDP' }).exitCode).toBe(1);
  });

  it('resolves the name on each pod of a workload: pods mid-rollout that number it differently, and one that does not name it', () => {
    const owned = (name: string, ports: Array<{ name: string; containerPort: number }>) => `---
apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: web, labels: {app: api}, ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: api-1, uid: u1, controller: true}]}
spec: {containers: [{name: c, image: api, ports: ${JSON.stringify(ports)}}]}
`;
    const rollout = snap(ns('web') + owned('api-1-a', [{ name: 'http', containerPort: 8080 }]) + owned('api-1-b', [{ name: 'http', containerPort: 8081 }]) + owned('api-1-c', [{ name: 'web', containerPort: 8080 }]) +
      `---\n${workloadYaml('web', 'client', { labels: { app: 'client' }, selector: { app: 'client' }, container: { name: 'c', image: 'client' } })}` +
      policy('web', 'http-from-client', '{podSelector: {}, policyTypes: [Ingress], ingress: [{from: [{podSelector: {matchLabels: {app: client}}}], ports: [{port: http}]}]}'));
    const r = reachCommandCore(rollout, { from: 'web/client', to: 'web/api-1', port: 'http', output: 'json' });
    expect(r.exitCode).toBe(0);
    const j = JSON.parse(r.output);
    expect(j).toMatchObject({ portName: 'http', portNumbers: [8080, 8081], allowed: true, ports: { TCP: ['8080-8081'] } });
    expect(j.port).toBeUndefined();
    expect(j.notes).toContain('1 pod of web/api-1[ReplicaSet] names no TCP container port "http": those pods cannot be reached by that name');
  });

  it('the matrix resolves the policy\'s named port per destination, and refuses --port', () => {
    const lines = reachCommandCore(snapshot, { matrix: true }).output.split('\n');
    expect(lines).toContain('web/client[Deployment] => web/api[Deployment] : TCP 8080,UDP 5353');
    expect(lines.some((l) => l.startsWith('web/client[Deployment] => web/legacy'))).toBe(false);
    expect(reachCommandCore(snapshot, { matrix: true, port: 'http' })).toEqual({ exitCode: 2, output: 'ztaudit reach: --port applies to one flow (--from, --to): the matrix lists every port each pair may use' });
    expect(reachCommandCore(snapshot, { matrix: true, from: 'web/client' })).toEqual({ exitCode: 2, output: 'ztaudit reach: --from applies to one flow: the matrix lists every workload pair; drop --matrix to ask about one flow' });
  });
});

describe('ztaudit reach --port NAME through the command line', () => {
  const named = ns('web') +
    `---\n${workloadYaml('web', 'api', { labels: { app: 'api' }, selector: { app: 'api' }, container: { name: 'c', image: 'api' }, ports: [{ name: 'http', containerPort: 8080 }] })}` +
    `---\n${workloadYaml('web', 'client', { labels: { app: 'client' }, selector: { app: 'client' }, container: { name: 'c', image: 'client' } })}` +
    policy('web', 'http-from-client', '{podSelector: {matchLabels: {app: api}}, ingress: [{from: [{podSelector: {matchLabels: {app: client}}}], ports: [{port: http}]}]}');
  const dir = mkdtempSync(join(tmpdir(), 'zt-reach-named-'));
  mkdirSync(join(dir, 'm'));
  writeFileSync(join(dir, 'm/web.yaml'), named);
  const cli = async (...args: string[]) => {
    const t = captureIO(dir);
    const code = await main(['reach', '--manifests', 'm', ...args], t.cli);
    return { code, out: t.out(), err: t.errLines() };
  };

  it('answers by name (exit 0 allowed, 1 denied) and refuses --port with --matrix (exit 2)', async () => {
    const http = await cli('--from', 'web/client', '--to', 'web/api', '--port', 'http');
    expect(http.code).toBe(0);
    expect(http.out.split('\n')[0]).toBe('ALLOWED: web/client[Deployment] -> web/api[Deployment] on http/TCP (port 8080)');
    expect((await cli('--from', 'web/client', '--to', 'web/api', '--port', 'metrics')).code).toBe(1);
    const matrix = await cli('--matrix', '--port', 'http');
    expect(matrix.code).toBe(2);
    expect(matrix.err).toEqual(['ztaudit: --port applies to one flow (--from, --to): the matrix lists every port each pair may use']);
    expect(matrix.out).toBe('');
  });

  it('refuses --from or --to with --matrix (exit 2), instead of printing every pair as if they were not given', async () => {
    for (const [args, said] of [
      [['--matrix', '--from', 'web/client'], '--from applies'],
      [['--matrix', '--to', 'web/api'], '--to applies'],
      [['--matrix', '--from', 'web/client', '--to', 'web/api'], '--from and --to apply'],
      [['--matrix', '--effective', '--to', 'web/api', '--output', 'csv'], '--to applies'],
    ] as const) {
      const r = await cli(...args);
      expect(r.code).toBe(2);
      expect(r.err).toEqual([`ztaudit: ${said} to one flow: the matrix lists every workload pair; drop --matrix to ask about one flow`]);
      expect(r.out).toBe('');
    }
    expect((await cli('--matrix')).code).toBe(0);
  });
});

describe('malformed input never crashes', () => {
  it('garbage policies become errors; the rest still evaluates', () => {
    const yaml = pod('a', 'p', {}) + pod('a', 'q', {}) +
      policy('a', 'cidr', '{podSelector: {}, ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/33}}]}]}') +
      policy('a', 'except', '{podSelector: {}, ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8, except: [11.0.0.0/8]}}]}]}') +
      policy('a', 'selector', '{podSelector: {matchExpressions: [{key: a, operator: In}]}}') +
      policy('a', 'op', '{podSelector: {matchExpressions: [{key: a, operator: Equals, values: [b]}]}}') +
      policy('a', 'peer', '{podSelector: {}, ingress: [{from: [{}]}]}') +
      policy('a', 'mixed', '{podSelector: {}, ingress: [{from: [{ipBlock: {cidr: 1.2.3.0/24}, podSelector: {}}]}]}') +
      policy('a', 'types', '{podSelector: {}, policyTypes: [Inbound]}') +
      policy('a', 'port', '{podSelector: {}, ingress: [{ports: [{port: 0}, {port: "80"}, {protocol: ICMP}]}]}') +
      policy('a', 'shape', '{podSelector: [], ingress: {from: 1}}') +
      '---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: nospec, namespace: a}\nspec: 42\n';
    const model = buildReachability(snap(yaml));
    const bad = Object.fromEntries(model.policies.map((p) => [p.ref.name, p.errors.length]));
    expect(Object.entries(bad).filter(([, n]) => n === 0)).toEqual([]);
    // Invalid policies are not applied, so the pods stay open.
    expect(reachCommandCore(snap(yaml), { from: 'a/p', to: 'a/q', port: '80' }).exitCode).toBe(0);
  });

  it('workloads with odd shapes are tolerated', () => {
    const yaml = '---\napiVersion: v1\nkind: Pod\nmetadata: {name: odd, namespace: a, labels: {x: 1}}\nspec: {containers: [{ports: [{name: http, containerPort: "80"}, null]}]}\n';
    expect(() => reachCommandCore(snap(yaml), { matrix: true })).not.toThrow();
  });
});

describe('streamed matrix output', () => {
  it('the chunked JSON and CSV are exactly the documents the whole-list formatters made', async () => {
    const { reachMatrix } = await import('../../../src/analysis/netpol/query.ts');
    const { formatMatrixChunks } = await import('../../../src/cli/reach.ts');
    const { formatConns } = await import('../../../src/analysis/netpol/conns.ts');
    const rows = reachMatrix(buildReachability(snap(shop)));
    expect(rows.length).toBeGreaterThan(3);
    expect([...formatMatrixChunks(rows, 'json')].join('')).toBe(JSON.stringify(rows.map((r) => ({ src: r.from, dst: r.to, conn: formatConns(r.conns) })), null, 2));
    expect([...formatMatrixChunks([], 'json')].join('')).toBe('[]');
    expect([...formatMatrixChunks(rows, 'csv')].join('').split('\n')).toEqual(['src,dst,conn,in_doubt,ipv4,ipv6', ...rows.map((r) => `${r.from},${r.to},${/,/.test(formatConns(r.conns)) ? `"${formatConns(r.conns)}"` : formatConns(r.conns)},,,`)]);
    expect([...formatMatrixChunks(rows, 'text')].join('')).toBe(rows.map((r) => `${r.from} => ${r.to} : ${formatConns(r.conns)}`).join('\n'));
  });
});
