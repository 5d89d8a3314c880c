// A check that does not apply is not-applicable even when an input its applicability does not
// read (Check.appliesReads) could not be read; an unreadable input the answer does read still
// leaves it not-evaluated. Default (no appliesReads): every declared input, as before.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECK_BY_ID } from '../../../checks/index.ts';
import type { AuditContext } from '../../../src/analysis/context.ts';
import { defaultConfig, type Config } from '../../../src/config/types.ts';
import { runChecks } from '../../../src/engine/run.ts';
import type { Check } from '../../../src/engine/types.ts';
import type { KindKey } from '../../../src/snapshot/kinds.ts';
import type { Snapshot } from '../../../src/snapshot/types.ts';
import { fixtureConfig, loadFixture } from '../../helpers/fixtures.ts';

const NOW = new Date('2026-11-26T00:00:00Z');
const ID = 'network.egress-not-controlled';
const DIR = join(import.meta.dirname, '../../fixtures/checks', ID);
const FIXTURE = join(DIR, 'fail.direct-egress.yaml');
const egress = CHECK_BY_ID.get(ID)!;

function unreadable(snapshot: Snapshot, kind: KindKey, status: 'error' | 'forbidden' = 'error'): Snapshot {
  const s = structuredClone(snapshot);
  s.coverage[kind] = { status, detail: `${kind} unreadable in test` };
  delete s.resources[kind];
  return s;
}
const statusOf = (check: Check, snapshot: Snapshot, config: Config = defaultConfig()) => runChecks([check], { snapshot, config, now: NOW })[0];

describe('network.egress-not-controlled with NetworkPolicies unreadable', () => {
  it('no egress gateway declared or labelled: not-applicable (its applicability reads config and workload labels only)', () => {
    const snapshot = unreadable(loadFixture(FIXTURE, ID), 'networkpolicies');
    const o = statusOf(egress, snapshot);
    expect(o.status).toBe('not-applicable');
    expect(o.reason).toBe(`applies only ${egress.appliesWhen}`);
    // The checks that do read NetworkPolicies to judge stay not evaluated.
    expect(statusOf(CHECK_BY_ID.get('network.namespace-default-deny-egress')!, snapshot).status).toBe('not-evaluated');
  });

  it('a gateway declared in egress.gateways: it applies, so it is not evaluated', () => {
    const snapshot = unreadable(loadFixture(FIXTURE, ID), 'networkpolicies');
    const o = statusOf(egress, snapshot, fixtureConfig(FIXTURE, defaultConfig()));
    expect(o.status).toBe('not-evaluated');
    expect(o.reason).toMatch(/^needs networkpolicies: error/);
  });

  it('a workload labelled istio=egressgateway: it applies, so it is not evaluated', () => {
    const snapshot = unreadable(loadFixture(FIXTURE, ID), 'networkpolicies');
    const squid = snapshot.resources.deployments!.find((d) => d.metadata?.name === 'squid')! as unknown as { spec: { template: { metadata: { labels: Record<string, string> } } } };
    squid.spec.template.metadata.labels = { istio: 'egressgateway' };
    expect(statusOf(egress, snapshot).status).toBe('not-evaluated');
  });

  it('pods or namespaces unreadable (what its applicability reads): not evaluated, never "does not apply"', () => {
    for (const kind of ['pods', 'deployments', 'namespaces'] as KindKey[]) {
      const o = statusOf(egress, unreadable(loadFixture(FIXTURE, ID), kind, 'forbidden'));
      expect(o.status, kind).toBe('not-evaluated');
    }
  });

  it('its applicability gives the same answer with or without the NetworkPolicies, on every fixture of the check', () => {
    let files = 0;
    for (const file of readdirSync(DIR).filter((f) => f.endsWith('.yaml'))) {
      const path = join(DIR, file);
      for (const config of [defaultConfig(), fixtureConfig(path, defaultConfig())]) {
        const full = loadFixture(path, ID);
        const ctx = (snapshot: Snapshot): AuditContext => ({ snapshot, config, now: NOW }) as AuditContext;
        expect(egress.appliesTo!(ctx(unreadable(full, 'networkpolicies'))), file).toBe(egress.appliesTo!(ctx(full)));
      }
      files++;
    }
    expect(files).toBeGreaterThanOrEqual(5);
  });
});

describe('Check.appliesReads', () => {
  const fake = (extra: Partial<Check>): Check => ({
    id: 'network.fake-applies', area: 'network', title: 'fake', protectsAgainst: 'x', severity: 'high', controls: [], remediation: '',
    needs: ['namespaces', 'networkpolicies'], appliesTo: () => false, appliesWhen: 'never', evaluate: () => [], ...extra,
  });
  const snapshot = unreadable(loadFixture(FIXTURE, ID), 'networkpolicies');

  it('undeclared: any unreadable declared input keeps a check that does not apply not evaluated (as before)', () => {
    expect(statusOf(fake({}), snapshot).status).toBe('not-evaluated');
  });

  it('declared: only an unreadable input in it does', () => {
    expect(statusOf(fake({ appliesReads: ['namespaces'] }), snapshot).status).toBe('not-applicable');
    expect(statusOf(fake({ appliesReads: ['networkpolicies'] }), snapshot).status).toBe('not-evaluated');
    expect(statusOf(fake({ appliesReads: ['namespaces'] }), unreadable(snapshot, 'namespaces')).status).toBe('not-evaluated');
  });
});
