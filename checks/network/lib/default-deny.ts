// Shared evaluation of the two default-deny checks (ingress and egress are symmetric). A pod
// counts as isolated when the combined model (every enforced policy API, in the CNI's
// precedence) leaves nothing from or to an unnamed peer to the default allow, and does not
// allow that peer everything by a rule (an allow-all policy isolates nothing).
import type { AuditContext } from '../../../src/analysis/context.ts';
import type { Verdict } from '../../../src/base/vocabulary.ts';
import { isEmptyConns } from '../../../src/analysis/netpol/conns.ts';
import { API_NAMES } from '../../../src/analysis/netpol/composition.ts';
import type { PolicyApi } from '../../../src/analysis/netpol/layers.ts';
import { policyLabel } from '../../../src/analysis/netpol/engine.ts';
import { buildReachability, isolationOf, type Isolation, type PodClass, type ReachModel } from '../../../src/analysis/netpol/model.ts';
import { isDefaultDeny, isSystemNamespace } from '../../../src/analysis/netpol/rules.ts';
import { refString, stableRefOf } from '../../../src/analysis/workloads.ts';
import { denyRulesBefore } from './deny-rules.ts';
import { unevaluatedSelecting } from '../../../src/analysis/netpol/query.ts';
import { idleWorkloadsByNamespace } from './selects-no-pod.ts';

const MAX_LISTED = 20;

/** The policies that open a namespace's pods on every TCP/UDP port (Isolation.openedBy), by id: the policies whose isolation each overrides. */
type Openers = Map<string, Set<string>>;

/**
 * `tcpUdpOnly`: the openers seen opening only every TCP and UDP port somewhere (not SCTP), named
 * so; the others open every port (a rule with no port; a Calico rule with no protocol, which
 * matches every protocol: docs.tigera.io/calico/latest/reference/resources/networkpolicy#rule).
 */
function noteOpeners(openers: Openers, tcpUdpOnly: Set<string>, iso: Isolation): void {
  const o = iso.openedBy;
  if (!o) return;
  for (const id of o.policies) {
    let overrides = openers.get(id);
    if (!overrides) openers.set(id, (overrides = new Set()));
    for (const q of o.overrides) overrides.add(q);
    if (!o.allPorts) tcpUdpOnly.add(id);
  }
}

const listed = (names: string[]) => `${names.slice(0, 3).join(', ')}${names.length > 3 ? ` (and ${names.length - 3} more)` : ''}`;

/**
 * Which policies open it, and the isolation they override: "b/open allows every TCP/UDP port",
 * "AdminNetworkPolicy open allows every TCP/UDP port and overrides the default deny b/deny-all:
 * its Allow is decided first, and no later policy can deny it" (network-
 * policy-api apis/v1alpha1/adminnetworkpolicy_types.go, AdminNetworkPolicyRuleActionAllow: "allowed
 * regardless of NetworkPolicy and BaselineAdminNetworkPolicy rules").
 */
function openersText(model: ReachModel, openers: Openers, tcpUdpOnly: ReadonlySet<string>, defaultDeny: ReadonlySet<string>): string {
  const label = (id: string) => { const p = model.policyById.get(id); return p ? policyLabel(p) : id; };
  const ports = (id: string) => (tcpUdpOnly.has(id) ? 'every TCP/UDP port' : 'every port');
  const parts: string[] = [];
  for (const on of ['every port', 'every TCP/UDP port']) {
    const plain = [...openers].filter(([id, e]) => e.size === 0 && ports(id) === on).map(([id]) => label(id)).sort();
    if (plain.length) parts.push(`${listed(plain)} allow${plain.length > 1 ? '' : 's'} ${on}`);
  }
  for (const [id, e] of [...openers].filter(([, e]) => e.size > 0).sort(([a], [b]) => (label(a) < label(b) ? -1 : 1))) {
    const overridden = [...e];
    const denies = overridden.filter((q) => defaultDeny.has(q));
    const what = denies.length ? `the default deny ${listed(denies.map(label).sort())}` : `the isolation of ${listed(overridden.map(label).sort())}`;
    parts.push(`${label(id)} allows ${ports(id)} and overrides ${what}: its Allow is decided first, and no later policy can deny it`);
  }
  return parts.join('; ');
}

