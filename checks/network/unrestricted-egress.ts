import type { Check } from '../../src/engine/types.ts';
import type { Verdict } from '../../src/base/vocabulary.ts';
import { buildReachability } from '../../src/analysis/netpol/model.ts';
import { allPortProtocols, externalOpenReason, portsIncludeDns, portsText } from '../../src/analysis/netpol/rules.ts';
import { SEGMENTATION } from '../controls.ts';

export const unrestrictedEgress: Check = {
  id: 'network.unrestricted-egress',
  area: 'network',
  title: 'No policy allows egress anywhere on any port',
  protectsAgainst: 'egress rules open to every destination (0.0.0.0/0, ::/0 or no `to`) on every port, and DNS to anywhere (exfiltration)',
  severity: 'high',
  controls: SEGMENTATION,
  remediation: 'Restrict egress rules to the destinations (namespace/pod selectors, specific CIDRs) and ports the workload needs; send DNS only to kube-dns.',
  needs: ['namespaces', 'pods', 'networkpolicies'],
  evaluate(ctx) {
    const model = buildReachability(ctx.snapshot);
    const out: Verdict[] = [];
    for (const p of model.policies) {
      if (p.errors.length || !p.egressType) continue;
      const resource = { kind: 'NetworkPolicy', namespace: p.namespace, name: p.name };
      // Open to the outside world: any peer, or ipBlocks covering a whole family. Egress to
      // every pod in the cluster (namespaceSelector: {}) is broad but not unrestricted.
      const open = p.egress.filter((r) => externalOpenReason(r)).map((r) => {
        const everyPort = allPortProtocols(r);
        return { rule: r.index, reason: externalOpenReason(r), ports: portsText(r), everyPortOn: everyPort, anyPort: everyPort.length > 0, dns: portsIncludeDns(r) };
      });
      const anyPort = open.filter((r) => r.anyPort);
      const dns = open.filter((r) => !r.anyPort && r.dns);
      if (anyPort.length) {
        const on = anyPort[0].everyPortOn.length === 3 ? 'every port' : `every ${anyPort[0].everyPortOn.join('/')} port`;
        out.push({ status: 'fail', resource, message: `${p.id} allows egress to ${anyPort[0].reason} on ${on}`, evidence: { openRules: anyPort } });
      } else if (dns.length) {
        out.push({
          status: 'fail',
          resource,
          severity: 'low',
          message: `${p.id} allows DNS (port 53) to any destination: a DNS exfiltration path; send DNS to kube-dns only`,
          evidence: { openRules: dns },
        });
      } else {
        out.push({ status: 'pass', resource, message: open.length ? `${p.id} allows egress to any destination only on ${open.map((r) => r.ports).join('; ')}` : `${p.id} restricts egress destinations` });
      }
    }
    return out;
  },
};
