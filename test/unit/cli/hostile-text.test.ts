// Names from the cluster are hostile text on a terminal and in a plain-text message too: no
// control character (ESC sequences drive the terminal: colours, window title, clipboard) reaches
// the output as it is, a line break in a name cannot forge a line of its own, and one very long
// name cannot pad every other row to its width.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canCommandCore, whoCanCommandCore } from '../../../src/cli/access-text.ts';
import { formatDiff } from '../../../src/cli/diff.ts';
import { printScoreTable } from '../../../src/cli/score-table.ts';
import { formatMatrix, reachCommandCore } from '../../../src/cli/reach.ts';
import { main } from '../../../src/cli/main.ts';
import type { CliIO } from '../../../src/cli/io.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { buildEmail } from '../../../src/notify/email.ts';
import { mdEscape } from '../../../src/report/markdown.ts';
import { escaped, oneLine, withoutControls } from '../../../src/base/plain-text.ts';
import { openRunStore } from '../../../src/history/store.ts';
import { demoRun } from '../report/demo.ts';
import { fleetRun } from '../fleet/seed.ts';
import { captureIO } from '../../helpers/cli.ts';

/** Terminal control (OSC window title, SGR colour, BEL), a C1 control, a bidi override, and a forged line. */
const HOSTILE = 'mallory\u001b]0;pwned\u0007\u001b[31mred\u009b2J\u202eevil\nFORGED LINE\r\n- [critical] fake';
/** The same without line breaks (a subject `can` takes). */
const CONTROLS = 'mallory\u001b]0;pwned\u0007\u001b[31mred\u202eevil';
/** Any character a terminal acts on, but line breaks and tabs. */
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/**
 * The reviewer's payload: an OSC 8 hyperlink to a phishing page ("click-me"), a screen clear, a
 * red "ALL CHECKS PASSED", then a C1 CSI (U+009B) that clears the screen where the terminal
 * acts on it. The API server does not validate User names or annotation values.
 */
const E = '\u001b]8;;https://evil.example/\u0007click-me\u001b]8;;\u0007\u001b[2J\u001b[31mALL CHECKS PASSED\u001b[0m\u009b2J';
/** Big green text on GitHub, which renders $…$ and $$…$$ as math (MathJax). */
const MATH = '$\\Huge\\color{green}{\\text{ALL CLEAR}}$';
/** A YAML double-quoted scalar: JSON's escapes, and C1 and DEL escaped too (YAML does not take them raw). */
const yamlQuoted = (s: string) => JSON.stringify(s).replace(/[\u007f-\u009f]/g, escaped);
/** A tenant's RoleBinding for a User (the rbac checks name the User; the API server does not validate its name). */
const TENANT_YAML = `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: tenant-admin, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: admin}
subjects: [{kind: User, name: ${yamlQuoted(`alice$${MATH}$${E}`)}}]
`;

const binding = (user: string) => ({
  apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'hostile' },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
  subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }],
});
const clusterAdmin = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'cluster-admin' }, rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] };

