import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderHtml as renderRaw, TEMPLATES_DIR } from '../../../src/report/html.ts';
import { CHECKS } from '../../../checks/index.ts';

const escapeHtml = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#x27;').replace(/`/g, '&#x60;').replace(/=/g, '&#x3D;');
import { renderSarif, type SarifLog } from '../../../src/report/sarif.ts';
import { buildRun, HOSTILE, HOSTILE_CLUSTER, syntheticReport, withPosture } from './fixtures.ts';

/** The HTML without the <wbr> break hints that long ids carry, for text assertions. */
const renderHtml = (...args: Parameters<typeof renderRaw>) => renderRaw(...args).replace(/<wbr>/g, '');

const SECTIONS = ['summary', 'top-fixes', 'changes', 'findings', 'posture', 'trend', 'exceptions', 'coverage', 'frameworks', 'methodology'];

describe('renderHtml', () => {
  it('renders every section into one self-contained file that fetches nothing and runs no script', () => {
    const { report, previous, trend } = buildRun();
    const html = renderHtml(report, { trend, previous });
    for (const id of SECTIONS) expect(html).toContain(`<section id="${id}"`);
    expect(html).toContain("Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:");
    expect(html).not.toMatch(/<script|<link|<img|<iframe|\ssrc=|@import|url\(/i);
    // The only URL is the SVG namespace, which is an identifier, not a fetch.
    expect(html.match(/https?:\/\/[^\s"']+/g)).toEqual(['http://www.w3.org/2000/svg']);
    expect(html).toContain('<polyline class="series-overall"');
    expect(html).toContain('@media print');
  });

  it('shows scores, deltas, resolved titles from the previous report, waivers and coverage gaps', () => {
    const { report, previous, trend } = buildRun();
    const html = renderHtml(report, { trend, previous });
    expect(html).toMatch(/data-area="overall">[\s\S]*?73\.5[\s\S]*?3 of 5 checks evaluated[\s\S]*?<span class="grade" title="grade">n\/a<\/span>[\s\S]*?\+2\.7/);
    expect(html).toMatch(/data-area="tls">[\s\S]*?100[\s\S]*?1 of 2 checks evaluated[\s\S]*?<span class="grade">n\/a<\/span>/);
    expect(html).toContain('ServiceAccount shop/legacy-admin');
    expect(html).toContain('vendor tool &lt;needs&gt; &quot;it&quot; &amp; more');
    expect(html).toContain('<tr class="expiring-soon">');
    expect(html).toContain('needs traefik.tlsoptions: absent');
    expect(html).toContain('check failed: boom');
    expect(html).toContain('NIST-800-53:AC-6');
  });

  it("says what each failing check protects against, from the check's own field (report.json, HTML, SARIF)", () => {
    const { report, trend, previous } = buildRun({ catalog: true });
    const html = renderHtml(report, { trend, previous });
    const rules = ((JSON.parse(renderSarif(report)) as SarifLog).runs[0] as { tool: { driver: { rules: Array<{ id: string; fullDescription?: { text: string } }> } } }).tool.driver.rules;
    const shown = report.checks.filter((c) => c.failed > 0 && CHECKS.some((k) => k.id === c.id) && html.includes(`id="check-${c.id}"`));
    expect(shown.length).toBeGreaterThan(0);
    for (const c of shown) {
      const expected = CHECKS.find((k) => k.id === c.id)!.protectsAgainst;
      expect(c.protectsAgainst).toBe(expected);
      const group = html.slice(html.indexOf(`id="check-${c.id}"`));
      expect(group.slice(0, group.indexOf('</details>'))).toContain(`<strong>Protects against.</strong> ${escapeHtml(expected)}`);
      expect(rules.find((r) => r.id === c.id)?.fullDescription?.text).toBe(`Protects against: ${expected}`);
    }
  });

  it('escapes hostile names everywhere: they stay text', () => {
    const { report, previous, trend } = buildRun({ hostile: true, clusterName: HOSTILE_CLUSTER });
    const html = renderHtml(report, { trend, previous });
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).not.toContain('<b>eu</b>');
    expect(html).not.toContain('<!channel>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('shop/{{constructor}}');
    expect(html).toContain('&lt;!channel&gt;');
    expect(html).toContain(`<h1 id="cluster-name">prod-&lt;b&gt;eu&lt;/b&gt; *bold* _it_ ~strike~ &lt;!channel&gt; {{constructor}}</h1>`);
  });

  // docs/hostile-text.md: a browser draws a line break or tab in text as a space (CSS Text 3,
  // "white-space: normal" collapses segment breaks and tabs), so a name "web\nadmin" would read
  // as "web admin" on the page. Inside a name from the cluster it is shown as \u000a, \u000d,
  // \u0009, as the terminal and report.md show it; the page's own markup keeps its line breaks.
  it('shows a line break, carriage return and tab inside a name from the cluster as \\u000a, \\u000d, \\u0009: never as a space', () => {
    const { report, previous, trend } = buildRun({ clusterName: 'prod\neu' });
    const f = report.findings.find((x) => !x.waived)!;
    f.resource = { ...f.resource, name: 'web\nadmin\r\tx' };
    f.message = 'ServiceAccount web\nadmin can list secrets';
    const waived = report.findings.find((x) => x.waived && x.waiver)!;
    waived.waiver = { ...waived.waiver!, reason: 'first line\nsecond line' };
    const html = renderHtml(report, { trend, previous });
    expect(html).toContain('<h1 id="cluster-name">prod\\u000aeu</h1>');
    // What the browser shows: tags dropped, every run of whitespace one space.
    const shown = html.replace(/<style[\s\S]*?<\/style>/g, '').replace(/<[^>]*>/g, '').replace(/\s+/g, ' ');
    expect(shown).toContain('web\\u000aadmin\\u000d\\u0009x');
    expect(shown).toContain('ServiceAccount web\\u000aadmin can list secrets');
    expect(shown).not.toMatch(/web admin|prod eu/);
    expect(html).not.toMatch(/web\s+admin|prod\s+eu/);
    // The page's own markup is untouched; a waiver's justification keeps its lines (shown pre-wrap).
    expect(html.startsWith('<!DOCTYPE html>\n')).toBe(true);
    expect(html).toContain('<dd>first line\nsecond line — ');
  });

  // The exceptions register shows the same justification as the waived finding does: the
  // operator's own text, its lines kept in a pre-wrap cell, never as \u000a escapes.
  it("keeps a waiver's justification lines in the exceptions register, as beside the waived finding", () => {
    const { report, previous, trend } = buildRun({});
    expect(report.waivers.length).toBeGreaterThan(0);
    report.waivers[0] = { ...report.waivers[0], reason: 'CI needs it until the rewrite.\nTicket SEC-123.' };
    const html = renderHtml(report, { trend, previous });
    expect(html).toContain('<td data-label="Reason" class="justification">CI needs it until the rewrite.\nTicket SEC-123.</td>');
    expect(html).not.toContain('rewrite.\\u000aTicket');
    expect(html).toMatch(/\.justification\{white-space:pre-wrap\}/);
  });

  it('uses no triple-stash in any template', () => {
    const files = [...readdirSync(TEMPLATES_DIR).filter((f) => f.endsWith('.hbs')), ...readdirSync(join(TEMPLATES_DIR, 'partials')).map((f) => join('partials', f))];
    expect(files.length).toBeGreaterThan(8);
    for (const f of files) expect(readFileSync(join(TEMPLATES_DIR, f), 'utf8'), f).not.toMatch(/\{\{\{|\{\{&/);
  });

  it('keeps a 50,000-finding report small and bounded: collapsed groups, capped rows, the rest counted', () => {
    const big = syntheticReport(50_000);
    const html = renderHtml(big, {});
    const bytes = Buffer.byteLength(html);
    const rows = (html.match(/<tr/g) ?? []).length;
    expect(bytes).toBeLessThan(600_000);
    expect(rows).toBeLessThan(600);
    expect(html).toContain('9,950 more in report.json');
    // Only critical and high groups start open.
    const open = [...html.matchAll(/<details class="check"[^>]*data-sev="(\w+)"[^>]*\sopen>/g)].map((m) => m[1]);
    expect(open.length).toBeGreaterThan(0);
    expect(open.every((sev) => sev === 'critical' || sev === 'high')).toBe(true);
    expect(html).toMatch(/<details class="check"[^>]*data-sev="medium">/);
  });

  it('shows the posture section between findings and trend, with its nav link', () => {
    const { report, previous, trend } = buildRun();
    const html = renderHtml(withPosture(report), { trend, previous });
    expect(html.indexOf('<section id="findings"')).toBeLessThan(html.indexOf('<section id="posture"'));
    expect(html.indexOf('<section id="posture"')).toBeLessThan(html.indexOf('<section id="trend"'));
    expect(html).toMatch(/<a href="#findings">Findings<\/a><a href="#posture">Posture<\/a><a href="#trend">Trend<\/a>/);
    const posture = html.slice(html.indexOf('<section id="posture"'), html.indexOf('<section id="trend"'));
    expect(posture).toContain('<table class="breadth stack">');
    expect(posture).toMatch(/Group <code>group-1<\/code>[\s\S]*?800 → 11,007 <span class="delta down">\+1275\.9%<\/span>/);
    expect(posture).toContain('<rect class="m-good" x="0" y="0" width="166.7" height="22"><title>STRICT: 2 (16.7%)</title></rect>');
    expect(posture).toContain('Not STRICT or authenticated (8)');
    expect(posture).toContain('<span class="pill">LoadBalancer</span> <code>Service edge/lb-0</code> TCP 443');
    expect((posture.match(/<tr/g) ?? []).length).toBe(3 + 10 + 8 + 6);
  });

  it('marks a partial run on the cover, as the summary does: the banner with what could not be read, each area\'s share of checks evaluated', () => {
    const { report, previous, trend } = buildRun();
    report.run.partial = ['networkpolicies could not be read (forbidden: <b>x</b>)'];
    const html = renderHtml(report, { trend, previous });
    const cover = html.slice(html.indexOf('<section class="cover"'), html.indexOf('<section id="summary"'));
    expect(cover).toContain('<div class="banner bad partial"><strong>Partial run:</strong>');
    expect(cover).toContain('<li>networkpolicies could not be read (forbidden: &lt;b&gt;x&lt;/b&gt;)</li>');
    const tls = report.checks.filter((c) => c.area === 'tls');
    expect(tls.some((c) => c.status === 'not-evaluated')).toBe(true);
    expect(cover).toMatch(/<tr data-area="tls"><td>[^<]*<\/td><td>[^<]+<div class="share">\d+ of \d+ checks evaluated<\/div><\/td><td>n\/a<\/td><\/tr>/);
    expect(cover).toMatch(/grade [^<,]*, \d+ of \d+ checks evaluated/);
    const whole = renderHtml({ ...report, run: { ...report.run, partial: [] } }, { trend, previous });
    expect(whole.slice(whole.indexOf('<section class="cover"'), whole.indexOf('<section id="summary"'))).not.toContain('Partial run');
  });

  it('states a partial run\'s carried open findings on the printed cover (the sign-off page) as the summary does', () => {
    const { report, previous, trend } = buildRun();
    const blind = report.checks.find((c) => c.status === 'not-evaluated')!;
    report.run.partial = ['networkpolicies could not be read (forbidden)'];
    report.run.lastEvaluatedOpen = [{ check: blind.id, runId: 'run-<b>1</b>', open: { critical: 1, high: 16, medium: 0, low: 0 } }];
    const html = renderHtml(report, { trend, previous });
    const cover = html.slice(html.indexOf('<section class="cover"'), html.indexOf('<section id="summary"'));
    const summary = html.slice(html.indexOf('<section id="summary"'), html.indexOf('<section id="top-fixes"'));
    const note = '+17 in 1 check not evaluated, as of run run-&lt;b&gt;1&lt;/b&gt;';
    expect(summary).toContain(`open findings (${note}): those checks' findings are not in this run's counts or scores.`);
    expect(cover).toMatch(new RegExp(`<dt>Open findings</dt><dd>[^<]*<div class="carried-note">${note.replace(/[+()]/g, '\\$&')}: those checks' findings are not in this run's counts or scores</div></dd>`));
    delete report.run.lastEvaluatedOpen;
    const whole = renderHtml(report, { trend, previous });
    expect(whole.slice(whole.indexOf('<section class="cover"'), whole.indexOf('<section id="summary"'))).not.toContain('carried-note');
  });

  it('explains each omitted posture part in one line', () => {
    const { report } = buildRun();
    report.details = {};
    report.run.coverage = { ...report.run.coverage, clusterroles: { status: 'forbidden', detail: 'list clusterroles' } };
    const html = renderHtml(report, {});
    const posture = html.slice(html.indexOf('<section id="posture"'), html.indexOf('<section id="trend"'));
    expect(posture).toContain('<p class="empty omitted">RBAC kinds were not collected (clusterroles: forbidden');
    expect(posture).toContain('<p class="empty omitted">No service mesh (Istio, Linkerd or Consul) was found');
    expect(posture).not.toContain('<table');
    expect(posture).not.toContain('<svg');
  });

  it('escapes hostile names in the posture data', () => {
    const { report, previous, trend } = buildRun({ hostile: true, clusterName: HOSTILE_CLUSTER });
    const html = renderHtml(withPosture(report, { hostile: true }), { trend, previous });
    const posture = html.slice(html.indexOf('<section id="posture"'), html.indexOf('<section id="trend"'));
    expect(posture).not.toContain('<script>');
    expect(posture).not.toContain('<!channel>');
    expect(posture).toContain('ci/&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(posture).toContain('team-01/{{constructor}}');
    expect(posture).toContain('<code>Service edge/&lt;script&gt;alert(1)&lt;/script&gt;</code>');
    expect(posture).toContain('<code>edge/&lt;!channel&gt;</code>');
    for (const h of HOSTILE.filter((x) => x.startsWith('<'))) expect(posture).not.toContain(h);
  });

  it('keeps the posture section bounded in a 50,000-finding report with 30,000 workloads', () => {
    const big = withPosture(syntheticReport(50_000), { subjects: 200, meshWorkloads: 30_000, exposed: 30_000 });
    const html = renderHtml(big, {});
    const posture = html.slice(html.indexOf('<section id="posture"'), html.indexOf('<section id="trend"'));
    expect((posture.match(/<tr/g) ?? []).length).toBe(3 + 10 + 50 + 50);
    expect(posture).toContain('19,950 more in report.json');
    expect(posture).toContain('29,950 more in report.json');
    expect(Buffer.byteLength(html)).toBeLessThan(700_000);
  });
});

describe('changes: alerts carried from an earlier run and checks evaluated for the first time', () => {
  it('shows each undelivered alert with its reasons, escaped, and names the first-evaluated checks with their count of findings', () => {
    const { report, previous, trend } = buildRun();
    report.diff = {
      ...report.diff!,
      undelivered: [
        { runId: 'run-20261124-0200', reasons: ['1 new finding(s) of severity high or above', 'score fell by <b>12</b>'] },
        { runId: 'run-20261125-0200', reasons: ['no longer covered by its waiver'] },
      ],
      firstEvaluated: ['fake.network-namespace-open', 'fake.rbac-wide-serviceaccount'],
    };
    const html = renderHtml(report, { trend, previous });
    const changes = html.slice(html.indexOf('<section id="changes"'), html.indexOf('</section>', html.indexOf('<section id="changes"')));
    expect(changes).toContain('<strong>Not delivered after run <span class="mono">run-20261124-0200</span>:</strong>\n      <ul><li>1 new finding(s) of severity high or above</li><li>score fell by &lt;b&gt;12&lt;/b&gt;</li></ul>');
    expect(changes).toContain('<strong>Not delivered after run <span class="mono">run-20261125-0200</span>:</strong>\n      <ul><li>no longer covered by its waiver</li></ul>');
    // Waived findings are not new: 3 of their 5 findings are open.
    expect(changes).toContain(escapeHtml('Compared with nothing: evaluated for the first time in this history — all 3 of their findings are new: fake.network-namespace-open, fake.rbac-wide-serviceaccount.'));
  });

  it('a run stored by an earlier version, with points for an area its scoreDelta left n/a: no points and no unitemised "Other" rest (ztaudit serve renders stored runs)', () => {
    const { report, previous, trend } = buildRun();
    const was = { before: 56.7, after: 51.7, delta: -5, causes: [
      { kind: 'resolved-findings' as const, check: 'fake.rbac-wide-serviceaccount', count: 2, points: -1, text: '2 resolved findings' },
      { kind: 'unitemised' as const, check: '', count: 0, points: -4, text: 'passing results whose per-result severity report.json does not itemise' },
    ] };
    report.diff = { ...report.diff!, scoreDelta: { overall: null, areas: { ...report.diff!.scoreDelta.areas, tls: null, mtls: null } },
      scoreChanges: { tls: was, mtls: { ...was, causes: [was.causes[1]] } } };
    const html = renderHtml(report, { trend, previous });
    const changes = html.slice(html.indexOf('<h3>Why the scores moved</h3>'), html.indexOf('<h3>New findings</h3>'));
    expect(changes).not.toContain('data-area="mtls"');
    expect(changes).not.toContain('does not itemise');
    expect(changes).not.toContain('data-points');
    expect(changes).toContain('<span class="delta flat" data-delta="n/a">n/a</span>');
    expect(changes).toContain('<span class="cause">2 resolved findings</span>');
  });

  it('shows neither when the diff has no such fields', () => {
    const { report, previous, trend } = buildRun();
    const html = renderHtml(report, { trend, previous });
    expect(html).not.toContain('Not delivered after run');
    expect(html).not.toContain('evaluated for the first time');
  });
});
