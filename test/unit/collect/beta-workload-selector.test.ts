// The API server defaulted an extensions/v1beta1 DaemonSet's, Deployment's and ReplicaSet's
// selector, and an apps/v1beta1 Deployment's and StatefulSet's, to the pod template's labels, and
// the workload's own labels when it had none (kubernetes pkg/apis/extensions/v1beta1/defaults.go
// at commit 0031cb7a, SetDefaults_DaemonSet, SetDefaults_Deployment, SetDefaults_ReplicaSet;
// pkg/apis/apps/v1beta1/defaults.go at commit 0613ae50, SetDefaults_Deployment, SetDefaults_StatefulSet:
// `if obj.Spec.Selector == nil { obj.Spec.Selector = &…LabelSelector{MatchLabels: labels} }`).
// apps/v1beta2 has no such default (pkg/apis/apps/v1beta2/defaults.go at commit 1f3367f8: its
// selector is required, as apps/v1's).
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { main } from '../../../src/cli/main.ts';
import type { RunReport } from '../../../src/run/types.ts';
import { captureIO } from '../../helpers/cli.ts';

const workload = (apiVersion: string, kind: string, extra = '') => `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata: {name: web, namespace: shop${extra}}\nspec:\n  template:\n    metadata: {labels: {app: web, tier: front}}\n    spec: {containers: [{name: c, image: nginx}]}\n`;

describe('a beta workload without a selector', () => {
  it.each([
    ['extensions/v1beta1', 'Deployment'], ['extensions/v1beta1', 'DaemonSet'], ['extensions/v1beta1', 'ReplicaSet'],
    ['apps/v1beta1', 'Deployment'], ['apps/v1beta1', 'StatefulSet'],
  ])('%s %s: its selector, and its labels, are its template\'s labels', (apiVersion, kind) => {
    const [o] = parseManifestText(workload(apiVersion, kind), 'w.yaml').objects;
    expect(o.apiVersion).toBe('apps/v1');
    expect((o.spec as { selector: unknown }).selector).toEqual({ matchLabels: { app: 'web', tier: 'front' } });
    expect(o.metadata?.labels).toEqual({ app: 'web', tier: 'front' });
  });

  it('keeps a selector and labels it has', () => {
    const text = `apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: {name: web, namespace: shop, labels: {team: a}}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web, tier: front}}\n    spec: {containers: [{name: c, image: nginx}]}\n`;
    const [o] = parseManifestText(text, 'w.yaml').objects;
    expect((o.spec as { selector: unknown }).selector).toEqual({ matchLabels: { app: 'web' } });
    expect(o.metadata?.labels).toEqual({ team: 'a' });
  });

  it.each([['apps/v1beta2', 'Deployment'], ['apps/v1beta2', 'StatefulSet'], ['apps/v1beta2', 'DaemonSet'], ['apps/v1beta2', 'ReplicaSet'], ['apps/v1', 'Deployment']])('%s %s: none is defaulted', (apiVersion, kind) => {
    const [o] = parseManifestText(workload(apiVersion, kind), 'w.yaml').objects;
    expect((o.spec as { selector?: unknown }).selector).toBeUndefined();
    expect(o.metadata?.labels).toBeUndefined();
  });

  it('a ReplicaSet naming it as controller but of other labels is judged as itself (its privileged container was folded into the Deployment and hidden)', async () => {
    const rs = 'apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {name: web-5d8f, namespace: shop, ownerReferences: [{apiVersion: extensions/v1beta1, kind: Deployment, name: web, controller: true}]}\nspec:\n  selector: {matchLabels: {app: other}}\n  template:\n    metadata: {labels: {app: other}}\n    spec: {containers: [{name: c, image: nginx, securityContext: {privileged: true}}]}\n';
    const dir = mkdtempSync(join(tmpdir(), 'zt-beta-selector-'));
    mkdirSync(join(dir, 'm'));
    writeFileSync(join(dir, 'm', 'app.yaml'), ['apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n', workload('extensions/v1beta1', 'Deployment'), rs].join('---\n'));
    const io = captureIO(dir);
    expect(await main(['run', '--manifests', 'm', '--history', 'none', '--no-notify', '-q', '--out', 'out'], io.cli)).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, 'out/report.json'), 'utf8')) as RunReport;
    // The Deployment controller only keeps pods its selector selects (a ReplicaSet of other labels is not its).
    expect(report.findings.filter((f) => f.check === 'pod-security.pod-violates-target').map((f) => `${f.resource.kind} ${f.resource.name} ${f.severity}`).sort())
      .toEqual(['Deployment web medium', 'ReplicaSet web-5d8f high']);
  });
});
