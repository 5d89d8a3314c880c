import type { Check } from '../../src/engine/types.ts';
import { cis } from '../controls.ts';
import { EXTRA_POLICY_KINDS } from '../../src/analysis/netpol/apis.ts';
import { podSetMatches, policyLabel } from '../../src/analysis/netpol/engine.ts';
import type { LayerPolicy } from '../../src/analysis/netpol/layers.ts';
import { buildReachability, type PodClass, type ReachModel } from '../../src/analysis/netpol/model.ts';
import { refString, stableRefOf } from '../../src/analysis/workloads.ts';
import { CNI_SETTINGS_READS } from './lib/cni-settings.ts';
import { ANTREA_GROUPS_READ, ANTREA_TIERS_READ, CALICO_TIERS_READ, CILIUM_CIDR_GROUPS_READ, CILIUM_TO_SERVICES_READ, NODES_READ } from './lib/policy-kinds.ts';
import { SERVICE_ACCOUNT_LABELS_READ } from './lib/service-account-labels.ts';
import { isIdentityLabel, SOURCE_RESERVED } from '../../src/analysis/netpol/cilium/labels.ts';
import { parseCiliumSelector } from '../../src/analysis/netpol/cilium/selector.ts';
import { idleSelected, suspendedSelectedText } from './lib/selects-no-pod.ts';
import { setMember } from '../../src/base/json-member.ts';

/** The subject as one line: "podSelector app=web", "namespaces team=a", "pods team=a / app=db". */
function subjectText(p: LayerPolicy): string {
  const s = p.subject;
  const ns = s.namespaces.kind === 'policy' ? '' : s.namespaces.kind === 'names' ? `namespaces ${s.namespaces.names.join(',')}` : `namespaces ${s.namespaces.selector.key}`;
  const parts = [ns, s.pods ? `pods ${s.pods.key}` : '', s.serviceAccounts ? `service accounts ${s.serviceAccounts.key}` : '', s.serviceAccountNames ? `service accounts ${s.serviceAccountNames.join(',')}` : '', s.where ? s.where.key : ''].filter(Boolean);
  return parts.join(' and ') || 'every pod';
}

/** A Calico policy's subject as written: "namespaceSelector team == 'shop', selector app == 'db'" ("selector all()" when nothing is). */
function calicoSubjectWritten(p: LayerPolicy): string {
  const spec = (p.raw.spec ?? {}) as Record<string, unknown>;
  const parts: string[] = [];
  for (const f of ['namespaceSelector', 'serviceAccountSelector', 'selector']) {
    const v = spec[f];
    if (typeof v === 'string' && v.trim()) parts.push(`${f} ${v.trim()}`);
  }
  return parts.join(', ') || 'selector all()';
}

/**
 * A CiliumClusterwideNetworkPolicy whose endpointSelector selects the reserved:ingress identity:
 * the Envoy endpoint of Cilium's Ingress and Gateway API, not a pod. The Cilium docs' own example
 * (Documentation/network/servicemesh/default-deny-ingress-policy.rst, cilium v1.20.2: "Allow all
 * the egress traffic from reserved ingress identity", endpointSelector reserved:ingress Exists)
 * is such a policy. A namespaced CiliumNetworkPolicy cannot select it: its selector is confined
 * to its namespace's pods.
 */
function ciliumIngressSubject(p: LayerPolicy): boolean {
  if (p.api !== 'CiliumClusterwide') return false;
  const m = /#specs\[(\d+)\]$/.exec(p.id);
  const raw = p.raw as { spec?: { endpointSelector?: unknown }; specs?: Array<{ endpointSelector?: unknown }> };
  const spec = m ? raw.specs?.[Number(m[1])] : raw.spec;
  const sel = parseCiliumSelector(spec?.endpointSelector, 'endpointSelector').selector;
  return !!sel && !sel.wildcard && sel.matches([{ source: SOURCE_RESERVED, key: 'ingress', value: '' }]);
}

/**
 * The host-network workloads the subject's selector matches, which the policy leaves out because
 * the enforcer does not police such pods: "selects only hostNetwork pods (DaemonSet b/agent), which
 * Calico does not police" — Calico and Cilium police workload endpoints, and a host-network pod is
 * the node (docs/network-model.md); AdminNetworkPolicy "host-networked pods are not included in
 * subject selection" (network-policy-api apis/v1alpha1/adminnetworkpolicy_types.go, Subject).
 */
