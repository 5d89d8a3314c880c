// A fail fixture whose first line reads `# fails (SEVERITY, Kind ns/name): why` must produce a
// failure of that severity on that resource: the fixture states what a user would see.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECKS, CHECK_BY_ID } from '../../../checks/index.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { runChecks } from '../../../src/engine/run.ts';
import { fixtureConfig, loadFixture, loadFixtureConfig } from '../../helpers/fixtures.ts';

const ROOT = join(import.meta.dirname, '../../fixtures/checks');
const NOW = new Date('2026-11-26T00:00:00Z');
const STATED = /^#\s*fails \((critical|high|medium|low), (\w+) ([^\s):]+)\)/;

const cases = CHECKS.flatMap((c) => {
  const dir = join(ROOT, c.id);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.startsWith('fail.')).flatMap((f) => {
    const m = STATED.exec(readFileSync(join(dir, f), 'utf8').split('\n')[0]);
    return m ? [{ check: c, dir, file: f, severity: m[1], kind: m[2], name: m[3] }] : [];
  });
});

describe('fail fixtures that state severity and resource', () => {
  it('exist (the form is in use)', () => expect(cases.length).toBeGreaterThan(0));
  it.each(cases.map((c) => [`${c.check.id} ${c.file}`, c] as const))('%s', (_n, { check, dir, file, severity, kind, name }) => {
    const path = join(dir, file);
    const snapshot = loadFixture(path, `${check.id}/${file}`);
    const config = fixtureConfig(path, loadFixtureConfig(dir, new Set(CHECK_BY_ID.keys())) ?? defaultConfig());
    const [o] = runChecks([check], { snapshot, config, now: NOW });
    const got = o.results.filter((r) => r.status === 'fail').map((r) => `${r.severity} ${r.resource.kind} ${r.resource.namespace ? `${r.resource.namespace}/` : ''}${r.resource.name}`);
    expect(got).toContain(`${severity} ${kind} ${name}`);
  });
});
