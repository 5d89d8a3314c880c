// Broken input, handed to the real command line: what a user gets is one line naming the file
// and the key or object (exit 2 when nothing could be audited, a note when the rest was), never
// a stack trace, and nothing good is dropped along with the bad.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { dirname, join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { captureIO } from '../../helpers/cli.ts';
import { startFakeSlack } from '../notify/slack-server.ts';

/** A fresh directory holding these files (paths relative to it). */
function dirWith(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), 'zt-bad-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

const QUIET = ['--history', 'none', '--no-notify', '-q', '--format', 'json'];
/** The messages of the JSON log lines on stderr. */
const logged = (err: string) => err.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { msg: string }).msg);
const report = (out: string) => JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as {
  run: { coverage: Record<string, { status: string; detail?: string }>; partial?: string[] };
};

const NAMESPACE = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n';
const SERVICE_ACCOUNT = 'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: api\n  namespace: shop\n';

describe('a config file that cannot be used', () => {
  const bomb = ['a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]', ...'bcdefghij'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefghij'[i]}`).join(', ')}]`), ''].join('\n');
  const cases: Array<[string, string | Buffer, string]> = [
    ['tabs.yaml', 'target:\n\tpodSecurityLevel: baseline\n', 'tabs.yaml:2: not valid YAML: Tabs are not allowed as indentation at line 2, column 1'],
    ['dup.yaml', 'target:\n  requireMtls: true\n  requireMtls: false\n', 'dup.yaml:3: not valid YAML: Map keys must be unique at line 3, column 3'],
    ['quote.yaml', 'cluster:\n  name: "prod\n', 'quote.yaml:3: not valid YAML: Missing closing "quote at line 3, column 1'],
    ['bomb.yaml', bomb, 'bomb.yaml: not usable YAML: Excessive alias count indicates a resource exhaustion attack'],
    ['two.yaml', 'cluster: {name: a}\n---\ncluster: {name: b}\n', 'two.yaml:2: a second YAML document (after ---); the configuration is one document'],
    ['huge.yaml', Buffer.alloc(5 * 1024 * 1024, '#\n'), 'huge.yaml: 5.0 MiB is too large for a config file (at most 4 MiB); is it the right file?'],
  ];
  // The alias bomb ends with the parser's refusal, not by the test's timeout: no timing is asserted here.
  it.each(cases)('%s: one line naming the file (and line), exit 2', async (file, content, line) => {
    const dir = dirWith({ [file]: content, 'm/ns.yaml': NAMESPACE });
    const t = captureIO(dir);
    expect(await main(['run', '--manifests', 'm', '--config', file, '--out', 'out', ...QUIET], t.cli)).toBe(2);
    expect(t.errLines()).toEqual([`ztaudit: ${line}`]);
  });

  it('every wrong key is a line of its own, said by ztaudit, naming file and key and what was likely meant', async () => {
    const dir = dirWith({
      'ztaudit.yaml': 'targte:\n  podSecurityLevel: baseline\nwaivers:\n  - check: rbac.wildcard-permission\n    resource: {kind: ClusterRole, name: ci}\n    reason: CI\n    owner: platform\n    expires: tomorrow\n',
      'm/ns.yaml': NAMESPACE,
    });
    const t = captureIO(dir);
    expect(await main(['run', '--manifests', 'm', '--out', 'out', ...QUIET], t.cli)).toBe(2);
    expect(t.errLines()).toEqual([
      'ztaudit: ztaudit.yaml: targte: unknown key (did you mean target?)',
      'ztaudit: ztaudit.yaml: waivers[0].expires: "tomorrow" is not a date as YYYY-MM-DD',
    ]);
  });

  it('a misspelt Linkerd policy or a gateway cidr that is no address range stops the run at start, not a cluster finding', async () => {
    // Before: exit 0 with medium mtls.linkerd-unauthenticated-default findings and a high
    // network.egress-not-controlled ("… is not a CIDR (ignored)").
    const dir = dirWith({
      'ztaudit.yaml': 'mesh: {linkerdDefaultInboundPolicy: all-authenticted}\negress:\n  gateways: [{cidr: "203.0.113.10/33"}]\n',
      'm/ns.yaml': NAMESPACE,
    });
    const t = captureIO(dir);
    expect(await main(['run', '--manifests', 'm', '--out', 'out', ...QUIET], t.cli)).toBe(2);
    expect(t.errLines()).toEqual([
      'ztaudit: ztaudit.yaml: mesh.linkerdDefaultInboundPolicy: must be one of all-unauthenticated, all-authenticated, cluster-unauthenticated, cluster-authenticated, deny, audit (did you mean all-authenticated?)',
      'ztaudit: ztaudit.yaml: egress.gateways[0].cidr: "203.0.113.10/33" is not a CIDR: an IPv4 prefix is at most /32, not /33',
    ]);
    expect(readdirSync(dir)).not.toContain('out');
  });

  it('a waiver whose resource is written as a regular expression is named: it would waive nothing', async () => {
    const dir = dirWith({
      'ztaudit.yaml': 'waivers:\n  - check: rbac.wildcard-permission\n    resource: {kind: ClusterRole, name: "ci-.*"}\n    reason: CI\n    owner: platform\n    expires: 2099-12-31\n',
      'm/ns.yaml': NAMESPACE,
    });
    const t = captureIO(dir);
    expect(await main(['run', '--manifests', 'm', '--out', 'out', ...QUIET], t.cli)).toBe(0);
    // Beside it, the expiry decades away is warned about too (a waiver is a risk to review).
    expect(logged(t.err())).toContain('ztaudit.yaml: waivers[0].resource.name: "ci-.*" looks like a regular expression; waivers match a value exactly, or by prefix with one trailing * (e.g. "ci-*")');
  });

  it('a directory given as --config is named as one', async () => {
    const dir = dirWith({ 'ztaudit.yaml/x': '', 'm/ns.yaml': NAMESPACE });
    const t = captureIO(dir);
    expect(await main(['run', '--manifests', 'm', '--config', 'ztaudit.yaml', '--out', 'out', ...QUIET], t.cli)).toBe(2);
    expect(t.errLines()).toEqual(['ztaudit: ztaudit.yaml: is a directory, not a config file']);
  });

  it('a --- before or after the document is no second document', async () => {
    const dir = dirWith({ 'ztaudit.yaml': '# settings\n---\ncluster:\n  name: prod\n---\n', 'm/ns.yaml': NAMESPACE });
    const t = captureIO(dir);
    expect(await main(['run', '--manifests', 'm', '--out', 'out', ...QUIET], t.cli)).toBe(0);
    expect((JSON.parse(readFileSync(join(dir, 'out/report.json'), 'utf8')) as { run: { cluster: { name: string } } }).run.cluster.name).toBe('prod');
  });
});

describe('--manifests with objects an analysis cannot read', () => {
  it('skips an unrendered Helm template with a note naming file and line, and audits the rest', async () => {
    const dir = dirWith({
      'chart/templates/deployment.yaml': [
        'apiVersion: apps/v1', 'kind: Deployment', 'metadata:', '  name: {{ .Release.Name }}', '  namespace: shop',
        'spec:', '  template:', '    spec:', '      containers:', '        - name: app', '          image: "{{ .Values.image }}"', '',
      ].join('\n'),
      'chart/ns.yaml': `${NAMESPACE}---\n${SERVICE_ACCOUNT}`,
    });
    const t = captureIO(dir);
    // The YAML parser's own warning about `{{ … }}` would reach stderr as a multi-line process warning.
    const warn = vi.spyOn(process, 'emitWarning');
    expect(await main(['run', '--manifests', 'chart', '--out', 'out', ...QUIET], t.cli)).toBe(0);
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
    expect(logged(t.err())).toEqual([
      'chart/templates/deployment.yaml:1: skipped a Deployment whose metadata.name is a mapping, not a string (an unrendered Helm template? audit the output of `helm template` instead)',
      // -q prints no score table: what the skipped object costs is said here.
      expect.stringMatching(/^\d+ checks not evaluated \(deployments error, pods error\): their areas get no grade, and --fail-on critical, high or regression would exit 1$/),
    ]);
    const coverage = report(join(dir, 'out')).run.coverage;
    // Not a clean "no deployments": the kind counts as not read, naming where.
    expect(coverage.deployments).toMatchObject({ status: 'error', detail: expect.stringContaining('chart/templates/deployment.yaml:1') });
    expect(coverage.serviceaccounts).toMatchObject({ status: 'ok', count: 1 });
  });

  it('names a label value that is not a string (kubectl refuses it too)', async () => {
    const dir = dirWith({ 'm/sa.yaml': `${NAMESPACE}---\n${SERVICE_ACCOUNT}  labels:\n    version: 1.0\n` });
    const t = captureIO(dir);
    expect(await main(['run', '--manifests', 'm', '--out', 'out', ...QUIET], t.cli)).toBe(0);
    expect(logged(t.err())).toEqual(['m/sa.yaml:6: skipped a ServiceAccount whose metadata.labels.version is a number (1), not a string (quote it)', expect.stringMatching(/^\d+ checks? not evaluated \(serviceaccounts error\): /)]);
  });
});

describe('YAML inside cluster objects', () => {
  it('an Istio mesh config holding an unrendered {{ }} key gives no Node warning on stderr', async () => {
    const dir = dirWith({
      'm/istio.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: istio, namespace: istio-system}\ndata:\n  mesh: |\n    {{ .Values.meshConfig }}: x\n    outboundTrafficPolicy: {mode: REGISTRY_ONLY}\n',
      'm/ns.yaml': NAMESPACE,
    });
    const warn = vi.spyOn(process, 'emitWarning');
    try {
      expect(await main(['run', '--manifests', 'm', '--out', 'out', ...QUIET], captureIO(dir).cli)).toBe(0);
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });
});

describe('--manifests with files that cannot be read', () => {
  it('names a symlink to nothing, a symlink loop and a file that fails to read, and blinds every kind: each may have held any object', async () => {
    const dir = dirWith({ 'm/ns.yaml': NAMESPACE });
    symlinkSync('../gone/rbac.yaml', join(dir, 'm/rbac.yaml'));
    symlinkSync('self.yaml', join(dir, 'm/self.yaml'));
    symlinkSync('/proc/self/mem', join(dir, 'm/mem.yaml')); // a regular file whose read fails (EIO)
    const t = captureIO(dir);
    // No --fail-on: the run is stored and reported, exit 0; with one it is a gate that saw nothing.
    expect(await main(['run', '--manifests', 'm', '--out', 'out', ...QUIET], t.cli)).toBe(0);
    expect(t.err()).not.toContain('internal error');
    expect(logged(t.err())).toEqual([
      'm/mem.yaml: skipped a file that cannot be read (EIO)',
      'm/rbac.yaml: skipped a symlink to nothing (ENOENT)',
      'm/self.yaml: skipped a symlink loop (ELOOP)',
      expect.stringMatching(/^\d+ checks not evaluated \(every kind error: m\/mem\.yaml: file that cannot be read \(EIO\) \(its kind could not be told, so no kind counts as read; also m\/rbac\.yaml, m\/self\.yaml\)\): /),
    ]);
    const r = report(join(dir, 'out'));
    // One line for the kinds (one cause), one for each other file.
    expect(r.run.partial).toEqual([
      'every kind could not be read (error: m/mem.yaml: file that cannot be read (EIO) (its kind could not be told, so no kind counts as read; also m/rbac.yaml, m/self.yaml))',
      'm/rbac.yaml: symlink to nothing (ENOENT) (its kind could not be told either)',
      'm/self.yaml: symlink loop (ELOOP) (its kind could not be told either)',
    ]);
    // The Namespace was read, but a file that could not be may redefine it: not "ok".
    expect(r.run.coverage.namespaces).toMatchObject({ status: 'error' });
    const gate = captureIO(dir);
    expect(await main(['run', '--manifests', 'm', '--out', 'out2', ...QUIET, '--fail-on', 'critical'], gate.cli)).toBe(1);
    expect(gate.err()).toMatch(/exit 1: \d+ checks not evaluated \(every kind error: m\/mem\.yaml: file that cannot be read/);
  });
});

describe('text that is not UTF-8', () => {
  it('reads manifests saved as UTF-16 (PowerShell 5 `>`) and names a file with Latin-1 bytes, keeping its objects', async () => {
    const dir = dirWith({
      'm/ns.yaml': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(NAMESPACE, 'utf16le')]),
      'm/sa.yaml': Buffer.from(`${SERVICE_ACCOUNT}  annotations:\n    owner: Ren\xe9\n`, 'latin1'),
    });
    const t = captureIO(dir);
    expect(await main(['run', '--manifests', 'm', '--out', 'out', ...QUIET], t.cli)).toBe(0);
    expect(logged(t.err())).toEqual(['m/sa.yaml:7: not UTF-8 text (bytes that are not UTF-8 were read as U+FFFD); save the file as UTF-8']);
    const coverage = report(join(dir, 'out')).run.coverage;
    expect(coverage.namespaces).toMatchObject({ status: 'ok', count: 1 });
    expect(coverage.serviceaccounts).toMatchObject({ status: 'ok', count: 1 });
  });

  it('refuses a config file with a byte that is not UTF-8, naming file and line, and reads one in UTF-16', async () => {
    const dir = dirWith({
      'latin1.yaml': Buffer.from('cluster:\n  name: caf\xe9\n', 'latin1'),
      'utf16.yaml': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('cluster:\n  name: prod\n', 'utf16le')]),
      'm/ns.yaml': NAMESPACE,
    });
    const bad = captureIO(dir);
    expect(await main(['run', '--manifests', 'm', '--config', 'latin1.yaml', '--out', 'out', ...QUIET], bad.cli)).toBe(2);
    expect(bad.errLines()).toEqual(['ztaudit: latin1.yaml:2: not UTF-8 text; save the file as UTF-8']);
    const good = captureIO(dir);
    expect(await main(['run', '--manifests', 'm', '--config', 'utf16.yaml', '--out', 'out', ...QUIET], good.cli)).toBe(0);
    expect((JSON.parse(readFileSync(join(dir, 'out/report.json'), 'utf8')) as { run: { cluster: { name: string } } }).run.cluster.name).toBe('prod');
  });
});