/** Admin APIs whose ingress peers are namespaces and pods only (network-policy-api v1alpha1 and v1alpha2: `networks` is an egress peer). */
const PODS_ONLY_INGRESS: ReadonlySet<PolicyApi> = new Set(['AdminNetworkPolicy', 'BaselineAdminNetworkPolicy', 'ClusterNetworkPolicy']);

/**
 * Why the policies isolating a workload from pods leave outside addresses in, and what closes the
 * gap, named by the APIs of those policies. The admin APIs' ingress peers are namespaces and pods
 * only; an Antrea-native rule also takes an `ipBlock`, and one with no `from` matches every source
 * (antrea-io/antrea docs/antrea-network-policy.md v2.2.0, "Antrea ClusterNetworkPolicy": ingress
 * `from` peers; src/analysis/netpol/antrea.ts reads them so).
 */
function externalOnlyFix(apis: readonly PolicyApi[]): string {
  const named = [...new Set(apis)].sort();
  const names = named.map((a) => API_NAMES[a]).join(' and ');
  const why = named.length && named.every((a) => PODS_ONLY_INGRESS.has(a)) ? `${names} ingress rules cannot name them` : named.length ? `the rules of ${names} that isolate them name pods and namespaces only` : 'no rule names them';
  const antrea = named.includes('Antrea') ? ', or an Antrea-native Drop rule with no `from` (every source) or with an ipBlock' : '';
  return ` (${why}): add a default-deny NetworkPolicy${antrea}`;
}

