// A run or a daemon that cannot start, handed to the real command line in an empty directory
// as a newcomer would: exit 2 and the one line saying why (README "Exit codes": "2 the audit
// could not run (bad config or flags, unreachable cluster, unreadable input), with a one-line
// reason on stderr"), nothing before it that claims an audit began, and no ./.ztaudit/history.db
// left behind by a run that never began.
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { startServe } from '../../../src/cli/serve.ts';
import { errorMessage } from '../../../src/base/errors.ts';
import { captureIO } from '../../helpers/cli.ts';
import { startFakeSlack } from '../notify/slack-server.ts';

const DEMO = join(import.meta.dirname, '../../../examples/demo-cluster');

/** An empty directory that is also $HOME: no ~/.kube/config, no ztaudit.yaml, no history. */
function emptyHome(): { dir: string; env: Record<string, string> } {
  const dir = mkdtempSync(join(tmpdir(), 'zt-refused-'));
  return { dir, env: { HOME: dir } };
}

describe('run refused before it starts: one line, exit 2, no "auditing" line, no history store created', () => {
  const cases: Array<[string, string[], (dir: string) => string]> = [
    ['no source given and no kubeconfig', [], (dir) => `ztaudit: no kubeconfig found: tried ${join(dir, '.kube/config')} (no such file) and the in-cluster service account; pass --kubeconfig, or audit files instead: --manifests DIR (YAML/JSON manifests) or --snapshot FILE (from \`ztaudit snapshot\`)`],
    ['two sources', ['--manifests', 'a', '--snapshot', 'b'], () => 'ztaudit: choose one source: --manifests or --snapshot'],
    ['a --manifests directory that is not there', ['--manifests', 'nodir'], (dir) => `ztaudit: --manifests ${join(dir, 'nodir')}: no such file or directory`],
    ['a --snapshot file that is not there', ['--snapshot', 'prod.snap.json.gz'], (dir) => `ztaudit: --snapshot ${join(dir, 'prod.snap.json.gz')}: no such file`],
    ['a --kubeconfig file that is not there', ['--kubeconfig', 'kc'], (dir) => `ztaudit: kubeconfig ${join(dir, 'kc')} does not exist`],
  ];
  for (const [what, flags, line] of cases) {
    for (const quiet of [[], ['-q']]) {
      it(`${what}${quiet.length ? ' (-q)' : ''}`, async () => {
        const { dir, env } = emptyHome();
        const t = captureIO(dir, env);
        expect(await main(['run', ...flags, ...quiet], t.cli)).toBe(2);
        expect(t.errLines()).toEqual([line(dir)]);
        expect(readdirSync(dir)).toEqual([]);
      });
    }
  }

  // --manifests and a k8s:// history store with no kubeconfig: the hint must be one the user
  // can follow. "pass --kubeconfig" is refused beside --manifests ("choose one source"); KUBECONFIG
  // names the store's cluster (kubectl's own rule: https://kubernetes.io/docs/concepts/configuration/organize-cluster-access-kubeconfig/,
  // "set the KUBECONFIG environment variable or set the --kubeconfig flag").
  it('--manifests with a k8s:// history store and no kubeconfig: the hint names KUBECONFIG, not the --kubeconfig refused beside --manifests', async () => {
    const { dir, env } = emptyHome();
    const args = ['run', '--manifests', DEMO, '--history', 'k8s://ztaudit/hist', '--no-notify', '-q', '--out', 'out'];
    const t = captureIO(dir, env);
    expect(await main(args, t.cli)).toBe(2);
    expect(t.errLines()).toEqual([`ztaudit: --history k8s://ztaudit/hist: no kubeconfig found for the store's cluster: tried ${join(dir, '.kube/config')} (no such file) and the in-cluster service account; set KUBECONFIG=FILE to name it (--kubeconfig would name a cluster to audit, and --manifests is the source here)`]);
    expect(readdirSync(dir)).toEqual([]);
    // What the hint would have said before, refused.
    const refused = captureIO(dir, env);
    expect(await main([...args, '--kubeconfig', 'kc'], refused.cli)).toBe(2);
    expect(refused.errLines()).toEqual(['ztaudit: choose one source: --manifests or --kubeconfig/--context']);
  });

  it('a run that can start still keeps its history in ./.ztaudit/history.db', async () => {
    const { dir, env } = emptyHome();
    expect(await main(['run', '--manifests', DEMO, '--no-notify', '-q', '--format', 'json'], captureIO(dir, env).cli)).toBe(0);
    expect(readdirSync(join(dir, '.ztaudit'))).toContain('history.db');
  });
});