describe('notification settings in the environment', () => {
  const ALWAYS = 'notify:\n  policy: always\n';

  it('an SMTP URL that is not one is refused before the audit, without quoting its password', async () => {
    const dir = dirWith({ 'ztaudit.yaml': ALWAYS, 'm/ns.yaml': NAMESPACE });
    for (const [url, line] of [
      ['smtp://alerts:s3cret@mail.example.com:abc', 'ztaudit: ZTAUDIT_SMTP_URL: not a URL; expected smtp://HOST:PORT or smtps://HOST:PORT (credentials, if any, before the host)'],
      ['mail.example.com', 'ztaudit: ZTAUDIT_SMTP_URL: not a URL; expected smtp://HOST:PORT or smtps://HOST:PORT (credentials, if any, before the host)'],
      ['https://alerts:s3cret@mail.example.com', 'ztaudit: ZTAUDIT_SMTP_URL: the scheme is https, not smtp or smtps'],
    ]) {
      const t = captureIO(dir, { ZTAUDIT_SMTP_URL: url, ZTAUDIT_EMAIL_TO: 'sec@example.com' });
      expect(await main(['run', '--manifests', 'm', '--out', 'out', '--history', 'none', '-q', '--format', 'json'], t.cli)).toBe(2);
      expect(t.errLines()).toEqual([line]);
    }
    // With --no-notify nothing is sent, so nothing is wrong.
    const off = captureIO(dir, { ZTAUDIT_SMTP_URL: 'mail.example.com', ZTAUDIT_EMAIL_TO: 'sec@example.com' });
    expect(await main(['run', '--manifests', 'm', '--out', 'out', ...QUIET], off.cli)).toBe(0);
  });

  it('a Slack token with the channel in the config posts there; a token or a channel alone is said, not silently dropped', async () => {
    const slack = await startFakeSlack();
    try {
      const dir = dirWith({ 'ztaudit.yaml': `${ALWAYS}  slack: {channel: C0SECURITY}\n`, 'plain.yaml': ALWAYS, 'm/ns.yaml': NAMESPACE });
      const run = ['run', '--manifests', 'm', '--out', 'out', '--history', 'none', '-q', '--format', 'json'];
      const t = captureIO(dir, { ZTAUDIT_SLACK_TOKEN: 'xoxb-test', ZTAUDIT_SLACK_API_URL: slack.apiUrl });
      expect(await main(run, t.cli)).toBe(0);
      expect(t.err()).toBe('');
      expect(slack.calls.find((c) => c.path.endsWith('chat.postMessage'))?.fields.channel).toBe('C0SECURITY');

      const tokenOnly = captureIO(dir, { ZTAUDIT_SLACK_TOKEN: 'xoxb-test', ZTAUDIT_SLACK_API_URL: slack.apiUrl });
      expect(await main([...run, '--config', 'plain.yaml'], tokenOnly.cli)).toBe(0);
      expect(logged(tokenOnly.err())).toEqual(['ZTAUDIT_SLACK_TOKEN is set but no channel (ZTAUDIT_SLACK_CHANNEL or notify.slack.channel): Slack disabled']);
      const channelOnly = captureIO(dir, { ZTAUDIT_SLACK_CHANNEL: 'C0SECURITY' });
      expect(await main([...run, '--config', 'plain.yaml'], channelOnly.cli)).toBe(0);
      expect(logged(channelOnly.err())).toEqual(['ZTAUDIT_SLACK_CHANNEL is set but ZTAUDIT_SLACK_TOKEN is not: Slack disabled, no alert will be sent there']);
      // A channel the config names, and email recipients from the config or the environment, without their credentials: one line per channel.
      const configOnly = captureIO(dir, {});
      expect(await main(run, configOnly.cli)).toBe(0);
      expect(logged(configOnly.err())).toEqual(['notify.slack.channel is set but ZTAUDIT_SLACK_TOKEN is not: Slack disabled, no alert will be sent there']);
      writeFileSync(join(dir, 'email.yaml'), `${ALWAYS}  email: {to: [sec@example.com]}\n`);
      const emailNoSmtp = captureIO(dir, { ZTAUDIT_EMAIL_TO: 'ops@example.com' });
      expect(await main([...run, '--config', 'email.yaml'], emailNoSmtp.cli)).toBe(0);
      expect(logged(emailNoSmtp.err())).toEqual(['notify.email.to and ZTAUDIT_EMAIL_TO are set but ZTAUDIT_SMTP_URL is not: email disabled, no alert will be sent there']);
      const envOnly = captureIO(dir, { ZTAUDIT_EMAIL_TO: 'ops@example.com' });
      expect(await main([...run, '--config', 'plain.yaml'], envOnly.cli)).toBe(0);
      expect(logged(envOnly.err())).toEqual(['ZTAUDIT_EMAIL_TO is set but ZTAUDIT_SMTP_URL is not: email disabled, no alert will be sent there']);
      // --no-notify asked for silence: nothing to say.
      const quiet = captureIO(dir, { ZTAUDIT_EMAIL_TO: 'ops@example.com' });
      expect(await main([...run, '--config', 'email.yaml', '--no-notify'], quiet.cli)).toBe(0);
      expect(quiet.err()).toBe('');
      const badApi = captureIO(dir, { ZTAUDIT_SLACK_TOKEN: 'xoxb-test', ZTAUDIT_SLACK_API_URL: 'slack.internal/api' });
      expect(await main(run, badApi.cli)).toBe(2);
      expect(badApi.errLines()).toEqual(['ztaudit: ZTAUDIT_SLACK_API_URL=slack.internal/api: not an http:// or https:// URL']);
    } finally {
      await slack.close();
    }
  });

  it('the environment wins over the config file for the Slack channel and the email addresses, said once with both values', async () => {
    const slack = await startFakeSlack();
    const mails: Array<{ from: string; to: string[] }> = [];
    const smtp = new SMTPServer({
      authOptional: true, disabledCommands: ['STARTTLS'],
      onData(stream, session, done) {
        stream.resume();
        stream.on('end', () => {
          mails.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address) });
          done();
        });
      },
    });
    await new Promise<void>((ok) => smtp.listen(0, '127.0.0.1', ok));
    try {
      const port = (smtp.server.address() as AddressInfo).port;
      const dir = dirWith({
        'ztaudit.yaml': `${ALWAYS}  slack: {channel: "C0FILE\\u001b[31m"}\n  email: {to: [file@example.com], from: file-from@example.com}\n`,
        'm/ns.yaml': NAMESPACE,
      });
      const env = {
        ZTAUDIT_SLACK_TOKEN: 'xoxb-test', ZTAUDIT_SLACK_CHANNEL: 'C0ENV', ZTAUDIT_SLACK_API_URL: slack.apiUrl,
        ZTAUDIT_SMTP_URL: `smtp://127.0.0.1:${port}`, ZTAUDIT_EMAIL_TO: 'env@example.com', ZTAUDIT_EMAIL_FROM: 'env-from@example.com',
      };
      const t = captureIO(dir, env);
      expect(await main(['run', '--manifests', 'm', '--out', 'out', '--history', 'none', '-q', '--format', 'json'], t.cli)).toBe(0);
      // The thread reply goes to the channel id Slack answered with.
      expect(slack.calls.filter((c) => c.path.endsWith('chat.postMessage') && !c.fields.thread_ts).map((c) => c.fields.channel)).toEqual(['C0ENV']);
      expect(mails).toEqual([{ from: 'env-from@example.com', to: ['env@example.com'] }]);
      expect(logged(t.err())).toEqual([
        'ZTAUDIT_SLACK_CHANNEL="C0ENV" overrides notify.slack.channel="C0FILE\\u001b[31m" in the config',
        'ZTAUDIT_EMAIL_TO=["env@example.com"] overrides notify.email.to=["file@example.com"] in the config',
        'ZTAUDIT_EMAIL_FROM="env-from@example.com" overrides notify.email.from="file-from@example.com" in the config',
      ]);
      // The same values in both places: nothing to say.
      const same = captureIO(dir, { ...env, ZTAUDIT_SLACK_CHANNEL: 'C0FILE\u001b[31m', ZTAUDIT_EMAIL_TO: 'file@example.com', ZTAUDIT_EMAIL_FROM: 'file-from@example.com' });
      expect(await main(['run', '--manifests', 'm', '--out', 'out', '--history', 'none', '-q', '--format', 'json'], same.cli)).toBe(0);
      expect(same.err()).toBe('');
    } finally {
      await slack.close();
      await new Promise<void>((ok) => smtp.close(() => ok()));
    }
  });

  it('run --notify with notify.policy never in the config is refused, naming both, instead of sending nothing silently', async () => {
    const slack = await startFakeSlack();
    try {
      const dir = dirWith({ 'ztaudit.yaml': 'notify:\n  policy: never\n', 'm/ns.yaml': NAMESPACE });
      const env = { ZTAUDIT_SLACK_TOKEN: 'xoxb-test', ZTAUDIT_SLACK_CHANNEL: 'C0SECURITY', ZTAUDIT_SLACK_API_URL: slack.apiUrl };
      const run = ['run', '--manifests', 'm', '--out', 'out', '--history', 'none', '-q', '--format', 'json'];
      const t = captureIO(dir, env);
      expect(await main([...run, '--notify'], t.cli)).toBe(2);
      const line = '--notify conflicts with notify.policy: never in the config: drop --notify, or set notify.policy to regression or always';
      expect(t.errLines()).toEqual([`ztaudit: ${line}`]);
      // No report went out; the "audit could not run" alert did, as for any run stopped by its settings.
      expect(slack.calls.filter((c) => c.path.endsWith('chat.postMessage')).map((c) => c.fields.text)).toEqual([`ztaudit: audit could not run: ${line}`]);
      // Without the flag the config's never holds, quietly: nothing asked otherwise.
      const plain = captureIO(dir, env);
      expect(await main(run, plain.cli)).toBe(0);
      expect(plain.err()).toBe('');
    } finally {
      await slack.close();
    }
  });

  // docs/deploy.md, Notifications: a channel that cannot be reached is one warning naming the
  // cause. Node's own words for it (as email already says them): "connect ECONNREFUSED ADDRESS".
  it('a Slack API that refuses the connection is a warning naming the refusal and the address, never the token', async () => {
    const closed = createServer();
    await new Promise<void>((ok) => closed.listen(0, '127.0.0.1', ok));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((ok) => closed.close(() => ok()));
    const dir = dirWith({ 'ztaudit.yaml': ALWAYS, 'm/ns.yaml': NAMESPACE });
    const token = 'xoxb-1111-2222-s3cretTokenText';
    const env = { ZTAUDIT_SLACK_TOKEN: token, ZTAUDIT_SLACK_CHANNEL: 'C0SECURITY', ZTAUDIT_SLACK_API_URL: `http://127.0.0.1:${port}/api/` };
    const refused = `A request error occurred: fetch failed: connect ECONNREFUSED 127.0.0.1:${port}`;
    const t = captureIO(dir, env);
    expect(await main(['run', '--manifests', 'm', '--out', 'out', '--history', 'none', '-q', '--format', 'json', '--notify'], t.cli)).toBe(0);
    expect(logged(t.err())).toEqual([`slack notification failed: ${refused}`]);
    // The "audit could not run" alert of a run stopped at start says it the same way.
    const stopped = captureIO(dir, env);
    expect(await main(['run', '--manifests', 'nodir', '--out', 'out', '--history', 'none', '-q', '--format', 'json', '--notify'], stopped.cli)).toBe(2);
    const [warned, ...rest] = stopped.errLines();
    expect(logged(warned ?? '')).toEqual([`slack: could not send the "audit could not run" alert: ${refused}`]);
    expect(rest).toEqual([`ztaudit: --manifests ${join(dir, 'nodir')}: no such file or directory`]);
    for (const text of [t.err(), t.out(), stopped.err(), stopped.out()]) expect(text).not.toContain('s3cretTokenText');
  });
});

