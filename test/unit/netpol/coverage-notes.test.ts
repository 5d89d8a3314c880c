// What the network model leaves out reaches the report: a Calico preDNAT policy (host endpoints,
// out of scope) is named in run.notes, which the HTML coverage section lists.
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { CHECKS } from '../../../checks/index.ts';
import { runDetails, runNotes } from '../../../src/analysis/details.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';

const objects = parseAllDocuments(`
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: protect-<b>nodes</b>}
spec: {preDNAT: true, applyOnForward: true, selector: has(node-role), ingress: [{action: Deny}]}
`).map((d) => d.toJS() as KubeObject);

describe('network model coverage notes', () => {
  it('names a policy the model leaves out in report.run.notes, after the collector notes', () => {
    const snapshot = snapshotFromObjects(objects);
    const now = new Date('2026-12-01T00:00:00Z');
    const { report } = auditSnapshot({ snapshot, config: defaultConfig(), checks: CHECKS, now, startedAt: now, runId: 'r1', details: runDetails, notes: runNotes });
    expect(report.run.notes.slice(0, snapshot.notes.length)).toEqual(snapshot.notes);
    expect(report.run.notes).toContainEqual(expect.stringMatching(/^GlobalNetworkPolicy protect-<b>nodes<\/b>: .*preDNAT: applies to host endpoints only/));
  });

  it('says nothing when the model judged every policy', () => {
    const snapshot = snapshotFromObjects(objects.slice(0, 2));
    expect(runNotes({ snapshot, config: defaultConfig(), now: new Date() })).toEqual([]);
  });
});