export function* evaluateDefaultDeny(ctx: AuditContext, dir: 'ingress' | 'egress'): Generator<Verdict> {
  const model = buildReachability(ctx.snapshot);
  const namespaces = [...model.namespaceLabels.keys()].filter((ns) => !isSystemNamespace(ns, ctx.config.systemNamespaces)).sort();
  const other = dir === 'ingress' ? 'source may connect to them' : 'destination is reachable from them';
  // Live workloads running no pod now (a CronJob between runs, a Deployment scaled to zero) are
  // workloads all the same: judged by the template their next pods come from, so a namespace's
  // finding, its severity and its members do not come and go with the pods. A suspended CronJob
  // makes no pod until resumed: it is no workload of the namespace now.
  const idleByNamespace = idleWorkloadsByNamespace(ctx.snapshot);
  const idleIn = (ns: string) => (idleByNamespace.get(ns) ?? []).filter((w) => !w.suspended);
  for (const ns of namespaces) {
    const classes = model.classesByNamespace.get(ns) ?? [];
    const policies = (model.policiesByNamespace.get(ns) ?? []).filter((p) => !p.errors.length && model.enforced(p));
    const defaultDeny = policies.filter((p) => isDefaultDeny(p, dir)).map((p) => p.id);
    const open = new Map<string, number>();
    const externalOnly = new Map<string, number>();
    const hostNet = new Map<string, number>();
    const isolatedBy = new Set<string>();
    const denying = new Set<string>();
    const openers: Openers = new Map();
    // Counted isolated, yet selected by a policy the model does not evaluate (an Antrea-native
    // policy, whose Allow may come first): the isolation cannot be confirmed.
    const doubted = new Map<string, number>();
    const doubtedBy = new Set<string>();
    // Or isolated only by policies of an API whose enforcement by the CNI cannot be confirmed
    // (Composition.unconfirmed: a switch set from the environment, an image naming no release):
    // if the CNI does not enforce it, nothing isolates them. Only what would otherwise pass: a
    // pod left open, or open to outside addresses, fails whether the API is enforced or not.
    const unconfirmedApis = new Map<string, string>();
    // Or whether the CNI enforces any policy at all cannot be confirmed (Composition.switchUnconfirmed:
    // Cilium's enable-policy or policy-audit-mode, Felix's dropActionOverride, for some nodes or from
    // a value not shown): every isolation rests on it.
    const switchDoubt = model.composition.switchUnconfirmed;
    let restsOnSwitch = false;
    const restsOnUnconfirmed = (iso: Isolation): boolean => {
      if (switchDoubt !== undefined && iso.isolated && !iso.allowsAll && iso.by.length > 0) return (restsOnSwitch = true);
      if (model.composition.unconfirmed.size === 0 || !iso.isolated || iso.allowsAll || iso.by.length === 0) return false;
      const apis = iso.by.map((id) => model.policyById.get(id)?.api);
      if (!apis.every((a) => a !== undefined && model.composition.unconfirmed.has(a))) return false;
      for (const a of apis) unconfirmedApis.set(a!, model.composition.unconfirmed.get(a!)!);
      return true;
    };
    const doubt = (c: PodClass, iso?: Isolation): boolean => {
      const ps = unevaluatedSelecting(model, c, dir);
      for (const p of ps) doubtedBy.add(p.id);
      return ps.length > 0 || (iso !== undefined && restsOnUnconfirmed(iso));
    };
    const doubtText = (them: string) => {
      const names = [...doubtedBy].map((id) => model.policyById.get(id)).filter((p) => p !== undefined).map((p) => policyLabel(p)).sort();
      const parts: string[] = [];
      if (names.length) parts.push(`${listed(names)} ${names.length > 1 ? 'select' : 'selects'} ${them} and ${names.length > 1 ? 'are' : 'is'} not evaluated by ztaudit, and may allow what their isolation denies`);
      if (restsOnSwitch) parts.push(`${them === 'it' ? 'its' : 'their'} isolation rests on the CNI enforcing policy, which cannot be confirmed (${switchDoubt})`);
      for (const [api, why] of [...unconfirmedApis].sort()) parts.push(`${them === 'it' ? 'its' : 'their'} isolation rests on ${api} policies, and whether the CNI enforces ${api} cannot be confirmed (${why})`);
      return { text: parts.join('; '), names, apis: [...unconfirmedApis.keys()].sort() };
    };
    const tcpUdpOnly = new Set<string>();
    // Opened to every pod only, by an Allow that overrides their isolation: outside addresses stay refused.
    let podsOnly = 0;
    let everyone = 0;
    const noteOpen = (iso: Isolation) => {
      noteOpeners(openers, tcpUdpOnly, iso);
      if (iso.allowsAll && iso.openedBy && !iso.openedBy.everyAddress) podsOnly++;
      else everyone++;
    };
    // Workloads by their most stable name (stableRefOf: a CronWorkflow's Workflows, a Job's
    // generateName), so one made anew under a new generated name is the same member each run;
    // the pods of the workloads one name stands for are summed, each workload once.
    const counted = new Map<Map<string, number>, Set<string>>();
    const add = (m: Map<string, number>, c: PodClass) => {
      let seen = counted.get(m);
      if (!seen) counted.set(m, (seen = new Set()));
      for (const wk of c.workloads) {
        const node = model.workloadByKey.get(wk);
        if (!node || seen.has(wk)) continue;
        seen.add(wk);
        const member = refString(stableRefOf(node.ref));
        m.set(member, (m.get(member) ?? 0) + node.podCount);
      }
    };
    for (const c of classes) {
      if (c.hostNetwork) { add(hostNet, c); continue; }
      const iso = isolationOf(model, c, dir);
      // An allow-all rule decides every connection and denies none: nothing is isolated.
      const unisolated = () => {
        add(open, c);
        noteOpen(iso);
        for (const d of denyRulesBefore(dir === 'ingress' ? c.ingressPlan : c.egressPlan, dir)) denying.add(d);
      };
      if (doubt(c, iso)) add(doubted, c);
      else if (iso.allowsAll) unisolated();
      else if (iso.isolated) for (const id of iso.by) isolatedBy.add(id);
      else if (isEmptyConns(iso.openToPods)) { add(externalOnly, c); for (const id of iso.by) isolatedBy.add(id); }
      else unisolated();
    }
    // One probe per distinct template labels: a namespace of many CronJobs and policies stays linear.
    const probed = new Map<string, { iso: ReturnType<typeof isolationOf>; inDoubt: boolean }>();
    const idleMembers = new Set<string>();
    const idle = idleIn(ns);
    for (const { member, pod, serviceAccount } of idle) {
      idleMembers.add(member);
      const keep = (m: Map<string, number>) => m.set(member, m.get(member) ?? 0);
      if (pod.spec.hostNetwork === true) { keep(hostNet); continue; }
      const labelsKey = JSON.stringify([serviceAccount, Object.entries(pod.labels).sort()]);
      let hit = probed.get(labelsKey);
      if (!hit) { const probe = model.probe(ns, pod.labels, serviceAccount); const piso = isolationOf(model, probe, dir); probed.set(labelsKey, (hit = { iso: piso, inDoubt: doubt(probe, piso) })); }
      const { iso } = hit;
      if (hit.inDoubt) keep(doubted);
      else if (iso.allowsAll || (!iso.isolated && !isEmptyConns(iso.openToPods))) { keep(open); noteOpen(iso); }
      else if (!iso.isolated) { keep(externalOnly); for (const id of iso.by) isolatedBy.add(id); }
      else for (const id of iso.by) isolatedBy.add(id);
    }
    const running = classes.length > 0 || idle.length > 0;
    // Members running no pod now are said so: no pod of theirs is exposed until the next one starts.
    const idleNote = (m: Map<string, number>) => {
      const names = [...m.keys()].filter((k) => idleMembers.has(k)).sort();
      if (names.length === 0) return '';
      const listed = `${names.slice(0, 3).join(', ')}${names.length > 3 ? ` and ${names.length - 3} more` : ''}`;
      return ` (${listed} ${names.length === 1 ? 'runs no pod now; judged by its template' : 'run no pod now; judged by their templates'})`;
    };
    const resource = { kind: 'Namespace', name: ns };
    const list = (m: Map<string, number>) => [...m].sort().slice(0, MAX_LISTED).map(([workload, podCount]) => ({ workload, podCount }));
    const by = [...isolatedBy].map((id) => model.policyById.get(id)).filter((p) => p !== undefined).map((p) => ({ policy: policyLabel(p), api: p.api }));
    const evidence: Record<string, unknown> = { defaultDenyPolicies: defaultDeny, ...(by.length ? { isolatedBy: by } : {}) };
    if (dir === 'egress') {
      // A "deny all" written without policyTypes isolates ingress only (policyTypes defaulting).
      const misread = policies.filter((p) => p.api === 'NetworkPolicy' && (!p.subject.pods || p.subject.pods.empty) && !p.egress && p.ingress?.length === 0 && (p.raw.spec as { policyTypes?: unknown } | undefined)?.policyTypes === undefined).map((p) => p.id);
      if (misread.length) evidence.hint = `${misread.join(', ')} has no policyTypes, so it denies ingress only; add policyTypes: [Ingress, Egress] to deny egress too`;
    }
    if (open.size > 0) {
      // Unisolated (docs/network-model.md "Deciding is not denying"), yet not open to every peer when Deny rules come first.
      const deniers = [...denying].sort();
      const peer = everyone === 0 && podsOnly > 0 ? 'pod' : dir === 'ingress' ? 'source' : 'destination';
      const reaches = `${dir === 'ingress' ? 'may connect to them' : 'is reachable from them'}${peer === 'pod' ? ` on ${openers.size > 0 && tcpUdpOnly.size === 0 ? 'every port' : 'every TCP/UDP port'}` : ''}`;
      const who = deniers.length ? `every ${peer} that no Deny rule of ${listed(deniers)} refuses ${reaches}` : peer === 'pod' ? `every pod ${reaches}` : `every ${other}`;
      const opened = openersText(model, openers, tcpUdpOnly, new Set(defaultDeny));
      const openedBy = [...openers].slice(0, MAX_LISTED).map(([id, e]) => ({ policy: model.policyById.get(id) ? policyLabel(model.policyById.get(id)!) : id, ...(e.size ? { overrides: [...e].sort().slice(0, MAX_LISTED) } : {}) }));
      yield {
        status: 'fail',
        resource,
        message: `${open.size} workload(s) in namespace ${ns} are not isolated for ${dir}: ${who}${opened ? ` (${opened})` : ''}${idleNote(open)}`,
        evidence: { ...evidence, unisolatedWorkloads: list(open), unisolatedCount: open.size, ...(deniers.length ? { denyRulesIn: deniers } : {}), ...(openedBy.length ? { openedBy } : {}) },
        extent: { unit: 'workloads', members: [...open.keys()] },
      };
    } else if (externalOnly.size > 0) {
      yield {
        status: 'fail',
        resource,
        severity: 'medium',
        message: `${externalOnly.size} workload(s) in namespace ${ns} are isolated for ${dir} from pods but not from addresses outside the cluster${dir === 'ingress' ? externalOnlyFix(by.map((b) => b.api)) : ''}${idleNote(externalOnly)}`,
        evidence: { ...evidence, unisolatedWorkloads: list(externalOnly), unisolatedCount: externalOnly.size, openTo: 'addresses outside the cluster' },
        extent: { unit: 'workloads', members: [...externalOnly.keys()] },
      };
    } else if (doubted.size > 0) {
      const { text, names, apis } = doubtText('them');
      yield {
        status: 'fail',
        resource,
        severity: 'medium',
        message: `whether ${doubted.size} workload(s) in namespace ${ns} are isolated for ${dir} cannot be confirmed: ${text}${idleNote(doubted)}`,
        evidence: { ...evidence, unconfirmedWorkloads: list(doubted), unconfirmedCount: doubted.size, ...(names.length ? { notEvaluated: names.slice(0, MAX_LISTED) } : {}), ...(apis.length ? { enforcementUnconfirmed: apis } : {}) },
        extent: { unit: 'workloads', members: [...doubted.keys()] },
      };
    } else if (hostNet.size > 0 && open.size === 0 && externalOnly.size === 0 && classes.every((c) => c.hostNetwork) && isolatedBy.size === 0) {
      // Only hostNetwork workloads: nothing here is isolated by a policy; the finding below says why.
    } else if (!running) {
      // No workloads yet: judge the pod that would be created there first (no labels).
      const probe = model.probe(ns);
      const iso = isolationOf(model, probe, dir);
      if (doubt(probe, iso)) {
        const { text, names, apis } = doubtText('it');
        yield { status: 'fail', resource, severity: 'medium', message: `namespace ${ns} runs no workloads; whether a pod created there would be isolated for ${dir} cannot be confirmed: ${text}`, evidence: { ...evidence, noWorkloads: true, ...(names.length ? { notEvaluated: names.slice(0, MAX_LISTED) } : {}), ...(apis.length ? { enforcementUnconfirmed: apis } : {}) } };
      } else if (iso.isolated && !iso.allowsAll) {
        const probeBy = iso.by.map((id) => model.policyById.get(id)).filter((p) => p !== undefined).map((p) => ({ policy: policyLabel(p), api: p.api }));
        yield { status: 'pass', resource, message: `namespace ${ns} runs no workloads; a pod created there would be isolated for ${dir}`, evidence: { ...evidence, isolatedBy: probeBy } };
      } else {
        yield {
          status: 'fail',
          resource,
          severity: 'low',
          message: `namespace ${ns} runs no workloads yet and no policy isolates it for ${dir}: the pods created there will start unisolated`,
          evidence: { ...evidence, noWorkloads: true },
        };
      }
    } else {
      yield { status: 'pass', resource, message: `every workload in namespace ${ns} is isolated for ${dir}`, evidence };
    }
    if (hostNet.size > 0) {
      yield {
        status: 'fail',
        resource,
        detailKey: 'hostNetwork',
        severity: 'low',
        message: `${hostNet.size} hostNetwork workload(s) in namespace ${ns} are not reliably covered by network policy (${dir}): they use the node's network identity`,
        evidence: { hostNetworkWorkloads: list(hostNet) },
        extent: { unit: 'workloads', members: [...hostNet.keys()] },
      };
    }
  }
}