describe('flags', () => {
  // Node's recursive mkdir takes procfs's ENOENT for a new child as a missing parent and retries
  // forever: `--out /proc/x` spun at full CPU, deaf to SIGTERM, until killed (a mistyped or
  // variable-built path; the reviewer's repro ran 34 minutes).
  it('--out or --history under /proc: one line and exit 2, not a process spinning forever', async () => {
    const dir = dirWith({ 'm/ns.yaml': NAMESPACE });
    const out = captureIO(dir);
    expect(await main(['run', '--manifests', 'm', '--out', '/proc/ztaudit-out/reports', '--history', 'none', '--no-notify', '-q'], out.cli)).toBe(2);
    expect(out.errLines()).toEqual(['ztaudit: --out /proc/ztaudit-out/reports: cannot write /proc/ztaudit-out/reports (ENOENT)']);
    const history = captureIO(dir);
    expect(await main(['run', '--manifests', 'm', '--out', 'out', '--history', '/proc/ztaudit-history/h.db', '--no-notify', '-q'], history.cli)).toBe(2);
    expect(history.errLines()).toEqual(["ztaudit: cannot create the history directory /proc/ztaudit-history: ENOENT: no such file or directory, mkdir '/proc/ztaudit-history'"]);
  });

  it('an empty --cluster (an unset variable) is refused instead of filing runs under a nameless cluster', async () => {
    const dir = dirWith({ 'm/ns.yaml': NAMESPACE });
    const t = captureIO(dir);
    expect(await main(['run', '--manifests', 'm', '--cluster', '', '--out', 'out', '--history', 'h.db', '--no-notify', '-q'], t.cli)).toBe(2);
    expect(t.errLines()).toEqual(["ztaudit: --cluster: the name is empty (an unset variable?); give the cluster's name or leave the flag out"]);
  });

  it('a --cluster or cluster.name beginning or ending with white space is refused: "prod " and "prod" would read alike in the fleet and history', async () => {
    const dir = dirWith({ 'm/ns.yaml': NAMESPACE, 'z.yaml': 'cluster:\n  name: "prod "\n' });
    const t = captureIO(dir);
    expect(await main(['run', '--manifests', 'm', '--cluster', 'prod ', '--out', 'out', '--history', 'h.db', '--no-notify', '-q'], t.cli)).toBe(2);
    expect(t.errLines()).toEqual(['ztaudit: --cluster: "prod " begins or ends with white space, which no report shows: give the name without it']);
    const c = captureIO(dir);
    expect(await main(['run', '--manifests', 'm', '--config', 'z.yaml', '--out', 'out', '--history', 'h.db', '--no-notify', '-q'], c.cli)).toBe(2);
    expect(c.err()).toContain('z.yaml: cluster.name: "prod " begins or ends with white space, which no report shows: give the name without it');
    expect(existsSync(join(dir, 'h.db'))).toBe(false);
  });

  it('an empty value for a flag taking a path, URL or name is refused, not read as "the default"', async () => {
    const dir = dirWith({ 'm/ns.yaml': NAMESPACE });
    const said = (flag: string) => `ztaudit: ${flag}: empty value (an unset variable?); give a value or leave the flag out`;
    for (const [args, flag] of [
      // Read as absent, these wrote to ./.ztaudit/history.db (ZTAUDIT_HISTORY ignored) and audited the current directory.
      [['run', '--manifests', 'm', '--history', '', '--out', 'out', '-q'], '--history'],
      [['run', '--manifests', '', '--history', 'none', '--out', 'out', '-q'], '--manifests'],
      [['run', '--manifests', 'm', '--manifests', ' ', '--history', 'none', '--out', 'out', '-q'], '--manifests'],
      [['run', '--manifests', 'm', '--history', 'none', '--out', '', '-q'], '--out'],
      [['run', '--manifests', 'm', '--history', 'none', '--out', 'out', '--config', '', '-q'], '--config'],
      [['snapshot', '--kubeconfig', '', '-o', 'x.snap'], '--kubeconfig'],
      [['history', '--history', ''], '--history'],
      [['history', 'export', '--history', 'h.db', '--file', ''], '--file'],
      [['serve', '--schedule', '0 2 * * *', '--manifests', 'm', '--host', ''], '--host'],
    ] as const) {
      const t = captureIO(dir, { ZTAUDIT_HISTORY: join(dir, 'kept.db') });
      expect(await main([...args], t.cli), args.join(' ')).toBe(2);
      expect(t.errLines()).toEqual([said(flag)]);
    }
    expect(readdirSync(dir).sort()).toEqual(['m']);
  });

  // An empty Secret key mounted as ZTAUDIT_HISTORY: read as "unset", every run in a pod without a
  // volume started afresh in ./.ztaudit/history.db and a regression never alerted.
  it('ZTAUDIT_HISTORY set but blank is refused as an empty --history is; --history still overrides it', async () => {
    const dir = dirWith({ 'm/ns.yaml': NAMESPACE });
    const said = 'ZTAUDIT_HISTORY is set but blank: put the store in it (a file path, k8s://NAMESPACE/NAME or postgres://…), or unset it to use ./.ztaudit/history.db';
    for (const [args, prefix] of [
      [['run', '--manifests', 'm', '--out', 'out', '-q', '--no-notify'], 'ztaudit: '],
      [['history'], 'ztaudit history: '],
      [['history', 'export', '--file', 'x.json'], 'ztaudit history export: '],
    ] as const) {
      for (const blank of ['', ' ']) {
        const t = captureIO(dir, { ZTAUDIT_HISTORY: blank });
        expect(await main([...args], t.cli), args.join(' ')).toBe(2);
        expect(t.errLines(), args.join(' ')).toEqual([`${prefix}${said}`]);
      }
    }
    expect(readdirSync(dir).sort()).toEqual(['m']);
    const t = captureIO(dir, { ZTAUDIT_HISTORY: '' });
    expect(await main(['run', '--manifests', 'm', '--out', 'out', '-q', '--no-notify', '--history', 'none'], t.cli)).toBe(0);
  });

  it('a duration past what a timer can wait is refused, not a timeout that fires after 1 ms', async () => {
    const dir = dirWith({ 'm/ns.yaml': NAMESPACE });
    for (const [args, line] of [
      [['run', '--manifests', 'm', '--request-timeout', '3000000'], 'ztaudit: --request-timeout 3000000: must be at most 2147483 seconds (the longest a timer can wait, about 24.8 days)'],
      [['run', '--manifests', 'm', '--retry-budget', '2147484'], 'ztaudit: --retry-budget 2147484: must be at most 2147483 seconds (the longest a timer can wait, about 24.8 days)'],
      [['serve', '--manifests', 'm', '--shutdown-grace', '1e12'], 'ztaudit: --shutdown-grace 1e12: must be at most 2147483 seconds (the longest a timer can wait, about 24.8 days)'],
    ] as const) {
      const t = captureIO(dir);
      expect(await main([...args, '--out', 'out', ...QUIET], t.cli)).toBe(2);
      expect(t.errLines()).toEqual([line]);
    }
  });
});

