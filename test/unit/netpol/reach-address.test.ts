// `ztaudit reach` asked about an address, as a flow log gives it. NetworkPolicy applies to pods
// by their IPs ("NetworkPolicies apply to a connection with a pod on one or both ends",
// https://kubernetes.io/docs/concepts/services-networking/network-policies/), so a pod's IP
// (status.podIP/podIPs) is that pod, not an address outside the cluster. A Service's ClusterIP
// is translated to a pod's before policy applies (Calico, "Pre-DNAT policy": ordinary policy
// applies after DNAT, https://docs.tigera.io/calico/latest/network-policy/hosts/host-forwarded-traffic
// and projectcalico/calico#2088), so it names no pod by itself.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { readSnapshot, writeSnapshot } from '../../../src/snapshot/io.ts';
import { slimObject } from '../../../src/snapshot/slim.ts';
import type { KubeObject, Snapshot } from '../../../src/snapshot/types.ts';

const managedFields = [{ manager: 'kubelet', operation: 'Update', fieldsType: 'FieldsV1', fieldsV1: { 'f:status': {} } }];

function livePod(namespace: string, name: string, labels: Record<string, string>, ips: string[], o: { owner?: string; hostNetwork?: boolean; phase?: string } = {}): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name, namespace, uid: `u-${name}`, labels, managedFields,
      ...(o.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: o.owner, uid: `u-${o.owner}`, controller: true }] } : {}),
    } as KubeObject['metadata'],
    spec: { containers: [{ name: 'c', image: 'app', ports: [{ name: 'pg', containerPort: 5432 }] }], ...(o.hostNetwork ? { hostNetwork: true } : {}) },
    status: { phase: o.phase ?? 'Running', hostIP: '192.168.1.10', podIP: ips[0], podIPs: ips.map((ip) => ({ ip })), conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [{ name: 'c', ready: true }] },
  };
}

function objects(): KubeObject[] {
  const deployment = (name: string, labels: Record<string, string>): KubeObject[] => [
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'app', uid: `u-${name}` }, spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'app', ports: [{ name: 'pg', containerPort: 5432 }] }] } } } },
    { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: `${name}-7d`, namespace: 'app', uid: `u-${name}-7d`, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name, uid: `u-${name}`, controller: true }] }, spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'app' }] } } } },
  ];
  const np = (name: string, spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: 'app' }, spec });
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'app' } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system' } },
    ...deployment('web', { app: 'web' }), ...deployment('db', { app: 'db' }), ...deployment('api', { app: 'api' }),
    livePod('app', 'web-7d-abc', { app: 'web' }, ['10.244.2.9', 'fd00::9'], { owner: 'web-7d' }),
    livePod('app', 'db-7d-abc', { app: 'db' }, ['10.244.1.7'], { owner: 'db-7d' }),
    livePod('app', 'api-7d-abc', { app: 'api' }, ['10.244.1.8'], { owner: 'api-7d' }),
    // A pod that ended: its address may already be another's.
    livePod('app', 'migrate-x', { app: 'migrate' }, ['10.244.3.3'], { phase: 'Succeeded' }),
    // Host-network pods share their node's address.
    livePod('kube-system', 'kube-proxy-a', { k8s: 'proxy' }, ['192.168.1.10'], { hostNetwork: true }),
    livePod('kube-system', 'node-exporter-a', { k8s: 'exporter' }, ['192.168.1.10'], { hostNetwork: true }),
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: 'app', managedFields } as KubeObject['metadata'], spec: { clusterIP: '10.96.5.5', clusterIPs: ['10.96.5.5', 'fd00:96::5'], selector: { app: 'db' }, ports: [{ port: 5432, targetPort: 'pg' }] }, status: { loadBalancer: {} } },
    np('web-deny-egress', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'] }),
    np('db-from-api', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'api' } } }], ports: [{ port: 5432 }] }] }),
  ];
}

