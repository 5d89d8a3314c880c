// The API server refuses a pod spec whose list fields hold a lone value (Capabilities.add and
// .drop are []Capability, Container.ports []ContainerPort, PodSecurityContext.sysctls []Sysctl,
// PodSpec.volumes []Volume: https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/).
// Read leniently, `capabilities: {drop: ALL}` passed the restricted level as if it dropped ALL.
// Like every other malformed field, such an object is skipped with a one-line note naming it
// and the field, and the checks that needed its kind are not evaluated: never a pass.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadManifests } from '../../../src/collect/manifests.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import { CHECKS } from '../../../checks/index.ts';

const NOW = new Date('2026-12-01T00:00:00Z');

function load(podSpec: string) {
  const dir = mkdtempSync(join(tmpdir(), 'zt-pod-lists-'));
  writeFileSync(join(dir, 'all.yaml'), `apiVersion: v1
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
${podSpec}`);
  const snapshot = loadManifests([dir], { clusterVersion: 'v1.36.0' });
  const report = auditSnapshot({ snapshot, config: defaultConfig(), checks: CHECKS, now: NOW, startedAt: NOW, runId: 'r1' }).report;
  const status = (id: string) => report.checks.find((c) => c.id === id)!.status;
  return { notes: snapshot.notes.filter((n) => n.includes('skipped')), status };
}

const container = (sc: string, extra = '') => `      securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}\n      containers:\n      - {name: a, image: x, resources: {limits: {cpu: 1, memory: 1Gi}}, securityContext: ${sc}${extra}}\n`;
const HARDENED = '{allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}';

describe('pod spec list fields given a lone value', () => {
  it('well-formed: loaded and judged (passes restricted)', () => {
    const r = load(container(HARDENED, ', ports: [{containerPort: 80}]'));
    expect(r.notes).toEqual([]);
    expect(r.status('pod-security.pod-violates-enforced-level')).toBe('pass');
  });

  it.each([
    ['capabilities.drop: ALL', container('{allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: ALL}}'), 'spec.template.spec.containers[0].securityContext.capabilities.drop is a string (ALL), not a list'],
    ['capabilities.add: NET_BIND_SERVICE', container('{allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL], add: NET_BIND_SERVICE}}'), 'spec.template.spec.containers[0].securityContext.capabilities.add is a string (NET_BIND_SERVICE), not a list'],
    ['capabilities.drop: [1]', container('{allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [1]}}'), 'spec.template.spec.containers[0].securityContext.capabilities.drop[0] is a number'],
    ['capabilities: ALL', container('{allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: ALL}'), 'spec.template.spec.containers[0].securityContext.capabilities is a string (ALL), not a mapping'],
    ['ports: a mapping', container(HARDENED, ', ports: {containerPort: 80, hostPort: 80}'), 'spec.template.spec.containers[0].ports is a mapping, not a list'],
    ['sysctls: a mapping', `      securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}, sysctls: {name: kernel.msgmax, value: "1"}}\n      containers:\n      - {name: a, image: x, securityContext: ${HARDENED}}\n`, 'spec.template.spec.securityContext.sysctls is a mapping, not a list'],
    ['volumes: a mapping', `${container(HARDENED)}      volumes: {name: h, hostPath: {path: /}}\n`, 'spec.template.spec.volumes is a mapping, not a list'],
  ])('%s: skipped with a note naming the object and the field; Pod Security not evaluated', (_, podSpec, field) => {
    const r = load(podSpec);
    expect(r.notes).toHaveLength(1);
    expect(r.notes[0]).toContain(`skipped a Deployment whose ${field}`);
    expect(r.notes[0]).toContain('all.yaml:5');
    expect(r.status('pod-security.pod-violates-enforced-level')).toBe('not-evaluated');
    expect(r.status('pod-security.pod-violates-target')).toBe('not-evaluated');
  });
});
