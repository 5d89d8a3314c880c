// A kubeconfig's server URL may carry a credential in its query (https://10.0.0.1:6443/?token=…,
// OAuth 2.0's access_token: https://www.rfc-editor.org/rfc/rfc6750#section-2.3). Credentials never
// appear in any output: the value of every parameter whose name says credential is redacted, as
// libpq's password= was, wherever the server URL is shown — report.json, the other formats, a run
// rendered again from the history, the terminal.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../../../src/cli/io.ts';
import { main } from '../../../src/cli/main.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { renderHtml } from '../../../src/report/html.ts';
import { writeSnapshot } from '../../../src/snapshot/io.ts';
import { buildRun } from '../report/fixtures.ts';

const SECRETS = ['t0kenABC', 'acc3ssDEF', 'pa55GHI', 'cl1entJKL'];
const SERVER = `https://10.0.0.1:6443/?token=${SECRETS[0]}&access_token=${SECRETS[1]}&password=${SECRETS[2]}&client_secret=${SECRETS[3]}&timeout=30s`;
const SHOWN = 'https://10.0.0.1:6443/?token=***&access_token=***&password=***&client_secret=***&timeout=30s';

function io(cwd: string) {
  const out: string[] = [];
  const err: string[] = [];
  const cli: CliIO = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env: {}, isTTY: false, cwd };
  return { cli, all: () => out.join('') + err.join(''), err: () => err.join('') };
}

const leaks = (text: string) => SECRETS.filter((s) => text.includes(s));

describe('a server URL with a credential in its query', () => {
  it('is shown redacted in report.json and every other format, in a run rendered again from the history, and in the history listing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zt-serverurl-'));
    const snapshot = snapshotFromObjects([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }], { clusterName: 'c1' });
    snapshot.cluster.server = SERVER;
    const file = join(dir, 's.json.gz');
    writeSnapshot(file, snapshot);
    const history = join(dir, 'h.db');
    const run = io(dir);
    expect(await main(['run', '--snapshot', file, '--history', history, '--out', join(dir, 'out'), '--format', 'json,html,md,csv,junit,sarif', '--no-notify'], run.cli)).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'out/report.json'), 'utf8')).run.cluster.server).toBe(SHOWN);
    expect(readFileSync(join(dir, 'out/report.html'), 'utf8')).toContain(SHOWN.replaceAll('&', '&amp;').replaceAll('=', '&#x3D;'));
    const again = io(dir);
    expect(await main(['report', 'latest', '--history', history, '--out', join(dir, 'again'), '--format', 'json,html,md'], again.cli)).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'again/report.json'), 'utf8')).run.cluster.server).toBe(SHOWN);
    const listed = io(dir);
    expect(await main(['history', '--history', history, '--output', 'json'], listed.cli)).toBe(0);
    for (const out of ['out', 'again']) {
      for (const f of readdirSync(join(dir, out))) expect(leaks(readFileSync(join(dir, out, f), 'utf8')), `${out}/${f}`).toEqual([]);
    }
    expect(leaks(run.all() + again.all() + listed.all())).toEqual([]);
  });

  it('is shown redacted when a run stored by an earlier version kept it: the HTML report rendered again does not show it', () => {
    const { report } = buildRun();
    report.run.cluster.server = SERVER;
    const html = renderHtml(report);
    expect(html).toContain(SHOWN.replaceAll('&', '&amp;').replaceAll('=', '&#x3D;'));
    expect(leaks(html)).toEqual([]);
  });

  it('is shown redacted on the terminal when the API server cannot be reached', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zt-serverurl-'));
    const kubeconfig = join(dir, 'config');
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    writeFileSync(kubeconfig, `apiVersion: v1\nkind: Config\nclusters:\n- name: c1\n  cluster: {server: "https://127.0.0.1:1/?access_token=${SECRETS[1]}"}\nusers:\n- name: u1\n  user: {token: t}\ncontexts:\n- name: ctx1\n  context: {cluster: c1, user: u1}\ncurrent-context: ctx1\n`);
    const t = io(dir);
    expect(await main(['run', '--kubeconfig', kubeconfig, '--history', 'none', '--out', join(dir, 'out'), '--no-notify', '--request-timeout', '2', '--retry-budget', '0'], t.cli)).toBe(2);
    expect(t.err()).toContain('https://127.0.0.1:1/?access_token=***');
    expect(leaks(t.all())).toEqual([]);
  });
});
