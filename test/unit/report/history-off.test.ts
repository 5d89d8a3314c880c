// With --history none nothing is stored and nothing compared: the changes section must say that,
// not "This is the first run recorded for this cluster", which tells the reader a history exists
// and the next run will be compared with this one.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPipeline, type PipelineEdges } from '../../../src/pipeline/pipeline.ts';
import { renderHtml } from '../../../src/report/html.ts';
import { renderReports } from '../../../src/report/render.ts';
import { buildRun } from './fixtures.ts';
import { main } from '../../../src/cli/main.ts';
import { captureIO } from '../../helpers/cli.ts';

const changes = (html: string) => html.slice(html.indexOf('<section id="changes">'), html.indexOf('</section>', html.indexOf('<section id="changes">')));

describe('the changes section of a run without history', () => {
  it('says history is off (--history none), not that this is the first run recorded', () => {
    const report = { ...buildRun().report, diff: null };
    const off = changes(renderHtml(report, { historyOff: true }));
    expect(off).toContain('History is off (--history none): this run is not stored and is compared with no earlier run, so no finding is new or resolved here.');
    expect(off).not.toContain('first run recorded');
    // A first run with a history says it is the first one.
    expect(changes(renderHtml(report))).toContain('This is the first run recorded for this cluster: there is nothing to compare with yet.');
  });

  it('the pipeline without a store asks for it, and renderReports passes it to report.html', async () => {
    const { report } = buildRun();
    const dir = mkdtempSync(join(tmpdir(), 'ztaudit-history-off-'));
    try {
      let asked: boolean | undefined;
      const edges: Partial<PipelineEdges> = {
        now: () => new Date(report.run.startedAt), collect: async () => ({}) as never, notifiers: [], log: { info: () => {}, warn: () => {} } as never,
        audit: () => ({ report: { ...report, diff: null }, expiredWaivers: [] }),
        render: async (r, extras) => { asked = extras.historyOff; return renderReports(r, { formats: ['html'], outDir: dir, historyOff: extras.historyOff }); },
      };
      await runPipeline({ regression: {}, notify: { deadlineSeconds: 1 } } as never, [], edges as PipelineEdges);
      expect(asked).toBe(true);
      expect(changes(readFileSync(join(dir, 'report.html'), 'utf8'))).toContain('History is off (--history none)');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reaches report.html from `ztaudit run --history none` itself, through the CLI wiring', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ztaudit-history-off-cli-'));
    try {
      const t = captureIO(dir);
      const manifests = join(import.meta.dirname, '../../../examples/demo-cluster');
      expect(await main(['run', '--manifests', manifests, '--out', 'out', '--history', 'none', '--no-notify', '-q', '--format', 'html'], t.cli)).toBe(0);
      const html = changes(readFileSync(join(dir, 'out', 'report.html'), 'utf8'));
      expect(html).toContain('History is off (--history none)');
      expect(html).not.toContain('first run recorded');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