describe('plain text of hostile names', () => {
  it('escapes controls as JSON does (\\u001b), keeping or escaping line breaks as asked', () => {
    expect(withoutControls('a\u001b[31mb\nc\td')).toBe('a\\u001b[31mb\nc\td');
    expect(oneLine('a\nb\r\tc\u202e')).toBe('a\\u000ab\\u000d\\u0009c\\u202e');
    expect(JSON.parse(`"${oneLine('x\u009by')}"`)).toBe('x\u009by');
  });

  it('who-can and can: each subject on its own row, no control character, columns at most 60 wide', () => {
    const snapshot = snapshotFromObjects([clusterAdmin as never, binding(HOSTILE) as never, { ...binding(`long-${'x'.repeat(200_000)}`), metadata: { name: 'long' } } as never], { clusterName: 'c' });
    const who = whoCanCommandCore(snapshot, { verb: 'get', resource: 'secrets' });
    expect(who.output).not.toMatch(RAW_CONTROL);
    expect(who.output).not.toMatch(/^FORGED LINE/m);
    expect(who.output).not.toMatch(/^- \[critical\] fake/m);
    const rows = who.output.split('\n').filter((l) => l.startsWith('User:mallory') || l.startsWith('User:long-'));
    expect(rows).toHaveLength(2);
    // The short subject's row is not padded to the 200,000-character name.
    expect(Math.min(...rows.map((r) => r.length))).toBeLessThan(1000);
    // A subject with a line break is not one `can` takes; the error quotes it escaped.
    const refused = canCommandCore(snapshot, { subject: `User:${HOSTILE}` });
    expect(refused.exitCode).toBe(2);
    expect(refused.output).not.toMatch(RAW_CONTROL);
    expect(refused.output).not.toMatch(/^FORGED LINE/m);
    // The question (a namespace or name a script took from the cluster) stays on its line, in the answer and in each warning.
    for (const asked of [whoCanCommandCore(snapshot, { verb: 'get', resource: 'secrets', namespace: HOSTILE, name: HOSTILE }), canCommandCore(snapshot, { subject: 'User:x', verb: 'get', resource: 'secrets', namespace: HOSTILE, name: HOSTILE })]) {
      expect(asked.output).toContain('mallory');
      expect(asked.output).not.toMatch(RAW_CONTROL);
      expect(asked.output).not.toMatch(/^FORGED LINE/m);
    }
    const doubted = whoCanCommandCore(snapshot, { verb: HOSTILE, resource: HOSTILE, namespace: HOSTILE });
    expect(doubted.warnings).toHaveLength(3);
    for (const w of doubted.warnings ?? []) {
      expect(w).toContain('mallory');
      expect(w).not.toMatch(RAW_CONTROL);
      expect(w).not.toMatch(/[\n\r]/);
    }
    const can = canCommandCore(snapshotFromObjects([clusterAdmin as never, binding(CONTROLS) as never], { clusterName: 'c' }), { subject: `User:${CONTROLS}` });
    expect(can.output).toContain('Permissions of User:mallory');
    expect(can.output).not.toMatch(RAW_CONTROL);
  });

  it('diff: a hostile resource name and regression reason stay on their lines', () => {
    const { report, previous } = demoRun({ change: (s) => { s.resources.clusterroles = [...(s.resources.clusterroles ?? []), clusterAdmin as never]; s.resources.clusterrolebindings = [...(s.resources.clusterrolebindings ?? []), binding(HOSTILE) as never]; } });
    const text = formatDiff(previous, report, report.diff!);
    expect(text).toContain('mallory');
    expect(text).not.toMatch(RAW_CONTROL);
    expect(text).not.toMatch(/^FORGED LINE/m);
    expect(text).not.toMatch(/^- \[critical\] fake/m);
  });

  it('the email\'s text part: the cluster name and each new finding stay on their lines', () => {
    const { report } = demoRun({ change: (s) => { s.resources.clusterroles = [...(s.resources.clusterroles ?? []), clusterAdmin as never]; s.resources.clusterrolebindings = [...(s.resources.clusterrolebindings ?? []), binding(HOSTILE) as never]; } });
    report.run.cluster.name = HOSTILE;
    const { text } = buildEmail(report, false);
    expect(text).toContain('mallory');
    expect(text).not.toMatch(RAW_CONTROL);
    expect(text).not.toMatch(/^FORGED LINE/m);
    expect(text).not.toMatch(/^- \[critical\] fake/m);
  });

  it('reach --matrix as text: each pair on its own line', () => {
    const text = formatMatrix([{ from: `Deployment shop/${HOSTILE}`, to: 'Deployment shop/db', conns: { TCP: [[80, 80]], UDP: [], SCTP: [] } } as never], 'text');
    expect(text).toContain('mallory');
    expect(text).not.toMatch(RAW_CONTROL);
    expect(text.split('\n')).toHaveLength(1);
  });

  it('reach --matrix as CSV: a namespace a spreadsheet would run as a formula is a quoted text cell, as in report.csv', () => {
    // OWASP "CSV Injection": a cell opening with = + - @ (or a tab or CR) is prefixed with a single quote.
    const pod = (namespace: string, name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace, labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
    const snapshot = snapshotFromObjects([pod('=1+1', 'web'), pod('@SUM(A1)', 'db')] as never);
    const csv = reachCommandCore(snapshot, { matrix: true, output: 'csv' }).output;
    const cells = csv.split('\n').slice(1).flatMap((line) => line.split(',').slice(0, 2));
    expect(cells).toContain("'=1+1/web[Pod]");
    expect(cells).toContain("'@SUM(A1)/db[Pod]");
    expect(cells.filter((c) => /^[=+\-@]/.test(c))).toEqual([]);
  });

  it('reach for one flow as text: each policy, workload and mesh policy name stays on its line', () => {
    const labels = (app: string) => ({ matchLabels: { app } });
    const deployment = (namespace: string, name: string, app: string) => ({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace },
      spec: { selector: labels(app), template: { metadata: { labels: { app } }, spec: { containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 80 }] }] } } },
    });
    const snapshot = snapshotFromObjects([
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'istio-injection': 'enabled' } } },
      deployment('shop', HOSTILE, 'a'),
      deployment('shop', 'b', 'b'),
      { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: HOSTILE, namespace: 'shop' }, spec: { podSelector: labels('b'), ingress: [{ from: [{ podSelector: labels('a') }] }] } },
      { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: `egress-${HOSTILE}`, namespace: 'shop' }, spec: { podSelector: labels('a'), policyTypes: ['Egress'], egress: [{ to: [{ podSelector: labels('b') }] }] } },
      { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: HOSTILE, namespace: 'shop' }, spec: { selector: labels('b'), rules: [{ to: [{ operation: { ports: ['80'] } }] }] } },
    ] as never[], { clusterName: 'c' });
    for (const [from, to] of [[`shop/${HOSTILE}`, 'shop/b'], ['10.1.2.3', 'shop/b'], [`shop/${HOSTILE}`, 'shop/nope']]) {
      const r = reachCommandCore(snapshot, { from, to, port: '80' });
      expect(r.output).toContain('mallory');
      expect(r.output).not.toMatch(RAW_CONTROL);
      expect(r.output).not.toMatch(/^FORGED LINE/m);
      expect(r.output).not.toMatch(/^- \[critical\] fake/m);
    }
    const allowed = reachCommandCore(snapshot, { from: `shop/${HOSTILE}`, to: 'shop/b', port: '80' });
    expect(allowed.exitCode).toBe(0);
    expect(allowed.output).toContain('by AuthorizationPolicy shop/mallory');
    // JSON keeps the names as they are: JSON.stringify escapes them.
    expect(JSON.parse(reachCommandCore(snapshot, { from: `shop/${HOSTILE}`, to: 'shop/b', output: 'json' }).output).ingress.policies).toEqual([`shop/${HOSTILE}`]);
  });

  it('the score table after a run: the cluster name and partial lines stay on their lines', () => {
    const { report } = demoRun();
    report.run.cluster.name = HOSTILE;
    report.run.partial = [`pods could not be read (error: ${HOSTILE})`];
    const out: string[] = [];
    printScoreTable(report, { stdout: (t) => { out.push(t); }, stderr: () => {}, env: {}, isTTY: false, cwd: '.' });
    const text = out.join('');
    expect(text).toContain('mallory');
    expect(text).not.toMatch(RAW_CONTROL);
    expect(text).not.toMatch(/^FORGED LINE/m);
  });

  it('history, and the messages naming a stored run or cluster: each run on its own row, columns at most 60 wide', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ztaudit-hostile-'));
    try {
      // An imported file can give a run any id and cluster name.
      const store = await openRunStore(join(dir, 'h.db'));
      await store.save(fleetRun(`long-${'x'.repeat(10_000)}`, '20261110T010000Z-l1', '2026-11-10T01:00:00.000Z', 50));
      await store.save(fleetRun('prod', '20261110T020000Z-p1', '2026-11-10T02:00:00.000Z', 42));
      await store.save(fleetRun(HOSTILE, `20261110T030000Z-${HOSTILE}`, '2026-11-10T03:00:00.000Z', 99));
      await store.close();
      const run = async (...argv: string[]) => {
        const t = captureIO(dir);
        await main([...argv, '--history', 'h.db'], t.cli);
        return t.out() + t.err();
      };
      const table = await run('history');
      expect(table).toContain('mallory');
      expect(table).not.toMatch(RAW_CONTROL);
      expect(table).not.toMatch(/^FORGED LINE/m);
      expect(table).not.toMatch(/^- \[critical\] fake/m);
      const lines = table.trimEnd().split('\n');
      expect(lines).toHaveLength(4);
      // The short cluster's row is not padded to the 10,000-character name.
      expect(lines.find((l) => l.startsWith('20261110T020000Z-p1'))!.length).toBeLessThan(250);
      for (const argv of [['report', '20261110T0'], ['report', `x\n${HOSTILE}`], ['diff', '--last']]) {
        const text = await run(...argv);
        expect(text.trimEnd().split('\n'), argv.join(' ')).toHaveLength(1);
        expect(text).not.toMatch(RAW_CONTROL);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the CLI writes no control character to stdout or stderr, even in an error naming the user\'s input', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ztaudit-hostile-'));
    try {
      const out: string[] = [];
      const err: string[] = [];
      const io: CliIO = { stdout: (t) => { out.push(t); }, stderr: (t) => { err.push(t); }, env: {}, isTTY: false, cwd: dir };
      const code = await main(['run', '--snapshot', join(dir, 'missing\u001b]0;pwned\u0007.json.gz'), '--history', 'none', '--no-notify'], io);
      expect(code).not.toBe(0);
      expect(err.join('')).toContain('missing\\u001b]0;pwned\\u0007.json.gz');
      expect(out.join('') + err.join('')).not.toMatch(RAW_CONTROL);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('who-can on a terminal: Users "team a", "team" + no-break space + "a" and "team" + ideographic space + "a" read apart, as do a zero-width space and a bidi override', async () => {
    // U+00A0 and U+3000 are spaces (Zs, UnicodeData.txt) drawn as a gap like U+0020; the API
    // server checks a User's name for nothing but being non-empty (kubernetes
    // pkg/apis/rbac/validation/validation.go, validateRoleBindingSubject), and a ClusterRoleBinding's
    // own name is only a path segment (minimalNameRequirements: path.IsValidPathSegmentName).
    const dir = mkdtempSync(join(tmpdir(), 'ztaudit-hostile-'));
    try {
      const users = ['team a', 'team\u00a0a', 'team\u3000a', 'team\u200ba', 'team\u202ea'];
      const docs = [clusterAdmin, ...users.map((u, i) => ({ ...binding(u), metadata: { name: `tenant\u00a0${i}` } }))];
      writeFileSync(join(dir, 'rbac.yaml'), docs.map((d) => JSON.stringify(d)).join('\n---\n'));
      const out: string[] = [];
      const io: CliIO = { stdout: (t) => { out.push(t); }, stderr: () => {}, env: {}, isTTY: true, cwd: dir };
      expect(await main(['who-can', 'get', 'secrets', '--manifests', dir], io)).toBe(0);
      const text = out.join('');
      for (const shown of ['User:team a', 'User:team\\u00a0a', 'User:team\\u3000a', 'User:team\\u200ba', 'User:team\\u202ea']) expect(text).toContain(shown);
      expect(text).toContain('tenant\\u00a00');
      expect(text).not.toMatch(/[\u00a0\u3000\u200b\u202e]/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('on a terminal, a warning that quotes a name stays on its line (a manifest file named with a line break)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ztaudit-hostile-'));
    try {
      writeFileSync(join(dir, 'ok.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n');
      writeFileSync(join(dir, 'evil\nwarning: FORGED LINE.yaml'), 'just: a map\n');
      const err: string[] = [];
      const io: CliIO = { stdout: () => {}, stderr: (t) => { err.push(t); }, env: {}, isTTY: true, cwd: dir };
      await main(['run', '--manifests', dir, '--history', 'none', '--no-notify', '--out', join(dir, 'out')], io);
      const text = err.join('');
      expect(text).toContain('evil\\u000awarning: FORGED LINE.yaml');
      expect(text).not.toMatch(/^warning: FORGED LINE/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fleet.html shows a hostile User from two clusters\' "Findings on many clusters" as escapes: `cat fleet.html` runs no ESC, BEL or C1 sequence', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ztaudit-hostile-'));
    try {
      writeFileSync(join(dir, 'tenant.yaml'), TENANT_YAML);
      for (const cluster of ['eu-1', 'us-1']) {
        const t = captureIO(dir);
        expect(await main(['run', '--manifests', 'tenant.yaml', '--cluster', cluster, '--history', 'h.db', '--format', 'html,md', '--no-notify', '-q', '--out', cluster], t.cli), t.err()).toBe(0);
      }
      const t = captureIO(dir);
      expect(await main(['fleet', '--history', 'h.db', '--format', 'html,md', '--out', 'fleet', '-q'], t.cli), t.err()).toBe(0);
      const html = readFileSync(join(dir, 'fleet', 'fleet.html'), 'utf8');
      const common = html.slice(html.indexOf('Findings on many clusters'));
      expect(common).toContain('User alice');
      expect(common).toContain('\\u001b]8;;https://evil.example/\\u0007click-me\\u001b]8;;\\u0007\\u001b[2J\\u001b[31mALL CHECKS PASSED\\u001b[0m\\u009b2J');
      expect(html).not.toMatch(RAW_CONTROL);
      // The run's own report already did so (renderHtml).
      expect(readFileSync(join(dir, 'eu-1', 'report.html'), 'utf8')).not.toMatch(RAW_CONTROL);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('report.md and fleet.md show a tenant\'s $…$ as dollar signs, not as GitHub math', async () => {
    // GitHub renders $…$, $$…$$ and $`…`$ in Markdown as math; "outside a math expression, but on
    // the same line, use span tags around the explicit $" to show one as itself
    // (https://docs.github.com/en/get-started/writing-on-github/working-with-advanced-formatting/writing-mathematical-expressions).
    const dir = mkdtempSync(join(tmpdir(), 'ztaudit-hostile-'));
    try {
      writeFileSync(join(dir, 'tenant.yaml'), TENANT_YAML);
      for (const cluster of ['eu-1', 'us-1']) expect(await main(['run', '--manifests', 'tenant.yaml', '--cluster', cluster, '--history', 'h.db', '--format', 'md', '--no-notify', '-q', '--out', cluster], captureIO(dir).cli)).toBe(0);
      expect(await main(['fleet', '--history', 'h.db', '--format', 'md', '--out', 'fleet', '-q'], captureIO(dir).cli)).toBe(0);
      const report = readFileSync(join(dir, 'eu-1', 'report.md'), 'utf8');
      const fleet = readFileSync(join(dir, 'fleet', 'fleet.md'), 'utf8');
      expect(report).toContain('User alice<span>$</span><span>$</span>\\\\Huge\\\\color\\{green\\}\\{\\\\text\\{ALL CLEAR\\}\\}<span>$</span><span>$</span>');
      expect(fleet).toContain('User alice<span>$</span><span>$</span>\\\\Huge');
      for (const md of [report, fleet]) expect(md.replaceAll('<span>$</span>', '')).not.toContain('$');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('off a terminal, a JSON log line shows C1 and bidirectional controls as \\u escapes, and a JSON reader gets the name back', async () => {
    // JSON.stringify escapes only U+0000–U+001F; main escapes the rest of what it prints (DEL,
    // C1, bidi) as \uXXXX, which is the same JSON string (RFC 8259, section 7).
    const dir = mkdtempSync(join(tmpdir(), 'ztaudit-hostile-'));
    try {
      const name = 'evil\u009b2J\u202eX\u007f.yaml';
      writeFileSync(join(dir, 'ok.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n');
      writeFileSync(join(dir, name), 'just: a map\n');
      const t = captureIO(dir);
      await main(['run', '--manifests', dir, '--history', 'none', '--no-notify', '--out', join(dir, 'out')], t.cli);
      const line = t.errLines().find((l) => l.includes('evil'))!;
      expect(line).toContain('evil\\u009b2J\\u202eX\\u007f.yaml');
      expect(line).not.toMatch(RAW_CONTROL);
      expect(JSON.parse(line).msg).toContain(name);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('Markdown: no www. autolink either (a GitHub comment links www.example.com without a scheme)', () => {
    expect(mdEscape('www.evil-phish.example')).not.toContain('www.');
  });
});