function hostNetworkOnly(model: ReachModel, p: LayerPolicy, classes: readonly PodClass[]): { text: string; workloads: string[] } | undefined {
  if (!p.subject.excludeHostNetwork) return undefined;
  const raw = { ...p.subject, excludeHostNetwork: false };
  const workloads = new Set<string>();
  for (const c of classes) {
    if (!c.hostNetwork || !podSetMatches(model.match, raw, p.namespace, c)) continue;
    for (const wk of c.workloads) {
      const node = model.workloadByKey.get(wk);
      if (node) workloads.add(refString(stableRefOf(node.ref)));
    }
  }
  if (workloads.size === 0) return undefined;
  const names = [...workloads].sort();
  const who = model.composition.name === 'calico' ? 'Calico does not police' : model.composition.name === 'cilium' ? 'Cilium does not police' : `${p.kindLabel} subjects leave out`;
  return { text: `selects only hostNetwork pods (${names.slice(0, 3).join(', ')}${names.length > 3 ? ` and ${names.length - 3} more` : ''}), which ${who}`, workloads: names.slice(0, 20) };
}

export const policySelectsNothing: Check = {
  id: 'network.policy-selects-nothing',
  area: 'network',
  title: 'Every network policy selects some pods',
  protectsAgainst: 'policies (of every modelled API) whose subject matches no pod (a typo such as app: web vs app: webapp), leaving the intended pods unprotected',
  severity: 'medium',
  controls: [cis('5.3.2'), 'NSA-CISA:NS/network-policies', 'NIST-800-53:SC-7'],
  remediation: "Fix the policy's selector (spec.podSelector, subject, selector or endpointSelector) to match the labels of the pods it is meant to protect (compare with the labels in the evidence), or delete the stale policy.",
  needs: ['namespaces', 'pods', 'networkpolicies'],
  reads: EXTRA_POLICY_KINDS,
  readsWhen: [...CNI_SETTINGS_READS, CILIUM_CIDR_GROUPS_READ, CILIUM_TO_SERVICES_READ, ANTREA_GROUPS_READ, ANTREA_TIERS_READ, CALICO_TIERS_READ, NODES_READ, SERVICE_ACCOUNT_LABELS_READ],
  *evaluate(ctx) {
    const model = buildReachability(ctx.snapshot);
    for (const p of model.policies) {
      if (p.errors.length) continue;
      const resource = p.ref;
      const label = policyLabel(p);
      const classes = p.namespace !== undefined ? (model.classesByNamespace.get(p.namespace) ?? []) : model.classes;
      const selected = model.selectedBy.get(p.id) ?? [];
      if (selected.length > 0 || classes.length === 0) {
        const suspended = classes.length === 0 ? suspendedSelectedText(ctx.snapshot, model, p) : '';
        yield { status: 'pass', resource, message: classes.length === 0 ? (p.namespace !== undefined ? `${label}: namespace ${p.namespace} runs no workloads${suspended ? `; it selects${suspended.slice(1)}` : ' yet'}` : `${label}: the cluster runs no workloads yet`) : `${label} selects ${selected.reduce((n, c) => n + c.podCount, 0)} pod(s)` };
        continue;
      }
      // A live workload running no pod now (a CronJob between runs) whose template it selects: the
      // selector is right, its pods come back (no finding each night the Job is not running).
      const idle = ctx.snapshot.origin === 'live' && p.namespace !== undefined ? idleSelected(ctx.snapshot, model, p) : [];
      if (idle.length > 0) {
        yield { status: 'pass', resource, message: `${label} selects no running pod now, but the pod template of ${idle.length} workload(s) that run none at the moment (${idle.slice(0, 3).join(', ')}${idle.length > 3 ? ', …' : ''})` };
        continue;
      }
      // A suspended CronJob's template it selects: no pod until the CronJob is resumed, so the
      // policy applies to nothing now; the finding says which, not "typo".
      const suspended = ctx.snapshot.origin === 'live' && p.namespace !== undefined ? idleSelected(ctx.snapshot, model, p, true) : [];
      const suspendedNote = suspended.length ? `; it selects only the pod template of ${suspended.slice(0, 3).join(', ')}${suspended.length > 3 ? ` and ${suspended.length - 3} more` : ''}, suspended (spec.suspend: true), which starts no Job until resumed` : '';
      const suspendedEvidence = suspended.length ? { suspendedWorkloads: suspended.slice(0, 20) } : {};
      if (p.api === 'Calico') {
        // A GlobalNetworkPolicy's selector also selects host endpoints (docs.tigera.io/calico/latest/
        // reference/host-endpoints/overview: "a host endpoint ... policy ... selector"), which the
        // snapshot does not hold: one that selects no pod may be host protection, not a typo —
        // unless its namespaceSelector or serviceAccountSelector limits it to pods (the adapter's
        // mayApplyToHostEndpoints).
        const selector = calicoSubjectWritten(p);
        // A serviceAccountSelector on ServiceAccounts whose labels are not known (not declared, or
        // not readable): the policy may select those pods, so "applies to nothing" is not known.
        const doubt = p.subject.where?.doubt;
        const unsure = doubt ? classes.filter((c) => doubt(c, model.match.namespaceLabels.get(c.namespace) ?? {}) !== undefined) : [];
        if (unsure.length) {
          const why = doubt!(unsure[0], model.match.namespaceLabels.get(unsure[0].namespace) ?? {})!;
          yield {
            status: 'pass',
            resource,
            message: `${label} selects no pod whose labels are known (${selector}), but may select ${unsure.reduce((n, c) => n + c.podCount, 0)} pod(s) whose ServiceAccount labels are not known: ${why}`,
            evidence: { api: p.api, selector, subject: subjectText(p), serviceAccountLabelsUnknown: why },
          };
          continue;
        }
        if (p.mayApplyToHostEndpoints) {
          yield {
            status: 'pass',
            resource,
            message: `${label} selects no pod (${selector}); it may apply to Calico host endpoints, which are not collected`,
            evidence: { api: p.api, selector, subject: subjectText(p), hostEndpoints: 'not collected' },
          };
          continue;
        }
        const hostNote = p.namespace === undefined ? '; its namespace or service-account selector limits it to pods, so it is no host-endpoint policy' : '';
        const hostOnly = hostNetworkOnly(model, p, classes);
        const nothing = `it ${model.enforced(p) ? 'applies to nothing' : 'would apply to nothing even if it were enforced'}`;
        yield {
          status: 'fail',
          resource,
          message: `${label} ${hostOnly ? `${hostOnly.text}: ${nothing} (${selector})` : `selects no pod (${selector}): ${nothing}`}${hostNote}${suspendedNote}`,
          evidence: { api: p.api, selector, subject: subjectText(p), ...(p.namespace !== undefined ? { namespace: p.namespace } : {}), ...(hostOnly ? { hostNetworkWorkloads: hostOnly.workloads } : {}), ...suspendedEvidence },
        };
        continue;
      }
      if (p.api === 'NetworkPolicy' && p.subject.pods) {
        // Show the values the selector's keys actually take, so a typo is visible at a glance.
        const podSelector = p.subject.pods.key;
        const keys = [...podSelector.matchAll(/(?:^|,)!?([^ ,=!()]+)/g)].map((m) => m[1]);
        // Own labels only, and own members: a key may be `constructor` or `__proto__`.
        const seen: Record<string, string[]> = {};
        for (const k of keys) setMember(seen, k, [...new Set(classes.flatMap((c) => (Object.hasOwn(c.labels, k) ? [c.labels[k]] : [])))].sort().slice(0, 10));
        // Under Cilium the selector sees only the labels the security identity keeps.
        const dropped = model.composition.name === 'cilium' ? keys.filter((k) => !isIdentityLabel(k)) : [];
        const why = dropped.length ? `; Cilium matches it against security identities, and its identity-label filter drops ${dropped.join(', ')}` : '';
        const hostOnly = hostNetworkOnly(model, p, classes);
        yield { status: 'fail', resource, message: `${label} ${hostOnly ? `${hostOnly.text}: it isolates nothing (podSelector ${podSelector})` : `selects no pod (podSelector ${podSelector}): it isolates nothing`}${why}${suspendedNote}`, evidence: { podSelector, labelValuesInNamespace: seen, ...(dropped.length ? { notInCiliumIdentity: dropped } : {}), ...(hostOnly ? { hostNetworkWorkloads: hostOnly.workloads } : {}), ...suspendedEvidence } };
        continue;
      }
      if (ciliumIngressSubject(p)) {
        yield { status: 'pass', resource, message: `${label} selects Cilium's Ingress/Gateway endpoint (reserved:ingress), which is no pod` };
        continue;
      }
      const hostOnly = hostNetworkOnly(model, p, classes);
      const nothing = `it ${model.enforced(p) ? 'applies to nothing' : 'would apply to nothing even if it were enforced'}`;
      yield {
        status: 'fail',
        resource,
        message: `${label} ${hostOnly ? `${hostOnly.text}: ${nothing} (${subjectText(p)})` : `selects no pod (${subjectText(p)}): ${nothing}`}${suspendedNote}`,
        evidence: { api: p.api, subject: subjectText(p), ...(p.namespace !== undefined ? { namespace: p.namespace } : {}), ...(hostOnly ? { hostNetworkWorkloads: hostOnly.workloads } : {}), ...suspendedEvidence },
      };
    }
  },
};
