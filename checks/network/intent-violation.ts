import type { Check } from '../../src/engine/types.ts';
import type { Verdict } from '../../src/base/vocabulary.ts';
import type { IntentRule, LabelSelectorConfig } from '../../src/config/types.ts';
import { connsToJson, subtractConns, unionConns, emptyConns, formatConns, intersectConns, isEmptyConns, addInterval, allConns, type ConnSet } from '../../src/analysis/netpol/conns.ts';
import { parseIntentPort } from '../../src/config/intent-ports.ts';
import { refString } from '../../src/analysis/workloads.ts';
import { buildReachability, egressVerdict, ingressVerdict, type DirectionVerdict, type PodClass, type ReachModel } from '../../src/analysis/netpol/model.ts';
import { findDoubtedFlows, findFlows, MAX_DOUBT_PAIRS, type DoubtSearch, type Flow, type FlowSearch } from '../../src/analysis/netpol/flows.ts';
import { findUndeterminedFlows, liveAddressSettlements, type AddressSettlements } from '../../src/analysis/netpol/query.ts';
import { describeCause, describeRule, type Doubt, type RuleRef, type StagePlan } from '../../src/analysis/netpol/engine.ts';
import type { Family } from '../../src/base/ip.ts';
import { calleeMesh, meshVerdictOverConns, MESH_FLOW_KINDS } from '../../src/analysis/mesh/flow-verdict.ts';
import type { AuditContext } from '../../src/analysis/context.ts';
import { unionConns as unionAll } from '../../src/analysis/netpol/conns.ts';
import { CNI_SETTINGS_READS } from './lib/cni-settings.ts';
import { SERVICE_ACCOUNT_LABELS_READ } from './lib/service-account-labels.ts';
import { ENFORCED_POLICY_KINDS_READ_WEIGHING_UNEVALUATED } from './lib/policy-kinds.ts';
import { ISTIO_GATEWAY_LISTENER_SETS_BEST_EFFORT, ISTIO_GATEWAY_SERVERS_READ } from '../mtls/lib/istio-gateway-servers.ts';
import { ISTIO_WAYPOINT_GATEWAYS_READ } from '../mtls/lib/istio-waypoints.ts';
import { CONSUL_SERVICE_NAMES_READ } from '../mtls/lib/mesh-config-reads.ts';
import { ISTIO_CLIENT_TLS_SERVICES_READ, ISTIO_MESH_ROUTES_READ, ISTIO_TEMPLATE_CAPTURE_READ } from '../mtls/lib/istio-mesh-config.ts';

/**
 * The mesh layer on a network-allowed pair of pod classes: the connections the destination's
 * mesh does not refuse outright (over every workload pair the classes stand for).
 */
function meshRefiner(ctx: AuditContext, model: ReachModel) {
  return (from: PodClass, to: PodClass, conns: ConnSet): ConnSet => {
    let open = emptyConns();
    for (const d of to.workloads) {
      const dst = model.workloadByKey.get(d)?.ref;
      if (!dst || calleeMesh(ctx.snapshot, ctx.config, dst) === 'none') return conns;
      for (const s of from.workloads) {
        const src = model.workloadByKey.get(s)?.ref;
        if (!src) return conns;
        const over = meshVerdictOverConns(ctx.snapshot, ctx.config, src, dst, conns);
        open = unionAll(open, over ? over.open : conns);
      }
    }
    return open;
  };
}

/** What the mesh says about one reported flow (its first workload pair), for the evidence. */
function meshEvidence(ctx: AuditContext, model: ReachModel, from: PodClass, to: PodClass, conns: ConnSet): Record<string, unknown> | undefined {
  const src = model.workloadByKey.get(from.workloads[0])?.ref;
  const dst = model.workloadByKey.get(to.workloads[0])?.ref;
  if (!src || !dst || calleeMesh(ctx.snapshot, ctx.config, dst) === 'none') return undefined;
  const over = meshVerdictOverConns(ctx.snapshot, ctx.config, src, dst, conns);
  if (!over) return undefined;
  const v = over.verdict;
  return { mesh: v.mesh, verdict: v.verdict, port: over.port, reason: v.reason, ...(v.policy ? { policy: `${v.policy.kind} ${v.policy.namespace}/${v.policy.name}${v.rule !== undefined ? ` rules[${v.rule}]` : ''}` } : {}) };
}

/** NetworkPolicy rules keep their short form ("shop/db rule 0"); other APIs name kind, order and action. */
function ruleText(r: RuleRef): string {
  return r.api === 'NetworkPolicy' ? `${r.policy} rule ${r.rule}` : describeRule(r);
}

