// serve --watch re-evaluates a check only when one of the kinds inputsOf gives for it
// changed; every other check's outcome is carried over. A kind a check reads but does not
// declare is a change the watch run misses (Kyverno uninstalled, enforce-missing still at
// medium). This test evaluates every check, alone, over the demo cluster and every check
// fixture with snapshot.resources traced, and asserts that what it touched is a subset of
// what inputsOf declares. Each check gets a fresh snapshot object: the analyses memoise
// their models per snapshot, so a model an earlier check built would otherwise be read
// from the memo and its kinds never attributed to the check that needs it.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECKS, CHECK_BY_ID } from '../../../checks/index.ts';
import { inputsOf } from '../../../src/cli/serve-watch.ts';
import { RUN_NOTES_KINDS, runNotes } from '../../../src/analysis/details.ts';
import { loadManifests } from '../../../src/collect/manifests.ts';
import { defaultConfig, type Config } from '../../../src/config/types.ts';
import { runChecks } from '../../../src/engine/run.ts';
import { KINDS } from '../../../src/snapshot/kinds.ts';
import type { Snapshot } from '../../../src/snapshot/types.ts';
import { fixtureConfig, loadFixture, loadFixtureConfig } from '../../helpers/fixtures.ts';

const ROOT = join(import.meta.dirname, '../../fixtures/checks');
const DEMO = join(import.meta.dirname, '../../../examples/demo-cluster');
const NOW = new Date('2026-11-26T00:00:00Z');
const KIND_KEYS = new Set<string>(KINDS.map((k) => k.key));

/** The kinds of snapshot.resources `run` reads, on a copy of `snapshot` no check has seen. */
function kindsRead(snapshot: Snapshot, run: (s: Snapshot) => void): Set<string> {
  const copy = structuredClone(snapshot);
  const read = new Set<string>();
  copy.resources = new Proxy(copy.resources, {
    get(target, key, receiver) {
      if (typeof key === 'string' && KIND_KEYS.has(key)) read.add(key);
      return Reflect.get(target, key, receiver) as unknown;
    },
    has(target, key) {
      if (typeof key === 'string' && KIND_KEYS.has(key)) read.add(key);
      return Reflect.has(target, key);
    },
    ownKeys(target) {
      // Enumerating every kind is reading every kind.
      for (const k of Reflect.ownKeys(target)) if (typeof k === 'string' && KIND_KEYS.has(k)) read.add(k);
      return Reflect.ownKeys(target);
    },
  });
  run(copy);
  return read;
}

interface Scene { label: string; snapshot: Snapshot; config: Config }

function scenes(): Scene[] {
  const ids = new Set(CHECK_BY_ID.keys());
  const out: Scene[] = [{ label: 'examples/demo-cluster', snapshot: loadManifests([DEMO]), config: defaultConfig() }];
  for (const id of readdirSync(ROOT)) {
    const dir = join(ROOT, id);
    const base = loadFixtureConfig(dir, ids) ?? defaultConfig();
    for (const file of readdirSync(dir).filter((f) => /^(pass|fail)\..+\.ya?ml$/.test(f))) {
      const path = join(dir, file);
      out.push({ label: `${id}/${file}`, snapshot: loadFixture(path, `${id}/${file}`), config: fixtureConfig(path, base) });
    }
  }
  // Each scene read the other way too: some analyses read differently from a live cluster
  // (pods, not templates; only a live listing of ServiceAccounts proves one missing). The origin
  // decides that, not the source.
  return out.flatMap((s) => {
    const live = s.snapshot.origin === 'live';
    const other: Snapshot = { ...s.snapshot, source: live ? 'manifests' : 'live', origin: live ? 'manifests' : 'live' };
    return [s, { ...s, label: `${s.label} (${live ? 'as manifests' : 'live'})`, snapshot: other }];
  });
}

