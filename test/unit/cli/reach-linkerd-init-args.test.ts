// `ztaudit reach` between running Linkerd-meshed pods whose linkerd-init arguments, not their
// annotations, say what bypasses the callee's proxy: its --subnets-to-ignore lets a caller from
// those source subnets reach the application directly, in plaintext and past every Linkerd policy;
// its --inbound-ports-to-ignore opens those ports to every caller, whatever the annotation says now.
//
// Upstream: linkerd2 charts/partials/templates/_proxy-init.tpl (the injector renders the flags once,
// at admission); linkerd2-proxy-init proxy-init/cmd/root.go and pkg/iptables/iptables.go
// addIncomingTrafficRules (proxy-init/v2.4.9): a RETURN for each ignored port and for each ignored
// source subnet (`-s <subnet> -j RETURN`) ahead of the redirect to the proxy; policy.linkerd.io's
// default inbound policy `deny` refuses every client the proxy sees that no authorization admits.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../../../src/cli/io.ts';
import { main } from '../../../src/cli/main.ts';

const INIT = (skips: string) => `[--incoming-proxy-port, "4143", --outgoing-proxy-port, "4140", --proxy-uid, "2102", ${skips}]`;
const meshedPod = (name: string, ip: string, init: string, annotations = '') => `
apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: shop, labels: {app: ${name}}, annotations: {linkerd.io/created-by: linkerd/proxy-injector stable-2.14.10${annotations}}}
spec:
  initContainers: [{name: linkerd-init, image: cr.l5d.io/linkerd/proxy-init:v2.2.3, args: ${init}}]
  containers:
  - {name: app, image: example/${name}:1, ports: [{containerPort: 5432}]}
  - {name: linkerd-proxy, image: cr.l5d.io/linkerd/proxy:stable-2.14.10}
status: {phase: Running, podIP: ${ip}, podIPs: [{ip: ${ip}}]}
---`;
// db refuses every unauthorized client (deny); its annotation says 7000 is skipped, but linkerd-init
// was given 9000 and the source subnet 10.1.0.0/16. web runs at 10.1.2.3, api at 10.2.0.20.
const SCENE = `
apiVersion: v1
kind: Namespace
metadata: {name: shop, annotations: {linkerd.io/inject: enabled}}
---${meshedPod('db', '10.2.0.10', INIT('--inbound-ports-to-ignore, "4190,4191,9000", --subnets-to-ignore, 10.1.0.0/16'), ', config.linkerd.io/default-inbound-policy: deny, config.linkerd.io/skip-inbound-ports: "7000"')}${meshedPod('web', '10.1.2.3', INIT('--inbound-ports-to-ignore, "4190,4191"'))}${meshedPod('api', '10.2.0.20', INIT('--inbound-ports-to-ignore, "4190,4191"'))}
`;

function manifests(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ztaudit-reach-linkerd-init-'));
  writeFileSync(join(dir, 'all.yaml'), yaml);
  return dir;
}

async function reach(...args: string[]) {
  const dir = manifests(SCENE);
  const out: string[] = [];
  const io: CliIO = { stdout: (t) => out.push(t), stderr: () => {}, env: {}, isTTY: false, cwd: dir };
  const code = await main(['reach', '--manifests', dir, ...args], io);
  return { code, out: out.join('') };
}

describe('reach: what the callee\'s linkerd-init was given', () => {
  it('a meshed caller from a skipped source subnet: ALLOWED as a plaintext call, naming the argument and the caller\'s address', async () => {
    const r = await reach('--from', 'shop/web', '--to', 'shop/db', '--port', '5432');
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[0]).toBe('ALLOWED: shop/web[Pod] -> shop/db[Pod] on 5432/TCP');
    expect(lines[1]).toContain('mesh ALLOWED: shop/db lets inbound connections from 10.1.0.0/16 around its linkerd-proxy (linkerd-init argument --subnets-to-ignore "10.1.0.0/16"), and the caller\'s pod address 10.1.2.3 lies there: the call reaches port 5432 of the application directly, neither authenticated nor encrypted by the mesh');
    expect(lines).toContain('  mesh (linkerd) at shop/db[Pod]: ALLOWED (plaintext call)');
    const json = JSON.parse((await reach('--from', 'shop/web', '--to', 'shop/db', '--port', '5432', '-o', 'json')).out);
    expect(json).toMatchObject({ allowed: true, mesh: { mesh: 'linkerd', verdict: 'allowed', plaintext: true } });
  });

  it('a caller outside those subnets meets the deny default on 5432, and only 9000, which linkerd-init skips, is open', async () => {
    expect((await reach('--from', 'shop/api', '--to', 'shop/db', '--port', '5432')).code).toBe(1);
    const r = await reach('--from', 'shop/api', '--to', 'shop/db');
    expect(r.code).toBe(0);
    expect(r.out).toContain('  connections: SCTP 1-65535,TCP 9000,UDP 1-65535');
    expect(r.out).toContain('    port 9000: ALLOWED: port 9000 is skipped by the linkerd-proxy (linkerd-init argument --inbound-ports-to-ignore "4190,4191,9000", while pod annotation config.linkerd.io/skip-inbound-ports says "7000", which linkerd-init was not given: iptables follows its arguments)');
    expect(r.out).toContain('    port 7000: DENIED');
  });
});