/**
 * What allowed `conns` in one direction: the rules; a Calico Pass that handed them on to the
 * default (named as `reach` names it); or "not isolated" when nothing governs it.
 */
function allowedBy(v: DirectionVerdict, conns: ConnSet): string[] {
  const out: string[] = [];
  for (const d of v.decisions) {
    if (!d.allowed || isEmptyConns(intersectConns(d.conns, conns))) continue;
    if (d.cause.kind === 'rule') out.push(ruleText(d.cause.rule));
    else if (d.cause.kind === 'default-allow') out.push(d.cause.passedBy ? describeCause(d.cause) : 'not isolated');
    else out.push('not governed');
  }
  return [...new Set(out)];
}

/** The Pass rules that handed `conns` on to an allowing default. */
function passedBy(vs: DirectionVerdict[], conns: ConnSet): Array<{ rule: RuleRef; text: string }> {
  const out: Array<{ rule: RuleRef; text: string }> = [];
  for (const v of vs) for (const d of v.decisions) {
    if (d.allowed && d.cause.kind === 'default-allow' && d.cause.passedBy && !isEmptyConns(intersectConns(d.conns, conns))) out.push({ rule: d.cause.passedBy, text: describeCause(d.cause) });
  }
  return out;
}

/** What the allowing rules narrow that the model does not (L7 rules, source ports): the flow may be narrower than reported. */
function caveatsOf(vs: DirectionVerdict[], conns: ConnSet): string[] {
  const out: string[] = [];
  for (const v of vs) for (const d of v.decisions) {
    if (!d.allowed || d.cause.kind !== 'rule' || isEmptyConns(intersectConns(d.conns, conns))) continue;
    for (const c of d.cause.rule.caveats ?? []) out.push(`${ruleText(d.cause.rule)}: ${c}`);
  }
  return [...new Set(out)];
}

const MAX_FLOWS = 20;

/**
 * A doubt on a Deny or Pass rule over a condition on the connection the model cannot settle (a
 * Calico ipVersion whose pod families are not known, some source ports only), which the model
 * counts as not matching: the rule may deny what the model allows. A dual-stack ipVersion is not
 * one: the other family's path never meets the rule.
 */
export function deniesOnUnsettledCondition(u: Doubt): boolean {
  return (u.side === 'deny' || u.side === 'pass') && (u.reasons.includes('ipVersion') || u.reasons.includes('partial')) && !u.reasons.includes('dualStack');
}

/** How a flow the model counts as allowed stands once its doubts are weighed (judgeFlow). */
type FlowJudgement = { kind: 'certain' } | { kind: 'doubt'; why: string[]; /** Every path reads as denied, a denial in doubt. */ denied?: true } | { kind: 'denied' };

const FAMILIES: readonly Family[] = [4, 6];

/**
 * Whether a flow the model allows is allowed for certain, only under a doubted reading (reach:
 * ALLOWED (uncertain), answered UNKNOWN: 'doubt' with why), or denied for certain after all: the
 * verdicts again with their doubts tracked, once per reported flow (at most MAX_FLOWS).
 * A Calico ipVersion rule between dual-stack ends ('dualStack') is judged per family: Felix
 * renders it only into its own family's chains (FilterRuleToIPVersion, projectcalico/calico
 * felix/rules/policy.go, v3.32.1), so the connection goes through if either family's path allows
 * it, and is denied only if both deny it.
 */
function judgeFlow(model: ReachModel, f: { from: PodClass; to: PodClass; conns: ConnSet }): FlowJudgement {
  const src = { kind: 'class', cls: f.from } as const;
  const dst = { kind: 'class', cls: f.to } as const;
  const counted = [egressVerdict(model, src, dst, true), ingressVerdict(model, src, dst, true)] as const;
  const judged = (familyPaths(model, f, counted) ?? [counted]).map(([e, i]) => judgePath(f.conns, e, i));
  if (judged.some((j) => j.kind === 'certain')) return { kind: 'certain' };
  const why = [...new Set(judged.flatMap((j) => (j.kind === 'doubt' ? j.why : [])))];
  return why.length ? { kind: 'doubt', why, ...(judged.every((j) => j.kind !== 'doubt' || j.denied) ? { denied: true as const } : {}) } : { kind: 'denied' };
}

/**
 * Each IP family's path (egress, ingress) for a flow whose verdicts (`counted`, doubts tracked)
 * carry a dual-stack ipVersion doubt on its connections; undefined when none does.
 */
