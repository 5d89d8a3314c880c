// Antrea-native policies (crd.antrea.io ClusterNetworkPolicy and NetworkPolicy). The model does
// not evaluate them: each becomes a LayerPolicy that is `unevaluated`, whose subject is the set
// of pods it may apply to, so every verdict on those pods, in the directions it has rules for,
// is left in doubt (query.ts unevaluatedSelecting: reach says UNKNOWN naming the policy; the
// checks do not count a pass there). Antrea enforces them around the Kubernetes NetworkPolicies
// (antrea-io/antrea docs/antrea-network-policy.md at v2.2.0, "Tier" and "Static tiers"):
// "Emergency > SecurityOps > NetworkOps > Platform > Application > K8s NetworkPolicy > Baseline",
// an Allow or Drop of a tier being final, so one Allow before the NetworkPolicies lets through
// what they would deny. "Starting with Antrea v1.0, Antrea-native policies are enabled by default".

import type { KubeObject } from '../../snapshot/types.ts';
import type { ClassPredicate, LayerPolicy, PodSet, PolicyApiAdapter } from './layers.ts';
import { parseSelector, type Selector } from './selector.ts';
import { obj } from '../mesh/util.ts';


/** One appliedTo entry the scope can be narrowed by: a pod and/or namespace selector, nothing else. */
interface Entry { pods?: Selector; namespaces?: Selector }

/**
 * The entries of every appliedTo (the policy's, else each rule's: "appliedTo must be set either at
 * the policy level or at every rule", docs/antrea-network-policy.md v2.2.0 "Rule AppliedTo"), or
 * undefined when any entry selects by something else (a group, a serviceAccount, a service, an
 * externalEntitySelector, a nodeSelector) or cannot be read: then every pod of the scope counts.
 */
function appliedToEntries(spec: Record<string, unknown>, namespaced: boolean): Entry[] | undefined {
  const lists: unknown[] = [];
  if (Array.isArray(spec.appliedTo) && spec.appliedTo.length) lists.push(spec.appliedTo);
  else {
    for (const dir of ['ingress', 'egress'] as const) {
      const rules = spec[dir];
      if (!Array.isArray(rules)) continue;
      for (const r of rules) {
        const at = obj(r)?.appliedTo;
        if (!Array.isArray(at) || at.length === 0) return undefined;
        lists.push(at);
      }
    }
  }
  if (!lists.length) return undefined;
  const out: Entry[] = [];
  for (const list of lists as unknown[][]) {
    for (const raw of list) {
      const e = obj(raw);
      if (!e) return undefined;
      const keys = Object.keys(e).filter((k) => e[k] !== undefined && e[k] !== null);
      const allowed = namespaced ? ['podSelector'] : ['podSelector', 'namespaceSelector'];
      if (!keys.length || keys.some((k) => !allowed.includes(k))) return undefined;
      const entry: Entry = {};
      for (const [key, field] of [['podSelector', 'pods'], ['namespaceSelector', 'namespaces']] as const) {
        if (e[key] === undefined || e[key] === null) continue;
        const { selector, errors } = parseSelector(e[key], key);
        if (errors.length || !selector) return undefined;
        entry[field] = selector;
      }
      out.push(entry);
    }
  }
  return out;
}

/**
 * The pods the entries may select: any entry's pod selector (on the pod's labels) and namespace
 * selector (on its namespace's labels; in a ClusterNetworkPolicy a podSelector alone is every
 * namespace's pods). A namespace no manifest declares has only its name label known, so a
 * namespace selector is taken to select it: the scope of doubt never shrinks by a guess.
 */
function entriesPredicate(entries: readonly Entry[], declared: ReadonlySet<string>, key: string): ClassPredicate {
  return {
    key,
    matches: (cls, namespaceLabels) => entries.some((e) => (!e.pods || e.pods.matches(cls.labels))
      && (!e.namespaces || !declared.has(cls.namespace) || e.namespaces.matches(namespaceLabels))),
  };
}

