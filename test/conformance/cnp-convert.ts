// AdminNetworkPolicy / BaselineAdminNetworkPolicy (policy.networking.k8s.io/v1alpha1) rewritten
// as ClusterNetworkPolicy (v1alpha2), field by field, as upstream documents the change
// (site-src/blog/posts/ClusterNetworkPolicy.md, "What has changed", and the v1alpha2 rewrite of
// its own conformance manifests, conformance/base/api_integration/standard-anp-np-banp.yaml):
// - an AdminNetworkPolicy becomes tier Admin with its priority; the BaselineAdminNetworkPolicy
//   (the singleton "default") tier Baseline, priority 10 as upstream's rewrite gives it;
// - action Allow is renamed Accept; Deny and Pass stay;
// - `ports` become `protocols`: portNumber {protocol, port} → {tcp|udp|sctp: {destinationPort: {number}}},
//   portRange {protocol, start, end} → {…: {destinationPort: {range: {start, end}}}},
//   namedPort → destinationNamedPort;
// - peers (namespaces, pods, nodes, networks) keep their shape.
// Anything else (the v0.1.0-v0.1.2 peer shapes) has no v1alpha2 counterpart: it throws, so a
// scenario that cannot be converted fails loudly instead of being compared on something else.
import type { KubeObject } from '../../src/snapshot/types.ts';

type Obj = Record<string, unknown>;

const PEER_KEYS = new Set(['namespaces', 'pods', 'nodes', 'networks', 'domainNames']);

function fail(where: string, what: string): never {
  throw new Error(`cnp-convert: ${where}: ${what} has no ClusterNetworkPolicy counterpart`);
}

function port(p: Obj, where: string): Obj {
  const keys = Object.keys(p);
  if (keys.length !== 1) fail(where, JSON.stringify(p));
  if (p.namedPort !== undefined) return { destinationNamedPort: p.namedPort };
  const { protocol = 'TCP', ...rest } = (p.portNumber ?? p.portRange) as Obj;
  const proto = String(protocol).toLowerCase();
  if (!['tcp', 'udp', 'sctp'].includes(proto)) fail(where, `protocol ${String(protocol)}`);
  if (p.portNumber !== undefined) return { [proto]: { destinationPort: { number: rest.port } } };
  if (p.portRange !== undefined) return { [proto]: { destinationPort: { range: { start: rest.start, end: rest.end } } } };
  return fail(where, keys[0]);
}

function peer(p: Obj, where: string): Obj {
  for (const k of Object.keys(p)) if (!PEER_KEYS.has(k)) fail(where, k);
  const ns = p.namespaces as Obj | undefined;
  if (ns && ('namespaceSelector' in ns || 'sameLabels' in ns || 'notSameLabels' in ns)) fail(where, 'the v0.1.0-v0.1.2 namespaces peer');
  const pods = p.pods as Obj | undefined;
  if (pods && 'namespaces' in pods) fail(where, 'the v0.1.0-v0.1.2 pods peer');
  return p;
}

function rules(list: unknown, dir: 'ingress' | 'egress', where: string): Obj[] | undefined {
  if (list === undefined) return undefined;
  const peers = dir === 'ingress' ? 'from' : 'to';
  return (list as Obj[]).map((r, i) => {
    const at = `${where}.${dir}[${i}]`;
    for (const k of Object.keys(r)) if (!['name', 'action', peers, 'ports'].includes(k)) fail(at, k);
    return {
      ...(r.name !== undefined ? { name: r.name } : {}),
      action: r.action === 'Allow' ? 'Accept' : r.action,
      [peers]: (r[peers] as Obj[]).map((p, j) => peer(p, `${at}.${peers}[${j}]`)),
      ...(r.ports !== undefined ? { protocols: (r.ports as Obj[]).map((p, j) => port(p, `${at}.ports[${j}]`)) } : {}),
    };
  });
}

export function toClusterNetworkPolicies(objects: readonly KubeObject[]): KubeObject[] {
  return objects.map((o) => {
    if (o.apiVersion !== 'policy.networking.k8s.io/v1alpha1' || (o.kind !== 'AdminNetworkPolicy' && o.kind !== 'BaselineAdminNetworkPolicy')) return o;
    const where = `${o.kind} ${o.metadata?.name}`;
    const spec = (o.spec ?? {}) as Obj;
    for (const k of Object.keys(spec)) if (!['priority', 'subject', 'ingress', 'egress'].includes(k)) fail(where, `spec.${k}`);
    const ingress = rules(spec.ingress, 'ingress', where);
    const egress = rules(spec.egress, 'egress', where);
    return {
      apiVersion: 'policy.networking.k8s.io/v1alpha2',
      kind: 'ClusterNetworkPolicy',
      metadata: { name: o.metadata?.name },
      spec: {
        tier: o.kind === 'AdminNetworkPolicy' ? 'Admin' : 'Baseline',
        priority: o.kind === 'AdminNetworkPolicy' ? spec.priority : 10,
        subject: spec.subject,
        ...(ingress ? { ingress } : {}),
        ...(egress ? { egress } : {}),
      },
    } as KubeObject;
  });
}