function familyPaths(model: ReachModel, f: { from: PodClass; to: PodClass; conns: ConnSet }, counted: readonly [DirectionVerdict, DirectionVerdict]): Array<readonly [DirectionVerdict, DirectionVerdict]> | undefined {
  const dual = counted.some((v) => v.decisions.some((d) => d.uncertain?.some((u) => u.reasons.includes('dualStack')) && !isEmptyConns(intersectConns(d.uncertainConns ?? d.conns, f.conns))));
  if (!dual) return undefined;
  const src = { kind: 'class', cls: f.from } as const;
  const dst = { kind: 'class', cls: f.to } as const;
  return FAMILIES.map((family) => {
    const m = { ...model, match: { ...model.match, flowFamily: family } };
    return [egressVerdict(m, src, dst, true), ingressVerdict(m, src, dst, true)] as const;
  });
}

/**
 * The flows the model counts as denied, held in doubt by a dual-stack ipVersion rule (a Pass
 * counted as not matching), that one family's path allows for certain: Felix applies the rule in
 * its own family only, so that family's path is the packet's and the flow a violation. Each with
 * that path's verdicts. Of the doubted flows listed: one found is a violation whatever the search
 * left unlisted (the count then a lower bound), and a host-network end judged the same way.
 */
function allowedInAFamily(model: ReachModel, doubts: DoubtSearch | undefined): Flow[] {
  if (!doubts) return [];
  const out: Flow[] = [];
  for (const f of doubts.flows) {
    const src = { kind: 'class', cls: f.from } as const;
    const dst = { kind: 'class', cls: f.to } as const;
    const paths = familyPaths(model, f, [egressVerdict(model, src, dst, true), ingressVerdict(model, src, dst, true)]) ?? [];
    const open = paths.find(([e, i]) => judgePath(f.conns, e, i).kind === 'certain');
    if (!open) continue;
    const conns = intersectConns(intersectConns(f.conns, open[0].conns), open[1].conns);
    if (!isEmptyConns(conns)) out.push({ from: f.from, to: f.to, conns, egress: open[0], ingress: open[1] });
  }
  return out;
}

/**
 * The allowed flows (findFlows), each judged as it is found (judgeFlow), those denied for certain
 * after all left out: every flow, not only the MAX_FLOWS listed — the search goes on past the
 * list until a flow allowed for certain is found, so the count and the verdict never rest on the
 * list's cut. A flow whose plans hold no rule the judgement can weigh (judgementNeeded) is certain
 * as found. With a host-network end no denial is vouched for (the hostNetwork branch says so): a
 * flow every path denies, in doubt or not, is left to it, and one allowed in doubt counts as
 * allowed, so the search stops at the list as before.
 */
function judgedFlows(model: ReachModel, sources: PodClass[], dests: PodClass[], wanted: ConnSet, hostNetwork: boolean, refine?: (from: PodClass, to: PodClass, conns: ConnSet) => ConnSet): { search: FlowSearch; judgements: FlowJudgement[] } {
  const judgements: FlowJudgement[] = [];
  let settled = false;
  const judge = (from: PodClass, to: PodClass, found: ConnSet): ConnSet => {
    const conns = refine ? refine(from, to, found) : found;
    if (isEmptyConns(conns)) return conns;
    const j: FlowJudgement = judgementNeeded(from, to) ? judgeFlow(model, { from, to, conns }) : CERTAIN;
    if (j.kind === 'denied' || (hostNetwork && j.kind === 'doubt' && j.denied)) return emptyConns();
    if (j.kind === 'certain' || hostNetwork) settled = true;
    // findFlows lists a flow right after this returns it, while its list has room.
    if (judgements.length < MAX_FLOWS) judgements.push(j);
    return conns;
  };
  const search = findFlows(model, sources, dests, wanted, MAX_FLOWS, judge, () => !settled);
  return { search, judgements };
}

const CERTAIN: FlowJudgement = { kind: 'certain' };
const weighablePlans = new WeakMap<readonly StagePlan[], boolean>();

/**
 * Whether judgeFlow can find a flow other than the model counts it: only a rule of one IP family
 * (Calico ipVersion, nets of one family) or on some connections only (source ports) makes the
 * doubts it weighs (deniesOnUnsettledCondition, 'dualStack'), in the source's egress plan or the
 * destination's ingress plan. Once per plan.
 */