describe('can', () => {
  it('a malformed subject is said at once, said by ztaudit, before any cluster is read', async () => {
    const dir = dirWith({ kubeconfig: 'apiVersion: v1\nkind: Config\ncurrent-context: a\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:9"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: a, context: {cluster: c, user: u}}]\n' });
    const t = captureIO(dir);
    expect(await main(['can', 'alice', '--kubeconfig', 'kubeconfig', '--retry-budget', '30'], t.cli)).toBe(2);
    expect(t.errLines()).toEqual(['ztaudit: can: not a subject: "alice" (use User:NAME, Group:NAME or ServiceAccount:NAMESPACE/NAME)']);
  });
});

describe('who-can and can: a question the source does not know', () => {
  it('is answered on stdout with the exit code it earns, after one warning line each on stderr', async () => {
    const dir = dirWith({ 'm/ns.yaml': NAMESPACE });
    const who = captureIO(dir);
    expect(await main(['who-can', 'gte', 'secretz', '-n', 'shpo', '--manifests', 'm'], who.cli)).toBe(0);
    expect(who.errLines()).toEqual([
      'ztaudit who-can: warning: unknown verb "gte" (did you mean get?): answered for the verb as given',
      'ztaudit who-can: warning: unknown resource type "secretz" (did you mean secrets?): not a Kubernetes built-in, a kind ztaudit reads or a type the source\'s RBAC rules name; answered for the name as given',
      'ztaudit who-can: warning: namespace "shpo" is not in the source (did you mean shop?): only cluster-wide grants answer for it',
    ]);
    expect(who.out()).toContain('Subjects that can gte secretz in namespace shpo:');
    const can = captureIO(dir);
    expect(await main(['can', 'User:alice', 'get', 'secrets', '-n', 'nope', '--manifests', 'm'], can.cli)).toBe(1);
    expect(can.errLines()).toEqual(['ztaudit can: warning: namespace "nope" is not in the source: only cluster-wide grants answer for it']);
    expect(can.out()).toMatch(/^no: User:alice/);
  });
});

