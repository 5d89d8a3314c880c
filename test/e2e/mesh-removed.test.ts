// `ztaudit run --manifests` twice against one SQLite history, Slack (the local Web API stand-in)
// and email (a real SMTP server on loopback): the second run's cluster has no Istio any more.
// Every mTLS check turns not applicable, which counted for nothing before: no alert, and the run
// after took the plaintext cluster as its baseline. What on-call must see is the mesh named, with
// what the previous run stated it covered. A run that could not read what the mesh is detected
// by must not say so: its checks are not evaluated ("coverage lost"), never "removed".
//
// Istio set up as istio.io documents it: a namespace labelled `istio-injection: enabled` gets
// the sidecar (istio.io/latest/docs/setup/additional-setup/sidecar-injection/#automatic-sidecar-injection),
// a PeerAuthentication without selector in the root namespace istio-system sets the mesh-wide
// mode (istio.io/latest/docs/reference/config/security/peer_authentication/).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { parseAllDocuments } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { main } from '../../src/cli/main.ts';
import type { CliIO } from '../../src/cli/io.ts';
import { snapshotFromObjects } from '../../src/collect/from-objects.ts';
import { writeSnapshot } from '../../src/snapshot/io.ts';
import type { KubeObject } from '../../src/snapshot/types.ts';
import { startFakeSlack, type FakeSlack } from '../unit/notify/slack-server.ts';

const REPO = join(import.meta.dirname, '../..');
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats.default(ajv);
const validate = ajv.compile(JSON.parse(readFileSync(join(REPO, 'schemas/report.schema.json'), 'utf8')));

const deployment = (ns: string, name: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${ns}}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec: {containers: [{name: c, image: "registry.example/${name}:1"}]}
`;
const APPS = [deployment('shop', 'web'), deployment('shop', 'api'), deployment('payments', 'charge')].join('---\n');
const namespaces = (istio: boolean) => ['istio-system', 'shop', 'payments']
  .map((n) => `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${n}${istio && n !== 'istio-system' ? ', labels: {istio-injection: enabled}' : ''}}\n`).join('---\n');
const MESH_WIDE_STRICT = `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec: {mtls: {mode: STRICT}}
`;

let dir: string;
let slack: FakeSlack;
let smtp: SMTPServer;
let mails: ParsedMail[];
let env: Record<string, string>;

function writeCluster(files: Record<string, string>): void {
  rmSync(join(dir, 'cluster'), { recursive: true, force: true });
  mkdirSync(join(dir, 'cluster'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, 'cluster', name), text);
}

const io = (): CliIO => ({ stdout: () => {}, stderr: () => {}, env, isTTY: false, cwd: dir });
const source = () => ['--manifests', 'cluster'];
const run = (from: string[] = source()) => main(['run', ...from, '--cluster', 'prod', '--out', 'out', '--history', 'history.db', '--format', 'html,json'], io());
const report = () => JSON.parse(readFileSync(join(dir, 'out/report.json'), 'utf8'));
/** Alerts: the messages posted to the channel, not their thread replies. */
const posts = () => slack.calls.filter((c) => c.path.endsWith('/chat.postMessage') && c.fields.thread_ts === undefined);

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'zt-mesh-removed-'));
  slack = await startFakeSlack();
  mails = [];
  smtp = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream).then((m) => { mails.push(m); callback(); }, callback);
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  env = {
    ZTAUDIT_SLACK_TOKEN: 'xoxb-test', ZTAUDIT_SLACK_CHANNEL: 'C0SECURITY', ZTAUDIT_SLACK_API_URL: slack.apiUrl,
    ZTAUDIT_SMTP_URL: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`,
    ZTAUDIT_EMAIL_FROM: 'ztaudit@example.test', ZTAUDIT_EMAIL_TO: 'secops@example.test',
  };
  writeCluster({ 'ns.yaml': namespaces(true), 'apps.yaml': APPS, 'istio.yaml': MESH_WIDE_STRICT });
  expect(await run()).toBe(0);
  expect(posts()).toHaveLength(0);
});

