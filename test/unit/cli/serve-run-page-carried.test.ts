// serve's /runs/ID must list the same findings as `ztaudit report ID --format html` and the run's
// own report.html: the findings of a namespace the run could not judge (its Namespace object
// absent, so its pod-security labels unknown: "Pod Security Admission" labels are set on the
// Namespace, kubernetes.io/docs/concepts/security/pod-security-admission/#pod-security-admission-labels-for-namespaces)
// are carried from the run that last judged it. A page that drops them reads as if they were fixed.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { startRunPageRenderer, type StoredRunPage } from '../../../src/cli/serve-pages.ts';
import type { RunReport } from '../../../src/run/types.ts';
import { captureIO } from '../../helpers/cli.ts';

const APP = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: ghostns}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: c
        image: nginx:1.27
        securityContext: {privileged: true}
`;
const NS = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: ghostns}\n';
const FINDING = 'Namespace ghostns has no pod-security';

let dir: string;
const history = () => join(dir, 'h.db');

async function run(name: string, withNamespace: boolean): Promise<RunReport> {
  const m = join(dir, `m-${name}`);
  mkdirSync(m);
  writeFileSync(join(m, 'app.yaml'), APP);
  if (withNamespace) writeFileSync(join(m, 'ns.yaml'), NS);
  const t = captureIO(dir);
  const code = await main(['run', '--manifests', m, '--cluster', 'njc', '--history', history(), '--out', `out-${name}`, '--format', 'json,html', '-q', '--no-notify'], t.cli);
  expect(code, t.err()).toBe(0);
  return JSON.parse(readFileSync(join(dir, `out-${name}`, 'report.json'), 'utf8')) as RunReport;
}

let second: RunReport;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ztaudit-serve-carried-'));
  await run('1', true);
  second = await run('2', false);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("serve's /runs/ID of a run that could not judge namespace ghostns lists its finding, as the run's report.html and `report ID` do", async () => {
  // The premise: the second run carries the ghostns finding as not judged.
  expect(second.diff?.notJudged?.length ?? 0).toBeGreaterThan(0);
  expect(readFileSync(join(dir, 'out-2', 'report.html'), 'utf8')).toContain(FINDING);

  const t = captureIO(dir);
  expect(await main(['report', second.run.id, '--history', history(), '--format', 'html', '--out', 'rep'], t.cli), t.err()).toBe(0);
  const cli = readFileSync(join(dir, 'rep', 'report.html'), 'utf8');
  expect(cli).toContain(FINDING);

  const pages = startRunPageRenderer({ history: history(), cwd: dir, env: {} });
  let served: StoredRunPage;
  try {
    served = await pages.render(second.run.id);
  } finally {
    await pages.close();
  }
  expect(typeof served).toBe('string');
  expect(served).toContain(FINDING);
  expect(served).toBe(cli);
}, 120_000);
