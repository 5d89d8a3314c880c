// One coverage gate: a check never throws to signal missing data; the engine alone turns an
// unreadable declared input into not-evaluated. The by-name ConfigMaps (ingress-nginx's
// --configmap, the meshes' own) are the `configmaps` kind; a 403 on any of them makes that
// kind forbidden, and every check reading them is then not-evaluated, never an error or a pass.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECKS, CHECK_BY_ID } from '../../../checks/index.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { runChecks } from '../../../src/engine/run.ts';
import { fixtureConfig, loadFixture, loadFixtureConfig } from '../../helpers/fixtures.ts';

const FIXTURES = join(import.meta.dirname, '../../fixtures/checks');
const NOW = new Date('2026-11-26T00:00:00Z');

describe('coverage gate', () => {
  it('a forbidden configmaps read makes every check that reads controller ConfigMaps not-evaluated', () => {
    const readers = CHECKS.filter((c) => c.needs.includes('configmaps') || c.reads?.includes('configmaps'));
    expect(readers.map((c) => c.id).sort()).toEqual(['mtls.auto-mtls-disabled', 'mtls.consul-default-allow', 'mtls.outbound-allow-any', 'network.flow-visibility-off', 'tls.edge-auth-missing', 'tls.edge-waf-missing', 'tls.hsts-disabled', 'tls.legacy-protocol-enabled', 'tls.ssl-redirect-disabled', 'tls.weak-ciphers']);
    for (const check of readers) {
      const dir = join(FIXTURES, check.id);
      const fail = join(dir, readdirSync(dir).find((f) => f.startsWith('fail.'))!);
      const snapshot = loadFixture(fail, check.id);
      const config = fixtureConfig(fail, loadFixtureConfig(dir, new Set(CHECK_BY_ID.keys())) ?? defaultConfig());
      // The fixture alone fails the check: the data is there to be judged.
      expect(runChecks([check], { snapshot, config, now: NOW })[0].status, check.id).toBe('fail');
      snapshot.coverage.configmaps = { status: 'forbidden', detail: 'get configmaps (denied for ingress-nginx/ingress-nginx-controller)' };
      const [o] = runChecks([check], { snapshot, config, now: NOW });
      expect(o.status, check.id).toBe('not-evaluated');
      expect(o.reason, check.id).toBe('needs configmaps: forbidden (get configmaps (denied for ingress-nginx/ingress-nginx-controller))');
      expect(o.results).toEqual([]);
    }
  });

  it('a check that needs pods is not evaluated when an owner kind of the pod view is forbidden, and is when that kind is absent', () => {
    const check = CHECK_BY_ID.get('pod-security.pod-violates-target')!;
    const dir = join(FIXTURES, check.id);
    const fail = join(dir, readdirSync(dir).find((f) => f.startsWith('fail.'))!);
    const config = fixtureConfig(fail, loadFixtureConfig(dir, new Set(CHECK_BY_ID.keys())) ?? defaultConfig());
    const absent = loadFixture(fail, check.id);
    absent.coverage.cronjobs = { status: 'absent' };
    expect(runChecks([check], { snapshot: absent, config, now: NOW })[0].status).toBe('fail');
    const forbidden = loadFixture(fail, check.id);
    forbidden.coverage.cronjobs = { status: 'forbidden', detail: 'list cronjobs.batch' };
    const [o] = runChecks([check], { snapshot: forbidden, config, now: NOW });
    expect(o.status).toBe('not-evaluated');
    expect(o.reason).toBe('needs cronjobs: forbidden (list cronjobs.batch)');
    // Checks that do not read pods are untouched by it.
    const rbac = CHECK_BY_ID.get('rbac.cluster-admin-binding')!;
    expect(rbac.needs).not.toContain('pods');
  });
});
