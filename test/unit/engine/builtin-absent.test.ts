// A built-in API's list that answers 404. Kubernetes serves every built-in group version its
// discovery lists; one switched off with the API server's --runtime-config
// (https://kubernetes.io/docs/tasks/administer-cluster/enable-disable-api/) is not listed there.
// So a 404 on a listed one is a failed read (a proxy in between): the run is partial and the
// --fail-on gate says so. An unlisted one is absent, not a gap, and the run's notes name it.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import type { RunReport } from '../../../src/run/types.ts';
import { captureIO } from '../../helpers/cli.ts';
import { kubeconfigFor } from '../../helpers/local-api-server.ts';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-builtin-404-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** An API server whose clusterrolebindings list answers 404; `rbacListed`: whether its discovery lists rbac.authorization.k8s.io/v1. */
function apiServer(rbacListed: boolean): http.Server {
  const rbac = ['roles', 'rolebindings', 'clusterroles', 'clusterrolebindings'];
  return http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/version') return json(200, { gitVersion: 'v1.33.0' });
    if (url.pathname === '/apis') return json(200, { kind: 'APIGroupList', groups: rbacListed ? [{ name: 'rbac.authorization.k8s.io', versions: [{ groupVersion: 'rbac.authorization.k8s.io/v1', version: 'v1' }], preferredVersion: { version: 'v1' } }] : [] });
    if (url.pathname === '/apis/rbac.authorization.k8s.io/v1' && rbacListed) return json(200, { kind: 'APIResourceList', resources: rbac.map((name) => ({ name, namespaced: name.startsWith('role'), verbs: ['list'] })) });
    if (url.pathname === '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings') return json(404, { kind: 'Status', code: 404, reason: 'NotFound', message: 'the server could not find the requested resource' });
    if (url.pathname === '/api/v1') return json(200, { kind: 'APIResourceList', resources: [{ name: 'namespaces', namespaced: false, verbs: ['list'] }] });
    if (url.pathname === '/api/v1/namespaces') return json(200, { kind: 'NamespaceList', metadata: {}, items: [{ metadata: { name: 'shop' } }] });
    return json(200, { kind: 'List', metadata: {}, items: [] });
  });
}

async function run(rbacListed: boolean, failOn: string): Promise<{ code: number; report: RunReport; err: string }> {
  const server = apiServer(rbacListed);
  try {
    const kubeconfig = await kubeconfigFor(server);
    const t = captureIO(dir);
    const code = await main(['run', '--kubeconfig', kubeconfig, '--out', 'out', '--format', 'json', '--history', 'none', '--no-notify', '-q', '--fail-on', failOn], t.cli);
    return { code, report: JSON.parse(fs.readFileSync(path.join(dir, 'out/report.json'), 'utf8')) as RunReport, err: t.err() };
  } finally {
    server.close();
  }
}

describe('a built-in kind whose list answers 404', () => {
  it('is a failed read when discovery lists it: the run is partial and --fail-on high exits 1 for the unevaluated checks', async () => {
    const { code, report, err } = await run(true, 'high');
    expect(report.run.coverage.clusterrolebindings?.status).toBe('error');
    expect(report.run.partial).toEqual([expect.stringMatching(/^clusterrolebindings could not be read \(error: list clusterrolebindings\.rbac\.authorization\.k8s\.io failed: .*, yet the API server's discovery lists it\)$/)]);
    expect(code).toBe(1);
    expect(err).toMatch(/ztaudit: exit 1: .*\d+ checks not evaluated \(clusterrolebindings error\)/);
  });

  it('is absent when discovery does not list its group version, not a gap, and the run\'s notes say it is not served', async () => {
    const { code, report, err } = await run(false, 'never');
    expect(report.run.coverage.clusterrolebindings).toEqual({ status: 'absent', detail: 'clusterrolebindings.rbac.authorization.k8s.io/v1 is not served by this API server (its discovery does not list it)' });
    expect(report.run.partial).toBeUndefined();
    expect(report.run.notes).toContain('clusterrolebindings absent: clusterrolebindings.rbac.authorization.k8s.io/v1 is not served by this API server (its discovery does not list it)');
    expect(code).toBe(0);
    // Not a gap: no warning that checks were not evaluated.
    expect(err).not.toContain('not evaluated');
  });
});
