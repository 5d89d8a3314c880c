// A ServiceAccount bound to a `*/*/*` ClusterRole: its cluster-admin finding implies the
// wildcard one, which a waiver on the role covers. The waived consequence, folded under the
// cluster-admin row, keeps its waiver in the HTML and is not counted as open; report.sarif
// points the subject (no manifest of its own) at the binding that grants it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CHECKS } from '../../../checks/index.ts';
import { runDetails } from '../../../src/analysis/details.ts';
import { loadManifests } from '../../../src/collect/manifests.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import { renderFormat } from '../../../src/report/render.ts';
import { diffRuns } from '../../../src/diff/diff.ts';
import { buildSlackMessage } from '../../../src/notify/slack.ts';
import { buildEmail } from '../../../src/notify/email.ts';
import { runCounts } from '../../../src/report/counts.ts';

const RBAC = `apiVersion: v1
kind: Namespace
metadata: {name: app}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: wide}
rules:
- apiGroups: ["*"]
  resources: ["*"]
  verbs: ["*"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: wide-b}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: wide}
subjects:
- {kind: ServiceAccount, name: ci, namespace: app}
- {kind: Group, name: devs}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader, namespace: app}
rules:
- apiGroups: [""]
  resources: ["*"]
  verbs: ["get"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: reader-b, namespace: app}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects:
- {kind: User, name: bob}
`;
const CFG = `cluster: {name: folded}
waivers:
  - check: rbac.wildcard-permission
    resource: {kind: ClusterRole, name: wide}
    reason: "accepted until rewrite"
    owner: team@x.example
    expires: 2027-03-31
`;

