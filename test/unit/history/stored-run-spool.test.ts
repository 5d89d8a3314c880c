// A stored run read back for a run's diff (RunStore.runsNewestFirst) keeps its findings'
// message, evidence and related objects in a temp-file spool, as the current run does: to
// every reader it is the run that was stored (the same JSON, diff, report text and stored
// bytes), findings of any other layout stay as parsed, no temp directory means plain
// findings, and the pipeline closes the spool once it has diffed (the resolved findings the
// reports show are kept as plain copies). For the pipeline's diff, a finding the current run
// also has is read without those three fields (only a finding it lacks can be resolved and
// shown); reading one of them throws. get()/latest() (export, fleet, `ztaudit report|diff`)
// still parse plainly.
import { mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { gunzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Spool } from '../../../src/base/spool.ts';
import { CHECKS } from '../../../checks/index.ts';
import { loadManifests } from '../../../src/collect/manifests.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { diffRuns } from '../../../src/diff/diff.ts';
import { gzipJson, parseGzipJson, parseStoredRun } from '../../../src/history/gzip-json.ts';
import { spoolCloserOf } from '../../../src/run/stored-run.ts';
import { openRunStore } from '../../../src/history/store.ts';
import { runPipeline, type PipelineEdges } from '../../../src/pipeline/pipeline.ts';
import { renderFormat } from '../../../src/report/render.ts';
import { isSpooled, isUnreadBulky } from '../../../src/run/spooled-finding.ts';
import type { RunReport } from '../../../src/run/types.ts';
import type { Snapshot } from '../../../src/snapshot/types.ts';
import { ROOT, demoRun } from '../report/demo.ts';
import { diffStep } from '../pipeline/diff-step.ts';

const work = mkdtempSync(join(tmpdir(), 'stored-run-spool-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// The spools (Spool.open() in the default temp directory) go to `work`, where they are counted.
const savedTmp = process.env.TMPDIR;
beforeEach(() => { process.env.TMPDIR = work; });
afterEach(() => {
  if (savedTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmp;
});

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Full collections, with turns of the event loop for the finalisers they queue. */
async function collect(): Promise<void> {
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The spool files of this process opened in `work` (unlinked: only their descriptors tell). */
function openSpools(): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith(`${work}/ztaudit-spool-`)) n++;
    } catch {
      // closed meanwhile
    }
  }
  return n;
}

const text = (run: RunReport) => JSON.stringify(run);

describe('a stored run read back with its findings spooled (parseStoredRun)', () => {
  // Today's demo run (all RBAC bindings) stored; yesterday's (fewer) diffed against it: many resolved findings.
  const { report: stored, previous: current, config, trend } = demoRun();
  current.diff = null;

  it('is the run that was stored: the same JSON, objects, stored bytes, diff and report text', async () => {
    const bytes = await gzipJson(stored);
    const before = openSpools();
    const back = await parseStoredRun(bytes) as RunReport;
    expect(openSpools()).toBe(before + 1);
    const plain = await parseGzipJson(bytes) as RunReport;
    expect(back.findings.length).toBeGreaterThan(50);
    expect(back.findings.every(isSpooled)).toBe(true);
    expect(plain.findings.some(isSpooled)).toBe(false);
    expect(text(back)).toBe(text(stored));
    expect(back).toEqual(plain);
    expect(back.findings.map((f) => ({ ...f }))).toEqual(plain.findings);
    expect(structuredClone(back.findings)).toEqual(plain.findings);
    expect(gunzipSync(await gzipJson(back)).toString('utf8')).toBe(text(stored)); // stored again (export/import) byte for byte

    const diff = diffRuns(back, current, { rules: config.regression, expiredWaivers: [] });
    expect(diff).toEqual(diffRuns(plain, current, { rules: config.regression, expiredWaivers: [] }));
    expect(diff.resolved.length).toBeGreaterThan(5);
    const resolved = new Set(diff.resolved);
    const withDiff = { ...current, diff };
    for (const format of ['html', 'md'] as const) {
      const previous = (run: RunReport) => ({ ...run, findings: run.findings.filter((f) => resolved.has(f.fingerprint)) });
      const a = renderFormat(withDiff, format, { trend, previous: previous(back) });
      expect(a).toBe(renderFormat(withDiff, format, { trend, previous: previous(plain) }));
      // The resolved rows ("Was": the previous message) read the spooled findings.
      const shown = back.findings.find((f) => resolved.has(f.fingerprint) && !/[&<>"']/.test(f.message))!;
      if (format === 'html') expect(a).toContain(`<td data-label="Was">${shown.message}`);
    }

    spoolCloserOf(back)();
    expect(openSpools()).toBe(before);
    expect(() => back.findings[0].message).toThrow(/spool read after it was closed/);
    spoolCloserOf(plain)(); // not a spooled run: nothing to close
    expect(plain.findings[0].message).toEqual(expect.any(String));
  });

  it('leaves findings of another layout as parsed, and the whole value as JSON.parse gives it', async () => {
    const f = { ...stored.findings.find((x) => x.evidence !== undefined)! };
    const run = {
      schemaVersion: 3,
      findings: [
        f,
        { ...f, extra: 1 }, // a key findingOf does not write
        { message: f.message, fingerprint: f.fingerprint, check: f.check, area: f.area, severity: f.severity, resource: f.resource, controls: f.controls, waived: false }, // out of order
        { ...f, message: 42 },
        { ...f, resource: 'Pod/x' },
        [1, 2],
        'text',
        null,
      ],
    };
    const value = JSON.parse(JSON.stringify(run)) as { findings: unknown[] };
    const back = await parseStoredRun(await gzipJson(run)) as { findings: RunReport['findings'] };
    expect(back.findings.map((x) => typeof x === 'object' && x !== null && !Array.isArray(x) && isSpooled(x))).toEqual([true, false, false, false, false, false, false, false]);
    expect(back).toEqual(value);
    expect(JSON.stringify(back)).toBe(JSON.stringify(value));
    spoolCloserOf(back)();
  });

  it('keeps the findings in memory when no temp file can be made, and opens no file for a run without findings', async () => {
    const bytes = await gzipJson(stored);
    process.env.TMPDIR = join(work, 'missing');
    const opens = vi.spyOn(Spool, 'open');
    let back: RunReport;
    let tries: number;
    try {
      back = await parseStoredRun(bytes) as RunReport;
      tries = opens.mock.calls.length;
    } finally {
      opens.mockRestore();
    }
    expect(back.findings.some(isSpooled)).toBe(false);
    expect(text(back)).toBe(text(stored));
    // Tried once, not once per finding (a stored L run has 382,691 of them).
    expect(stored.findings.length).toBeGreaterThan(10);
    expect(tries).toBe(1);
    process.env.TMPDIR = work;
    const before = openSpools();
    const empty = await parseStoredRun(await gzipJson({ ...stored, findings: [] })) as RunReport;
    expect(empty.findings).toEqual([]);
    expect(openSpools()).toBe(before);
  });

  it('closes the spool when a damaged run cannot be read', async () => {
    const bytes = await gzipJson(stored);
    const whole = gunzipSync(bytes);
    const { gzipSync } = await import('node:zlib');
    const before = openSpools();
    await expect(parseStoredRun(gzipSync(whole.subarray(0, whole.length >> 1)))).rejects.toThrow(/unexpected end|not a JSON object/);
    expect(openSpools()).toBe(before);
  });
});

describe('a stored run read for a diff with bulkyOf', () => {
  it('keeps message, evidence and related only of the findings named; reading them of another throws, naming it', async () => {
    const { report } = demoRun();
    const stored = JSON.parse(JSON.stringify(report)) as RunReport;
    const wanted = new Set(stored.findings.filter((_, i) => i % 3 === 0).map((f) => f.fingerprint));
    const run = (await parseStoredRun(await gzipJson(report), { bulkyOf: (fp) => wanted.has(fp) })) as RunReport;
    try {
      expect(run.findings).toHaveLength(stored.findings.length);
      for (let i = 0; i < run.findings.length; i++) {
        const f = run.findings[i];
        const s = stored.findings[i];
        expect(Object.keys(f)).toEqual(['fingerprint', 'check', 'area', 'severity', 'resource', ...(s.extent !== undefined ? ['extent'] : []), 'message', 'controls', 'evidence', 'related', 'waived', 'waiver', 'impliedBy']);
        expect([f.fingerprint, f.check, f.area, f.severity, f.resource, f.extent, f.controls, f.waived]).toEqual([s.fingerprint, s.check, s.area, s.severity, s.resource, s.extent, s.controls, s.waived]);
        if (wanted.has(s.fingerprint)) {
          expect(isSpooled(f)).toBe(true);
          expect(JSON.parse(JSON.stringify(f))).toEqual(s);
        } else {
          expect(isUnreadBulky(f)).toBe(true);
          const fails = new RegExp(`stored finding ${s.fingerprint} \\(${s.check}\\) was read for a diff without`);
          expect(() => f.message).toThrow(fails);
          expect(() => f.evidence).toThrow(fails);
          expect(() => f.related).toThrow(fails);
          expect(() => ({ ...f })).toThrow(fails);
          expect(() => JSON.stringify(f)).toThrow(fails);
        }
      }
    } finally {
      spoolCloserOf(run)();
    }
  });
});

describe('the previous run through the pipeline and a SQLite store', () => {
  it('is diffed from spooled findings, its spool closed before the reports are rendered, which show the same', async () => {
    const dir = mkdtempSync(join(work, 'h-'));
    const store = await openRunStore(join(dir, 'h.db'), { cwd: dir });
    const { config } = loadConfig(join(ROOT, 'examples/ztaudit.demo.yaml'), ROOT, new Set(CHECKS.map((c) => c.id)));
    const snapshot = (rbac: boolean): Snapshot => {
      const s = loadManifests([join(ROOT, 'examples/demo-cluster')], { clusterName: 'demo-shop-prod', clusterVersion: 'v1.36.3' });
      if (!rbac) for (const k of ['clusterrolebindings', 'rolebindings'] as const) s.resources[k] = (s.resources[k] ?? []).slice(0, 1);
      return s;
    };
    let clock = Date.parse('2026-11-25T02:00:00Z');
    const diffed: Array<{ spooled: boolean; spools: number; unread: number }> = [];
    let diffArgs: { previous: RunReport; expiredWaivers: string[]; olderRuns: Record<string, string> } | null = null;
    const seen: Array<{ plain: boolean; html: string; md: string; plainHtml: string; plainMd: string; spools: number; resolved: number }> = [];
    let kept: RunReport | null = null;
    const edges = (rbac: boolean): PipelineEdges => ({
      collect: async () => snapshot(rbac),
      store,
      diff: (prev, cur, options) => {
        // A finding this run has too is read without its bulky fields; the others are spooled.
        const current = new Set(cur.findings.map((f) => f.fingerprint));
        diffed.push({
          spooled: prev.findings.length > 0 && prev.findings.every((f) => (current.has(f.fingerprint) ? isUnreadBulky(f) : isSpooled(f))),
          spools: openSpools(),
          unread: prev.findings.filter(isUnreadBulky).length,
        });
        diffArgs = { previous: prev, expiredWaivers: options.expiredWaivers, olderRuns: options.olderRuns };
        return diffStep(config.regression)(prev, cur, options);
      },
      render: async (report, extras) => {
        if (extras.previous) {
          kept = extras.previous;
          // The same run as a read-only command reads it (plainly), cut to the resolved findings the same way.
          const whole = (await store.get(extras.previous.run.id))!;
          const resolved = new Set(report.diff!.resolved);
          const plain = { ...whole, findings: whole.findings.filter((f) => resolved.has(f.fingerprint)) };
          const as = (previous: RunReport, format: 'html' | 'md') => renderFormat(report, format, { trend: extras.trend, previous });
          seen.push({
            plain: !extras.previous.findings.some(isSpooled),
            html: as(extras.previous, 'html'), md: as(extras.previous, 'md'), plainHtml: as(plain, 'html'), plainMd: as(plain, 'md'),
            spools: openSpools(),
            resolved: extras.previous.findings.length,
          });
        }
        return [];
      },
      notifiers: [],
      log: { info: () => {}, warn: () => {}, progress: () => {} },
      now: () => new Date((clock += 3_600_000)),
    });
    try {
      const first = await runPipeline(config, CHECKS, edges(true));
      const before = openSpools(); // the first run's spool is open while `first` holds its findings
      const second = await runPipeline(config, CHECKS, edges(false));
      // Diffed: the current run's spool and the previous run's (its findings this run lacks).
      expect(diffed).toEqual([{ spooled: true, spools: before + 2, unread: expect.any(Number) }]);
      expect(diffed[0].unread).toBeGreaterThan(5);
      // The same diff as from the previous run read whole.
      const whole = (await store.get(diffArgs!.previous.run.id))!;
      expect(second.report.diff).toEqual(diffRuns(whole, second.report, { rules: config.regression, expiredWaivers: diffArgs!.expiredWaivers, olderRuns: diffArgs!.olderRuns }));
      expect(seen).toHaveLength(1);
      expect(seen[0].resolved).toBeGreaterThan(5);
      expect(seen[0].plain).toBe(true);
      expect(seen[0].html).toBe(seen[0].plainHtml);
      expect(seen[0].md).toBe(seen[0].plainMd);
      expect(seen[0].html).toContain('data-label="Was"');
      // Rendering: the current run's spool only.
      expect(seen[0].spools).toBe(before + 1);
      expect(second.report.findings.every(isSpooled)).toBe(true);
      expect(openSpools()).toBe(before + 1);
      expect(kept!.findings[0].message).toEqual(expect.any(String));
      expect(first.report.findings.every(isSpooled)).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('closes the temp file of each older run the baseline passes over as soon as it is passed, not at the end of the diff', async () => {
    const dir = mkdtempSync(join(work, 'h-'));
    const store = await openRunStore(join(dir, 'h.db'), { cwd: dir });
    const { report: full } = demoRun();
    const blindCheck = full.findings[0].check;
    // The oldest run evaluated every check; the 6 after it could not read what one check needs
    // (its status error, its findings gone), so the baseline walks back past all of them.
    let at = Date.parse('2026-11-20T02:00:00Z');
    // Each run also has a finding the current run does not (so it is read into a spool).
    const other = full.findings.find((f) => f.check !== blindCheck)!;
    const stamp = (run: RunReport, id: string): RunReport => {
      const t = new Date((at += 3_600_000)).toISOString();
      return { ...run, run: { ...run.run, id, startedAt: t, finishedAt: t }, diff: null, findings: [...run.findings, { ...other, fingerprint: `gone-${id}` }] };
    };
    await store.save(stamp(full, 'r0'));
    const blind: RunReport = {
      ...full,
      checks: full.checks.map((c) => (c.id === blindCheck ? { ...c, status: 'error' as const, reason: 'forbidden' } : c)),
      findings: full.findings.filter((f) => f.check !== blindCheck),
    };
    for (let i = 1; i <= 6; i++) await store.save(stamp(blind, `r${i}`));
    const { config } = loadConfig(join(ROOT, 'examples/ztaudit.demo.yaml'), ROOT, new Set(CHECKS.map((c) => c.id)));
    const atDiff: Array<{ olderRuns: Record<string, string>; spools: number }> = [];
    // The spools of reports earlier tests dropped are closed when those are collected: first.
    await collect();
    const before = openSpools();
    try {
      const done = await runPipeline(config, CHECKS, {
        collect: async () => loadManifests([join(ROOT, 'examples/demo-cluster')], { clusterName: full.run.cluster.name, clusterVersion: 'v1.36.3' }),
        store,
        diff: (prev, cur, options) => {
          atDiff.push({ olderRuns: options.olderRuns, spools: openSpools() });
          return diffStep(config.regression)(prev, cur, options);
        },
        render: async () => [],
        notifiers: [],
        log: { info: () => {}, warn: () => {}, progress: () => {} },
        now: () => new Date((at += 3_600_000)),
      });
      expect(atDiff).toHaveLength(1);
      // The check was compared with the oldest run, read through the 6 blind ones.
      expect(atDiff[0].olderRuns[blindCheck]).toBe('r0');
      // Open while diffing: this run's spool, the latest run's (the previous run) and r0's;
      // the 5 blind runs between them were closed as they were passed (before: all 7 open).
      expect(atDiff[0].spools - before).toBe(3);
      expect(openSpools() - before).toBe(1);
      expect(done.report.findings.every(isSpooled)).toBe(true);
    } finally {
      await store.close();
    }
  });
});
