// The checks whose one failure stands for several objects give the engine all of them
// (Verdict.extent): the diff sees the failure widen when one more joins (src/run/extent.ts).
// Walked over their fail fixtures: each failure that counts objects in its evidence has an
// extent of exactly that many members, of the unit it counts.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECK_BY_ID } from '../../../checks/index.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { runChecks } from '../../../src/engine/run.ts';
import type { Result } from '../../../src/engine/types.ts';
import { fixtureConfig, loadFixture, loadFixtureConfig } from '../../helpers/fixtures.ts';

const ROOT = join(import.meta.dirname, '../../fixtures/checks');
const NOW = new Date('2026-11-26T00:00:00Z');
const ids = new Set(CHECK_BY_ID.keys());

/** Check id -> the evidence key counting its members, the unit, and which failures aggregate. */
const COUNTED: Array<[string, string, string, (r: Result) => boolean]> = [
  ['network.namespace-default-deny-ingress', 'unisolatedCount', 'workloads', () => true],
  ['network.namespace-default-deny-egress', 'unisolatedCount', 'workloads', () => true],
  ['network.cni-not-enforcing', 'policyCount', 'policies', () => true],
  ['mtls.outbound-allow-any', 'workloadCount', 'workloads', () => true],
  ['mtls.mesh-not-strict', 'workloadsNotStrict', 'workloads', () => true],
  ['mtls.consul-default-allow', 'openWorkloads', 'workloads', () => true],
  // Istio's PeerAuthentication overrides; the Consul entries of the same check carry none yet.
  ['mtls.permissive-override', 'affectedWorkloads', 'workloads', (r) => r.resource.kind === 'PeerAuthentication'],
];

const RBAC = ['rbac.cluster-admin-binding', 'rbac.secrets-cluster-read', 'rbac.secrets-namespace-read', 'rbac.pod-exec-attach', 'rbac.privilege-escalation', 'rbac.wildcard-permission', 'rbac.anonymous-access'];

function failures(id: string): Result[] {
  const check = CHECK_BY_ID.get(id)!;
  const dir = join(ROOT, id);
  return readdirSync(dir).filter((f) => /^fail\..+\.ya?ml$/.test(f)).flatMap((file) => {
    const path = join(dir, file);
    const config = fixtureConfig(path, loadFixtureConfig(dir, ids) ?? defaultConfig());
    const [outcome] = runChecks([check], { snapshot: loadFixture(path, `${id}/${file}`), config, now: NOW });
    return outcome.results.filter((r) => r.status === 'fail');
  });
}

describe('the extent of a failure that stands for several objects', () => {
  it.each(COUNTED)('%s: as many members as evidence.%s counts', (id, key, unit, aggregates) => {
    const counted = failures(id).filter((r) => aggregates(r) && typeof r.evidence?.[key] === 'number' && (r.evidence[key] as number) > 0);
    expect(counted.length, `no fail fixture of ${id} counts ${key}`).toBeGreaterThan(0);
    for (const r of counted) {
      expect(r.extent?.unit, r.message).toBe(unit);
      expect(new Set(r.extent!.members).size, r.message).toBe(r.evidence![key]);
    }
  });

  it.each(RBAC)('%s: each failing subject\'s dangerous permissions or rules', (id) => {
    const all = failures(id);
    expect(all.length).toBeGreaterThan(0);
    for (const r of all) expect(r.extent?.members.length, r.message).toBeGreaterThan(0);
  });
});
