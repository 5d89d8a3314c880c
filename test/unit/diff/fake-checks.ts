// A tiny, local check catalog for history and diff tests: the real checks are written
// elsewhere and change; these stay put so the expected new/resolved sets are exact.
import { defaultConfig, type Config } from '../../../src/config/types.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { auditSnapshot, type AuditOutput } from '../../../src/engine/audit.ts';
import type { Check } from '../../../src/engine/types.ts';
import type { Verdict } from '../../../src/base/vocabulary.ts';
import type { BreadthEntry } from '../../../src/run/types.ts';
import type { KubeObject, Snapshot } from '../../../src/snapshot/types.ts';

const SYSTEM = new Set(['kube-system', 'kube-public', 'kube-node-lease', 'default']);

export const defaultDeny: Check = {
  id: 'network.fake-default-deny', area: 'network', title: 'Namespace has a NetworkPolicy', severity: 'high', protectsAgainst: 'a test scenario',
  controls: ['NIST-800-53:SC-7'], remediation: 'Add a default-deny policy.', needs: ['namespaces', 'networkpolicies'],
  evaluate(ctx) {
    const withPolicy = new Set((ctx.snapshot.resources.networkpolicies ?? []).map((p) => p.metadata?.namespace));
    return (ctx.snapshot.resources.namespaces ?? [])
      .filter((n) => !SYSTEM.has(n.metadata?.name ?? ''))
      .map((n): Verdict => ({
        status: withPolicy.has(n.metadata?.name) ? 'pass' : 'fail',
        resource: { kind: 'Namespace', name: n.metadata?.name ?? '' },
        message: `namespace ${n.metadata?.name} ${withPolicy.has(n.metadata?.name) ? 'has' : 'has no'} NetworkPolicy`,
      }));
  },
};

export const privileged: Check = {
  id: 'pod-security.fake-privileged', area: 'pod-security', title: 'No privileged containers', severity: 'critical', protectsAgainst: 'a test scenario',
  controls: ['CIS-1.10:5.2.2'], remediation: 'Drop privileged.', needs: ['deployments'],
  evaluate(ctx) {
    return (ctx.snapshot.resources.deployments ?? []).map((d): Verdict => {
      const containers: Array<{ securityContext?: { privileged?: boolean } }> = d.spec?.template?.spec?.containers ?? [];
      const bad = containers.some((c) => c.securityContext?.privileged === true);
      return {
        status: bad ? 'fail' : 'pass',
        resource: { kind: 'Deployment', namespace: d.metadata?.namespace, name: d.metadata?.name ?? '' },
        message: bad ? 'runs a privileged container' : 'no privileged container',
      };
    });
  },
};

export const wildcard: Check = {
  id: 'rbac.fake-wildcard', area: 'rbac', title: 'No wildcard verbs', severity: 'medium', protectsAgainst: 'a test scenario',
  controls: ['CIS-1.10:5.1.3'], remediation: 'List verbs.', needs: ['clusterroles'],
  evaluate(ctx) {
    return (ctx.snapshot.resources.clusterroles ?? []).map((r): Verdict => {
      const rules: Array<{ verbs?: string[] }> = Array.isArray(r.rules) ? (r.rules as Array<{ verbs?: string[] }>) : [];
      const bad = rules.some((x) => x.verbs?.includes('*'));
      return { status: bad ? 'fail' : 'pass', resource: { kind: 'ClusterRole', name: r.metadata?.name ?? '' }, message: bad ? 'grants * verbs' : 'explicit verbs' };
    });
  },
};

export const FAKE_CHECKS: readonly Check[] = [defaultDeny, privileged, wildcard];

export const ns = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
export const netpol = (namespace: string): KubeObject => ({
  apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'default-deny', namespace }, spec: { podSelector: {}, policyTypes: ['Ingress'] },
});
export const deployment = (namespace: string, name: string, isPrivileged: boolean): KubeObject => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace },
  spec: { template: { spec: { containers: [{ name: 'c', image: 'x', securityContext: { privileged: isPrivileged } }] } } },
});
export const clusterRole = (name: string, verbs: string[]): KubeObject => ({
  apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name }, rules: [{ apiGroups: [''], resources: ['pods'], verbs }],
});

export interface AuditOptions {
  runId: string;
  now?: Date;
  config?: Config;
  /** Coverage overrides, e.g. { networkpolicies: 'forbidden' }. */
  coverage?: Partial<Record<string, 'forbidden' | 'error'>>;
  breadth?: BreadthEntry[];
  cluster?: string;
}

export function snapshotOf(objects: KubeObject[], options: AuditOptions): Snapshot {
  const snapshot = snapshotFromObjects(structuredClone(objects), { clusterName: options.cluster ?? 'demo' });
  for (const [key, status] of Object.entries(options.coverage ?? {})) {
    (snapshot.coverage as Record<string, unknown>)[key] = { status, detail: `list ${key}` };
    (snapshot.resources as Record<string, unknown>)[key] = [];
  }
  return snapshot;
}

export function auditObjects(objects: KubeObject[], options: AuditOptions): AuditOutput {
  const now = options.now ?? new Date('2026-11-20T02:00:00Z');
  return auditSnapshot({
    snapshot: snapshotOf(objects, options), config: options.config ?? defaultConfig(), checks: FAKE_CHECKS,
    now, startedAt: now, runId: options.runId,
    details: options.breadth ? () => ({ rbac: { breadth: options.breadth! } }) : undefined,
  });
}
