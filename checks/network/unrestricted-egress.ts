import type { Check } from '../../src/engine/types.ts';
import type { Verdict } from '../../src/base/vocabulary.ts';
import { policyLabel } from '../../src/analysis/netpol/engine.ts';
import { buildReachability, egressVerdict, type ReachModel } from '../../src/analysis/netpol/model.ts';
import type { Endpoint } from '../../src/analysis/netpol/engine.ts';
import type { PodClass, Rule } from '../../src/analysis/netpol/layers.ts';
import { emptyConns, type ConnSet, formatConns, hasConn, intersectConns, isAllConns, isEmptyConns, MAX_PORT, MIN_PORT, unionConns } from '../../src/analysis/netpol/conns.ts';
import { rulePortConns } from '../../src/analysis/netpol/engine.ts';
import { assembledOpen, assembledText, openToAddresses } from '../../src/analysis/netpol/open-to-all.ts';
import { externalOpenReason, openScope, portsText } from '../../src/analysis/netpol/rules.ts';
import { SEGMENTATION } from '../controls.ts';
import { CNI_SETTINGS_READS } from './lib/cni-settings.ts';
import { SERVICE_ACCOUNT_LABELS_READ } from './lib/service-account-labels.ts';
import { ENFORCED_POLICY_KINDS_READ } from './lib/policy-kinds.ts';
import { selectsNoPod } from './lib/selects-no-pod.ts';
import { unresolvedAddressPeers, unresolvedText } from './lib/unresolved-peers.ts';
import { classesBeyondDoubt, notEvaluatedEvidence, notEvaluatedText, unevaluatedOver, unevaluatedPolicyVerdicts } from './lib/unevaluated.ts';
import { unevaluatedMayPrecede } from '../../src/analysis/netpol/query.ts';

const EVERY_NAME = 'every DNS name (toFQDNs *)';
/** A name no policy targets (RFC 6761 reserves .invalid): what a toFQDNs `*` admits beyond the narrower rules. */
const ANY_NAME: Endpoint = { kind: 'fqdn', name: 'any-name.invalid' };

/**
 * A rule open on every port of a protocol but a few is open on that protocol: leaving out SMTP
 * (`notPorts: [25]`, `ports: ["1:24", "26:65535"]`) stops one service, not egress anywhere. Up to
 * this many ports left out still count as every port; the finding names them.
 */
export const NEARLY_EVERY_PORT_MAX_EXCLUDED = 16;

/** The ports of 1-65535 a set of intervals leaves out, or undefined when it leaves out more than NEARLY_EVERY_PORT_MAX_EXCLUDED. */
function portsLeftOut(intervals: ConnSet['TCP']): Array<readonly [number, number]> | undefined {
  const gaps: Array<readonly [number, number]> = [];
  let next = MIN_PORT;
  let missing = 0;
  for (const [lo, hi] of intervals) {
    if (lo > next) {
      gaps.push([next, lo - 1]);
      missing += lo - next;
    }
    next = Math.max(next, hi + 1);
  }
  if (next <= MAX_PORT) {
    gaps.push([next, MAX_PORT]);
    missing += MAX_PORT - next + 1;
  }
  return intervals.length && missing <= NEARLY_EVERY_PORT_MAX_EXCLUDED ? gaps : undefined;
}

/** What a set of connections open to every destination says of its ports: every port of which protocols (but a few), DNS. */
function portFacts(admitted: ConnSet) {
  const leftOut = (['TCP', 'UDP', 'SCTP'] as const).flatMap((proto) => {
    const gaps = portsLeftOut(admitted[proto]);
    return gaps ? [{ proto, gaps }] : [];
  });
  const everyPort = leftOut.map((l) => l.proto);
  const exceptPorts = leftOut.flatMap(({ proto, gaps }) => gaps.map(([a, b]) => `${proto} ${a === b ? a : `${a}-${b}`}`));
  const dns = hasConn(admitted, 'UDP', 53) || hasConn(admitted, 'TCP', 53);
  return { everyPortOn: [...everyPort], ...(exceptPorts.length ? { exceptPorts } : {}), anyPort: everyPort.length > 0, dns };
}

/** What a toFQDNs `*` rule's pods may still open to an arbitrary name, by the effective verdict. */
function everyNameAdmitted(model: ReachModel, cls: PodClass, r: Rule): ConnSet {
  return intersectConns(egressVerdict(model, { kind: 'class', cls }, ANY_NAME).conns, rulePortConns(r, ANY_NAME));
}

