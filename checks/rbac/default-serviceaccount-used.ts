// Workloads running as their namespace's `default` service account outside the system
// namespaces: every pod without serviceAccountName shares that identity, so whatever one of
// them needs (and any binding someone adds to `default`) every other gets. Medium when the
// default account has grants beyond discovery and the token is mounted, low otherwise.
// rbac.default-serviceaccount-bound judges the bindings on the account itself.
import type { AuditContext } from '../../src/analysis/context.ts';
import type { Check } from '../../src/engine/types.ts';
import { refString, stableVerdicts, type WorkloadVerdict } from '../../src/analysis/workloads.ts';
import { RBAC_NEEDS } from './common.ts';
import { workloadIdentities } from './lib/workload-identity.ts';
import { WORKLOAD_IDENTITY, cis } from '../controls.ts';

export const defaultServiceAccountUsed: Check = {
  id: 'rbac.default-serviceaccount-used',
  area: 'rbac',
  title: 'Workloads run as a dedicated service account',
  protectsAgainst: 'workloads that run as their namespace\'s `default` service account (no serviceAccountName), sharing one identity, its token and every grant made to it with every other such pod of the namespace; system namespaces are excluded',
  severity: 'medium',
  controls: [cis('5.1.5'), ...WORKLOAD_IDENTITY],
  remediation: 'Create a ServiceAccount per workload (with `automountServiceAccountToken: false` unless it calls the API), set `serviceAccountName` in the pod template, and bind only what that workload needs to it.',
  needs: ['pods', ...RBAC_NEEDS],
  reads: ['serviceaccounts'],
  evaluate(ctx) {
    // Under each workload's stable name: tomorrow's pod of the same CronWorkflow is this finding.
    return stableVerdicts(judged(ctx), defaultServiceAccountUsed.severity);
  },
};

/** Each workload's identity verdict, under its own name. */
function* judged(ctx: AuditContext): Generator<WorkloadVerdict> {
  for (const id of workloadIdentities(ctx)) {
    const workload = id.workload;
    const resource = workload.ref;
    if (id.serviceAccount !== 'default') {
      yield { workload, verdict: { status: 'pass', resource, message: `${refString(resource)} runs as ServiceAccount ${id.namespace}/${id.serviceAccount}` } };
      continue;
    }
    const powerful = id.automount && id.grants.length > 0;
    yield {
      workload,
      verdict: {
        status: 'fail', resource,
        message: `${refString(resource)} runs as ServiceAccount ${id.namespace}/default${powerful ? `, whose token it mounts and which is granted more than discovery (${id.grants.length} grant${id.grants.length === 1 ? '' : 's'})` : id.automount ? ' (its token is mounted)' : ''}`,
        evidence: { serviceAccount: { namespace: id.namespace, name: 'default' }, tokenMounted: id.automount, grants: id.grants.map((g) => ({ binding: g.binding.name, role: g.role.name, ...(g.namespace ? { namespace: g.namespace } : {}) })) },
        related: [{ kind: 'ServiceAccount', namespace: id.namespace, name: 'default' }],
        severity: powerful ? 'medium' : 'low',
      },
    };
  }
}
