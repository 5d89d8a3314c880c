import type { Check } from '../../src/engine/types.ts';
import { cis } from '../controls.ts';
import type { Verdict } from '../../src/base/vocabulary.ts';
import { EXTRA_POLICY_KINDS } from '../../src/analysis/netpol/apis.ts';
import { detectCni } from '../../src/analysis/netpol/cni.ts';
import { buildReachability } from '../../src/analysis/netpol/model.ts';
import { policyLabel } from '../../src/analysis/netpol/engine.ts';
import { CNI_SETTINGS_READS } from './lib/cni-settings.ts';
import { ANTREA_GROUPS_READ, ANTREA_TIERS_READ, CALICO_TIERS_READ, CILIUM_CIDR_GROUPS_READ, CILIUM_TO_SERVICES_READ, NODES_READ } from './lib/policy-kinds.ts';
import { invalidPolicy } from './invalid-policy.ts';
import { policySelectsNothing } from './policy-selects-nothing.ts';

const MAX_LISTED = 20;

/** The Cilium APIs by the kind people know them by. */
const API_LABEL: Partial<Record<string, string>> = { Cilium: 'CiliumNetworkPolicy', CiliumClusterwide: 'CiliumClusterwideNetworkPolicy', Antrea: 'Antrea-native policy (crd.antrea.io)' };

/** The checks judging every policy, enforced or not: they wait for every policy kind they read. */
const EVERY_POLICY_CHECKS: readonly Check[] = [invalidPolicy, policySelectsNothing];

/**
 * A plugin whose switch or build cannot be told (cni.ts, CniPlugin.unconfirmed) is a medium
 * finding: neither a pass nor a certain failure.
 * When no known CNI is recognised (typical for a manifests directory, or a managed cluster
 * whose dataplane runs outside the API) the check returns no result rather than guess:
 * an unknown CNI is neither evidence of enforcement nor of its absence.
 */
