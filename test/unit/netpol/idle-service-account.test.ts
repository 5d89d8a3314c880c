// An idle workload (a CronJob between runs) is judged by its pod template, and its template's
// pods run as the template's serviceAccountName. A Calico policy's serviceAccountSelector
// "Selects the service account(s) of the pods this policy applies to"
// (docs.tigera.io/calico/latest/reference/resources/networkpolicy), so a policy selecting the
// ServiceAccount `builder` (labelled role: ci) applies to a CronJob whose template runs as
// builder, whether or not a Job of it runs at the snapshot. Live snapshots: from manifests the
// templates stand in for pods anyway.
import { describe, expect, it } from 'vitest';
import { namespaceDefaultDenyIngress } from '../../../checks/network/namespace-default-deny-ingress.ts';
import { policySelectsNothing } from '../../../checks/network/policy-selects-nothing.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { calicoNode } from './calico-intent-cases.ts';
import { run, snap } from './helpers.ts';

const cluster = (serviceAccountName: string, runningPod: boolean) => calicoNode + (runningPod ? `---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: ci, labels: {app: web}}
spec: {containers: [{name: main, image: nginx:1.27}]}
status: {phase: Running}
` : '') + `---
apiVersion: v1
kind: Namespace
metadata: {name: ci}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: builder, namespace: ci, labels: {role: ci}}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: default, namespace: ci}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly-build, namespace: ci, uid: cj-1}
spec:
  schedule: "0 2 * * *"
  jobTemplate:
    spec:
      template:
        metadata: {labels: {app: nightly-build}}
        spec:
          serviceAccountName: ${serviceAccountName}
          restartPolicy: Never
          containers: [{name: main, image: busybox:1.36}]
---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: ci-only, namespace: ci}
spec: {selector: all(), serviceAccountSelector: role == 'ci', types: [Ingress]}
`;

function ctx(serviceAccountName: string, runningPod = false) {
  const snapshot = snap(cluster(serviceAccountName, runningPod));
  Object.assign(snapshot, { source: 'live', origin: 'live' });
  return { snapshot, config: defaultConfig(), now: new Date('2026-12-01T02:00:00Z') };
}

describe('an idle CronJob is probed as its template\'s ServiceAccount', () => {
  it('a policy selecting its ServiceAccount selects it: policy-selects-nothing passes', () => {
    // A pod of another app runs as default beside it, so the namespace runs workloads.
    const fails = run(policySelectsNothing, ctx('builder', true)).filter((v) => v.status === 'fail');
    expect(fails).toEqual([]);
  });

  it('the same template running as default is selected by nothing: the policy still fails', () => {
    const fails = run(policySelectsNothing, ctx('default', true)).filter((v) => v.status === 'fail');
    expect(fails.map((v) => v.resource.name)).toEqual(['ci-only']);
  });

  it('the namespace counts the CronJob isolated for ingress by that policy', () => {
    const ns = run(namespaceDefaultDenyIngress, ctx('builder')).filter((v) => v.resource.name === 'ci');
    expect(ns.map((v) => v.status)).toEqual(['pass']);
    const open = run(namespaceDefaultDenyIngress, ctx('default')).filter((v) => v.resource.name === 'ci');
    expect(open.map((v) => v.status)).toEqual(['fail']);
    expect(open[0].message).toContain('CronJob ci/nightly-build runs no pod now; judged by its template');
  });
});
