// A finding's message and evidence are read in a terminal, Slack, an email, SARIF and PolicyReports:
// no control character of ztaudit's own making may reach them (cluster text is escaped per output,
// docs/hostile-text.md; this is about ztaudit's placeholders). Every check over every check
// fixture. Was: mtls.authz-missing printed the unnamed-caller placeholder, a NUL, as a Consul
// service name ("no intention matches service \u0000 → api").
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { CHECKS, CHECK_BY_ID } from '../../../checks/index.ts';
import { runChecks } from '../../../src/engine/run.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { fixtureConfig, loadFixture, loadFixtureConfig } from '../../helpers/fixtures.ts';

const ROOT = join(import.meta.dirname, '../../fixtures/checks');
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/;

it('no finding of any check over the check fixtures carries a control character', () => {
  const ids = new Set(CHECK_BY_ID.keys());
  const hits: string[] = [];
  for (const id of readdirSync(ROOT)) {
    const dir = join(ROOT, id);
    const base = loadFixtureConfig(dir, ids) ?? defaultConfig();
    for (const file of readdirSync(dir).filter((f) => /^(pass|fail)\..+\.ya?ml$/.test(f))) {
      const path = join(dir, file);
      const outcomes = runChecks(CHECKS, { snapshot: loadFixture(path, `${id}/${file}`), config: fixtureConfig(path, base), now: new Date('2026-12-05T00:00:00Z') });
      for (const o of outcomes) {
        for (const r of o.results) if (CONTROL.test(r.message) || CONTROL.test(JSON.stringify(r.evidence ?? {}).replace(/\\u00[01][0-9a-f]/g, (m) => String.fromCharCode(parseInt(m.slice(2), 16))))) hits.push(`${id}/${file}: ${r.check} ${JSON.stringify(r.message)}`);
      }
    }
  }
  expect([...new Set(hits)]).toEqual([]);
  // Every check over every fixture, one synchronous pass: 1.6–2.3 s in CI on a quiet machine, over the unit
  // tier's 20 s (21.6 s) with eight other processes on the two cores (it timed out so twice, never failed).
}, 90_000);
