// API discovery against a stand-in API server on a loopback port: a kind whose group is served
// only at a version ztaudit does not read is "served at vX; not read" (coverage error, its
// checks not evaluated), never "CRD not installed" (absent), which would read as nothing of it
// existing. Discovery lists each group's versions at /apis and each group version's resources
// at /apis/<group>/<version>
// (https://kubernetes.io/docs/concepts/overview/kubernetes-api/#discovery-api).
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { networkChecks } from '../../../checks/network/index.ts';
import { collectLive } from '../../../src/collect/live.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { runChecks } from '../../../src/engine/run.ts';
import { kubeconfigFor } from '../../helpers/local-api-server.ts';

const GROUP = 'policy.networking.k8s.io';

/** Serves the policy.networking.k8s.io group at `versions`, each listing `resources`; every list is empty. */
async function standIn(versions: string[], resources: Record<string, string[]>): Promise<{ kubeconfig: string; server: http.Server }> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/version') return json(200, { gitVersion: 'v1.33.0' });
    if (url.pathname === '/apis') return json(200, { kind: 'APIGroupList', groups: [{ name: GROUP, versions: versions.map((v) => ({ groupVersion: `${GROUP}/${v}`, version: v })), preferredVersion: { version: versions[0] } }] });
    if (url.pathname === '/api/v1') return json(200, { kind: 'APIResourceList', resources: [{ name: 'pods', namespaced: true, verbs: ['list'] }] });
    const gv = /^\/apis\/policy\.networking\.k8s\.io\/([^/]+)$/.exec(url.pathname);
    if (gv) return versions.includes(gv[1]) ? json(200, { kind: 'APIResourceList', resources: (resources[gv[1]] ?? []).map((name) => ({ name, namespaced: false, verbs: ['list', 'watch'] })) }) : json(404, { kind: 'Status', code: 404 });
    if (url.searchParams.has('limit')) return json(200, { kind: 'List', metadata: { resourceVersion: '1' }, items: [] });
    return json(404, { kind: 'Status', code: 404, message: 'not found' });
  });
  return { kubeconfig: await kubeconfigFor(server), server };
}

describe('discovery: a group served only at versions ztaudit does not read', () => {
  const servers: http.Server[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  });

  it('says "served at v1alpha3; not read" (error, the network checks not evaluated), not "CRD not installed"', async () => {
    const stand = await standIn(['v1alpha3'], { v1alpha3: ['clusternetworkpolicies'] });
    servers.push(stand.server);
    const snapshot = await collectLive({ kubeconfigPath: stand.kubeconfig, env: {}, retries: 0 });
    expect(snapshot.coverage['anp.clusternetworkpolicies']).toEqual({ status: 'error', detail: 'clusternetworkpolicies.policy.networking.k8s.io is served at v1alpha3; not read (ztaudit reads v1alpha2)' });
    // A kind the group does not serve at any version is still absent.
    expect(snapshot.coverage['anp.adminnetworkpolicies']).toEqual({ status: 'absent', detail: 'adminnetworkpolicies.policy.networking.k8s.io is not served at v1alpha1 (CRD not installed)' });
    const check = networkChecks.find((c) => c.id === 'network.namespace-default-deny-ingress')!;
    const [o] = runChecks([check], { snapshot, config: defaultConfig(), now: new Date() });
    expect(o.status).toBe('not-evaluated');
    expect(o.reason).toContain('served at v1alpha3; not read');
  });

  it('reads ClusterNetworkPolicies at v1alpha2, and the v1alpha1 kinds are absent where only v1alpha2 is served', async () => {
    const stand = await standIn(['v1alpha2'], { v1alpha2: ['clusternetworkpolicies'] });
    servers.push(stand.server);
    const snapshot = await collectLive({ kubeconfigPath: stand.kubeconfig, env: {}, retries: 0 });
    expect(snapshot.coverage['anp.clusternetworkpolicies']).toEqual({ status: 'ok', count: 0 });
    expect(snapshot.coverage['anp.adminnetworkpolicies']?.status).toBe('absent');
    expect(snapshot.coverage['anp.baselineadminnetworkpolicies']?.status).toBe('absent');
  });
});
