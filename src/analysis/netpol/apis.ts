// The policy APIs the network model reads, in a fixed order (explicit registry: no
// directory scanning). Each adapter translates its kinds into LayerPolicies (layers.ts);
// the CNI's composition (composition.ts) decides which of them are enforced and in which
// stage. To add an API: write a PolicyApiAdapter and append it here (docs/network-model.md).

import type { CoverageNote, LayerPolicy, PolicyApiAdapter, Rule } from './layers.ts';
import type { KubeObject } from '../../snapshot/types.ts';
import { ciliumRelease } from './cilium/release.ts';
import { adminNetworkPolicyAdapter } from './anp.ts';
import { leadingZerosRefusedBy, networkPolicyLayer, parsePolicy } from './policy.ts';
import { calicoAdapter } from './calico/adapter.ts';
import { ciliumAdapter, cidrMatchModePeers } from './cilium/adapter.ts';
import { ciliumNamespace, readCiliumSettings } from './cilium/config.ts';
import { antreaAdapter } from './antrea.ts';

export const networkPolicyAdapter: PolicyApiAdapter = {
  api: 'NetworkPolicy',
  kinds: ['networkpolicies'],
  parse: ({ snapshot }) => {
    // A Cilium agent before 1.16 copies only `port` of a NetworkPolicy port (pkg/k8s/network_policy.go
    // parsePorts@v1.15.6; "EndPort in kubernetes NetworkPolicy is not supported"): the range is one port there.
    const release = ciliumRelease(snapshot);
    const dropEndPort = release.known && !release.portRanges;
    // policy-cidr-match-mode applies to ipBlock as well (Documentation/security/policy/layer3.rst@v1.20.2).
    const cilium = ciliumNamespace(snapshot) !== undefined ? readCiliumSettings(snapshot) : undefined;
    const withMode = (l: LayerPolicy): LayerPolicy => {
      if (!cilium || (!cilium.cidrMatchPods && !cilium.cidrMatchNodes)) return l;
      const rules = (list: Rule[] | undefined) => list?.map((r) => (r.peers === 'any' ? r : { ...r, peers: cidrMatchModePeers(r.peers, cilium) }));
      return { ...l, ...(l.ingress ? { ingress: rules(l.ingress) } : {}), ...(l.egress ? { egress: rules(l.egress) } : {}) };
    };
    const notes: CoverageNote[] = [];
    const refusedBy = leadingZerosRefusedBy(snapshot);
    const policies = (snapshot.resources.networkpolicies ?? []).map((o) => {
      const parsed = parsePolicy(o, refusedBy);
      if (!dropEndPort || parsed.errors.length > 0) return withMode(networkPolicyLayer(parsed));
      const stripped = withoutEndPorts(o);
      if (!stripped) return withMode(networkPolicyLayer(parsed));
      notes.push({ object: { kind: 'NetworkPolicy', namespace: parsed.namespace, name: parsed.name }, message: `NetworkPolicy ${parsed.id}: endPort is ignored by Cilium ${release.text} (port ranges came in 1.16): each rule covers its \`port\` only` });
      return withMode(networkPolicyLayer(parsePolicy(stripped, refusedBy)));
    });
    return { policies, notes };
  },
};

/** The NetworkPolicy without the endPort of its ports; undefined when it has none. */
function withoutEndPorts(o: KubeObject): KubeObject | undefined {
  const spec = o.spec as Record<string, unknown> | undefined;
  let found = false;
  const strip = (rules: unknown) => Array.isArray(rules) ? rules.map((r) => {
    if (!r || typeof r !== 'object' || !Array.isArray((r as { ports?: unknown }).ports)) return r;
    return { ...r, ports: ((r as { ports: unknown[] }).ports).map((p) => {
      if (!p || typeof p !== 'object' || (p as { endPort?: unknown }).endPort === undefined || (p as { endPort?: unknown }).endPort === null) return p;
      found = true;
      const { endPort: _dropped, ...rest } = p as Record<string, unknown>;
      return rest;
    }) };
  }) : rules;
  const next = { ...o, spec: { ...spec, ingress: strip(spec?.ingress), egress: strip(spec?.egress) } };
  if (spec?.ingress === undefined) delete (next.spec as Record<string, unknown>).ingress;
  if (spec?.egress === undefined) delete (next.spec as Record<string, unknown>).egress;
  return found ? next : undefined;
}

export const POLICY_APIS: readonly PolicyApiAdapter[] = [
  networkPolicyAdapter,
  adminNetworkPolicyAdapter,
  calicoAdapter,
  ciliumAdapter,
  antreaAdapter,
];

/** Snapshot keys of every policy API but NetworkPolicy: checks judging the combined model need them read (or absent). */
export const EXTRA_POLICY_KINDS = POLICY_APIS.flatMap((a) => a.kinds).filter((k) => k !== 'networkpolicies');