/** The same cluster as manifests give it, as the live collector keeps it (slimmed), and through a snapshot file. */
async function snapshots(): Promise<Array<[string, Snapshot]>> {
  const dir = mkdtempSync(join(tmpdir(), 'ztaudit-reach-ip-'));
  try {
    const slim = snapshotFromObjects(objects().map((o) => slimObject(o.kind === 'Pod' ? 'pods' : o.kind === 'Service' ? 'services' : String(o.kind).toLowerCase() + 's', o)), { origin: 'live' });
    writeSnapshot(join(dir, 's.gz'), slim);
    return [['whole', snapshotFromObjects(objects())], ['slimmed', slim], ['snapshot file', await readSnapshot(join(dir, 's.gz'))]];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('reach with a pod\'s IP answers for that pod', async () => {
  const all = await snapshots();

  it.each(all)('%s: a source pod isolated for egress is DENIED by its IP, as by its name', (_, s) => {
    const byName = reachCommandCore(s, { from: 'app/web', to: 'app/db', port: '5432' });
    const byIp = reachCommandCore(s, { from: '10.244.2.9', to: 'app/db', port: '5432' });
    expect(byName.exitCode).toBe(1);
    expect(byIp.exitCode).toBe(1);
    expect(byIp.output).toContain('DENIED: app/web[Deployment] -> app/db[Deployment] on 5432/TCP');
    expect(byIp.output).toContain('egress at app/web[Deployment]: isolated by app/web-deny-egress');
    expect(byIp.output).toContain('note: 10.244.2.9 is the IP of Pod app/web-7d-abc of Deployment app/web: answered for app/web[Deployment]');
    expect(byIp.output).not.toContain('outside the cluster');
  });

  it.each(all)('%s: a destination pod isolated for ingress is DENIED by its IP, and allowed where its policy allows', (_, s) => {
    const denied = reachCommandCore(s, { from: 'app/web', to: '10.244.1.7', port: '5432' });
    expect(denied.exitCode).toBe(1);
    expect(denied.output).toContain('ingress at app/db[Deployment]: isolated by app/db-from-api');
    const allowed = reachCommandCore(s, { from: '10.244.1.8', to: '10.244.1.7', port: '5432' });
    expect(allowed.exitCode).toBe(0);
    expect(allowed.output).toContain('ALLOWED: app/api[Deployment] -> app/db[Deployment] on 5432/TCP');
    // IP to IP, as a flow log gives it; the other port stays denied.
    expect(reachCommandCore(s, { from: '10.244.1.8', to: '10.244.1.7', port: '5433' }).exitCode).toBe(1);
  });

  it.each(all)('%s: an IPv6 podIPs entry, however it is spelled, is the pod too', (_, s) => {
    const r = reachCommandCore(s, { from: 'fd00:0::0:9', to: 'app/db', port: '5432' });
    expect(r.exitCode).toBe(1);
    expect(r.output).toContain('egress at app/web[Deployment]: isolated by app/web-deny-egress');
  });

  it.each(all)('%s: a Service\'s ClusterIP is refused in one line naming the Service and the workload behind it', (_, s) => {
    for (const ip of ['10.96.5.5', 'fd00:96::5']) {
      const r = reachCommandCore(s, { from: 'app/api', to: ip, port: '5432' });
      expect(r.exitCode).toBe(2);
      expect(r.output).toBe(`ztaudit reach: --to: ${ip} is the ClusterIP of Service app/db: policy applies to the pods behind it, after the address is translated; give the workload behind it (app/db) and the target port`);
    }
  });

  it.each(all)('%s: the node address host-network pods share names no one pod', (_, s) => {
    const r = reachCommandCore(s, { from: '192.168.1.10', to: 'app/db', port: '5432' });
    expect(r.exitCode).toBe(2);
    expect(r.output).toBe('ztaudit reach: --from: 192.168.1.10 is the node address that host-network pods share (kube-system/kube-proxy-a, kube-system/node-exporter-a): it names no one pod; give NAMESPACE/WORKLOAD');
  });

  // Read live, the snapshot lists every running pod: an address none holds is outside the cluster.
  // Read from manifests it is not the cluster, whatever pods' status.podIPs the dump carries: the
  // address may be a running pod's the dump lacks.
  it.each(all)('%s: an address no running pod holds is outside the cluster when read live, and not a known pod address from manifests', (_, s) => {
    for (const ip of ['203.0.113.5', '10.244.3.3']) {
      const r = reachCommandCore(s, { from: 'app/api', to: ip, port: '443' });
      expect(r.exitCode).toBe(0);
      expect(r.output).toContain(s.origin === 'live' ? 'destination is outside the cluster' : `destination ${ip} is not a known pod address`);
    }
  });

  it('two running pods claiming one address are refused as ambiguous', () => {
    const s = snapshotFromObjects([...objects(), livePod('app', 'stale', { app: 'x' }, ['10.244.1.7'])]);
    const r = reachCommandCore(s, { from: 'app/api', to: '10.244.1.7' });
    expect(r.exitCode).toBe(2);
    expect(r.output).toBe('ztaudit reach: --to: 10.244.1.7 is the IP of 2 pods (app/db-7d-abc, app/stale): give NAMESPACE/WORKLOAD');
  });
});

// A dual-stack socket (Node, Java, nginx) logs an IPv4 peer as ::ffff:a.b.c.d, and "this address
// type is used to represent the addresses of IPv4 nodes as IPv6 addresses" (RFC 4291 section
// 2.5.5.2, https://www.rfc-editor.org/rfc/rfc4291#section-2.5.5.2): the packet on the wire is
// IPv4, so the mapped form is answered as the IPv4 address, ipBlocks included.
describe('reach with an IPv4-mapped IPv6 address answers as for the IPv4 address', async () => {
  const all = await snapshots();

  it.each(all)('%s: the mapped form of a pod\'s IP is that pod: the same verdict as the plain IPv4 form', (_, s) => {
    const plain = reachCommandCore(s, { from: 'app/web', to: '10.244.1.7', port: '5432' });
    const mapped = reachCommandCore(s, { from: 'app/web', to: '::ffff:10.244.1.7', port: '5432' });
    expect(plain.exitCode).toBe(1);
    expect(mapped.exitCode).toBe(1);
    expect(mapped.output).toContain('ingress at app/db[Deployment]: isolated by app/db-from-api');
    expect(mapped.output).toContain('note: ::ffff:10.244.1.7 (IPv4-mapped: read as 10.244.1.7) is the IP of Pod app/db-7d-abc of Deployment app/db: answered for app/db[Deployment]');
    expect(mapped.output).not.toContain('outside the cluster');
    // IP to IP as a dual-stack server logs both ends, in the hex spelling too.
    const allowed = reachCommandCore(s, { from: '::FFFF:0af4:0108', to: '::ffff:10.244.1.7', port: '5432' });
    expect(allowed.exitCode).toBe(0);
    expect(allowed.output).toContain('ALLOWED: app/api[Deployment] -> app/db[Deployment] on 5432/TCP');
  });

  it.each(all)('%s: the mapped form of a ClusterIP or of the node address is refused as the IPv4 form is', (_, s) => {
    const svc = reachCommandCore(s, { from: 'app/api', to: '::ffff:10.96.5.5', port: '5432' });
    expect(svc.exitCode).toBe(2);
    expect(svc.output).toBe('ztaudit reach: --to: ::ffff:10.96.5.5 (IPv4-mapped: read as 10.96.5.5) is the ClusterIP of Service app/db: policy applies to the pods behind it, after the address is translated; give the workload behind it (app/db) and the target port');
    const node = reachCommandCore(s, { from: '::ffff:192.168.1.10', to: 'app/db', port: '5432' });
    expect(node.exitCode).toBe(2);
    expect(node.output).toBe('ztaudit reach: --from: ::ffff:192.168.1.10 (IPv4-mapped: read as 192.168.1.10) is the node address that host-network pods share (kube-system/kube-proxy-a, kube-system/node-exporter-a): it names no one pod; give NAMESPACE/WORKLOAD');
  });

  it('an address outside the cluster, mapped, is matched by an IPv4 ipBlock and not by an IPv6 one', () => {
    // db admits 203.0.113.0/24 on 5432 (IPv4) and ::ffff:0:0/96 on 5433 (the mapped range, as IPv6).
    const fromOutside: KubeObject = {
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'db-from-outside', namespace: 'app' },
      spec: { podSelector: { matchLabels: { app: 'db' } }, ingress: [
        { from: [{ ipBlock: { cidr: '203.0.113.0/24' } }], ports: [{ port: 5432 }] },
        { from: [{ ipBlock: { cidr: '::ffff:0:0/96' } }], ports: [{ port: 5433 }] },
      ] },
    };
    const s = snapshotFromObjects([...objects(), fromOutside], { origin: 'live' });
    const plain = reachCommandCore(s, { from: '203.0.113.5', to: 'app/db', port: '5432' });
    const mapped = reachCommandCore(s, { from: '::ffff:203.0.113.5', to: 'app/db', port: '5432' });
    expect(plain.exitCode).toBe(0);
    expect(mapped.exitCode).toBe(0);
    expect(mapped.output).toContain('ALLOWED by NetworkPolicy app/db-from-outside rule 0 (Allow): TCP 5432');
    expect(mapped.output).toContain('note: ::ffff:203.0.113.5 (IPv4-mapped: read as 203.0.113.5): answered as that IPv4 address');
    expect(mapped.output).toContain('note: source is outside the cluster');
    // An IPv4 peer's packet is IPv4: a rule for IPv6 addresses does not admit it, in either spelling.
    expect(reachCommandCore(s, { from: '203.0.113.5', to: 'app/db', port: '5433' }).exitCode).toBe(1);
    expect(reachCommandCore(s, { from: '::ffff:203.0.113.5', to: 'app/db', port: '5433' }).exitCode).toBe(1);
  });
});
