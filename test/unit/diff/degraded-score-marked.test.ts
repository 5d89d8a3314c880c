// A run that judged checks without a best-effort input (LimitRanges forbidden: a 403 on the list,
// https://kubernetes.io/docs/reference/access-authn-authz/authorization/; a LimitRange supplies
// default limits, https://kubernetes.io/docs/concepts/policy/limit-range/, so
// pod-security.resource-limits-missing reads it when it can) scored pod-security over verdicts
// that lacked it. Before, nothing next to that score said so: report.json's diff, report.html's
// score cards, Slack's and the email's area lines showed it like any other. Now diff.degradedAreas
// names the area and the kinds, and every output says "score computed on partial input".
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../../checks/index.ts';
import { loadManifests } from '../../../src/collect/manifests.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { findBaseline } from '../../../src/diff/baseline.ts';
import { diffRuns } from '../../../src/diff/diff.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import { buildEmail } from '../../../src/notify/email.ts';
import { buildSlackMessage } from '../../../src/notify/slack.ts';
import { renderHtml } from '../../../src/report/html.ts';
import type { RunReport } from '../../../src/run/types.ts';
import type { Snapshot } from '../../../src/snapshot/types.ts';

const ROOT = join(import.meta.dirname, '../../..');
const NOW = new Date('2026-11-26T00:00:00Z');
const { config } = loadConfig(join(ROOT, 'examples/ztaudit.demo.yaml'), ROOT, new Set(CHECKS.map((c) => c.id)));
const demo = loadManifests([join(ROOT, 'examples/demo-cluster')], { clusterName: 'demo', clusterVersion: 'v1.36.3' });
const NOTE = 'score computed on partial input: limitranges could not be read';

async function runs(): Promise<{ full: RunReport; partial: RunReport }> {
  const at = (n: number) => new Date(NOW.getTime() + n * 60_000);
  const full = auditSnapshot({ snapshot: structuredClone(demo), config, checks: CHECKS, now: at(0), startedAt: at(0), runId: 'run-1' }).report;
  const s: Snapshot = structuredClone(demo);
  s.coverage.limitranges = { status: 'forbidden', detail: 'list limitranges (refused in test)' };
  delete s.resources.limitranges;
  const partial = auditSnapshot({ snapshot: s, config, checks: CHECKS, now: at(1), startedAt: at(1), runId: 'run-2' }).report;
  async function* stored() { yield full; }
  const b = (await findBaseline(stored(), partial))!;
  partial.diff = diffRuns(b.report, partial, { rules: config.regression, expiredWaivers: [], olderRuns: b.olderRuns, notApplicableRuns: b.notApplicableRuns, fullInputRuns: b.fullInputRuns, fullInputReport: b.fullInputReport, fullInputCarry: b.fullInputCarry });
  return { full, partial };
}

describe('an area scored on partial input is marked so', () => {
  it('report.json: diff.degradedAreas names the area and the kinds; valid against the published schema', async () => {
    const { full, partial } = await runs();
    expect(partial.diff?.degradedAreas).toEqual({ 'pod-security': ['limitranges'] });
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    (addFormatsModule as unknown as (a: Ajv2020) => Ajv2020)(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(join(ROOT, 'schemas/report.schema.json'), 'utf8')));
    expect(validate(JSON.parse(JSON.stringify(partial))), JSON.stringify(validate.errors)).toBe(true);
    // A complete run after it: no area marked.
    const again = auditSnapshot({ snapshot: structuredClone(demo), config, checks: CHECKS, now: NOW, startedAt: NOW, runId: 'run-3' }).report;
    const d = diffRuns(partial, again, { rules: config.regression, expiredWaivers: [], fullInputRuns: { 'pod-security.resource-limits-missing': 'run-1' }, fullInputReport: full });
    expect(d.degradedAreas).toBeUndefined();
  });

  it('report.html shows it on the pod-security score card and nowhere else', async () => {
    const { full, partial } = await runs();
    const html = renderHtml(partial, { previous: full } as Parameters<typeof renderHtml>[1]);
    const card = html.match(/<div class="card [^"]*" data-area="pod-security">[\s\S]*?<\/div>\s*<\/div>/)?.[0] ?? '';
    expect(card).toContain(NOTE);
    const tls = html.match(/<div class="card [^"]*" data-area="tls">[\s\S]*?<\/div>\s*<\/div>/)?.[0] ?? '';
    expect(tls).not.toBe('');
    expect(tls).not.toContain('partial input');
    expect(renderHtml(full, {} as Parameters<typeof renderHtml>[1])).not.toContain('partial input');
    // The printed cover says it in two words (its page holds the whole cover: the partial-run
    // banner above the table names the kinds); the whole note in the cell's title.
    const cover = html.match(/<tr data-area="pod-security">[\s\S]*?<\/tr>/)?.[0] ?? '';
    expect(cover).toContain(`<div class="share partial-input" title="${NOTE}">partial input</div>`);
  });

  it('Slack and the email say it beside the pod-security score', async () => {
    const { partial } = await runs();
    const slack = buildSlackMessage(partial);
    const thread = JSON.stringify(slack.thread.blocks);
    expect(thread).toMatch(/• pod-security: [^\\]*score computed on partial input: limitranges could not be read/);
    expect(JSON.stringify(slack.blocks)).toContain('pod-security score computed on partial input');
    const email = buildEmail(partial, false);
    expect(email.text).toMatch(new RegExp(`Pod Security Admission: [^\\n]*\\(${NOTE}\\)`));
    expect(email.html).toContain(NOTE);
  });
});
