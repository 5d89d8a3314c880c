// Pods that carry an API token they have no use for: their service account has no grants
// beyond discovery, yet automountServiceAccountToken is not false (pod or account level). A
// stolen token is still an authenticated identity (every system:authenticated grant, a
// TokenReview-able credential for other services), so it should not be there at all.
import type { AuditContext } from '../../src/analysis/context.ts';
import type { Check } from '../../src/engine/types.ts';
import { refString, stableVerdicts, type WorkloadVerdict } from '../../src/analysis/workloads.ts';
import { RBAC_NEEDS } from './common.ts';
import { workloadIdentities, type ProjectedToken } from './lib/workload-identity.ts';
import { WORKLOAD_IDENTITY, cis } from '../controls.ts';

const DECIDED = {
  pod: 'the pod sets automountServiceAccountToken: true', serviceaccount: 'its ServiceAccount sets automountServiceAccountToken: true',
  default: 'neither the pod nor its ServiceAccount sets automountServiceAccountToken: false',
  projected: 'automountServiceAccountToken is false, but the pod mounts a projected serviceAccountToken for the API server',
};

const audienceText = (t: ProjectedToken) => (t.audience === undefined ? 'no audience, so the API server\'s' : `audience ${JSON.stringify(t.audience)}`);

export const serviceAccountTokenAutomount: Check = {
  id: 'rbac.serviceaccount-token-automount',
  area: 'rbac',
  title: 'Pods mount an API token only when they use the API',
  protectsAgainst: 'pods that carry a Kubernetes API token they do not need (their service account has no role bindings, or only discovery): a token stolen from the filesystem is a credential for nothing the workload does',
  severity: 'low',
  controls: [cis('5.1.6'), ...WORKLOAD_IDENTITY],
  remediation: 'Set `automountServiceAccountToken: false` on the ServiceAccount (or in the pod spec) of workloads that do not call the Kubernetes API. A workload that authenticates elsewhere with its token (e.g. to Vault) should mount a projected token with its own audience instead.',
  needs: ['pods', ...RBAC_NEEDS],
  reads: ['serviceaccounts'],
  evaluate(ctx) {
    // Under each workload's stable name: tomorrow's pod of the same CronWorkflow is this finding.
    return stableVerdicts(judged(ctx), serviceAccountTokenAutomount.severity);
  },
};

/** Each workload's token verdict, under its own name. */
function* judged(ctx: AuditContext): Generator<WorkloadVerdict> {
  for (const id of workloadIdentities(ctx)) {
    const workload = id.workload;
    const sa = `ServiceAccount ${id.namespace}/${id.serviceAccount}`;
    const resource = workload.ref;
    if (!id.automount) {
      const t = id.projectedToken;
      yield { workload, verdict: { status: 'pass', resource, message: `${refString(resource)} does not mount an API token${t ? ` (its projected token in volume ${t.volume} is for ${audienceText(t)}, not the API server)` : ''}` } };
    } else if (id.grants.length > 0) {
      yield { workload, verdict: { status: 'pass', resource, message: `${refString(resource)} mounts the token of ${sa}, which has role bindings` } };
    } else {
      yield {
        workload,
        verdict: {
          status: 'fail', resource,
          message: `${refString(resource)} mounts an API token of ${sa}, which has no role bindings beyond discovery: ${DECIDED[id.decidedBy]}${id.projectedToken ? ` (volume ${id.projectedToken.volume}, ${audienceText(id.projectedToken)})` : ''}`,
          evidence: { serviceAccount: { namespace: id.namespace, name: id.serviceAccount }, automountDecidedBy: id.decidedBy, ...(id.projectedToken ? { projectedToken: id.projectedToken } : {}) },
          related: [{ kind: 'ServiceAccount', namespace: id.namespace, name: id.serviceAccount }],
        },
      };
    }
  }
}
