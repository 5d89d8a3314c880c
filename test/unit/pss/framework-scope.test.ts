// CIS Kubernetes Benchmark 1.10 section 5.2 is audited over the whole cluster: kube-bench's
// cfg/cis-1.10/policies.yaml (aquasecurity/kube-bench) lists the pods of 5.2.2 "Minimize the
// admission of privileged containers" with `kubectl get pods --all-namespaces`, so a privileged
// container in kube-system makes it non-compliant there. ztaudit leaves system namespaces out by
// default (config systemNamespaces) and says so in the coverage section; the framework row of a
// control whose checks left them out must not read a bare "pass" that a reviewer takes for the
// cluster: it reads "pass (partial scope)" and names what was not assessed (HTML, report.csv).
// 5.2.1 ("at least one active policy control mechanism ... for every namespace which contains
// user workloads", same file) is judged by the namespace checks, which skip system namespaces too.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';

const APP = `apiVersion: v1
kind: Namespace
metadata: {name: app, labels: {pod-security.kubernetes.io/enforce: restricted}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: app}
spec:
  selector: {matchLabels: {a: b}}
  template:
    metadata: {labels: {a: b}}
    spec:
      securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
      containers:
      - name: a
        image: x
        securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
        resources: {limits: {cpu: 1, memory: 1Gi}}
`;
const SYSTEM = `---
apiVersion: v1
kind: Namespace
metadata: {name: kube-system}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: node-agent, namespace: kube-system}
spec:
  selector: {matchLabels: {a: n}}
  template:
    metadata: {labels: {a: n}}
    spec:
      containers:
      - name: a
        image: y
        securityContext: {privileged: true}
`;

async function audit(manifests: string): Promise<{ html: string; csv: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'zt-framework-scope-'));
  writeFileSync(join(dir, 'all.yaml'), manifests);
  const cli = { stdout: () => {}, stderr: () => {}, env: {}, isTTY: false, cwd: dir };
  expect(await main(['run', '--manifests', 'all.yaml', '--cluster-version', 'v1.34', '--out', 'out', '--history', 'none', '--no-notify', '--format', 'html,csv', '-q'], cli)).toBe(0);
  return { html: readFileSync(join(dir, 'out', 'report.html'), 'utf8'), csv: readFileSync(join(dir, 'out', 'report.csv'), 'utf8').split('\r\n') };
}

/** The text of the framework table's row of `control`, tags and <wbr> dropped. */
function row(html: string, control: string): string {
  const start = html.indexOf(`data-control="${control}"`);
  expect(start, control).toBeGreaterThan(0);
  return html.slice(start, html.indexOf('</tr>', start)).replace(/<wbr>/g, '').replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ');
}

const status = (csv: string[], control: string) => csv.find((r) => r.startsWith(`CIS Kubernetes Benchmark 1.10,${control},`))?.split(',')[3];

describe('the CIS 5.2 rows when system namespaces were left out', () => {
  it('5.2.2: "pass (partial scope)", naming the excluded kube-system workload that would fail', async () => {
    const { html, csv } = await audit(APP + SYSTEM);
    const text = row(html, 'CIS-1.10:5.2.2');
    expect(text).toContain('pass (partial scope)');
    expect(text).toContain('Not assessed: pod-security.pod-violates-target: 1 workload in system namespaces (config systemNamespaces) excluded by default; 1 would fail the target level restricted (DaemonSet kube-system/node-agent)');
    expect(status(csv, 'CIS-1.10:5.2.2')).toBe('pass (partial scope)');
  });

  it('5.2.1: the namespace checks say kube-system was not judged, and the row is a partial pass', async () => {
    const { html, csv } = await audit(APP + SYSTEM);
    const text = row(html, 'CIS-1.10:5.2.1');
    expect(text).toContain('pass (partial scope)');
    expect(text).toContain('Not assessed: pod-security.enforce-missing: system namespace kube-system (config systemNamespaces) is left out by default, so the enforce label was not judged there');
    expect(status(csv, 'CIS-1.10:5.2.1')).toBe('pass (partial scope)');
  });

  it('with nothing left out the rows read a plain pass', async () => {
    const { html, csv } = await audit(APP);
    for (const control of ['CIS-1.10:5.2.1', 'CIS-1.10:5.2.2']) {
      expect(row(html, control)).not.toContain('Not assessed');
      expect(status(csv, control)).toBe('pass');
    }
  });
});
