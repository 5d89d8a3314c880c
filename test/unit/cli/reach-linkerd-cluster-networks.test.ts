// `ztaudit reach --from <IP>` to a Linkerd workload whose default inbound policy is
// cluster-unauthenticated: the address is judged against Linkerd's cluster networks.
//
// Upstream (linkerd2): policy-controller/k8s/index/src/defaults.rs default_client_authz (version-2.18):
// cluster_only policies (cluster-unauthenticated, cluster-authenticated) admit config.networks,
// the policy controller's --cluster-networks (policy-controller/runtime/src/args.rs, split on ","
// and parsed as CIDRs), set from the chart's clusterNetworks
// (charts/linkerd-control-plane/templates/destination.yaml), which linkerd-config's `values` holds;
// default "10.0.0.0/8,100.64.0.0/10,172.16.0.0/12,192.168.0.0/16" (values.yaml at stable-2.14.10),
// plus fd00::/8 from version-2.16 (#12291). https://linkerd.io/2.15/reference/authorization-policy/
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../../../src/cli/io.ts';
import { main } from '../../../src/cli/main.ts';

const scene = (values: string) => `apiVersion: v1
kind: Namespace
metadata: {name: linkerd}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: linkerd-config, namespace: linkerd}
data:
  values: |
${values.split('\n').map((l) => `    ${l}`).join('\n')}
---
apiVersion: v1
kind: Namespace
metadata: {name: shop, annotations: {linkerd.io/inject: enabled}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers: [{name: api, image: example/api:1, ports: [{containerPort: 8080}, {containerPort: 9090}]}]
---
apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: {name: api-admin, namespace: shop}
spec:
  podSelector: {matchLabels: {app: api}}
  port: 9090
  proxyProtocol: HTTP/1
`;
// proxyInit: a linkerd-config whose values hold none makes the injector fail (linkerd.ts).
const POLICY = 'proxy:\n  defaultInboundPolicy: cluster-unauthenticated\nproxyInit: {}';

async function reach(yaml: string, from: string) {
  const dir = mkdtempSync(join(tmpdir(), 'ztaudit-reach-linkerd-networks-'));
  writeFileSync(join(dir, 'all.yaml'), yaml);
  const out: string[] = [];
  const io: CliIO = { stdout: (t) => out.push(t), stderr: () => {}, env: {}, isTTY: false, cwd: dir };
  const code = await main(['reach', '--manifests', dir, '--from', from, '--to', 'shop/api', '--port', '8080', '-o', 'json'], io);
  const json = JSON.parse(out.join('')) as { allowed: boolean | null; effective: string; mesh: { verdict: string; reason: string } };
  return { code, json };
}

describe('reach --from <IP>: Linkerd cluster-unauthenticated and the cluster networks', () => {
  it('an address in the default cluster networks is ALLOWED (was: DENIED)', async () => {
    for (const ip of ['10.0.1.2', '192.168.3.4', '100.64.0.9']) {
      const r = await reach(scene(POLICY), ip);
      expect(r.code, ip).toBe(0);
      expect(r.json.mesh.verdict, ip).toBe('allowed');
      expect(r.json.mesh.reason).toContain(`${ip} is in the cluster networks (ConfigMap linkerd/linkerd-config sets no clusterNetworks: Linkerd's default 10.0.0.0/8,100.64.0.0/10,172.16.0.0/12,192.168.0.0/16)`);
    }
  });

  it('an address outside them is DENIED', async () => {
    const r = await reach(scene(POLICY), '8.8.8.8');
    expect(r.code).toBe(1);
    expect(r.json.mesh.verdict).toBe('denied');
    expect(r.json.mesh.reason).toContain('8.8.8.8 is outside the cluster networks');
  });

  it('the installed clusterNetworks decide: 10.0.1.2 in 10.0.0.0/16 ALLOWED, 10.1.0.1 DENIED', async () => {
    const y = scene(`${POLICY}\nclusterNetworks: "10.0.0.0/16"`);
    expect((await reach(y, '10.0.1.2')).json.mesh.verdict).toBe('allowed');
    const out = await reach(y, '10.1.0.1');
    expect(out.json.mesh.verdict).toBe('denied');
    expect(out.json.mesh.reason).toContain('10.1.0.1 is outside the cluster networks (ConfigMap linkerd/linkerd-config clusterNetworks 10.0.0.0/16)');
  });

  it('networks that cannot be read: UNKNOWN (a piece that is no CIDR, a space after the comma)', async () => {
    const r = await reach(scene(`${POLICY}\nclusterNetworks: "10.0.0.0/8, 192.168.0.0/16"`), '10.0.1.2');
    expect(r.code).toBe(2);
    expect(r.json).toMatchObject({ allowed: null, mesh: { verdict: 'unknown' } });
    expect(r.json.mesh.reason).toContain('" 192.168.0.0/16" is not a CIDR');
  });

  it('fd00::/8 is in the default only from Linkerd 2.16: UNKNOWN without the key, DENIED for another IPv6 address', async () => {
    expect((await reach(scene(POLICY), 'fd00::5')).json.mesh.verdict).toBe('unknown');
    expect((await reach(scene(POLICY), '2001:db8::1')).json.mesh.verdict).toBe('denied');
  });
});

describe('linkerdClusterNetworks', () => {
  it('linkerd-config unreadable: the networks are unknown, never the default assumed', async () => {
    const { linkerdClusterNetworks, inLinkerdClusterNetworks } = await import('../../../src/analysis/mesh/linkerd.ts');
    const n = linkerdClusterNetworks([], 'forbidden');
    expect(n).toEqual({ unknown: 'ConfigMap linkerd/linkerd-config could not be read (forbidden), so clusterNetworks is unknown' });
    expect(inLinkerdClusterNetworks(n, { family: 4, value: 0x0a000102n, text: '10.0.1.2' }).in).toBeUndefined();
  });
});
