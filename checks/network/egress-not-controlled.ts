import type { Check } from '../../src/engine/types.ts';
import type { AuditContext } from '../../src/analysis/context.ts';
import type { EgressGateway } from '../../src/config/types.ts';
import { formatConns, isAllConns, type ConnSet } from '../../src/analysis/netpol/conns.ts';
import { externalEgress, type WorkloadExternalEgress } from '../../src/analysis/netpol/egress.ts';
import { parseCidr, type IpRange } from '../../src/base/ip.ts';
import { buildReachability, type ReachModel, type WorkloadNode } from '../../src/analysis/netpol/model.ts';
import type { LayerPolicy, PodClass } from '../../src/analysis/netpol/layers.ts';
import { unevaluatedMayPrecede } from '../../src/analysis/netpol/query.ts';
import { EGRESS_CONTROL } from '../controls.ts';
import { CNI_SETTINGS_READS } from './lib/cni-settings.ts';
import { SERVICE_ACCOUNT_LABELS_READ } from './lib/service-account-labels.ts';
import { ENFORCED_POLICY_KINDS_READ } from './lib/policy-kinds.ts';
import { unresolvedAddressPeers, unresolvedText } from './lib/unresolved-peers.ts';
import { policyLabel } from '../../src/analysis/netpol/engine.ts';
import { notEvaluatedEvidence, notEvaluatedText, unevaluatedOver } from './lib/unevaluated.ts';

const SAMPLE = 10;
/** Istio's egress gateway pods carry this label (the istio/gateway chart and istioctl profiles). */
const ISTIO_EGRESS_LABEL = { key: 'istio', value: 'egressgateway' };

interface Exits {
  /** The gateways' workload keys. */
  gateways: Set<string>;
  /** How each exit was found, for messages. */
  described: string[];
  proxies: IpRange[];
}

function matches(gw: EgressGateway, node: WorkloadNode): boolean {
  if (gw.namespace === undefined || node.ref.namespace !== gw.namespace) return false;
  const sel = gw.podSelector ?? {};
  return node.classes.some((c) => Object.entries(sel).every(([k, v]) => c.labels[k] === v));
}