function judgementNeeded(from: PodClass, to: PodClass): boolean {
  const weighable = (plan: readonly StagePlan[], dir: 'egress' | 'ingress') => {
    let v = weighablePlans.get(plan);
    if (v === undefined) weighablePlans.set(plan, (v = plan.some((st) => st.policies.some((p) => (p[dir] ?? []).some((r) => r.ipVersion !== undefined || r.netsFamily !== undefined || r.partial !== undefined)))));
    return v;
  };
  return weighable(from.egressPlan, 'egress') || weighable(to.ingressPlan, 'ingress');
}

/** judgeFlow over one path (both directions of one reading, or of one IP family). */
function judgePath(wanted: ConnSet, egress: DirectionVerdict, ingress: DirectionVerdict): FlowJudgement {
  const why: string[] = [];
  const certainOf = (v: DirectionVerdict): ConnSet => {
    let out = emptyConns();
    for (const d of v.decisions) {
      if (!d.allowed) continue;
      // Only a denying rule (Deny, Pass) on a condition the model could not settle (engine.ts
      // conditionMatch: ipVersion, some connections only), counted as not matching, puts the allowance
      // itself in doubt; an Allow whose match is in doubt stays counted as a violation (intent-doubt,
      // ipblock-pods tests). Read by the doubt's kind, never its text (which holds names from the cluster).
      const real = (d.uncertain ?? []).filter(deniesOnUnsettledCondition).map((u) => u.text);
      const doubted = real.length ? (d.uncertainConns ?? d.conns) : emptyConns();
      if (!isEmptyConns(intersectConns(doubted, wanted))) why.push(...real);
      out = unionConns(out, subtractConns(d.conns, doubted));
    }
    return out;
  };
  const certain = intersectConns(intersectConns(wanted, certainOf(egress)), certainOf(ingress));
  if (!isEmptyConns(certain)) return { kind: 'certain' };
  if (why.length) return { kind: 'doubt', why: [...new Set(why)] };
  // Nothing allowed on this path for certain nor in doubt by a deny-side condition: what it counts
  // as allowed rests on Allow rules (a violation), or nothing is allowed; a denial may still be in doubt.
  const allowed = intersectConns(intersectConns(wanted, egress.conns), ingress.conns);
  if (!isEmptyConns(allowed)) return { kind: 'certain' };
  const denied = [egress, ingress].flatMap((v) => v.decisions.filter((d) => !d.allowed && d.uncertain && !isEmptyConns(intersectConns(d.uncertainConns ?? d.conns, wanted))));
  const open = [...new Set(denied.flatMap((d) => (d.uncertain ?? []).map((u) => u.text)))];
  return open.length ? { kind: 'doubt', why: open, denied: true } : { kind: 'denied' };
}

/**
 * Every flow `reach` would answer UNKNOWN for while the model counts it as denied: a rule match it
 * cannot settle (findDoubtedFlows), an AdminNetworkPolicy priority tie whose order decides it or a
 * policy the model does not evaluate (findUndeterminedFlows); one entry per pod-class pair.
 */
function findFlowsInDoubt(model: ReachModel, sources: PodClass[], dests: PodClass[], wanted: ConnSet, refine: (from: PodClass, to: PodClass, conns: ConnSet) => ConnSet): DoubtSearch {
  const a = findDoubtedFlows(model, sources, dests, wanted, MAX_FLOWS, refine);
  const b = findUndeterminedFlows(model, sources, dests, wanted, MAX_FLOWS, refine);
  const byPair = new Map<string, DoubtSearch['flows'][number]>();
  for (const f of [...a.flows, ...b.flows]) {
    const k = `${f.from.id}\u0000${f.to.id}`;
    const cur = byPair.get(k);
    byPair.set(k, cur ? { ...cur, conns: unionAll(cur.conns, f.conns), why: [...new Set([...cur.why, ...f.why])] } : f);
  }
  const flows = [...byPair.values()];
  const truncated = a.truncated || b.truncated || flows.length > MAX_FLOWS;
  // Both searches list every pair they found unless truncated: then their counts are lower bounds.
  const count = a.truncated || b.truncated ? Math.max(a.count, b.count, flows.length) : flows.length;
  const capped = a.capped || b.capped;
  return { flows: flows.slice(0, MAX_FLOWS), count, truncated, examined: Math.max(a.examined, b.examined), capped, ...(capped ? { evaluated: (a.evaluated ?? 0) + (b.evaluated ?? 0) } : {}) };
}