export const unrestrictedEgress: Check = {
  id: 'network.unrestricted-egress',
  area: 'network',
  title: 'No policy allows egress anywhere on any port',
  protectsAgainst: 'egress rules open to every destination (0.0.0.0/0, ::/0, ipBlocks that together cover every public address of a family, in one rule or spread over several rules and policies selecting the same pods, no `to`, Cilium entity world or toFQDNs `*`, ANP networks 0.0.0.0/0) on every port of a protocol (or all but up to 16 of them, such as every TCP port but SMTP), and DNS to anywhere (exfiltration)',
  severity: 'high',
  controls: SEGMENTATION,
  remediation: 'Restrict egress rules to the destinations (namespace/pod selectors, specific CIDRs or FQDNs) and ports the workload needs; send DNS only to kube-dns.',
  needs: ['namespaces', 'pods', 'networkpolicies'],
  readsWhen: [...CNI_SETTINGS_READS, SERVICE_ACCOUNT_LABELS_READ, ...ENFORCED_POLICY_KINDS_READ],
  // Unread, a CIDR group is unresolved and the policy "cannot be judged", saying so (lib/unresolved-peers.ts).
  readsBestEffort: ['cilium.cidrgroups'],
  evaluate(ctx) {
    const model = buildReachability(ctx.snapshot);
    const out: Verdict[] = [];
    for (const p of model.policies) {
      if (p.errors.length || !p.egress || !model.enforced(p)) continue;
      const resource = p.ref;
      const label = policyLabel(p);
      // Open to the outside world: any peer, ipBlocks covering a whole family, entity world.
      // Egress to every pod in the cluster (namespaceSelector: {}) is broad but not unrestricted.
      const rules = p.egress.filter((r) => externalOpenReason(r));
      const classes = model.selectedBy.get(p.id) ?? [];
      const together = classes.length ? assembledOpen(model, p, classes, 'egress', (r) => (externalOpenReason(r) ? openScope(r, true).families : [])) : undefined;
      if (rules.length === 0 && !together) {
        const unresolved = unresolvedAddressPeers(p.egress);
        if (unresolved.length) out.push({ status: 'fail', resource, severity: 'medium', message: `${label} cannot be judged: ${unresolvedText('allows egress to', unresolved)}`, evidence: { api: p.api, unresolvedRules: unresolved } });
        else out.push({ status: 'pass', resource, message: `${label} restricts egress destinations` });
        continue;
      }
      if (classes.length === 0) {
        out.push(selectsNoPod(ctx.snapshot, model, p, label, 'allows egress to every address', rules.map((r) => ({ rule: r.index, reason: externalOpenReason(r), ports: portsText(r) }))));
        continue;
      }
      // A rule's claim stands only for what the effective verdict still opens toward the public
      // addresses it names: an egressDeny (Cilium: deny policies take precedence over allow
      // policies) or a Deny evaluated first (Calico order, ANP priority) may take all of it.
      const deniedBy = new Set<string>();
      const closedBy = new Set<string>();
      const refused = new Set<string>();
      // Classes whose verdict no unevaluated policy may overturn before p's rules (lib/unevaluated.ts): what p opens on one of them holds.
      const sure = new Set(classesBeyondDoubt(model, classes, 'egress', p));
      const proven = new Set<number>();
      const open = rules.flatMap((r) => {
        const { families } = openScope(r, true);
        let admitted = emptyConns();
        for (const cls of classes) {
          let here = emptyConns();
          const a = openToAddresses(model, cls, 'egress');
          for (const f of families) {
            const c = intersectConns(a[f].some, rulePortConns(r, { kind: 'ip', family: f, value: 0n, text: '' }));
            here = unionConns(here, c);
            if (!isEmptyConns(c)) for (const t of a[f].refused) refused.add(t);
            for (const d of a[f].deniedBy) deniedBy.add(d);
            for (const d of a[f].closedBy) closedBy.add(d);
          }
          if (externalOpenReason(r) === EVERY_NAME) here = unionConns(here, everyNameAdmitted(model, cls, r));
          admitted = unionConns(admitted, here);
          if (sure.has(cls) && !isEmptyConns(here)) proven.add(r.index);
        }
        if (isEmptyConns(admitted)) return [];
        const claimed = rulePortConns(r, families.length ? { kind: 'ip', family: families[0], value: 0n, text: '' } : ANY_NAME);
        const narrowed = formatConns(admitted) !== formatConns(claimed);
        return [{ rule: r.index, ...(r.name ? { name: r.name } : {}), reason: externalOpenReason(r) as string, ports: narrowed ? formatConns(admitted) : portsText(r), ...portFacts(admitted) }];
      });
      // Rules that only together reach every public address (0.0.0.0/1 here, 128.0.0.0/1 there):
      // judged as one rule open to all would be, on what they open together.
      const assembled = together ? { rule: together.rules[0], rules: together.rules, reason: assembledText(together), ports: isAllConns(together.conns) ? 'any' : formatConns(together.conns), ...portFacts(together.conns), ...(together.others.length ? { together: together.others.slice(0, 20) } : {}) } : undefined;
      if (assembled) {
        if (assembled.anyPort && !open.some((o) => o.anyPort)) open.unshift(assembled);
        else open.push(assembled);
      }
      const except = refused.size ? `, though not to every public address (other rules refuse ${[...refused][0]}${refused.size > 1 ? ` and ${refused.size - 1} more range(s)` : ''})` : '';
      const shadow = deniedBy.size ? { deniedBy: [...deniedBy].slice(0, 5) } : {};
      const anyPort = open.filter((r) => r.anyPort);
      const dns = open.filter((r) => !r.anyPort && r.dns);
      // Opened only on pods where an unevaluated policy consulted first may deny it: not proven.
      const failing = anyPort.length ? anyPort : dns;
      if (failing.length && sure.size < classes.length && !failing.some((o) => o !== assembled && proven.has(o.rule)) && !(failing.includes(assembled!) && sure.size && assembledOpen(model, p, [...sure], 'egress', (r) => (externalOpenReason(r) ? openScope(r, true).families : [])))) {
        const refusing = unevaluatedOver(model, classes, 'egress', (u) => unevaluatedMayPrecede(model, u, p));
        out.push({ status: 'fail', resource, severity: 'medium', message: `${label} allows egress to ${failing[0].reason} on ${failing.map((r) => r.ports).join('; ')}, which cannot be confirmed: ${notEvaluatedText(refusing, 'its pods', 'deny it first')}`, evidence: { api: p.api, openRules: failing, ...shadow, notEvaluated: notEvaluatedEvidence(refusing) } });
        continue;
      }
      if (anyPort.length) {
        const on = (r: (typeof anyPort)[number]) => `${r.everyPortOn.length === 3 ? 'every port' : `every ${r.everyPortOn.join('/')} port`}${r.exceptPorts ? ` except ${r.exceptPorts.join(', ')}` : ''}`;
        const first = anyPort[0];
        // A rule open alone to ::/0 may also open every public IPv4 address with other rules: both are named.
        const also = assembled !== first && anyPort.find((r) => r === assembled);
        const to = !also ? `${first.reason} on ${on(first)}` : on(also) === on(first) ? `${first.reason} and ${also.reason} on ${on(first)}` : `${first.reason} on ${on(first)}, and to ${also.reason} on ${on(also)}`;
        out.push({ status: 'fail', resource, message: `${label} allows egress to ${to}${except}`, evidence: { api: p.api, openRules: anyPort, ...(refused.size ? { refusedRanges: [...refused].slice(0, 5) } : {}), ...shadow } });
      } else if (dns.length) {
        out.push({
          status: 'fail',
          resource,
          severity: 'low',
          message: `${label} allows DNS (port 53) to any destination: a DNS exfiltration path; send DNS to kube-dns only`,
          evidence: { api: p.api, openRules: dns, ...shadow },
        });
      } else if (open.length) {
        out.push({ status: 'pass', resource, message: `${label} allows egress to any destination only on ${open.map((r) => r.ports).join('; ')}`, evidence: { openRules: open, ...shadow } });
      } else if (unevaluatedOver(model, classes, 'egress', (u) => unevaluatedMayPrecede(model, u, p)).length) {
        // An unevaluated policy consulted first may allow what those rules deny.
        const overturn = unevaluatedOver(model, classes, 'egress', (u) => unevaluatedMayPrecede(model, u, p));
        out.push({ status: 'fail', resource, severity: 'medium', message: `${label} allows egress to ${externalOpenReason(rules[0])}, and whether rules that take precedence deny all of it cannot be confirmed: ${notEvaluatedText(overturn, 'its pods', 'allow it before they deny it')}`, evidence: { api: p.api, shadowedRules: rules.map((r) => r.index), ...shadow, notEvaluated: notEvaluatedEvidence(overturn) } });
      } else {
        out.push({ status: 'pass', resource, message: `${label} allows egress to ${externalOpenReason(rules[0])}, but rules that take precedence deny all of it to every public address (${[...deniedBy, ...closedBy].slice(0, 2).join('; ') || 'the effective verdict'})`, evidence: { api: p.api, shadowedRules: rules.map((r) => r.index), ...shadow } });
      }
    }
    out.push(...unevaluatedPolicyVerdicts(model, 'egress', 'allows egress to every address'));
    return out;
  },
};
