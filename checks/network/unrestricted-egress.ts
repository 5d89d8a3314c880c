import type { Check } from '../../src/engine/types.ts';
import type { Verdict } from '../../src/base/vocabulary.ts';
import { policyLabel } from '../../src/analysis/netpol/engine.ts';
import { buildReachability } from '../../src/analysis/netpol/model.ts';
import { allPortProtocols, externalOpenReason, portsIncludeDns, portsText } from '../../src/analysis/netpol/rules.ts';
import { SEGMENTATION } from '../controls.ts';
import { CILIUM_SETTINGS_READ } from './lib/cilium-settings.ts';
import { ENFORCED_POLICY_KINDS_READ } from './lib/policy-kinds.ts';

export const unrestrictedEgress: Check = {
  id: 'network.unrestricted-egress',
  area: 'network',
  title: 'No policy allows egress anywhere on any port',
  protectsAgainst: 'egress rules open to every destination (0.0.0.0/0, ::/0, no `to`, Cilium entity world, ANP networks 0.0.0.0/0) on every port, and DNS to anywhere (exfiltration)',
  severity: 'high',
  controls: SEGMENTATION,
  remediation: 'Restrict egress rules to the destinations (namespace/pod selectors, specific CIDRs or FQDNs) and ports the workload needs; send DNS only to kube-dns.',
  needs: ['namespaces', 'pods', 'networkpolicies'],
  readsWhen: [CILIUM_SETTINGS_READ, ...ENFORCED_POLICY_KINDS_READ],
  readsBestEffort: ['serviceaccounts'],
  evaluate(ctx) {
    const model = buildReachability(ctx.snapshot);
    const out: Verdict[] = [];
    for (const p of model.policies) {
      if (p.errors.length || !p.egress || !model.enforced(p)) continue;
      const resource = p.ref;
      const label = policyLabel(p);
      // Open to the outside world: any peer, ipBlocks covering a whole family, entity world.
      // Egress to every pod in the cluster (namespaceSelector: {}) is broad but not unrestricted.
      const open = p.egress.filter((r) => externalOpenReason(r)).map((r) => {
        const everyPort = allPortProtocols(r);
        return { rule: r.index, ...(r.name ? { name: r.name } : {}), reason: externalOpenReason(r), ports: portsText(r), everyPortOn: everyPort, anyPort: everyPort.length > 0, dns: portsIncludeDns(r) };
      });
      const anyPort = open.filter((r) => r.anyPort);
      const dns = open.filter((r) => !r.anyPort && r.dns);
      if (anyPort.length) {
        const on = anyPort[0].everyPortOn.length === 3 ? 'every port' : `every ${anyPort[0].everyPortOn.join('/')} port`;
        out.push({ status: 'fail', resource, message: `${label} allows egress to ${anyPort[0].reason} on ${on}`, evidence: { api: p.api, openRules: anyPort } });
      } else if (dns.length) {
        out.push({
          status: 'fail',
          resource,
          severity: 'low',
          message: `${label} allows DNS (port 53) to any destination: a DNS exfiltration path; send DNS to kube-dns only`,
          evidence: { api: p.api, openRules: dns },
        });
      } else {
        out.push({ status: 'pass', resource, message: open.length ? `${label} allows egress to any destination only on ${open.map((r) => r.ports).join('; ')}` : `${label} restricts egress destinations` });
      }
    }
    return out;
  },
};