/** How far a capped search for flows in doubt got, as the finding says it. */
function cappedSearch(d: DoubtSearch): string {
  return `stopped at its cap after evaluating ${d.evaluated ?? 0} pod-class pairs, ${d.examined} of them with a doubt on the intent's ports (cap ${MAX_DOUBT_PAIRS} such pairs or ${MAX_DOUBT_PAIRS * 5} evaluations)`;
}

function classesFor(model: ReachModel, sel: LabelSelectorConfig): PodClass[] {
  const pool = sel.namespace !== undefined ? (model.classesByNamespace.get(sel.namespace) ?? []) : model.classes;
  const want = Object.entries(sel.podSelector ?? {});
  return pool.filter((c) => want.every(([k, v]) => c.labels[k] === v));
}

/** Intent ports as the config validator read them (parseIntentPort); undefined = every port. Bad entries are returned separately. */
function intentConns(ports: IntentRule['ports']): { conns: ConnSet; bad: string[] } {
  if (!ports || ports.length === 0) return { conns: allConns(), bad: [] };
  const conns = emptyConns();
  const bad: string[] = [];
  for (const p of ports) {
    const parsed = parseIntentPort(p);
    if ('error' in parsed) bad.push(String(p));
    else addInterval(conns, parsed.protocol, parsed.port, parsed.port);
  }
  return { conns, bad };
}