describe('serve --watch: a check re-evaluated on a change to anything it reads', () => {
  const all = scenes();

  it.each(CHECKS.map((c) => [c.id, c] as const))('%s reads only kinds inputsOf declares', (_id, check) => {
    const declared = inputsOf(check);
    const undeclared = new Map<string, string>();
    for (const scene of all) {
      const read = kindsRead(scene.snapshot, (snapshot) => { runChecks([check], { snapshot, config: scene.config, now: NOW }); });
      for (const k of read) if (!declared.has(k as never) && !undeclared.has(k)) undeclared.set(k, scene.label);
    }
    expect([...undeclared].map(([k, on]) => `${k} (read on ${on})`), 'kinds read but not declared in needs, reads, readsWhen or readsBestEffort').toEqual([]);
  });

  it.each(CHECKS.map((c) => [c.id, c] as const))('%s reads the clock only if it says so (timeDependent)', (_id, check) => {
    // A verdict judged against ctx.now goes stale with no change to watch: serve --watch
    // evaluates a timeDependent check in every watch run, and only those.
    let readsNow = false;
    for (const scene of all) {
      const ctx = new Proxy({ snapshot: structuredClone(scene.snapshot), config: scene.config, now: NOW }, {
        get(target, key, receiver) {
          if (key === 'now') readsNow = true;
          return Reflect.get(target, key, receiver) as unknown;
        },
      });
      runChecks([check], ctx);
      if (readsNow) break;
    }
    expect(readsNow, 'reads ctx.now').toBe(check.timeDependent === true);
  });

  it('the run notes (network model, edge routes, RBAC model) read only kinds RUN_NOTES_KINDS declares', () => {
    // serve --watch recomputes the notes only when one of RUN_NOTES_KINDS changed: a kind read
    // but not declared (a Gateway, a RoleBinding) would leave a stale note in the report.
    const undeclared = new Map<string, string>();
    for (const scene of all) {
      const read = kindsRead(scene.snapshot, (snapshot) => { runNotes({ snapshot, config: scene.config, now: NOW }); });
      for (const k of read) if (!RUN_NOTES_KINDS.has(k as never) && !undeclared.has(k)) undeclared.set(k, scene.label);
    }
    expect([...undeclared].map(([k, on]) => `${k} (read on ${on})`), 'kinds runNotes reads but RUN_NOTES_KINDS leaves out').toEqual([]);
    // And the trace sees the RBAC and edge-route notes' kinds.
    const read = kindsRead(all[0].snapshot, (snapshot) => { runNotes({ snapshot, config: all[0].config, now: NOW }); });
    expect([...read]).toEqual(expect.arrayContaining(['clusterrolebindings', 'gatewayapi.httproutes', 'networkpolicies']));
  });

  it('the trace sees what a check reads', () => {
    // Without this, a proxy that records nothing would pass every check above.
    const check = CHECK_BY_ID.get('pod-security.enforce-missing')!;
    const read = kindsRead(all[0].snapshot, (snapshot) => { runChecks([check], { snapshot, config: all[0].config, now: NOW }); });
    expect([...read]).toEqual(expect.arrayContaining(['namespaces', 'deployments']));
  });

  it('each scene is read live too, so a read only a live cluster makes is seen', () => {
    // Some analyses read differently from a live cluster (only a live listing of ServiceAccounts
    // proves one missing: checks/rbac/lib/accounts.ts). A stand-in check reading a kind only when
    // the snapshot is live: the manifests scene alone would miss that read.
    const liveOnly = (snapshot: Snapshot) => { if (snapshot.origin === 'live') void snapshot.resources.serviceaccounts; };
    const demo = all.filter((s) => s.label.startsWith('examples/demo-cluster'));
    expect(demo.map((s) => s.snapshot.origin)).toEqual(['manifests', 'live']);
    expect(demo.map((s) => kindsRead(s.snapshot, liveOnly).has('serviceaccounts'))).toEqual([false, true]);
    // The exec check reads the listing live, and declares it best-effort.
    const check = CHECK_BY_ID.get('rbac.pod-exec-attach')!;
    expect(kindsRead(demo[1].snapshot, (snapshot) => { runChecks([check], { snapshot, config: demo[1].config, now: NOW }); }).has('serviceaccounts')).toBe(true);
    expect(check.readsBestEffort).toContain('serviceaccounts');
  });
});