describe('serve refused before it starts: one line, exit 2, no "serve: auditing" line', () => {
  it('--watch with --manifests', async () => {
    const { dir, env } = emptyHome();
    const t = captureIO(dir, env);
    expect(await main(['serve', '--schedule', '0 2 * * *', '--manifests', DEMO, '--watch', '--port', '0'], t.cli)).toBe(2);
    expect(t.errLines()).toEqual(['ztaudit: --watch needs a live cluster (--kubeconfig/--context), not --manifests or --snapshot']);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('two sources: refused at start, not a daemon whose every run fails', async () => {
    const { dir, env } = emptyHome();
    const t = captureIO(dir, env);
    const outcome = await startServe(['--schedule', '0 2 * * *', '--manifests', DEMO, '--snapshot', 'b', '--port', '0'], t.cli).then(
      async (daemon) => { await daemon.stop(); return 'started'; },
      (error: unknown) => errorMessage(error),
    );
    expect(outcome).toBe('choose one source: --manifests or --snapshot');
    expect(t.errLines()).toEqual([]);
    expect(readdirSync(dir)).toEqual([]);
  });

  // As `run` (above): a source that every run would fail on the same way stops serve at start
  // (docs/deploy.md: "exits 2 when it cannot start"), instead of a daemon logging run-failed on
  // each tick behind a /healthz that answers 200 "ok". No history store is created for it.
  const kubeconfigDir = mkdtempSync(join(tmpdir(), 'zt-refused-kc-'));
  const kubeconfig = join(kubeconfigDir, 'config');
  writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\nclusters:\n- name: c1\n  cluster: {server: "https://127.0.0.1:1"}\nusers:\n- name: u1\n  user: {token: t}\ncontexts:\n- name: ctx1\n  context: {cluster: c1, user: u1}\ncurrent-context: ctx1\n');
  const badSources: Array<[string, string[], (dir: string) => string]> = [
    ['a --kubeconfig file that is not there', ['--kubeconfig', 'kc'], (dir) => `kubeconfig ${join(dir, 'kc')} does not exist`],
    ['a --context the kubeconfig does not define', ['--kubeconfig', kubeconfig, '--context', 'nope'], () => `context "nope" not found in kubeconfig (${kubeconfig}); available: ctx1`],
    ['a --manifests directory that is not there', ['--manifests', 'nodir'], (dir) => `--manifests ${join(dir, 'nodir')}: no such file or directory`],
  ];
  for (const [what, flags, line] of badSources) {
    it(`${what}: refused at start, not a daemon whose every run fails`, async () => {
      const { dir, env } = emptyHome();
      const t = captureIO(dir, env);
      const outcome = await startServe(['--schedule', '0 2 * * *', '--port', '0', '--no-notify', ...flags], t.cli).then(
        async (daemon) => { await daemon.stop(); return 'started'; },
        (error: unknown) => errorMessage(error),
      );
      expect(outcome).toBe(line(dir));
      expect(t.errLines()).toEqual([]);
      expect(readdirSync(dir)).toEqual([]);
      // What the command line prints for it: the one line, exit 2.
      const cli = captureIO(dir, env);
      expect(await main(['serve', '--schedule', '0 2 * * *', '--port', '0', '--no-notify', ...flags], cli.cli)).toBe(2);
      expect(cli.errLines()).toEqual([`ztaudit: ${line(dir)}`]);
    });
  }

  // serve's exit code is 0 (stopped) or 2 (could not start), whatever the audits find; a gate
  // flag taken and ignored would read as a CI gate that is not there.
  for (const [flag, value] of [['--fail-on', 'high'], ['--accept-forbidden', 'configmaps']]) {
    it(`${flag}: serve never exits on findings, so the flag is refused, naming it`, async () => {
      const { dir, env } = emptyHome();
      const t = captureIO(dir, env);
      // The port is taken, so that a serve taking the flag would stop too (saying so), not run on.
      const taken = createServer();
      await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
      const port = String((taken.address() as AddressInfo).port);
      try {
        expect(await main(['serve', '--schedule', '0 2 * * *', '--manifests', DEMO, '--history', 'none', '--port', port, flag, value], t.cli)).toBe(2);
      } finally {
        taken.close();
      }
      expect(t.errLines()).toEqual([expect.stringMatching(new RegExp(`^ztaudit: serve has no ${flag}: `))]);
      expect(readdirSync(dir)).toEqual([]);
    });
  }

  it('serve --help lists neither --fail-on nor --accept-forbidden, and says what exit 2 sends', async () => {
    const t = captureIO(mkdtempSync(join(tmpdir(), 'zt-refused-')));
    expect(await main(['serve', '--help'], t.cli)).toBe(0);
    const options = t.out().slice(t.out().indexOf('Options:'), t.out().indexOf('Examples:'));
    expect(options).toContain('--schedule');
    expect(options).not.toMatch(/--fail-on|--accept-forbidden/);
    expect(t.out()).toMatch(/2 {2}could not start [^\n]*\n[^\n]*"audit could not run" alert/);
  });

  // DESIGN.md "Command line": exit 2 comes, "where notifications are configured, [with] an
  // 'audit could not run' alert: silence must never look like compliance". The chart's
  // Deployment (Recreate) replaces a working daemon by the one a bad ConfigMap edit starts.
  it('a bad config: exit 2 and the same "audit could not run" alert `run` sends, none with --no-notify', async () => {
    const slack = await startFakeSlack();
    try {
      const { dir, env } = emptyHome();
      writeFileSync(join(dir, 'ztaudit.yaml'), 'notify:\n  policy: always\ntarget:\n  podSecurityLevl: baseline\n');
      const slackEnv = { ...env, ZTAUDIT_SLACK_TOKEN: 'xoxb-test', ZTAUDIT_SLACK_CHANNEL: 'C0SECURITY', ZTAUDIT_SLACK_API_URL: slack.apiUrl };
      const args = ['serve', '--schedule', '0 2 * * *', '--manifests', DEMO, '--history', 'none', '--port', '0'];
      const posts = () => slack.calls.filter((c) => c.path.endsWith('/chat.postMessage'));
      const reason = 'ztaudit.yaml: target.podSecurityLevl: unknown key (did you mean podSecurityLevel?)';

      const t = captureIO(dir, slackEnv);
      expect(await main(args, t.cli)).toBe(2);
      expect(t.errLines()).toEqual([`ztaudit: ${reason}`]);
      expect(posts()).toHaveLength(1);
      expect(posts()[0]!.fields.channel).toBe('C0SECURITY');
      expect(String(posts()[0]!.fields.text)).toBe(`ztaudit: audit could not run: ${reason}`);

      // What `run` sends for the same config: the same alert.
      expect(await main(['run', '--manifests', DEMO, '--history', 'none', '--out', join(dir, 'out')], captureIO(dir, slackEnv).cli)).toBe(2);
      expect(posts().map((c) => c.fields.text)).toEqual([posts()[0]!.fields.text, posts()[0]!.fields.text]);

      expect(await main([...args, '--no-notify'], captureIO(dir, slackEnv).cli)).toBe(2);
      expect(posts()).toHaveLength(2);
    } finally {
      await slack.close();
    }
  });
});

describe('run --accept-forbidden without a gate', () => {
  it('is refused, naming the flag: it only tells --fail-on which 403s not to exit 1 for', async () => {
    const { dir, env } = emptyHome();
    for (const gate of [[], ['--fail-on', 'never']]) {
      const t = captureIO(dir, env);
      expect(await main(['run', '--manifests', DEMO, '--history', 'none', '--no-notify', '-q', '--out', 'out', '--accept-forbidden', 'configmaps', ...gate], t.cli)).toBe(2);
      expect(t.errLines()).toEqual([expect.stringMatching(/^ztaudit: --accept-forbidden only says which 403s --fail-on does not exit 1 for, and --fail-on is never/)]);
    }
    expect(readdirSync(dir)).toEqual([]);
    expect(await main(['run', '--manifests', DEMO, '--history', 'none', '--no-notify', '-q', '--format', 'json', '--out', 'out', '--accept-forbidden', 'configmaps', '--fail-on', 'critical'], captureIO(dir, env).cli)).toBe(1);
  });
});
