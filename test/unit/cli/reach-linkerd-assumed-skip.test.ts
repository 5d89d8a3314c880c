// `ztaudit reach` on a port that only Linkerd's ASSUMED chart default proxyInit.ignoreInboundPorts
// skips: the install may not skip it (the value lives in ConfigMap linkerd/linkerd-config), so when
// the callee's policy would refuse the call through the proxy the answer is UNKNOWN; it stays
// ALLOWED when the installed value was read or when the policy admits the caller either way.
//
// Upstream (linkerd2, stable-2.14.10 and edge-26.8.3): charts/linkerd-control-plane/values.yaml
// proxyInit.ignoreInboundPorts "4567,4568"; templates/config.yaml puts the install's values in
// linkerd-config; charts/partials/templates/_proxy-init.tpl gives linkerd-init
// --inbound-ports-to-ignore with it; policy-controller applies the default inbound policy
// (config.linkerd.io/default-inbound-policy, `deny` refuses every unauthorized client) only to
// traffic that reaches the proxy.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../../../src/cli/io.ts';
import { main } from '../../../src/cli/main.ts';

const scene = (policy: string, prefix = '') => `${prefix}
apiVersion: v1
kind: Namespace
metadata: {name: shop, annotations: {linkerd.io/inject: enabled, config.linkerd.io/default-inbound-policy: ${policy}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: galera, namespace: shop}
spec:
  selector: {matchLabels: {app: galera}}
  template:
    metadata: {labels: {app: galera}}
    spec:
      containers: [{name: galera, image: example/galera:1, ports: [{containerPort: 3306}, {containerPort: 4567}]}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: example/web:1}]
`;
const INSTALLED_DEFAULT = `apiVersion: v1
kind: ConfigMap
metadata: {name: linkerd-config, namespace: linkerd}
data:
  values: |
    proxyInit:
      ignoreInboundPorts: "4567,4568"
---`;

function manifests(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ztaudit-reach-linkerd-skip-'));
  writeFileSync(join(dir, 'all.yaml'), yaml);
  return dir;
}

async function reach(dir: string, ...args: string[]) {
  const out: string[] = [];
  const io: CliIO = { stdout: (t) => out.push(t), stderr: () => {}, env: {}, isTTY: false, cwd: dir };
  const code = await main(['reach', '--manifests', dir, ...args], io);
  return { code, out: out.join('') };
}
const CALL = ['--from', 'shop/web', '--to', 'shop/galera', '--port', '4567'];

describe('reach: a port only the assumed Linkerd default skips', () => {
  it('deny default, installed value not read: UNKNOWN (exit 2), saying what each answer turns on', async () => {
    const r = await reach(manifests(scene('deny')), ...CALL);
    expect(r.code).toBe(2);
    const lines = r.out.split('\n');
    expect(lines[0]).toBe('UNKNOWN: shop/web[Deployment] -> shop/galera[Deployment] on 4567/TCP');
    expect(lines[1]).toContain('mesh UNKNOWN: the answer turns on the installed proxyInit.ignoreInboundPorts (ConfigMap linkerd/linkerd-config)');
    expect(lines[1]).toContain("Linkerd's default proxyInit.ignoreInboundPorts 4567,4568, default assumed");
    expect(lines[1]).toContain('allowed in plaintext if the install skips it too');
    expect(lines[1]).toContain('denied if it does not (no Server covers port 4567: default inbound policy deny');
  });

  it('-o json: allowed null, effective and mesh verdict unknown', async () => {
    const r = await reach(manifests(scene('deny')), ...CALL, '-o', 'json');
    expect(JSON.parse(r.out)).toMatchObject({ allowed: null, effective: 'unknown', portsInDoubt: { TCP: ['4567'] }, mesh: { mesh: 'linkerd', verdict: 'unknown' } });
  });

  it('--matrix --effective marks TCP 4567 unknown (3306, refused by the deny default, is cut)', async () => {
    const lines = (await reach(manifests(scene('deny')), '--matrix', '--effective')).out.split('\n');
    // 4568, which galera does not declare, skips the proxy as well (iptables RETURNs every listed port).
    expect(lines).toContain('shop/web[Deployment] => shop/galera[Deployment] : SCTP 1-65535,TCP 4567-4568,UDP 1-65535 [mesh linkerd: TCP 4567 unknown, TCP 4568 unknown]');
  });

  it('installed value read from linkerd-config: ALLOWED, saying installed', async () => {
    const r = await reach(manifests(scene('deny', INSTALLED_DEFAULT)), ...CALL);
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toBe('ALLOWED: shop/web[Deployment] -> shop/galera[Deployment] on 4567/TCP');
    expect(r.out).toContain('port 4567 is skipped by the linkerd-proxy (proxyInit.ignoreInboundPorts 4567,4568, installed (ConfigMap linkerd/linkerd-config)');
    const lines = (await reach(manifests(scene('deny', INSTALLED_DEFAULT)), '--matrix', '--effective')).out.split('\n');
    expect(lines).toContain('shop/web[Deployment] => shop/galera[Deployment] : SCTP 1-65535,TCP 4567-4568,UDP 1-65535 [mesh linkerd]');
  });

  it('a default that admits the caller either way (all-unauthenticated): ALLOWED, default assumed', async () => {
    const r = await reach(manifests(scene('all-unauthenticated')), ...CALL, '-o', 'json');
    expect(JSON.parse(r.out)).toMatchObject({ allowed: true, effective: 'allowed', mesh: { verdict: 'allowed', plaintext: true, reason: expect.stringContaining('default assumed') } });
  });
});