describe('serve flags the system refuses', () => {
  it('a port in use and a host that is not this machine are one line each, exit 2', async () => {
    const dir = dirWith({ 'm/ns.yaml': NAMESPACE });
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const serve = ['serve', '--manifests', 'm', '--schedule', '0 2 * * *', ...QUIET];
      const inUse = captureIO(dir);
      expect(await main([...serve, '--port', String(port)], inUse.cli)).toBe(2);
      expect(inUse.errLines()).toEqual([`ztaudit: cannot listen on 127.0.0.1:${port} (--host, --port): the port is in use`]);
      const elsewhere = captureIO(dir);
      expect(await main([...serve, '--port', '0', '--host', '192.0.2.1'], elsewhere.cli)).toBe(2);
      expect(elsewhere.errLines()).toEqual(['ztaudit: cannot listen on 192.0.2.1:0 (--host, --port): not an address of this machine']);
    } finally {
      taken.close();
    }
  });

  it('a ZTAUDIT_SERVE_TOKEN that is set but blank (an empty Secret key) is refused, not taken as "no token"', async () => {
    const dir = dirWith({ 'm/ns.yaml': NAMESPACE });
    const t = captureIO(dir, { ZTAUDIT_SERVE_TOKEN: '\n' });
    expect(await main(['serve', '--manifests', 'm', '--schedule', '0 2 * * *', '--port', '0', '--host', '0.0.0.0', ...QUIET], t.cli)).toBe(2);
    expect(t.errLines()).toEqual(['ztaudit: ZTAUDIT_SERVE_TOKEN is set but blank: serve would answer without a token; put the token in it, or unset it to serve without one']);
  });
});