function describe(sel: LabelSelectorConfig): string {
  const labels = Object.entries(sel.podSelector ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
  return `${sel.namespace ?? 'any namespace'}${labels ? ` pods {${labels}}` : ''}`;
}

export const intentViolation: Check = {
  id: 'network.intent-violation',
  area: 'network',
  title: 'Segmentation intent holds',
  protectsAgainst: 'flows the declared segmentation intent forbids (config intent.deny) but the effective policies allow: every enforced network API and, for a destination in a service mesh, its authorization (Istio AuthorizationPolicy, with PeerAuthentication); a flow the mesh allows for some requests only still counts; a rule with a hostNetwork pod at either end fails when only network policy would deny it, since enforcement on hostNetwork pods is implementation-defined; a flow the model counts as denied but holds in doubt (reach UNKNOWN: an ipBlock or Calico nets that may hold the pod\'s address, AdminNetworkPolicies of one priority that decide it differently in either order, a policy the model cannot evaluate selecting an end) fails at medium as not confirmed, and so does one the model counts as allowed when every allowed flow it finds is allowed only because a Deny or Pass rule on a condition the model cannot settle (a Calico ipVersion whose pod families are not known, some source ports only) is counted as not matching (a certain one, or one an Allow whose match is in doubt opens, stays high; between dual-stack pods a Calico ipVersion rule is judged per IP family, as Felix applies it only to its own family: a flow either family\'s path allows is a violation, also one the model counts as denied because an ipVersion Pass rule is counted as not matching, and one both paths deny holds), and so do a denial under a CNI whose enforcement of an API present cannot be confirmed (a switch set from the environment, a kindnetd image naming no build date), a denial that rests only on where the pods\' current addresses fall against an ipBlock (outside Calico; pod IPs are ephemeral) and a search for such flows that its cap stopped before it found one',
  severity: 'high',
  controls: ['NSA-CISA:NS/network-policies', 'NIST-800-53:AC-4', 'NIST-800-53:SC-7', 'NIST-800-207:T3', 'NIST-800-207:T4'],
  remediation: 'Tighten the allowing policies listed in the evidence (or isolate the unisolated side with a default deny) until the forbidden flow is denied in both directions, or, for a meshed destination, deny it with an AuthorizationPolicy (the evidence names the mesh verdict per flow).',
  needs: ['namespaces', 'pods', 'networkpolicies'],
  reads: [...MESH_FLOW_KINDS],
  readsWhen: [...CNI_SETTINGS_READS, SERVICE_ACCOUNT_LABELS_READ, ...ENFORCED_POLICY_KINDS_READ_WEIGHING_UNEVALUATED, ISTIO_WAYPOINT_GATEWAYS_READ, ISTIO_GATEWAY_SERVERS_READ, CONSUL_SERVICE_NAMES_READ, ISTIO_CLIENT_TLS_SERVICES_READ, ISTIO_MESH_ROUTES_READ, ISTIO_TEMPLATE_CAPTURE_READ],
  // The meshes' ConfigMaps (meshConfigMapRefs): unreadable, a mesh verdict that turns on them is unknown, which counts as open.
  // Calico IPPools (where pods get their addresses): unreadable, an ipBlock or nets partly over
  // the pods stays in doubt, a medium finding saying the IPPools could not be read.
  // Nodes (their podCIDRs bound the addresses pods are given under kube-router and Antrea):
  // unreadable, a denial resting on the pods' current addresses stays not confirmed, saying so.
  readsBestEffort: ['configmaps', 'calico.ippools', 'calico-v3.ippools', 'calico.tiers', 'calico-v3.tiers', 'nodes', ...ISTIO_GATEWAY_LISTENER_SETS_BEST_EFFORT],
  appliesByConfig: (config) => config.intent.deny.length > 0,
  appliesWhen: 'when the configuration declares segmentation intent (intent.deny)',
  warnings(ctx) {
    // A typo'd namespace or label matches nothing and the rule "holds": say so, naming the rule.
    const model = buildReachability(ctx.snapshot);
    const out: string[] = [];
    for (const rule of ctx.config.intent.deny) {
      const ends = [['from', rule.from], ['to', rule.to]] as const;
      const empty = ends.filter(([, sel]) => classesFor(model, sel).length === 0).map(([side, sel]) => `its ${side} selector (${describe(sel)})`);
      if (empty.length > 0) out.push(`intent "${rule.name}": ${empty.join(' and ')} ${empty.length > 1 ? 'match' : 'matches'} no pods, so the rule holds over nothing; check the namespace and labels`);
    }
    return out;
  },
  evaluate(ctx) {
    const model = buildReachability(ctx.snapshot);
    const name = (key: string) => { const n = model.workloadByKey.get(key); return n ? refString(n.ref) : key; };
    const out: Verdict[] = [];
    for (const rule of ctx.config.intent.deny) {
      const resource = { kind: 'SegmentationIntent', name: rule.name };
      let settled: AddressSettlements = { current: [], byNodes: [] };
      const { conns: wanted, bad } = intentConns(rule.ports);
      const sources = classesFor(model, rule.from);
      const dests = classesFor(model, rule.to);
      const hostNetwork = sources.some((c) => c.hostNetwork) || dests.some((c) => c.hostNetwork);
      // The network first; then the same search with each pair cut to what the destination's mesh lets through.
      const { search: network } = judgedFlows(model, sources, dests, wanted, hostNetwork);
      let { search: found, judgements } = network.count === 0 ? { search: network, judgements: [] as FlowJudgement[] } : judgedFlows(model, sources, dests, wanted, hostNetwork, meshRefiner(ctx, model));
      // No certain violation: the pairs the model counts as denied that reach would answer UNKNOWN for, capped.
      let doubts = found.count === 0 ? findFlowsInDoubt(model, sources, dests, wanted, meshRefiner(ctx, model)) : undefined;
      // Those one IP family's path allows for certain (a dual-stack ipVersion Pass) are violations.
      const inAFamily = found.count === 0 ? allowedInAFamily(model, doubts) : [];
      if (inAFamily.length) {
        found = { flows: inAFamily, count: inAFamily.length, truncated: !!doubts && (doubts.truncated || doubts.capped) };
        judgements = inAFamily.map((): FlowJudgement => ({ kind: 'certain' }));
        doubts = undefined;
      }
      const allowing = new Set<string>();
      const passes = new Set<string>();
      const flows = found.flows.map((f) => {
        const egressAllowedBy = allowedBy(f.egress, f.conns);
        const ingressAllowedBy = allowedBy(f.ingress, f.conns);
        for (const v of [f.egress, f.ingress]) for (const r of v.decidedBy) if (!isEmptyConns(intersectConns(r.conns, f.conns))) allowing.add(r.api === 'NetworkPolicy' ? r.policy : `${r.kindLabel} ${r.displayName ?? r.policy}`);
        // The policy whose Pass let the flow reach the default is the one to tighten.
        for (const p of passedBy([f.egress, f.ingress], f.conns)) {
          allowing.add(`${p.rule.kindLabel} ${p.rule.displayName ?? p.rule.policy}`);
          passes.add(p.text);
        }
        const mesh = meshEvidence(ctx, model, f.from, f.to, f.conns);
        const caveats = caveatsOf([f.egress, f.ingress], f.conns);
        return { from: f.from.workloads.map(name), to: f.to.workloads.map(name), ports: formatConns(f.conns), egressAllowedBy, ingressAllowedBy, ...(caveats.length ? { caveats } : {}), ...(mesh ? { mesh } : {}) };
      });
      const violations = found.count;
      const evidence: Record<string, unknown> = { from: describe(rule.from), to: describe(rule.to), ports: rule.ports?.length ? connsToJson(wanted) : 'any', ...(bad.length ? { ignoredPorts: bad } : {}) };
      // Every flow found allowed only under a doubted reading (reach UNKNOWN): not a proven violation.
      // Only when every flow was listed: one left out may be certain.
      const inDoubt = violations > 0 ? judgements.flatMap((j) => (j.kind === 'doubt' ? [j.why] : [])) : [];
      if (violations > 0 && !hostNetwork && judgements.length === found.flows.length && inDoubt.length === found.flows.length) {
        const doubted = found.flows.map((f, k) => ({ from: f.from.workloads.map(name), to: f.to.workloads.map(name), ports: formatConns(f.conns), uncertain: inDoubt[k] }));
        const first = doubted[0];
        out.push({
          status: 'fail',
          severity: 'medium',
          resource,
          message: `intent "${rule.name}" cannot be confirmed: ${first.from.slice(0, 2).join(', ')}${first.from.length > 2 ? ', …' : ''} → ${first.to.slice(0, 2).join(', ')}${first.to.length > 2 ? ', …' : ''} (${first.ports}) may be allowed — ${first.uncertain[0]}${violations > 1 ? ` (${violations} pod-class flow(s) in doubt)` : ''}; the model counts ${violations > 1 ? 'them' : 'it'} as allowed`,
          evidence: { ...evidence, enforcedBy: 'uncertain', allowingPolicies: [...allowing].sort(), doubtedFlows: doubted },
        });
      } else if (violations > 0) {
        out.push({
          status: 'fail',
          resource,
          message: `intent "${rule.name}" is violated: ${describe(rule.from)} can reach ${describe(rule.to)} (${violations}${found.truncated ? '+' : ''} pod-class flow(s); neither the network nor the mesh refuses them)${passes.size ? `, allowed by ${[...passes].join(' and by ')}` : ''}`,
          evidence: { ...evidence, enforcedBy: 'none', allowingPolicies: [...allowing].sort(), flows, ...(found.truncated ? { flowsTruncated: `first ${MAX_FLOWS} flows shown; allowing policies are those of these flows` } : {}) },
        });
      } else if (doubts && doubts.count > 0 && !(network.count === 0 && hostNetwork)) {
        // reach answers UNKNOWN for these flows: the model reads them as denied, but a rule's
        // match it cannot settle (an ipBlock or Calico nets that may hold the pod's address, an
        // undeclared namespace's labels), AdminNetworkPolicies of one priority applied in another
        // order, or a policy the model does not evaluate may let them through. Not a proven
        // violation, not a hold.
        const doubted = doubts.flows.map((f) => ({ from: f.from.workloads.map(name), to: f.to.workloads.map(name), ports: formatConns(f.conns), uncertain: f.why }));
        const first = doubted[0];
        out.push({
          status: 'fail',
          severity: 'medium',
          resource,
          message: `intent "${rule.name}" cannot be confirmed: ${first.from.slice(0, 2).join(', ')}${first.from.length > 2 ? ', …' : ''} → ${first.to.slice(0, 2).join(', ')}${first.to.length > 2 ? ', …' : ''} (${first.ports}) may be allowed — ${first.uncertain[0] ?? 'an uncertain rule match'}${doubts.count > 1 ? ` (${doubts.count}${doubts.truncated || doubts.capped ? '+' : ''} pod-class flow(s) in doubt)` : ''}; the model counts ${doubts.count > 1 ? 'them' : 'it'} as denied`,
          evidence: { ...evidence, enforcedBy: 'uncertain', doubtedFlows: doubted, ...(doubts.truncated ? { flowsTruncated: `first ${MAX_FLOWS} flows shown` } : {}), ...(doubts.capped ? { doubtSearch: cappedSearch(doubts) } : {}) },
        });
      } else if (network.count > 0) {
        // The network lets these flows through; the destination's mesh refuses every one.
        const meshDenials = network.flows.map((f) => ({ from: f.from.workloads.map(name), to: f.to.workloads.map(name), ports: formatConns(f.conns), mesh: meshEvidence(ctx, model, f.from, f.to, f.conns) }));
        out.push({
          status: 'pass',
          resource,
          message: `intent "${rule.name}" holds at the mesh: the network lets ${describe(rule.from)} reach ${describe(rule.to)} (${network.count}${network.truncated ? '+' : ''} pod-class flow(s)), but the destination's mesh authorization refuses every one`,
          evidence: { ...evidence, enforcedBy: 'mesh', flows: meshDenials },
        });
      } else if (hostNetwork) {
        // kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicy-and-hostnetwork-pods:
        // enforcement on hostNetwork pods is undefined and most plugins ignore them, so a policy
        // denial cannot vouch for the intent: fail rather than "hold" on a verdict nobody enforces.
        const host = [...new Set([...sources, ...dests].filter((c) => c.hostNetwork).flatMap((c) => c.workloads.map(name)))].sort();
        out.push({
          status: 'fail',
          resource,
          message: `intent "${rule.name}" is not enforced: only network policy denies ${describe(rule.from)} → ${describe(rule.to)}, but ${host.slice(0, 3).join(', ')}${host.length > 3 ? ', …' : ''} run${host.length === 1 ? 's' : ''} with hostNetwork, where network policy enforcement is implementation-defined (most plugins ignore such pods)`,
          evidence: { ...evidence, enforcedBy: 'none', hostNetworkWorkloads: host.slice(0, MAX_FLOWS), sourceClasses: sources.length, destinationClasses: dests.length },
        });
      } else if (doubts?.capped) {
        // The search for flows reach would call UNKNOWN stopped before it found one: the pairs
        // left unexamined may hold one, so the intent is not confirmed (never a silent pass).
        out.push({
          status: 'fail',
          severity: 'medium',
          resource,
          message: `intent "${rule.name}" could not be confirmed: no allowed flow from ${describe(rule.from)} to ${describe(rule.to)}, but the search for flows in doubt ${cappedSearch(doubts)}; the rest were not checked`,
          evidence: { ...evidence, enforcedBy: 'uncertain', sourceClasses: sources.length, destinationClasses: dests.length, doubtSearch: `${cappedSearch(doubts)}: the rest were not checked for flows the model holds in doubt` },
        });
      } else if (sources.length && dests.length && model.composition.unconfirmed.size) {
        // The denial rests on policies of an API the CNI is taken to enforce without confirmation
        // (a switch set from the environment, an image naming no release: cni.ts): not a hold.
        const [api, why] = [...model.composition.unconfirmed][0];
        out.push({
          status: 'fail',
          severity: 'medium',
          resource,
          message: `intent "${rule.name}" cannot be confirmed: no allowed flow from ${describe(rule.from)} to ${describe(rule.to)} with the policies taken as enforced, but whether the CNI enforces ${api} cannot be confirmed (${why})`,
          evidence: { ...evidence, enforcedBy: 'uncertain', unconfirmedEnforcement: Object.fromEntries(model.composition.unconfirmed), sourceClasses: sources.length, destinationClasses: dests.length },
        });
      } else if (sources.length && dests.length && (settled = liveAddressSettlements(model, sources, dests)).current.length) {
        // The denial rests on where the pods' current addresses fall against an ipBlock (outside
        // Calico nothing else places a pod): pod IPs are ephemeral, so a pod rescheduled may land on
        // the block's other side, unless the cluster's pod range rules that out (node-cidrs.ts), and
        // here they do not (nodesWhy). As of the snapshot the flow is denied; the intent is not confirmed.
        out.push({
          status: 'fail',
          severity: 'medium',
          resource,
          message: `intent "${rule.name}" cannot be confirmed: no allowed flow from ${describe(rule.from)} to ${describe(rule.to)} as of this snapshot, but the denial rests on the pods' current addresses — ${settled.current[0]}; pod IPs are ephemeral, so a pod rescheduled may take an address on the other side${settled.nodesWhy ? `, and that cannot be ruled out for good: ${settled.nodesWhy}` : ''}`,
          evidence: { ...evidence, enforcedBy: 'uncertain', addressSettled: settled.current, ...(settled.nodesWhy ? { nodePodCidrs: settled.nodesWhy } : {}), sourceClasses: sources.length, destinationClasses: dests.length },
        });
      } else {
        // A denial the Nodes' podCIDRs settle for good (an ipBlock no pod can take an address in) holds, and says what it rests on.
        const byNodes = settled.byNodes;
        out.push({
          status: 'pass',
          resource,
          message: sources.length && dests.length ? `intent "${rule.name}" holds: no allowed flow from ${describe(rule.from)} to ${describe(rule.to)}${byNodes.length ? `; ${byNodes[0]}` : ''}` : `intent "${rule.name}" holds: no matching ${sources.length ? 'destination' : 'source'} pods`,
          evidence: { ...evidence, ...(sources.length && dests.length ? { enforcedBy: 'network' } : {}), ...(byNodes.length ? { addressSettledByNodes: byNodes } : {}), sourceClasses: sources.length, destinationClasses: dests.length },
        });
      }
    }
    return out;
  },
};
