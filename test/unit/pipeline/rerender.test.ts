// After notifying, a run writes report.json again (it records the outcomes) and nothing else:
// re-rendering every format launched Chromium a second time, and a PDF failing then dropped a
// run Slack had already been told about (exit 2, not stored, so the next run alerted again).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { ConfigError } from '../../../src/base/errors.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { openRunStore } from '../../../src/history/store.ts';
import { runPipeline, type PipelineEdges } from '../../../src/pipeline/pipeline.ts';
import { renderReports } from '../../../src/report/render.ts';
import type { Snapshot } from '../../../src/snapshot/types.ts';
import { makeReport } from '../history/big-report.ts';
import { diffStep } from './diff-step.ts';

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

it('a renderer that fails the second time it prints every format: the notified run is stored, its formats printed once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ztaudit-rerender-'));
  dirs.push(dir);
  const outDir = join(dir, 'out');
  const store = await openRunStore(join(dir, 'h.db'));
  const configured = ['json', 'html', 'md']; // html and md stand for pdf: printed by a Chromium that works once
  let prints = 0;
  const sent: string[] = [];
  const edges: PipelineEdges = {
    collect: async () => ({}) as Snapshot,
    audit: () => ({ report: makeReport('20261204T020000Z-aaaaaa', '2026-12-04T02:00:00Z', { findings: 3 }), expiredWaivers: [] }),
    store,
    diff: diffStep(defaultConfig().regression),
    render: async (report, extras) => {
      const formats = extras.formats ? configured.filter((f) => extras.formats!.includes(f)) : configured;
      if (formats.some((f) => f !== 'json') && ++prints > 1) throw new ConfigError('--format pdf: Chromium could not print report.pdf: simulated crash');
      return renderReports(report, { formats, outDir, trend: extras.trend, previous: extras.previous, onReportJson: extras.onReportJson });
    },
    notifiers: [{ name: 'slack', send: async (report) => { sent.push(report.run.id); return { channel: 'slack', status: 'sent' }; } }],
    log: { info: () => {}, warn: () => {}, progress: () => {} },
    now: () => new Date('2026-12-04T02:00:00Z'),
  };
  try {
    const { files } = await runPipeline(defaultConfig(), [], edges);
    expect(prints).toBe(1);
    expect(sent).toEqual(['20261204T020000Z-aaaaaa']);
    expect(files).toEqual(['report.json', 'report.html', 'report.md'].map((f) => join(outDir, f)));
    expect(JSON.parse(readFileSync(join(outDir, 'report.json'), 'utf8')).notifications).toEqual([{ channel: 'slack', status: 'sent' }]);
    expect((await store.list(10)).map((r) => r.id)).toEqual(['20261204T020000Z-aaaaaa']);
    expect((await store.get('20261204T020000Z-aaaaaa'))?.notifications).toEqual([{ channel: 'slack', status: 'sent' }]);
  } finally {
    await store.close();
  }
});
