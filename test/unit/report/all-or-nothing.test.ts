// A run whose reports cannot all be written exits 2 and is not stored: the previous run's
// reports in --out must stay as they were, not be replaced by some of the unstored run's
// (a CI job uploads --out as its artifact; `ztaudit history` would not know that run).
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, InputError } from '../../../src/base/errors.ts';
import { main } from '../../../src/cli/main.ts';
import { renderReports } from '../../../src/report/render.ts';
import { captureIO } from '../../helpers/cli.ts';
import { REPO } from '../../helm/helm.ts';
import { buildRun } from './fixtures.ts';

/** A "Chromium" that fails at once, as a crashed or missing-library browser does. */
function failingChromium(dir: string): string {
  const path = join(dir, 'chromium');
  writeFileSync(path, '#!/bin/sh\necho "chromium: error while loading shared libraries" >&2\nexit 1\n');
  chmodSync(path, 0o755);
  return path;
}

/** Every file of a directory with its content. */
function contents(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).sort().map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}

describe('renderReports writes every format or none', () => {
  it('a PDF Chromium cannot print leaves the previous report.json and report.html in place, and no temp file', async () => {
    const { report, previous, trend } = buildRun();
    const dir = mkdtempSync(join(tmpdir(), 'zt-all-or-none-'));
    const outDir = join(dir, 'out');
    await renderReports(previous, { formats: ['html', 'md'], outDir });
    const before = contents(outDir);
    let told = false;
    const writing = renderReports(report, { formats: ['html', 'md', 'sarif', 'pdf'], outDir, trend, previous, chromium: failingChromium(dir), onReportJson: () => { told = true; } });
    await expect(writing).rejects.toThrow(ConfigError);
    await expect(writing).rejects.toThrow(/^--format pdf: Chromium could not print report\.pdf/);
    expect(contents(outDir)).toEqual(before);
    expect(told).toBe(false);
  });

  it('a report.html that is a directory is refused before any report is replaced', async () => {
    const { report, previous } = buildRun();
    const outDir = join(mkdtempSync(join(tmpdir(), 'zt-all-or-none-')), 'out');
    await renderReports(previous, { formats: [], outDir });
    mkdirSync(join(outDir, 'report.html'));
    const before = readFileSync(join(outDir, 'report.json'), 'utf8');
    const writing = renderReports(report, { formats: ['html', 'junit'], outDir });
    await expect(writing).rejects.toThrow(InputError);
    await expect(writing).rejects.toThrow(`--out ${outDir}: cannot write ${join(outDir, 'report.html')} (EISDIR)`);
    expect(readFileSync(join(outDir, 'report.json'), 'utf8')).toBe(before);
    expect(readdirSync(outDir).sort()).toEqual(['report.html', 'report.json']);
  });

  it('once every format is written, all of them are this run\'s', async () => {
    const { report, previous } = buildRun();
    const outDir = join(mkdtempSync(join(tmpdir(), 'zt-all-or-none-')), 'out');
    await renderReports(previous, { formats: ['html'], outDir });
    const paths = await renderReports(report, { formats: ['html', 'csv'], outDir });
    expect(paths.map((p) => p.slice(outDir.length + 1))).toEqual(['report.json', 'report.html', 'report.csv']);
    expect(readdirSync(outDir).sort()).toEqual(['report.csv', 'report.html', 'report.json']);
    expect((JSON.parse(readFileSync(paths[0]!, 'utf8')) as { run: { id: string } }).run.id).toBe(report.run.id);
  });
});

describe('ztaudit run with a PDF that cannot be printed', () => {
  it('exits 2, stores nothing, and --out still holds the stored run\'s reports that `ztaudit history` lists', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zt-all-or-none-cli-'));
    cpSync(join(REPO, 'examples/demo-cluster'), join(dir, 'm'), { recursive: true });
    const run = ['run', '--manifests', 'm', '--history', 'h.db', '--no-notify', '-q', '--out', 'out'];
    expect(await main([...run, '--format', 'html,json'], captureIO(dir).cli)).toBe(0);
    const stored = contents(join(dir, 'out'));
    const t = captureIO(dir, { ZTAUDIT_CHROMIUM: failingChromium(dir) });
    expect(await main([...run, '--format', 'html,json,pdf'], t.cli)).toBe(2);
    expect(t.err()).toMatch(/^ztaudit: --format pdf: Chromium could not print report\.pdf/m);
    expect(contents(join(dir, 'out'))).toEqual(stored);
    const history = captureIO(dir);
    expect(await main(['history', '--history', 'h.db', '--output', 'json'], history.cli)).toBe(0);
    const runs = JSON.parse(history.out()) as Array<{ id: string }>;
    expect(runs.map((r) => r.id)).toEqual([(JSON.parse(stored['report.json']!) as { run: { id: string } }).run.id]);
  });
});