function tierOf(spec: Record<string, unknown>): string {
  // "Any Antrea-native Policy resource without a `tier` name set in its spec will be associated with the 'application' Tier."
  return typeof spec.tier === 'string' && spec.tier ? spec.tier : 'application';
}

function layerOf(o: KubeObject, namespaced: boolean, declared: ReadonlySet<string>): LayerPolicy {
  const name = o.metadata?.name ?? '(unnamed)';
  const namespace = namespaced ? o.metadata?.namespace ?? 'default' : undefined;
  const spec = obj(o.spec) ?? {};
  const tier = tierOf(spec);
  const kindLabel = namespaced ? 'Antrea NetworkPolicy' : 'Antrea ClusterNetworkPolicy';
  const displayName = namespace !== undefined ? `${namespace}/${name}` : name;
  const entries = appliedToEntries(spec, namespaced);
  const subject: PodSet = {
    namespaces: namespaced ? { kind: 'policy' } : { kind: 'selector', selector: parseSelector({}, '').selector! },
    ...(entries ? { where: entriesPredicate(entries, declared, `antrea-applied-to:${entries.map((e) => `${e.pods?.key ?? '*'}@${e.namespaces?.key ?? '*'}`).join('|')}`) } : {}),
  };
  const order = typeof spec.priority === 'number' ? spec.priority : undefined;
  const where = entries ? 'the pods its appliedTo selects' : `every pod ${namespaced ? 'of its namespace' : 'of the cluster'} (its appliedTo is not read by ztaudit)`;
  const when = tier.toLowerCase() === 'baseline' ? 'after the Kubernetes NetworkPolicies (tier baseline)' : `before the Kubernetes NetworkPolicies (tier ${tier})`;
  const error = `Antrea-native policies are not evaluated by ztaudit; Antrea enforces this one ${when}, so every verdict on ${where} cannot be confirmed`;
  const hasRules = (dir: 'ingress' | 'egress') => Array.isArray(spec[dir]) && (spec[dir] as unknown[]).length > 0;
  return {
    api: 'Antrea',
    layer: 'antrea',
    ref: { kind: namespaced ? 'NetworkPolicy' : 'ClusterNetworkPolicy', ...(namespace !== undefined ? { namespace } : {}), name, apiVersion: o.apiVersion ?? 'crd.antrea.io/v1beta1' },
    id: `${namespaced ? 'AntreaNetworkPolicy' : 'AntreaClusterNetworkPolicy'}:${displayName}`,
    displayName,
    kindLabel,
    ...(namespace !== undefined ? { namespace } : {}),
    tier,
    ...(order !== undefined ? { order } : {}),
    sortName: displayName,
    subject,
    // A policy without rules of a direction does not touch that direction (Antrea-native policies
    // do not isolate pods: only their rules act); with any, the direction is in doubt.
    ...(hasRules('ingress') ? { ingress: [] } : {}),
    ...(hasRules('egress') ? { egress: [] } : {}),
    isolates: { ingress: false, egress: false },
    errors: [error],
    unevaluated: true,
    raw: o,
  };
}

export const antreaAdapter: PolicyApiAdapter = {
  api: 'Antrea',
  kinds: ['antrea.clusternetworkpolicies', 'antrea.networkpolicies'],
  parse: ({ snapshot }) => {
    const declared = new Set<string>();
    for (const n of snapshot.resources.namespaces ?? []) if (n.metadata?.name) declared.add(n.metadata.name);
    const policies = [
      ...(snapshot.resources['antrea.clusternetworkpolicies'] ?? []).map((o) => layerOf(o, false, declared)),
      ...(snapshot.resources['antrea.networkpolicies'] ?? []).map((o) => layerOf(o, true, declared)),
    ];
    return { policies, notes: [] };
  },
};
