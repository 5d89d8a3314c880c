// One table-driven test walks every check fixture: pass.* files must give results that all
// pass; fail.* files state the failures they must produce (`# expect: SEVERITY KIND
// [NAMESPACE/]NAME`, one line per failing resource and severity) and must produce exactly
// those. A registered check without both kinds of fixture, a fail fixture without an
// expectation, or a fixture its check never produced a result for fails the walk.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECKS, CHECK_BY_ID } from '../../../checks/index.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { runChecks } from '../../../src/engine/run.ts';
import { fixtureConfig, fixtureExpectations, loadFixture, loadFixtureConfig } from '../../helpers/fixtures.ts';

const ROOT = join(import.meta.dirname, '../../fixtures/checks');
const NOW = new Date('2026-11-26T00:00:00Z');
const ids = new Set(CHECK_BY_ID.keys());

describe('check fixtures', () => {
  it('every registered check has a pass and a fail fixture', () => {
    const untested = CHECKS.filter((c) => {
      const dir = join(ROOT, c.id);
      const files = existsSync(dir) ? readdirSync(dir) : [];
      return !files.some((f) => f.startsWith('pass.')) || !files.some((f) => f.startsWith('fail.'));
    }).map((c) => c.id);
    expect(untested, 'checks without both a pass.* and a fail.* fixture').toEqual([]);
  });

  it('every fixture directory names a registered check', () => {
    const dirs = existsSync(ROOT) ? readdirSync(ROOT) : [];
    expect(dirs.filter((d) => !CHECK_BY_ID.has(d))).toEqual([]);
  });

  const cases = CHECKS.flatMap((c) => {
    const dir = join(ROOT, c.id);
    if (!existsSync(dir)) return [];
    return readdirSync(dir).filter((f) => /^(pass|fail)\..+\.ya?ml$/.test(f)).map((f) => ({ check: c, dir, file: f }));
  });

  it.each(cases.map((c) => [`${c.check.id} ${c.file}`, c] as const))('%s', (_name, { check, dir, file }) => {
    const path = join(dir, file);
    const text = readFileSync(path, 'utf8');
    const firstLine = text.split('\n')[0];
    const expected = fixtureExpectations(text, `${check.id}/${file}`);
    if (file.startsWith('fail.')) expect(expected.length, `${file} must state what it produces: "# expect: SEVERITY KIND [NAMESPACE/]NAME"`).toBeGreaterThan(0);
    else expect(expected, `${file} passes, so it expects no failure`).toEqual([]);
    expect(firstLine, `${file} must open with a one-line "# why" comment`).toMatch(/^#\s*\S/);
    const snapshot = loadFixture(path, `${check.id}/${file}`);
    const config = fixtureConfig(path, loadFixtureConfig(dir, ids) ?? defaultConfig());
    const [outcome] = runChecks([check], { snapshot, config, now: NOW });
    expect(outcome.status, outcome.reason).not.toBe('error');
    expect(outcome.status, `${check.id} was not evaluated on ${file}: ${outcome.reason ?? ''}`).not.toBe('not-evaluated');
    expect(outcome.results.length, `${check.id} was not tested by ${file}: it produced no result`).toBeGreaterThan(0);
    const failures = outcome.results.filter((r) => r.status === 'fail');
    if (file.startsWith('pass.')) expect(failures.map((f) => f.message)).toEqual([]);
    else {
      const produced = [...new Set(failures.map((f) => `${f.severity} ${f.resource.kind} ${f.resource.namespace ? `${f.resource.namespace}/` : ''}${f.resource.name}`))].sort();
      expect(produced, failures.map((f) => f.message).join('\n')).toEqual(expected.map((e) => `${e.severity} ${e.kind} ${e.resource}`).sort());
    }
  });
});