const dir = mkdtempSync(join(tmpdir(), 'ztaudit-folded-waived-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'rbac.yaml'), RBAC);
writeFileSync(join(dir, 'cfg.yaml'), CFG);
const now = new Date('2026-12-01T00:00:00Z');
const { config } = loadConfig(join(dir, 'cfg.yaml'), dir, new Set(CHECKS.map((c) => c.id)));
const snapshot = loadManifests([join(dir, 'rbac.yaml')], { clusterName: 'folded', cwd: dir });
const { report } = auditSnapshot({ snapshot, config, checks: CHECKS, now, startedAt: now, runId: 'run-1', details: runDetails });
const onCi = (check: string) => report.findings.find((f) => f.check === check && f.resource.kind === 'ServiceAccount' && f.resource.name === 'ci')!;

describe('a waived finding folded under a broader one', () => {
  const admin = onCi('rbac.cluster-admin-binding');
  const wildcard = onCi('rbac.wildcard-permission');

  it('is in the scene as the reviewer found it: waived and folded under the cluster-admin finding', () => {
    expect(admin.waived).toBe(false);
    expect(wildcard.waived).toBe(true);
    expect(wildcard.impliedBy).toBe(admin.fingerprint);
  });

  it('is marked waived, with its reason, owner and expiry, in the list under its cause', () => {
    const html = renderFormat(report, 'html').replace(/<wbr>/g, '');
    const group = html.slice(html.indexOf('id="check-rbac.cluster-admin-binding"'));
    const row = group.slice(group.indexOf('<code>app/ci</code>'));
    const implies = row.slice(row.indexOf('<div class="implies">'), row.indexOf('</div>', row.indexOf('<div class="implies">')));
    const implied = report.findings.filter((f) => f.impliedBy === admin.fingerprint);
    expect(implies).toContain(`Also follows from this (${implied.length}, 1 waived)`);
    const item = implies.split('<li').find((li) => li.includes('rbac.wildcard-permission'))!;
    expect(item).toContain('class="waived"');
    expect(item).toContain('<span class="pill waived">waived</span>');
    expect(item).toContain('accepted until rewrite — team@x.example, until 2027-03-31');
    // Open consequences carry no waived mark.
    const open = implies.split('<li').find((li) => li.includes('rbac.secrets-read') || li.includes('rbac.exec-into-pods'));
    if (open) expect(open).not.toContain('waived');
  });

  it('is not counted as an open finding of its severity on its group\'s "Folded:" line', () => {
    // bob's wildcard grant (a Role, not cluster-admin) is a row of its own; the two waived
    // wildcard findings of ci and devs are folded under their cluster-admin findings.
    const folded = report.findings.filter((f) => f.check === 'rbac.wildcard-permission' && f.impliedBy !== undefined);
    expect(folded.map((f) => f.waived)).toEqual([true, true]);
    expect(report.findings.some((f) => f.check === 'rbac.wildcard-permission' && f.resource.name === 'bob' && !f.waived && f.impliedBy === undefined)).toBe(true);
    const html = renderFormat(report, 'html').replace(/<wbr>/g, '');
    const group = html.slice(html.indexOf('id="check-rbac.wildcard-permission"'));
    const line = /<p class="more folded-rows">([^<]*)<\/p>/.exec(group.slice(0, group.indexOf('</details>')))![1];
    expect(line).toMatch(/^Folded: 2 waived findings follow from a broader finding on the same subject/);
    expect(line).not.toMatch(/\d+ (critical|high|medium|low)/);
  });
});

describe('a waived folded finding in report.md, Slack and the email', () => {
  const admin = onCi('rbac.cluster-admin-binding');
  const openImplied = report.findings.filter((f) => f.impliedBy === admin.fingerprint && !f.waived);
  // The run before had the Namespace alone: every RBAC finding is new, the waived one too.
  writeFileSync(join(dir, 'ns.yaml'), RBAC.split('---')[0]);
  const before = auditSnapshot({ snapshot: loadManifests([join(dir, 'ns.yaml')], { clusterName: 'folded', cwd: dir }), config, checks: CHECKS, now, startedAt: now, runId: 'run-0', details: runDetails }).report;
  const diffed = { ...report, diff: diffRuns(before, report, { rules: config.regression, expiredWaivers: [] }) };

  it('report.md names it on its cause\'s row as waived, with its waiver, and counts it as waived, not open', () => {
    const md = renderFormat(report, 'md');
    const row = md.split('\n').find((l) => l.startsWith('| critical | `rbac.cluster-admin-binding` | ServiceAccount app/ci |'))!;
    expect(row).toContain('<br>Also follows from this, waived (1, not counted as open): `rbac.wildcard-permission` (accepted until rewrite — team&#64;x.example, until 2027-03-31) |');
    // Never a row of its own among the open findings, and counted with the waived.
    expect(md).not.toMatch(/^\| high \| `rbac\.wildcard-permission` \| ServiceAccount app\/ci/m);
    const c = runCounts(report);
    expect(md).toContain(`**${c.open} open findings**`);
    expect(md).toMatch(new RegExp(`, ${c.waived} waived\\.`));
    expect(report.findings.filter((f) => !f.waived).length).toBe(c.open);
  });

  it("Slack's 'also implies' names it apart as waived, not among the open ones it counts", () => {
    const msg = buildSlackMessage(diffed);
    const texts = [...msg.blocks, ...msg.thread.blocks].map((b) => (b as { text?: { text?: string } }).text?.text ?? '').join('\n');
    const lines = texts.split('\n').filter((l) => l.includes('↳ also implies'));
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) {
      expect(l).toContain(`↳ also implies ${openImplied.length} open: `);
      expect(l).toMatch(/ · 1 waived \(not counted as open\): `rbac\.wildcard-permission`$/);
      expect(l.slice(0, l.indexOf(' · '))).not.toContain('rbac.wildcard-permission');
    }
  });

  it("Slack, when every folded finding is waived, says 'also implies N waived', as the email does, not '0 open'", () => {
    const allWaived = { ...diffed, findings: diffed.findings.map((f) => (f.impliedBy === admin.fingerprint ? { ...f, waived: true } : f)) };
    const implied = allWaived.findings.filter((f) => f.impliedBy === admin.fingerprint);
    const msg = buildSlackMessage(allWaived);
    const texts = [...msg.blocks, ...msg.thread.blocks].map((b) => (b as { text?: { text?: string } }).text?.text ?? '').join('\n');
    const lines = texts.split('\n');
    const ci = lines.findIndex((l) => l.includes('`rbac.cluster-admin-binding` on `ServiceAccount app/ci`'));
    expect(ci).toBeGreaterThanOrEqual(0);
    expect(lines[ci + 1]).toMatch(new RegExp(`^ +↳ also implies ${implied.length} waived \\(not counted as open\\): \``));
    expect(texts).not.toContain('also implies 0 open');
    expect(buildEmail(allWaived, false).text).toContain(`also implies ${implied.length} waived (not counted as open): `);
  });

  it("the email's 'also implies' names it apart as waived, in its text and HTML parts", () => {
    const mail = buildEmail(diffed, false);
    expect(mail.text).toContain(`also implies ${openImplied.length} open: `);
    expect(mail.text).toContain('also implies 1 waived (not counted as open): rbac.wildcard-permission');
    expect(mail.html).toContain(`Also implies ${openImplied.length} open: `);
    expect(mail.html).toContain('class="implied-waived">Also implies 1 waived (not counted as open): rbac.wildcard-permission</span>');
  });
});

describe('report.sarif for a subject with no manifest of its own', () => {
  it('points at the binding that grants it (docs/report-formats.md), not at the role', () => {
    const sarif = JSON.parse(renderFormat(report, 'sarif', { sources: snapshot.sources })) as { runs: Array<{ results: Array<{ ruleId: string; properties: { resource: { kind: string; name: string } }; locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } } }> }> }> };
    const bindingLine = RBAC.split('\n').indexOf('kind: ClusterRoleBinding'); // 0-based line of `kind`, the document starts a line above
    const results = sarif.runs[0].results.filter((r) => r.ruleId.startsWith('rbac.cluster-admin-binding'));
    const subjects = results.filter((r) => ['ServiceAccount', 'Group'].includes(r.properties.resource.kind));
    expect(subjects.map((r) => `${r.properties.resource.kind} ${r.properties.resource.name}`).sort()).toEqual(['Group devs', 'ServiceAccount ci']);
    for (const r of subjects) {
      expect(r.locations[0].physicalLocation.artifactLocation.uri).toBe('rbac.yaml');
      expect(r.locations[0].physicalLocation.region?.startLine).toBe(bindingLine);
    }
  });
});
