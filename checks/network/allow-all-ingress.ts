import type { Check } from '../../src/engine/types.ts';
import { policyLabel } from '../../src/analysis/netpol/engine.ts';
import type { Rule } from '../../src/analysis/netpol/layers.ts';
import { buildReachability, coversEveryTcpUdpPort, isolationOf, type PodClass } from '../../src/analysis/netpol/model.ts';
import { emptyConns, formatConns, intersectConns, isAllConns, isEmptyConns, unionConns } from '../../src/analysis/netpol/conns.ts';
import { rulePortConns } from '../../src/analysis/netpol/engine.ts';
import { assembledOpen, assembledText, openToAddresses, openToPods } from '../../src/analysis/netpol/open-to-all.ts';
import { isDefaultDeny, openReason, openScope, portsText, selectsWholeNamespaces } from '../../src/analysis/netpol/rules.ts';
import { SEGMENTATION } from '../controls.ts';
import { CNI_SETTINGS_READS } from './lib/cni-settings.ts';
import { SERVICE_ACCOUNT_LABELS_READ } from './lib/service-account-labels.ts';
import { ENFORCED_POLICY_KINDS_READ } from './lib/policy-kinds.ts';
import { denyRulesBefore, mayRefuse } from './lib/deny-rules.ts';
import { selectsNoPod } from './lib/selects-no-pod.ts';
import { unresolvedAddressPeers, unresolvedText } from './lib/unresolved-peers.ts';
import { classesBeyondDoubt, notEvaluatedEvidence, notEvaluatedText, unevaluatedOver, unevaluatedPolicyVerdicts } from './lib/unevaluated.ts';
import { unevaluatedMayPrecede } from '../../src/analysis/netpol/query.ts';