describe('history import of a file that is not an export', () => {
  it('a directory, a gzip of an export and a file of text are one line each, exit 2, not a line per line', async () => {
    const { gzipSync } = await import('node:zlib');
    const dir = dirWith({
      'runs.jsonl.gz': gzipSync(Buffer.from(`${JSON.stringify({ format: 'ztaudit-history-export', version: 1 })}\n`.repeat(50))),
      'notes.txt': 'run 1 was fine\nrun 2 too\n',
      'exports/keep': '',
    });
    for (const [file, line] of [
      ['exports', `ztaudit history import: --file ${join(dir, 'exports')}: is a directory, not an export`],
      ['runs.jsonl.gz', `ztaudit history import: ${join(dir, 'runs.jsonl.gz')}: not a ztaudit history export (line 1 is not JSON; it looks gzip-compressed: gunzip it first)`],
      ['notes.txt', `ztaudit history import: ${join(dir, 'notes.txt')}: not a ztaudit history export (line 1 is not JSON)`],
    ]) {
      const t = captureIO(dir);
      expect(await main(['history', 'import', '--history', 'h.db', '--file', file], t.cli)).toBe(2);
      expect(t.errLines()).toEqual([line]);
    }
  });

  it('export to a directory or below a missing one is one line, exit 2, not an unhandled stream error', async () => {
    const dir = dirWith({ 'm/ns.yaml': NAMESPACE });
    expect(await main(['run', '--manifests', 'm', '--out', 'out', '--history', 'h.db', '--no-notify', '-q', '--format', 'json'], captureIO(dir).cli)).toBe(0);
    for (const [file, code] of [['m', 'EISDIR'], ['gone/runs.jsonl', 'ENOENT']]) {
      const t = captureIO(dir);
      expect(await main(['history', 'export', '--history', 'h.db', '--file', file], t.cli)).toBe(2);
      expect(t.errLines()).toEqual([`ztaudit history export: --file ${join(dir, file)}: cannot write it (${code})`]);
    }
    const ok = captureIO(dir);
    expect(await main(['history', 'export', '--history', 'h.db', '--file', 'runs.jsonl'], ok.cli)).toBe(0);
    expect(readFileSync(join(dir, 'runs.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2);
  });

  it('an export that cannot be made leaves the earlier export at --file as it was, and no temp file', async () => {
    const earlier = '{"format":"ztaudit-history","version":1}\n{"an":"earlier run"}\n';
    const dir = dirWith({ 'runs.jsonl': earlier });
    const t = captureIO(dir);
    expect(await main(['history', 'export', '--history', 'ftp://nowhere/h', '--file', 'runs.jsonl'], t.cli)).toBe(2);
    expect(t.errLines()).toHaveLength(1);
    expect(readFileSync(join(dir, 'runs.jsonl'), 'utf8')).toBe(earlier);
    expect(readdirSync(dir)).toEqual(['runs.jsonl']);
  });

  it('a JSON line that is no run says what it lacks, not "schemaVersion undefined"', async () => {
    const dir = dirWith({ 'findings.jsonl': `${JSON.stringify({ findings: [] })}\n` });
    const t = captureIO(dir);
    expect(await main(['history', 'import', '--history', 'h.db', '--file', 'findings.jsonl'], t.cli)).toBe(2);
    expect(t.errLines()[0]).toBe(`ztaudit history import: ${join(dir, 'findings.jsonl')} line 1: no schemaVersion: not a run report; skipped`);
  });
});

describe('a --snapshot that is not one', () => {
  it('is named in one line that says what is wrong with it', async () => {
    const { gzipSync } = await import('node:zlib');
    const whole = gzipSync(Buffer.from(JSON.stringify({ schemaVersion: 1, cluster: { name: 'c' }, coverage: {}, resources: { pods: [] } }).repeat(1)));
    const dir = dirWith({
      'cut.json.gz': whole.subarray(0, whole.length - 12),
      'hello.gz': gzipSync('hello'),
      'unversioned.json': JSON.stringify({ cluster: { name: 'c' }, coverage: {}, resources: {} }),
      'empty.json.gz': '',
      'dir.json.gz/x': '',
    });
    for (const [file, why] of [
      ['cut.json.gz', 'the gzip data is corrupt or cut short; re-create it with `ztaudit snapshot`'],
      ['hello.gz', 'not a ztaudit snapshot (expected gzip JSON)'],
      ['unversioned.json', 'no schemaVersion: not a snapshot written by `ztaudit snapshot`'],
      ['empty.json.gz', 'the file is empty'],
      ['dir.json.gz', 'is a directory, not a snapshot file'],
      ['missing.json.gz', 'no such file'],
    ]) {
      const t = captureIO(dir);
      expect(await main(['run', '--snapshot', file, '--out', 'out', ...QUIET], t.cli)).toBe(2);
      expect(t.errLines()).toEqual([`ztaudit: --snapshot ${join(dir, file)}: ${why}`]);
    }
  });
});

describe('--snapshot with objects an analysis cannot read', () => {
  it('is refused with one line naming the object and key', async () => {
    const dir = dirWith({});
    const snap = join(dir, 'demo.snap.json.gz');
    expect(await main(['snapshot', '--manifests', join(import.meta.dirname, '../../../examples/demo-cluster'), '-o', snap, '-q'], captureIO(dir).cli)).toBe(0);
    const { gunzipSync } = await import('node:zlib');
    const doc = JSON.parse(gunzipSync(readFileSync(snap)).toString('utf8')) as { resources: { deployments: Array<{ metadata: Record<string, unknown> }> } };
    doc.resources.deployments[1].metadata.name = { '.Release.Name': null };
    writeFileSync(join(dir, 'edited.json'), JSON.stringify(doc));
    const t = captureIO(dir);
    expect(await main(['run', '--snapshot', 'edited.json', '--out', 'out', ...QUIET], t.cli)).toBe(2);
    expect(t.errLines()).toEqual([`ztaudit: --snapshot ${join(dir, 'edited.json')}: resources.deployments[1].metadata.name is a mapping, not a string; re-create it with \`ztaudit snapshot\``]);
  });
});

// `snapshot -o` that cannot be written was found out only after the whole collection (minutes
// on a large cluster, thrown away), and left the complete snapshot in `<path>.<pid>.tmp` beside
// the path while saying it could not write it.
describe('snapshot -o that cannot be written', () => {
  it('is refused before anything is collected, with one line naming -o', async () => {
    const dir = dirWith({});
    mkdirSync(join(dir, 'snaps'));
    // The input does not exist either: the -o error coming first shows nothing was read.
    for (const [out, why] of [
      ['snaps', `-o snaps: is a directory; name the snapshot file to write (e.g. ${join('snaps', 'cluster.snap.json.gz')})`],
      ['missing/x.snap.json.gz', `-o missing/x.snap.json.gz: the directory ${join(dir, 'missing')} does not exist`],
    ]) {
      const t = captureIO(dir);
      expect(await main(['snapshot', '--manifests', 'no-such-dir', '-o', out, '-q'], t.cli)).toBe(2);
      expect(t.errLines()).toEqual([`ztaudit: ${why}`]);
    }
  });

  it('leaves no temp copy of the cluster state when the write fails', async () => {
    const { writeSnapshot } = await import('../../../src/snapshot/io.ts');
    const { snapshotFromObjects } = await import('../../../src/collect/from-objects.ts');
    const dir = dirWith({});
    mkdirSync(join(dir, 'taken'));
    expect(() => writeSnapshot(join(dir, 'taken'), snapshotFromObjects([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }]))).toThrow(/EISDIR/);
    expect(readdirSync(dir)).toEqual(['taken']);
  });
});

// Reviewer's repro (/tmp/rev-revhist/fail): `kind: [` beside readable manifests was a stored
// partial run, exit 0, while `run --help` listed "unreadable input" under exit 2. DESIGN.md's exit
// codes: 0 "the audit completed and nothing met --fail-on (default never, so a CronJob is not
// retried and alerts are not sent twice)", 2 "it could not run"; "Missing data is not a fix" makes
// what could not be read not evaluated, a partial run. So the run stands and the help says so.
describe('a broken YAML document beside readable manifests: a partial run, as `run --help` says', () => {
  it('exit 0 under --fail-on never (stored as partial, the file and line named), 1 under --fail-on regression; the help lists it under exit 0, not 2', async () => {
    const dir = dirWith({ 'm/ns.yaml': NAMESPACE, 'm/bad.yaml': 'kind: [\n' });
    const t = captureIO(dir);
    expect(await main(['run', '--manifests', 'm', '--out', 'out', ...QUIET], t.cli)).toBe(0);
    expect(report(join(dir, 'out')).run.partial?.[0]).toMatch(/^every kind could not be read \(error: m\/bad\.yaml:1: broken YAML document/);
    const gate = captureIO(dir);
    expect(await main(['run', '--manifests', 'm', '--out', 'out2', ...QUIET, '--fail-on', 'regression'], gate.cli)).toBe(1);
    expect(gate.err()).toMatch(/ztaudit: exit 1: \d+ checks not evaluated \(every kind error: m\/bad\.yaml:1: broken YAML document/);
    const help = captureIO(dir);
    expect(await main(['run', '--help'], help.cli)).toBe(0);
    const codes = help.out().split('\nExit codes:\n')[1]!.replace(/\s+/g, ' ');
    const [zero, rest] = codes.split(' 1 the audit completed');
    expect(zero).toContain('a broken document in --manifests');
    const two = rest!.split(' 2 the audit could not run')[1]!;
    expect(two).not.toContain('unreadable input');
    expect(two).toContain('--manifests without one readable object');
  });
});
