// A complete run whose diff compared only part of the checks — the previous run, stored by a
// version without one of today's checks — is no partial run: it read everything and scored
// every check, so neither `history`, the fleet report nor its own report's trend marks it
// partial ("partial run: its scores cover only what could be read and evaluated" would be
// false). Only its diff line says "partial comparison" (README: "A partial run (something not
// read, a check not evaluated for it or failed; not a complete run whose diff compared part of
// the checks …)"). Through the CLI as a user would: run, history export, the check dropped from
// the exported run as an older version stored it, history import, run again.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliIO } from '../../../src/cli/io.ts';
import { main } from '../../../src/cli/main.ts';
import type { RunReport } from '../../../src/run/types.ts';

const REPO = join(import.meta.dirname, '../../..');
const DEMO = join(REPO, 'examples/demo-cluster');
const DROPPED = 'rbac.secrets-namespace-read';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'zt-partial-comparison-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function io() {
  const out: string[] = [];
  const err: string[] = [];
  const cli: CliIO = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env: {}, isTTY: false, cwd: dir };
  return { cli, out: () => out.join(''), err: () => err.join('') };
}

describe('a complete run compared with a run that lacked one of its checks', () => {
  it('is not partial in its summary line, history, the fleet report or its own trend; its diff line says partial comparison', async () => {
    const run = (history: string, out: string, t = io()) => main(['run', '--manifests', DEMO, '--history', history, '--cluster', 'prod', '--no-notify', '--format', 'json,html', '--out', out], t.cli);
    expect(await run('a.db', 'r1')).toBe(0);
    expect(await main(['history', 'export', '--history', 'a.db', '--file', 'all.jsonl'], io().cli)).toBe(0);
    const [header, line] = readFileSync(join(dir, 'all.jsonl'), 'utf8').trim().split('\n');
    const old = JSON.parse(line) as RunReport;
    expect(old.checks.some((c) => c.id === DROPPED)).toBe(true);
    old.checks = old.checks.filter((c) => c.id !== DROPPED);
    old.findings = old.findings.filter((f) => f.check !== DROPPED);
    writeFileSync(join(dir, 'old.jsonl'), `${header}\n${JSON.stringify(old)}\n`);
    expect(await main(['history', 'import', '--history', 'b.db', '--file', 'old.jsonl'], io().cli)).toBe(0);

    const t = io();
    expect(await run('b.db', 'r2', t)).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, 'r2/report.json'), 'utf8')) as RunReport;
    expect(report.run.partial).toBeUndefined();
    expect(report.checks.find((c) => c.id === DROPPED)?.status).toMatch(/^(pass|fail)$/);
    expect(report.diff?.partial).toBe(true);
    expect(report.diff?.notComparable).toEqual([DROPPED]);
    expect(t.out()).toContain(' 0 not evaluated');
    expect(t.out()).toContain('(partial comparison)');
    // Its own trend: a filled point, no "partial run" tooltip.
    expect(readFileSync(join(dir, 'r2/report.html'), 'utf8')).not.toContain('partial run: its scores cover only what could be read');

    const h = io();
    expect(await main(['history', '--history', 'b.db'], h.cli)).toBe(0);
    const lines = h.out().trim().split('\n');
    expect(lines[1]).toMatch(new RegExp(`^${report.run.id} .* (ok|REGRESSION)$`));
    const hj = io();
    expect(await main(['history', '--history', 'b.db', '--output', 'json'], hj.cli)).toBe(0);
    expect(JSON.parse(hj.out())[0]).toMatchObject({ id: report.run.id, partial: false });

    expect(await main(['fleet', '--history', 'b.db', '--format', 'md,html', '--out', 'f', '--no-notify', '-q'], io().cli)).toBe(0);
    const md = readFileSync(join(dir, 'f/fleet.md'), 'utf8');
    expect(md).toMatch(/\| prod \|/);
    expect(md).not.toContain('(partial)');
    const html = readFileSync(join(dir, 'f/fleet.html'), 'utf8');
    expect(html).not.toContain('<span class="pill partial">');
    expect(html).not.toContain('partial run: its score covers only');
  });
});