function exitsOf(ctx: AuditContext): Exits {
  const model = buildReachability(ctx.snapshot);
  const gateways = new Set<string>();
  const described: string[] = [];
  const proxies: IpRange[] = [];
  for (const gw of ctx.config.egress.gateways) {
    if (gw.cidr !== undefined) {
      // A cidr that is no address range is refused when the config is read (config/validate.ts).
      const r = parseCidr(gw.cidr);
      if (r) { proxies.push(r); described.push(`proxy ${gw.cidr} (egress.gateways)`); }
    }
    if (gw.namespace === undefined) continue;
    const hit = model.workloads.filter((n) => matches(gw, n));
    for (const n of hit) gateways.add(n.key);
    const sel = Object.entries(gw.podSelector ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
    described.push(`${gw.namespace}${sel ? ` pods ${sel}` : ''} (egress.gateways${hit.length ? '' : ', no workload matches'})`);
  }
  for (const n of model.workloads) {
    if (gateways.has(n.key) || !n.classes.some((c) => c.labels[ISTIO_EGRESS_LABEL.key] === ISTIO_EGRESS_LABEL.value)) continue;
    gateways.add(n.key);
    described.push(`Istio egress gateway ${n.ref.kind} ${n.ref.namespace}/${n.ref.name}`);
  }
  return { gateways, described, proxies };
}

/** A port list as a message or evidence quotes it: netpol-analyzer's text, cut after a whole entry within 120 characters. */
function portText(c: ConnSet): string {
  const t = formatConns(c);
  if (t.length <= 120) return t;
  const at = t.lastIndexOf(',', 120);
  return `${t.slice(0, at > 0 ? at : 120)},…`;
}

/** "a-b" ranges as a message names them, a single address alone, the first three then "…". */
function sampleRanges(ranges: string[]): string {
  const shown = ranges.slice(0, 3).map((r) => {
    const [lo, hi] = r.split('-');
    return lo === hi ? lo : r;
  });
  return `${ranges.length === 1 ? 'public address' : 'public addresses'} ${shown.join(', ')}${ranges.length > 3 ? ', …' : ''}`;
}

/**
 * What the workload reaches and on which ports, as `reach` answers each: every public address
 * (per family) on the ports all of them share, then the ranges open on more than that, then the
 * names; each with its own ports.
 */
function openTo(e: WorkloadExternalEgress): Array<{ to: string; ports: string; all: boolean }> {
  const parts: Array<{ to: string; conns: ConnSet }> = [];
  const [v4, v6] = [e.everyConns[4], e.everyConns[6]];
  if (v4 && v6 && formatConns(v4) === formatConns(v6)) parts.push({ to: 'every public address', conns: v4 });
  else for (const f of e.anyFamilies) parts.push({ to: `every public IPv${f} address`, conns: e.everyConns[f]! });
  if (e.wider.ranges.length) parts.push({ to: sampleRanges(e.wider.ranges), conns: e.wider.conns });
  if (e.fqdns.length) parts.push({ to: `names ${e.fqdns.slice(0, 3).join(', ')}${e.fqdns.length > 3 ? ', …' : ''}`, conns: e.fqdnConns });
  return parts.map((x) => ({ to: x.to, ports: portText(x.conns), all: isAllConns(x.conns) }));
}

export const egressNotControlled: Check = {
  id: 'network.egress-not-controlled',
  area: 'network',
  title: 'Only the egress gateway reaches outside the cluster',
  protectsAgainst: 'workloads that bypass the declared egress gateway or proxy and open connections to external addresses or names directly, so egress is neither filtered nor logged at the exit',
  severity: 'high',
  controls: EGRESS_CONTROL,
  remediation: 'Give the workload a default-deny egress policy that allows only in-cluster destinations (DNS, Services, the egress gateway); route external calls through the gateway (Istio: ServiceEntry + VirtualService via the egress gateway) or the proxy, and drop ipBlock/toFQDNs/world rules from workload policies.',
  needs: ['namespaces', 'pods', 'networkpolicies'],
  readsWhen: [...CNI_SETTINGS_READS, SERVICE_ACCOUNT_LABELS_READ, ...ENFORCED_POLICY_KINDS_READ],
  appliesTo: (ctx) => ctx.config.egress.gateways.length > 0 || exitsOf(ctx).gateways.size > 0,
  // The config's gateways and the workloads' own labels (exitsOf): an unreadable NetworkPolicy
  // kind cannot make an Istio egress gateway appear, so it leaves the check not-applicable.
  appliesReads: ['namespaces', 'pods'],
  appliesWhen: 'when an egress gateway or proxy is declared (egress.gateways) or an Istio egress gateway runs',
  *evaluate(ctx) {
    const exits = exitsOf(ctx);
    const system = new Set(ctx.config.systemNamespaces);
    const model = buildReachability(ctx.snapshot);
    const open = externalEgress(ctx.snapshot, exits.proxies);
    const via = exits.described.join('; ');
    // Workloads an enforced policy lets reach peers the model cannot resolve (lib/unresolved-peers.ts): not a pass.
    const unresolvedOf = new Map<string, { label: string; found: ReturnType<typeof unresolvedAddressPeers> }>();
    for (const p of model.policies) {
      if (p.errors.length || !p.egress || !model.enforced(p)) continue;
      const found = unresolvedAddressPeers(p.egress);
      if (!found.length) continue;
      for (const cls of model.selectedBy.get(p.id) ?? []) for (const key of cls.workloads) if (!unresolvedOf.has(key)) unresolvedOf.set(key, { label: policyLabel(p), found });
    }
    for (const node of model.workloads) {
      if (exits.gateways.has(node.key) || system.has(node.ref.namespace ?? '')) continue;
      const resource = node.ref;
      const label = `${node.ref.kind} ${node.ref.namespace}/${node.ref.name}`;
      const e = open.get(node.key);
      if (node.classes.some((c) => c.hostNetwork)) {
        // kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicy-and-hostnetwork-pods:
        // enforcement is implementation-defined and most plugins ignore such pods, so no egress policy vouches for it.
        yield {
          status: 'fail',
          resource,
          message: `${label} runs with hostNetwork: network policy does not reliably restrict its egress, so it can reach external addresses directly, bypassing the egress exit: ${via}.`,
          evidence: { hostNetwork: true, ...(e ? { anyAddress: e.anyAddress, allowedBy: e.allowedBy } : {}), exits: exits.described },
        };
        continue;
      }
      if (!e) {
        const unresolved = unresolvedOf.get(node.key);
        // An unevaluated policy selecting its pods may allow what the model counts as refused (lib/unevaluated.ts).
        const opening = unresolved ? [] : unevaluatedOver(model, node.classes, 'egress');
        if (opening.length) yield { status: 'fail', resource, severity: 'medium', message: `${label} cannot be judged: ${notEvaluatedText(opening, 'its pods', 'allow egress to external addresses or names directly')}.`, evidence: { notEvaluated: notEvaluatedEvidence(opening), exits: exits.described } };
        else if (unresolved) yield { status: 'fail', resource, severity: 'medium', message: `${label} cannot be judged: under ${unresolved.label}, ${unresolvedText('allows egress to', unresolved.found)}.`, evidence: { policy: unresolved.label, unresolvedRules: unresolved.found, exits: exits.described } };
        else yield { status: 'pass', resource, message: `${label} reaches no external address or name directly.` };
        continue;
      }
      const parts = openTo(e);
      const because = e.allowedBy.length ? `allowed by ${e.allowedBy.slice(0, 3).join(', ')}${e.allowedBy.length > 3 ? ', …' : ''}` : 'no egress policy restricts it';
      // kubernetes.io/docs/concepts/services-networking/network-policies/: a rule with ports and
      // no `to` opens only those ports, to every destination. DNS alone to every address still
      // fails at the check's severity: a resolver outside the cluster is a channel out that the exit never sees.
      const first = parts[0];
      const rest = parts.slice(1).map((x) => `, and ${x.to} on ${x.all ? 'every port' : x.ports}`).join('');
      // Every pod selected by an unevaluated policy that may refuse it: the fail is not proven.
      const refusing = node.classes.every((c) => unevaluatedOver(model, [c], 'egress', (u) => mayRefuseOpenEgress(model, c, u)).length > 0)
        ? unevaluatedOver(model, node.classes, 'egress', (u) => node.classes.some((c) => mayRefuseOpenEgress(model, c, u))) : [];
      if (refusing.length) {
        yield { status: 'fail', resource, severity: 'medium', message: `${label} can reach ${first.to} directly${first.all ? '' : ` on ${first.ports}`}${rest} (${because}), which cannot be confirmed: ${notEvaluatedText(refusing, 'its pods', 'deny it')}.`, evidence: { anyAddress: e.anyAddress, openTo: parts.map((x) => ({ to: x.to, ports: x.ports })), allowedBy: e.allowedBy, exits: exits.described, notEvaluated: notEvaluatedEvidence(refusing) } };
        continue;
      }
      yield {
        status: 'fail',
        resource,
        message: `${label} can reach ${first.to} directly${first.all ? '' : ` on ${first.ports}`}${rest} (${because}), bypassing the egress exit: ${via}.`,
        evidence: {
          anyAddress: e.anyAddress,
          everyPublicAddressOf: e.anyFamilies.map((f) => `IPv${f}`),
          ranges: e.ranges.slice(0, SAMPLE),
          rangeCount: e.ranges.length,
          fqdns: e.fqdns.slice(0, SAMPLE),
          ports: first.ports,
          openTo: parts.map((x) => ({ to: x.to, ports: x.ports })),
          allowedBy: e.allowedBy,
          exits: exits.described,
        },
      };
    }
  },
  excluded(ctx) {
    const system = new Set(ctx.config.systemNamespaces);
    const n = buildReachability(ctx.snapshot).workloads.filter((w) => system.has(w.ref.namespace ?? '')).length;
    return n > 0 ? `${n} workload(s) in system namespaces (${ctx.config.systemNamespaces.join(', ')}) were not judged` : undefined;
  },
};

/**
 * Whether the unevaluated policy `u`, selecting the pods of `c`, may refuse egress the model found
 * open for them. Where an evaluated NetworkPolicy isolates `c` for egress, what is open an enforced
 * Allow admitted, and only a policy that may decide before one of `c`'s evaluated policies can take
 * it back (query.ts unevaluatedMayPrecede): not another NetworkPolicy, which only adds allows, nor
 * one of a stage after them — Antrea's Baseline tier and a BaselineAdminNetworkPolicy are consulted
 * only for traffic no NetworkPolicy decides ("Static tiers", antrea-io/antrea
 * docs/antrea-network-policy.md v2.2.0; network-policy-api "BaselineAdminNetworkPolicy"). Where
 * none isolates it, the open egress is the fallback's, which any such policy may refuse (an
 * unevaluated NetworkPolicy by isolating the pods).
 */
function mayRefuseOpenEgress(model: ReachModel, c: PodClass, u: LayerPolicy): boolean {
  const evaluated = c.egressPolicies.filter((p) => !p.unevaluated);
  if (!evaluated.some((p) => p.layer === 'networkpolicy')) return true;
  return u.layer !== 'networkpolicy' && evaluated.some((p) => unevaluatedMayPrecede(model, u, p));
}