afterEach(async () => {
  await slack.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

describe('ztaudit run after the mesh was uninstalled', () => {
  it('alerts on Slack and by email, and says it in report.json and the HTML report, naming Istio and what it covered', async () => {
    const first = report();
    expect(first.score.areas.mtls).not.toBeNull();
    writeCluster({ 'ns.yaml': namespaces(false), 'apps.yaml': APPS });
    expect(await run()).toBe(0);

    const r = report();
    const line = `Istio no longer detected: mTLS was STRICT for 3 workloads in 2 namespaces in run ${first.run.id}; its 7 checks are not applicable now`;
    expect(r.diff.regression).toBe(true);
    expect(r.diff.regressionReasons[0]).toBe(line);
    expect(r.diff.meshesRemoved).toEqual([expect.objectContaining({ mesh: 'istio', runId: first.run.id, covered: { workloads: 3, namespaces: 2, modes: { STRICT: 3 } } })]);
    expect(validate(r), JSON.stringify(validate.errors)).toBe(true);

    const [alert] = posts();
    expect(alert.fields.text).toMatch(/^ztaudit: compliance regression/);
    expect(JSON.stringify(alert.fields.blocks)).toContain(line);
    expect(mails).toHaveLength(1);
    expect(mails[0].subject).toMatch(/regress/i);
    expect(mails[0].text).toContain(line);
    expect(readFileSync(join(dir, 'out/report.html'), 'utf8')).toContain(line);

    // Said once: the next night, still without a mesh, stays quiet.
    expect(await run()).toBe(0);
    expect(report().diff.regression).toBe(false);
    expect(posts()).toHaveLength(1);
  });

  it('does not call a mesh removed when the run could not read its kinds: the checks are not evaluated, "coverage lost"', async () => {
    const first = report();
    // The same cluster without Istio, collected with the PeerAuthentication list failing (an
    // API server error) — or, the second time, refused.
    const objects = [namespaces(false), APPS].join('---\n').split(/^---\n/m).flatMap((d) => parseAllDocuments(d).map((x) => x.toJS() as KubeObject));
    const runIds: string[] = [];
    for (const status of ['error', 'forbidden'] as const) {
      const snapshot = snapshotFromObjects(structuredClone(objects), { clusterName: 'prod' });
      snapshot.coverage['istio.peerauthentications'] = { status, detail: `list peerauthentications.security.istio.io: ${status}` };
      const file = join(dir, `blind-${status}.json.gz`);
      writeSnapshot(file, snapshot);
      const before = posts().length;
      expect(await run(['--snapshot', file])).toBe(0);
      const r = report();
      runIds.push(r.run.id);
      expect(r.checks.find((c: { id: string }) => c.id === 'mtls.mesh-not-strict').status).toBe('not-evaluated');
      expect(r.diff.meshesRemoved).toBeUndefined();
      expect(r.diff.regressionReasons.some((x: string) => x.includes('no longer detected'))).toBe(false);
      const alerts = posts().slice(before).map((p) => JSON.stringify(p.fields.blocks));
      expect(alerts.join('\n')).not.toContain('no longer detected');
      if (status === 'error') {
        // The transition from evaluated to blind is alerted as what it is.
        expect(r.diff.regressionReasons.some((x: string) => x.startsWith('coverage lost:') && x.includes('mtls.mesh-not-strict'))).toBe(true);
        expect(alerts).toHaveLength(1);
        expect(alerts[0]).toContain('coverage lost');
      }
    }
    // The next night reads everything and Istio is gone: named, with the newest run that
    // evaluated its checks, not lost behind the blind runs. The refused list still showed
    // Istio's API served (a 403 comes from the authorizer for an API that is there), so that
    // run judged the checks not reading PeerAuthentications; the others come from the first.
    // It meshed no workload (no namespace labelled): no figures to state.
    const before = posts().length;
    writeCluster({ 'ns.yaml': namespaces(false), 'apps.yaml': APPS });
    expect(await run()).toBe(0);
    const r = report();
    const line = `Istio no longer detected: its mTLS checks were evaluated in run ${runIds[1]}; its 7 checks are not applicable now`;
    expect(r.diff.regressionReasons[0]).toBe(line);
    expect(r.diff.meshesRemoved).toEqual([{ mesh: 'istio', runId: runIds[1], checks: expect.any(Array) }]);
    expect(r.diff.olderBaselines['mtls.mesh-not-strict']).toBe(first.run.id);
    expect(validate(r), JSON.stringify(validate.errors)).toBe(true);
    expect(posts()).toHaveLength(before + 1);
    expect(JSON.stringify(posts()[before].fields.blocks)).toContain(line);
  });
});