export const allowAllIngress: Check = {
  id: 'network.allow-all-ingress',
  area: 'network',
  title: 'No policy admits ingress from everywhere',
  protectsAgainst: 'policies that admit every source (any peer, every namespace, 0.0.0.0/0, Cilium entity world/all, or every public address spread over several rules and policies selecting the same pods), silently cancelling a default deny',
  severity: 'high',
  controls: SEGMENTATION,
  remediation: 'Replace the open rule with explicit peers (podSelector/namespaceSelector on kubernetes.io/metadata.name, or the API\'s equivalent) and ports; list namespaces that are meant to be public under network.exposedNamespaces.',
  needs: ['namespaces', 'pods', 'networkpolicies'],
  readsWhen: [...CNI_SETTINGS_READS, SERVICE_ACCOUNT_LABELS_READ, ...ENFORCED_POLICY_KINDS_READ],
  // Unread, a CIDR group is unresolved and the policy "cannot be judged", saying so (lib/unresolved-peers.ts).
  readsBestEffort: ['cilium.cidrgroups'],
  *evaluate(ctx) {
    const model = buildReachability(ctx.snapshot);
    const exposed = new Set(ctx.config.network.exposedNamespaces);
    for (const p of model.policies) {
      if (p.errors.length || !p.ingress || !model.enforced(p)) continue;
      const resource = p.ref;
      const label = policyLabel(p);
      const rules = p.ingress.filter((r) => openReason(r) !== undefined);
      const classes = model.selectedBy.get(p.id) ?? [];
      const together = classes.length ? assembledOpen(model, p, classes, 'ingress', (r) => (openReason(r) ? openScope(r).families : [])) : undefined;
      if (rules.length === 0 && !together) {
        const unresolved = unresolvedAddressPeers(p.ingress);
        if (unresolved.length) yield { status: 'fail', resource, severity: 'medium', message: `${label} cannot be judged: ${unresolvedText('admits ingress from', unresolved)}`, evidence: { api: p.api, unresolvedRules: unresolved } };
        else yield { status: 'pass', resource, message: `${label} admits ingress only from listed peers` };
        continue;
      }
      if (classes.length === 0) {
        yield selectsNoPod(ctx.snapshot, model, p, label, `admits ingress from ${openReason(rules[0])}`, rules.map((r) => ({ rule: r.index, reason: openReason(r), ports: portsText(r) })));
        continue;
      }
      // A rule's claim stands only for what the effective verdict still admits from the peers it
      // claims (a pod no selector singles out, the public addresses of the families it covers): a
      // Deny evaluated first (Calico order, docs.tigera.io/calico/latest/reference/resources/
      // networkpolicy) or one that takes precedence (Cilium ingressDeny) may take all of it.
      const deniedBy = new Set<string>();
      const closedBy = new Set<string>();
      // Classes whose verdict no unevaluated policy may overturn before p's rules (lib/unevaluated.ts): a claim admitted on one of them holds.
      const sure = new Set(classesBeyondDoubt(model, classes, 'ingress', p));
      const proven = new Set<number>();
      const open = rules.flatMap((r) => {
        const { pods, families } = openScope(r);
        let admitted = emptyConns();
        let claimed = emptyConns();
        for (const cls of classes) {
          let here = emptyConns();
          const ports = rulePortConns(r, { kind: 'class', cls });
          claimed = unionConns(claimed, ports);
          if (pods) {
            const o = openToPods(model, cls, 'ingress');
            here = unionConns(here, intersectConns(o.conns, ports));
            for (const d of o.deniedBy) deniedBy.add(d);
            for (const d of o.closedBy) closedBy.add(d);
          }
          if (families.length) {
            const a = openToAddresses(model, cls, 'ingress');
            for (const f of families) {
              here = unionConns(here, intersectConns(a[f].some, ports));
              for (const d of a[f].deniedBy) deniedBy.add(d);
              for (const d of a[f].closedBy) closedBy.add(d);
            }
          }
          admitted = unionConns(admitted, here);
          if (sure.has(cls) && !isEmptyConns(here)) proven.add(r.index);
        }
        if (isEmptyConns(admitted)) return [];
        const narrowed = formatConns(admitted) !== formatConns(claimed);
        // Every TCP and UDP port is every port a service listens on (`ports: [{protocol: TCP}, {protocol: UDP}]`):
        // open to all, as a rule with no port is, whether or not SCTP is named too.
        return [{ rule: r.index, ...(r.name ? { name: r.name } : {}), reason: openReason(r) as string, ports: narrowed ? formatConns(admitted) : portsText(r), anyPort: coversEveryTcpUdpPort(admitted), allPorts: isAllConns(admitted) }];
      });
      // Rules that only together admit every public address (0.0.0.0/1 here, 128.0.0.0/1 there):
      // judged as one rule open to all would be, on what they admit together.
      const assembled = together && { rule: together.rules[0], rules: together.rules, reason: assembledText(together), ports: isAllConns(together.conns) ? 'any' : formatConns(together.conns), anyPort: coversEveryTcpUdpPort(together.conns), allPorts: isAllConns(together.conns), ...(together.others.length ? { together: together.others.slice(0, 20) } : {}) };
      if (assembled) {
        if (assembled.anyPort && !open.some((o) => o.anyPort)) open.unshift(assembled);
        else open.push(assembled);
      }
      const shadow = deniedBy.size ? { deniedBy: [...deniedBy].slice(0, 5) } : {};
      if (open.length === 0) {
        // An unevaluated policy consulted first may allow what those rules deny.
        const overturn = unevaluatedOver(model, classes, 'ingress', (u) => unevaluatedMayPrecede(model, u, p));
        if (overturn.length) {
          yield { status: 'fail', resource, severity: 'medium', message: `${label} admits ingress from ${openReason(rules[0])}, and whether rules that take precedence deny all of it cannot be confirmed: ${notEvaluatedText(overturn, 'its pods', 'allow it before they deny it')}`, evidence: { api: p.api, shadowedRules: rules.map((r) => r.index), ...shadow, notEvaluated: notEvaluatedEvidence(overturn) } };
          continue;
        }
        yield { status: 'pass', resource, message: `${label} admits ingress from ${openReason(rules[0])}, but rules that take precedence deny all of it (${[...deniedBy, ...closedBy].slice(0, 2).join('; ') || 'the effective verdict'})`, evidence: { api: p.api, shadowedRules: rules.map((r) => r.index), ...shadow } };
        continue;
      }
      const selected = classes.length;
      if (p.namespace !== undefined && exposed.has(p.namespace)) {
        yield { status: 'pass', resource, message: `${label} admits ingress from everywhere; namespace ${p.namespace} is declared exposed`, evidence: { openRules: open } };
        continue;
      }
      // Admitted only on pods where an unevaluated policy consulted first may deny it: not proven.
      if (sure.size < classes.length && !open.some((o) => o !== assembled && proven.has(o.rule)) && !(assembled && sure.size && assembledOpen(model, p, [...sure], 'ingress', (r) => (openReason(r) ? openScope(r).families : []))) ) {
        const refusing = unevaluatedOver(model, classes, 'ingress', (u) => unevaluatedMayPrecede(model, u, p));
        yield { status: 'fail', resource, severity: 'medium', message: `${label} admits ingress from ${open[0].reason} on ${open.map((r) => r.ports).join('; ')}, which cannot be confirmed: ${notEvaluatedText(refusing, 'its pods', 'deny it first')}`, evidence: { api: p.api, openRules: open, selectsPodClasses: selected, ...shadow, notEvaluated: notEvaluatedEvidence(refusing) } };
        continue;
      }
      // The default deny it cancels (what namespace-default-deny-ingress then fails on): its own
      // namespace's, beside it, when it opens every TCP/UDP port of the whole namespace; and the
      // one of each namespace whose isolation its Allow overrides for every pod, decided before it
      // (an AdminNetworkPolicy or ClusterNetworkPolicy Allow: "allowed regardless of NetworkPolicy",
      // network-policy-api apis/v1alpha1/adminnetworkpolicy_types.go).
      const cancelled = new Set<string>();
      if (p.namespace !== undefined && selectsWholeNamespaces(p) && open.some((r) => r.anyPort)) {
        for (const q of model.policiesByNamespace.get(p.namespace) ?? []) if (q !== p && isDefaultDeny(q, 'ingress')) cancelled.add(q.id);
      }
      for (const cls of classes) {
        const by = isolationOf(model, cls, 'ingress').openedBy;
        if (!by?.policies.includes(p.id)) continue;
        for (const id of by.overrides) {
          const q = model.policyById.get(id);
          if (q && isDefaultDeny(q, 'ingress')) cancelled.add(id);
        }
      }
      const cancels = [...cancelled].sort();
      const cancelsFor = cancels.length && !selectsWholeNamespaces(p) ? ' for the pods it selects' : '';
      const anyPort = open.some((r) => r.anyPort);
      const on = open.some((r) => r.allPorts) ? 'every port' : 'every TCP/UDP port';
      // A rule open alone to every pod (or ::/0) may also admit every public IPv4 address with
      // other rules: both are named, when the ports the message gives hold for both.
      const also = assembled && assembled !== open[0] && (assembled.anyPort || !anyPort) ? ` and ${assembled.reason}` : '';
      // The claimed peers are admitted, yet Deny rules evaluated first (or taking precedence) may
      // still refuse some sources the rule names (a Calico Deny from one namespace before a bare
      // Allow): named only when they may refuse part of what the message claims, its peers
      // (every pod, the public addresses of its families) on its ports.
      const first = p.ingress.find((r) => r.index === open[0].rule);
      const ownRule = open[0] !== assembled ? first : undefined;
      const withOthers = together && (open[0] === assembled || also) ? together : undefined;
      const scope = { pods: ownRule ? openScope(ownRule).pods : false, families: [...new Set([...(ownRule ? openScope(ownRule).families : []), ...(withOthers?.families ?? [])])] };
      const claimed = (cls: PodClass) => unionConns(ownRule ? rulePortConns(ownRule, { kind: 'class', cls }) : emptyConns(), withOthers?.conns ?? emptyConns());
      const refusesPart = (cls: PodClass) => (d: Rule) => mayRefuse(d, scope) && !isEmptyConns(intersectConns(rulePortConns(d, { kind: 'class', cls }), claimed(cls)));
      const deniers = first ? [...new Set(classes.flatMap((c) => denyRulesBefore(c.ingressPlan, 'ingress', first, refusesPart(c))))].sort() : [];
      const portsNote = deniedBy.size && !anyPort ? ` (${[...deniedBy][0]}${deniedBy.size > 1 ? ` and ${deniedBy.size - 1} more Deny rule(s)` : ''} refuse${deniedBy.size > 1 ? '' : 's'} the rest)` : '';
      const peersNote = !portsNote && deniers.length ? `, except the sources Deny rules of ${deniers.slice(0, 3).join(', ')}${deniers.length > 3 ? ` (and ${deniers.length - 3} more)` : ''} refuse` : '';
      yield {
        status: 'fail',
        resource,
        // An open rule limited to some ports is a narrower, WARN-level exposure.
        severity: anyPort ? undefined : 'medium',
        message: `${label} admits ingress from ${open[0].reason}${also} on ${anyPort ? on : open.map((r) => r.ports).join('; ')}${portsNote}${peersNote}${cancels.length ? `, cancelling the default deny ${cancels.slice(0, 3).join(', ')}${cancels.length > 3 ? ` (and ${cancels.length - 3} more)` : ''}${cancelsFor}` : ''}`,
        evidence: { api: p.api, openRules: open, selectsPodClasses: selected, ...shadow, ...(deniers.length ? { denyRulesIn: deniers } : {}), ...(cancels.length ? { cancelsDefaultDeny: cancels.slice(0, 20) } : {}) },
      };
    }
    yield* unevaluatedPolicyVerdicts(model, 'ingress', 'admits ingress from everywhere');
  },
};