export const cniNotEnforcing: Check = {
  id: 'network.cni-not-enforcing',
  area: 'network',
  title: 'The CNI enforces the network policies that exist',
  protectsAgainst: 'policies that exist on paper only: a CNI without policy enforcement (flannel alone, kind\'s kindnetd before its v20240813 build, GKE\'s netd without network policy enforcement or Dataplane V2, AKS\'s Azure CNI without a network policy engine) or switched off (kube-router --run-firewall=false, Weave Net\'s weave-kube without its weave-npc container, Kube-OVN kube-ovn-controller --enable-np=false, the Amazon VPC CNI without its node agent or with --enable-network-policy false, its default) ignores NetworkPolicies (a switch set from an environment variable whose value the container\'s env does not write out, or a kindnet image naming no build date, cannot be confirmed: a medium finding; so too, for each admin API whose objects exist, a Kube-OVN --enable-anp or a kube-network-policies pre-v0.9.0 admin flag set so, no kube-ovn-controller to show --enable-anp, or a Kube-OVN image tag naming no release), and a CNI that does not implement an API (AdminNetworkPolicy on Cilium, ClusterNetworkPolicy on Cilium before 1.20 or without enable-k8s-cluster-network-policy, Calico policies on Cilium, AdminNetworkPolicy on Calico v3.32, the admin APIs on Kube-OVN without kube-ovn-controller --enable-anp, its default, ClusterNetworkPolicy on Kube-OVN before v1.15.0, …) ignores that API\'s policies, and a CNI may be set to enforce nothing (Cilium\'s enable-policy never or policy-audit-mode; Calico Enterprise\'s and Calico Cloud\'s Felix dropActionOverride Accept or LogAndAccept, which accepts every packet policy denies, in the FelixConfiguration default or a calico-node FELIX_DROPACTIONOVERRIDE variable; one node.<nodename> or selector-scoped FelixConfiguration, or a value the snapshot does not show, cannot be confirmed: a medium finding) or to ignore an API (Cilium\'s enable-k8s-networkpolicy, enable-cilium-network-policy, enable-cilium-clusterwide-network-policy), in cilium-config, as a cilium-agent flag or CILIUM_ variable, or in a CiliumNodeConfig for every node (one for some nodes only, or a value the snapshot does not show, cannot be confirmed: a medium finding)',
  severity: 'critical',
  controls: [cis('5.3.1'), 'NSA-CISA:NS/network-policies', 'NIST-800-53:SC-7', 'NIST-800-207:T6'],
  remediation: 'Run a CNI that enforces the policy APIs in use (NetworkPolicy: Calico, Cilium, Antrea, or Calico alongside flannel as Canal; turn it on where it is off: network policy enforcement or Dataplane V2 on GKE, a network policy engine (Azure Network Policy Manager, Calico or Cilium) on AKS, enableNetworkPolicy on the EKS vpc-cni add-on, kube-router --run-firewall, Kube-OVN --enable-np, Weave Net\'s weave-npc container, kind v0.24.0 or later for kindnet; AdminNetworkPolicy: Calico v3.29 to v3.31 (BaselineAdminNetworkPolicy v3.30 to v3.31), Antrea from v1.13 with the AdminNetworkPolicy feature gate in antrea-controller.conf, OVN-Kubernetes, Kube-OVN with kube-ovn-controller --enable-anp=true, kube-network-policies (its -npa-v1alpha1 image); ClusterNetworkPolicy: Calico from v3.32, Cilium from 1.20 with enable-k8s-cluster-network-policy, Kube-OVN from v1.15.0 with --enable-anp=true, kube-network-policies (its -npa-v1alpha2 image)), turn on Antrea\'s AntreaPolicy feature gate (antrea-agent.conf and antrea-controller.conf) for Antrea-native policies, turn on the Cilium switches that watch the APIs in use (and off policy-audit-mode once the audit is done), set Felix\'s dropActionOverride back to Drop or LogAndDrop (FelixConfiguration default and node.<nodename>, and calico-node\'s FELIX_DROPACTIONOVERRIDE), or rewrite the decorative policies in an API the CNI implements.',
  needs: ['daemonsets', 'deployments'],
  readsWhen: [...CNI_SETTINGS_READS, CILIUM_CIDR_GROUPS_READ, CILIUM_TO_SERVICES_READ, ANTREA_GROUPS_READ, ANTREA_TIERS_READ, CALICO_TIERS_READ, NODES_READ],
  readsBestEffort: ['networkpolicies', ...EXTRA_POLICY_KINDS, 'namespaces', 'pods', 'serviceaccounts'],
  evaluate(ctx) {
    const d = detectCni(ctx.snapshot);
    if (d.verdict === 'unknown') return [];
    const resource = { kind: 'Cluster', name: ctx.snapshot.cluster.name };
    const plugins = d.plugins.map((p) => ({ plugin: p.name, enforcesNetworkPolicy: p.enforces, implements: p.apis, seenIn: p.seenIn }));
    const out: Verdict[] = [];
    const model = buildReachability(ctx.snapshot);
    // A CNI that can enforce NetworkPolicy may be set not to: Cilium's enable-policy never and
    // policy-audit-mode enforce nothing (a finding even with no NetworkPolicy yet), and
    // enable-k8s-networkpolicy false ignores NetworkPolicies.
    const npCount = (ctx.snapshot.resources.networkpolicies ?? []).length;
    const switchedOff = d.verdict === 'enforcing' ? model.composition.switchedOff ?? model.composition.decorative.get('NetworkPolicy') : undefined;
    const unconfirmed = d.verdict === 'enforcing' && switchedOff === undefined ? model.composition.unconfirmed.get('NetworkPolicy') : undefined;
    // Cilium's enable-policy or policy-audit-mode, or Felix's dropActionOverride, set from a value the snapshot does not show, or differing by node.
    const switchDoubt = d.verdict === 'enforcing' ? model.composition.switchUnconfirmed : undefined;
    if (switchDoubt !== undefined) {
      out.push({
        status: 'fail',
        resource,
        severity: 'medium',
        message: `whether the CNI enforces any policy cannot be confirmed: ${switchDoubt}; ${npCount} NetworkPolicies are evaluated ${model.composition.switchAssumed}, and the network verdicts are not vouched for`,
        evidence: { plugins },
      });
    } else if (unconfirmed !== undefined) {
      // Taken as enforced without the switch or the image to show it: neither a pass nor a certain failure.
      out.push({
        status: 'fail',
        resource,
        severity: 'medium',
        message: `whether the CNI enforces NetworkPolicy cannot be confirmed: ${unconfirmed}; ${npCount} NetworkPolicies are evaluated as enforced, and the network verdicts resting on them are not vouched for`,
        evidence: { plugins },
      });
    } else if (switchedOff !== undefined) {
      out.push({
        status: 'fail',
        resource,
        message: npCount > 0 ? `${npCount} NetworkPolicies have no effect: ${switchedOff}` : `no network policy is enforced: ${switchedOff}`,
        evidence: { plugins },
      });
    } else if (d.verdict === 'enforcing') {
      // A switch or build that cannot be told with no object of its API yet: nothing rests on it, so
      // still a pass (the admin APIs give nothing then either), but one that claims no enforcement.
      const doubts = [...model.composition.unconfirmedAbsent].sort(([a], [b]) => Number(b === 'NetworkPolicy') - Number(a === 'NetworkPolicy')).map(([api, why]) => `whether the CNI enforces ${API_LABEL[api] ?? api} cannot be confirmed (${why}); no ${API_LABEL[api] ?? api} exists yet, so no verdict rests on it`);
      const by = d.plugins.filter((p) => p.enforces).map((p) => p.name).join(', ');
      const npDoubted = model.composition.unconfirmedAbsent.has('NetworkPolicy');
      out.push({ status: 'pass', resource, message: [...(npDoubted ? [] : [`NetworkPolicy is enforced by ${by}`]), ...doubts].join('; '), evidence: { plugins } });
    } else {
      // A plugin switched off (kube-router --run-firewall=false, the VPC CNI's agent off, an old kindnetd) says why.
      const offWhy = d.plugins.map((p) => p.unimplemented?.NetworkPolicy).filter((w): w is string => w !== undefined);
      out.push({
        status: 'fail',
        resource,
        message: `the CNI (${d.plugins.map((p) => p.name).join(', ')}) does not enforce NetworkPolicy${offWhy.length ? ` (${offWhy.join('; ')})` : ''}: ${npCount} NetworkPolicies have no effect`,
        evidence: { plugins },
      });
    }
    // An admin API whose switch or release cannot be told (Kube-OVN's --enable-anp from a variable or
    // no controller to show it, a Kube-OVN image naming no release, kube-network-policies' pre-v0.9.0
    // flags from a variable): its policies are evaluated as enforced and reach answers UNKNOWN on them,
    // neither a pass nor a certain failure, as for NetworkPolicy above. Only where such objects exist
    // (Composition.unconfirmed holds the APIs present).
    for (const [api, why] of model.composition.unconfirmed) {
      if (api === 'NetworkPolicy') continue;
      const objects = model.policies.filter((p) => p.api === api);
      const label = API_LABEL[api] ?? api;
      out.push({
        status: 'fail',
        resource,
        detailKey: api,
        severity: 'medium',
        message: `whether the CNI enforces ${label} cannot be confirmed: ${why}; ${objects.length} ${label} object(s) are evaluated as enforced, and the network verdicts resting on them are not vouched for`,
        evidence: { api, plugins, policies: objects.slice(0, MAX_LISTED).map(policyLabel), policyCount: objects.length },
        related: objects.slice(0, MAX_LISTED).map((p) => p.ref),
        extent: { unit: 'policies', members: objects.map(policyLabel) },
      });
    }
    // Policies of an API the running CNI does not implement: decorative, left out of every verdict.
    // An unread kind of such an API (ReachModel.unreadKinds) decides no flow either, so it keeps no
    // reachability verdict waiting and changes none: a low note, not a problem. The checks that judge
    // every policy, enforced or not, still wait for it, and the note names them. It keeps the high finding's
    // detailKey, so a diff does not call decorative policies seen before resolved because they
    // could not be read this time.
    const unreadOf = (api: string) => model.unreadKinds.filter((k) => k.api === api && k.notEnforced !== undefined);
    for (const [api, why] of model.composition.decorative) {
      if (api === 'NetworkPolicy' || (switchDoubt !== undefined && why === model.composition.switchedOff)) continue;
      const objects = model.policies.filter((p) => p.api === api);
      const unread = unreadOf(api);
      out.push({
        status: 'fail',
        resource,
        detailKey: api,
        severity: 'high',
        message: `${objects.length} ${API_LABEL[api] ?? api} object(s) have no effect: ${why}${unread.length > 0 ? `; ${unread.map((k) => k.what).join(', ')} could not be read, so there may be more` : ''}`,
        evidence: { api, plugins, policies: objects.slice(0, MAX_LISTED).map(policyLabel), policyCount: objects.length, ...(unread.length > 0 ? { unread: unread.map((k) => `${k.key}: ${k.status}`) } : {}) },
        related: objects.slice(0, MAX_LISTED).map((p) => p.ref),
        extent: { unit: 'policies', members: objects.map(policyLabel) },
      });
    }
    const unreadApis = [...new Set(model.unreadKinds.filter((k) => k.notEnforced !== undefined && k.api !== 'NetworkPolicy' && !model.composition.decorative.has(k.api)).map((k) => k.api))];
    for (const api of unreadApis) {
      const unread = unreadOf(api);
      const waiting = EVERY_POLICY_CHECKS.filter((c) => unread.some((k) => c.reads?.includes(k.key))).map((c) => c.id);
      out.push({
        status: 'fail',
        resource,
        detailKey: api,
        severity: 'low',
        message: `${unread.map((k) => `${k.what} (${k.status})`).join(', ')} could not be read; this changes no reachability verdict, as ${unread[0].notEnforced}: any such policies would have no effect, but whether some exist is not known${waiting.length > 0 ? ` (${waiting.join(' and ')}, which judge every policy, enforced or not, are not evaluated until ${unread.length > 1 ? 'they' : 'it'} can be read)` : ''}`,
        evidence: { api, plugins, unread: unread.map((k) => `${k.key}: ${k.status}`) },
      });
    }
    return out;
  },
};
