// The external egress of workloads under the effective network model, and the external
// destinations the cluster's objects name (the report's "Where traffic may leave" list).
import { describe, expect, it } from 'vitest';
import { externalDestinations, externalEgress } from '../../../src/analysis/netpol/egress.ts';
import { buildReachability } from '../../../src/analysis/netpol/model.ts';
import { egressNotControlled } from '../../../checks/network/egress-not-controlled.ts';
import { unrestrictedEgress } from '../../../checks/network/unrestricted-egress.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { runChecks } from '../../../src/engine/run.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { fixtureConfig, loadFixture } from '../../helpers/fixtures.ts';

const dir = new URL('../../fixtures/checks/network.egress-not-controlled/', import.meta.url).pathname;

function snapshotOf(yaml: string) {
  return snapshotFromObjects(parseManifestText(yaml, 'test').objects, { notes: [], clusterVersion: 'v1.36.3' });
}

describe('external egress', () => {
  it('cuts at the policy CIDRs and leaves private space out', () => {
    const e = externalEgress(loadFixture(`${dir}fail.calico-nets.yaml`));
    const web = [...e.values()].find((w) => w.workload.ref.name === 'web');
    expect(web?.ranges).toEqual(['198.51.100.0-198.51.100.255']);
    expect(web?.anyAddress).toBe(false);
    expect(web?.allowedBy).toEqual(['GlobalNetworkPolicy web-egress']);
    // The proxy has no policy: every public address of both families.
    const proxy = [...e.values()].find((w) => w.workload.ref.name === 'proxy');
    expect(proxy).toMatchObject({ anyAddress: true, anyFamilies: [4, 6], allowedBy: [] });
  });

  it('a declared proxy address is not "outside"', () => {
    const s = loadFixture(`${dir}pass.declared-proxy.yaml`);
    expect([...externalEgress(s).values()].map((w) => w.ranges)).toEqual([['203.0.113.10-203.0.113.10']]);
    expect(externalEgress(s, [{ family: 4, lo: 0xcb00710an, hi: 0xcb00710an }]).size).toBe(0);
  });

  it('lists toFQDNs names, public ipBlocks, world rules and mesh-external ServiceEntry hosts', () => {
    const s = snapshotOf(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: out, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
    - to: [{ipBlock: {cidr: 10.0.0.0/8}}, {ipBlock: {cidr: 203.0.113.0/24}}]
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: fqdn, namespace: pay}
spec:
  endpointSelector: {}
  egress:
    - toFQDNs: [{matchPattern: "*.stripe.com"}]
    - toEntities: [world]
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: stripe, namespace: pay}
spec: {hosts: [api.stripe.com], location: MESH_EXTERNAL, ports: [{number: 443, name: https, protocol: TLS}], resolution: DNS}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: vm, namespace: pay}
spec: {hosts: [legacy.internal], location: MESH_INTERNAL, ports: [{number: 80, name: http, protocol: HTTP}], resolution: STATIC}
`);
    expect(externalDestinations(s).map((d) => `${d.kind} ${d.value} ${d.sourceLabel}`)).toEqual([
      'world entity world CiliumNetworkPolicy pay/fqdn',
      'ipBlock 203.0.113.0/24 shop/out',
      'fqdn *.stripe.com CiliumNetworkPolicy pay/fqdn',
      'ServiceEntry api.stripe.com ServiceEntry pay/stripe',
    ]);
  });

  // An ipBlock of 0.0.0.0/0 (or ::/0) is "everything for that family" (Kubernetes
  // NetworkPolicy docs, "ipBlock"; /work/shared/reference/checks.md 1.3), the same "every
  // address" network.unrestricted-egress fails: the posture lists it under "any address", not as
  // one more address range. With an except it is the range it says. Reviewer repro demo2
  // shop/legacy-reporting-egress.
  it('lists an ipBlock of 0.0.0.0/0 or ::/0 with nothing excepted as any address (kind world), as network.unrestricted-egress calls it', () => {
    const s = snapshotOf(`
apiVersion: v1
kind: Pod
metadata: {name: report, namespace: shop, labels: {app: report}}
spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: legacy-reporting-egress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: report}}
  policyTypes: [Egress]
  egress:
    - to: [{ipBlock: {cidr: 0.0.0.0/0}}, {ipBlock: {cidr: "::/0"}}, {ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}}, {ipBlock: {cidr: 203.0.113.0/24}}]
`);
    expect(externalDestinations(s).map((d) => `${d.kind} ${d.value}`)).toEqual([
      'world ::/0',
      'world 0.0.0.0/0',
      'ipBlock 0.0.0.0/0 except 10.0.0.0/8',
      'ipBlock 203.0.113.0/24',
    ]);
    const [outcome] = runChecks([unrestrictedEgress], { snapshot: s, config: defaultConfig(), now: new Date('2026-12-05T00:00:00Z') });
    expect(outcome!.results.map((v) => `${v.status} ${v.message}`)).toEqual([expect.stringMatching(/^fail shop\/legacy-reporting-egress allows egress to every address/)]);
  });

  // Cilium learns a toFQDNs name's addresses only from DNS lookups its proxy intercepted for the
  // same pods, which takes an egress rule with DNS rules (cilium/cilium Documentation/security/
  // policy/language.rst, "DNS based"; cilium/cilium#32567). Reviewer repro r3-fqdn-nodns.
  describe('Cilium toFQDNs and the DNS proxy', () => {
    const cluster = (dnsRule: string, dnsPolicy = '') => snapshotOf(`
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: cilium, namespace: kube-system}
spec: {template: {spec: {containers: [{name: cilium-agent, image: quay.io/cilium/cilium:v1.18.0}]}}}
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop, labels: {app: api}}
spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: v1
kind: Pod
metadata: {name: batch, namespace: shop, labels: {app: batch}}
spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: api-egress, namespace: shop}
spec:
  endpointSelector: {matchLabels: {app: api}}
  egress:
  - toFQDNs: [{matchName: api.stripe.com}]
    toPorts: [{ports: [{port: "443", protocol: TCP}]}]
  - toEndpoints: [{matchLabels: {"k8s:io.kubernetes.pod.namespace": kube-system, "k8s:k8s-app": kube-dns}}]
    toPorts: [{ports: [{port: "53", protocol: ANY}]${dnsRule}}]
${dnsPolicy}`);
    const namesOf = (s: ReturnType<typeof snapshotOf>) => [...externalEgress(s).values()].filter((w) => w.fqdns.length).map((w) => `${w.workload.ref.name}: ${w.fqdns.join(', ')}`);

    it('without a DNS rule the names match nothing, and a note says why', () => {
      const s = cluster('');
      expect(namesOf(s)).toEqual([]);
      expect(buildReachability(s).notes.map((n) => n.message)).toContainEqual(expect.stringContaining("egress[0]: toFQDNs, but no egress rule with DNS rules (toPorts rules.dns) selects these pods, so Cilium's DNS proxy never learns the names' addresses"));
    });
    it('with a DNS rule on the same pods (in the policy or another one), the names count', () => {
      expect(namesOf(cluster(', rules: {dns: [{matchPattern: "*"}]}'))).toEqual(['api: api.stripe.com']);
      const elsewhere = `---
apiVersion: cilium.io/v2
kind: CiliumClusterwideNetworkPolicy
metadata: {name: dns-visibility}
spec:
  endpointSelector: {matchLabels: {app: api}}
  egress: [{toEndpoints: [{}], toPorts: [{ports: [{port: "53", protocol: UDP}], rules: {dns: [{matchPattern: "*"}]}}]}]
`;
      expect(namesOf(cluster('', elsewhere))).toEqual(['api: api.stripe.com']);
      // A DNS rule on other pods does not help: their lookups are not this pod's.
      expect(namesOf(cluster('', elsewhere.replace('{app: api}}', '{app: batch}}')))).toEqual([]);
    });
  });

  // kubernetes.io/docs/concepts/services-networking/network-policies/: "Each NetworkPolicy may
  // include a list of allowed egress rules. Each rule allows traffic which matches both the to and
  // ports sections": a rule to 52.1.2.3/32 on 5432 opens 5432 to that address only, and a rule with
  // ports and no `to` opens those ports to every address. So "every public address on P" must name
  // only what every address shares; what one range alone adds is said of that range. Reviewer
  // repros r-m7/eg5, eg2, eg1: the union of all ports was printed after "every public address".
  describe('network.egress-not-controlled says "every public address" only of the ports every address is open on, as reach answers', () => {
    const workload = `
apiVersion: v1
kind: Namespace
metadata: {name: app}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: app}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: c, image: example/api:1}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: egress, namespace: app}
spec:
  podSelector: {matchLabels: {app: api}}
  policyTypes: [Egress]
  egress:
`;
    const config = { ...defaultConfig(), egress: { gateways: [{ cidr: '203.0.113.10/32' }] } };
    const failure = (rules: string) => {
      const snapshot = snapshotOf(workload + rules);
      const [outcome] = runChecks([egressNotControlled], { snapshot, config, now: new Date('2026-12-05T00:00:00Z') });
      const f = outcome.results.find((r) => r.status === 'fail' && r.resource.name === 'api');
      const reach = (to: string, port: string) => reachCommandCore(snapshot, { from: 'app/api', to, port }).output.split(':')[0];
      return { f: f!, reach };
    };

    it('0.0.0.0/0 on TCP 443 and 52.1.2.3/32 on TCP 5432: every public IPv4 address on TCP 443, and 52.1.2.3 on TCP 443,5432 (was: every public IPv4 address on TCP 443,5432)', () => {
      const { f, reach } = failure(`  - to: [{ipBlock: {cidr: 0.0.0.0/0}}]
    ports: [{port: 443, protocol: TCP}]
  - to: [{ipBlock: {cidr: 52.1.2.3/32}}]
    ports: [{port: 5432, protocol: TCP}]
`);
      expect(f.message).toBe('Deployment app/api can reach every public IPv4 address directly on TCP 443, and public address 52.1.2.3 on TCP 443,5432 (allowed by app/egress), bypassing the egress exit: proxy 203.0.113.10/32 (egress.gateways).');
      expect(f.evidence).toMatchObject({ everyPublicAddressOf: ['IPv4'], ports: 'TCP 443', openTo: [{ to: 'every public IPv4 address', ports: 'TCP 443' }, { to: 'public address 52.1.2.3', ports: 'TCP 443,5432' }] });
      expect([reach('1.1.1.1', '443'), reach('1.1.1.1', '5432'), reach('52.1.2.3', '5432')]).toEqual(['ALLOWED', 'DENIED', 'ALLOWED']);
    });

    it('TCP 443 to anywhere and every port to 8.8.8.8: every public address on TCP 443, and 8.8.8.8 on every port (was: every public address, ports "All Connections")', () => {
      const { f, reach } = failure(`  - ports: [{port: 443, protocol: TCP}]
  - to: [{ipBlock: {cidr: 8.8.8.8/32}}]
`);
      expect(f.message).toContain('can reach every public address directly on TCP 443, and public address 8.8.8.8 on every port (allowed by app/egress)');
      expect(f.evidence).toMatchObject({ anyAddress: true, ports: 'TCP 443', openTo: [{ to: 'every public address', ports: 'TCP 443' }, { to: 'public address 8.8.8.8', ports: 'All Connections' }] });
      expect([reach('1.1.1.1', '443'), reach('1.1.1.1', '80'), reach('8.8.8.8', '80')]).toEqual(['ALLOWED', 'DENIED', 'ALLOWED']);
    });

    it('TCP 443 to anywhere and UDP 53 to 8.8.8.8: every public address on TCP 443 only (was: on TCP 443,UDP 53)', () => {
      const { f, reach } = failure(`  - ports: [{port: 443, protocol: TCP}]
  - to: [{ipBlock: {cidr: 8.8.8.8/32}}]
    ports: [{port: 53, protocol: UDP}]
`);
      expect(f.message).toContain('can reach every public address directly on TCP 443, and public address 8.8.8.8 on TCP 443,UDP 53 (allowed by app/egress)');
      expect([reach('1.1.1.1', '53/UDP'), reach('8.8.8.8', '53/UDP')]).toEqual(['DENIED', 'ALLOWED']);
    });

    // Reviewer repro r-m7/eg3: a rule listing 1,000 single ports made a 5,158-character message
    // and as long an evidence.ports (about 180 KB with 30,000 ports); the text grows with the list.
    it('a port list is cut after a whole entry within 120 characters, in the message and in the evidence', () => {
      const ports = Array.from({ length: 1000 }, (_, i) => `{port: ${1000 + 2 * i}}`).join(', ');
      const { f } = failure(`  - ports: [${ports}]\n`);
      expect(f.message).toMatch(/^Deployment app\/api can reach every public address directly on TCP 1000,1002,[0-9,]+,… \(allowed by app\/egress\)/);
      expect(f.message.length).toBeLessThan(400);
      expect(JSON.stringify(f.evidence).length).toBeLessThan(1500);
      expect((f.evidence as { ports: string }).ports).toMatch(/^TCP 1000,1002,[0-9,]+,…$/);
    });
  });

  // kubernetes.io/docs/concepts/services-networking/network-policies/: a rule with `ports` and no
  // `to` allows those ports to every destination, and only those. Reviewer repro r-fleet/eg3: the
  // finding said "can reach every public address directly" for a DNS-only rule, while
  // network.unrestricted-egress in the same run said "allows DNS (port 53) to any destination".
  it('network.egress-not-controlled names the ports a rule without `to` opens, and only says nothing of ports when all are open', () => {
    const failures = (file: string) => {
      const path = `${dir}${file}`;
      const [outcome] = runChecks([egressNotControlled], { snapshot: loadFixture(path), config: fixtureConfig(path, defaultConfig()), now: new Date('2026-11-26T00:00:00Z') });
      return Object.fromEntries(outcome.results.filter((r) => r.status === 'fail').map((r) => [r.resource.name, r]));
    };
    const open = failures('fail.ports-to-anywhere.yaml');
    expect(open.api.message).toBe('Deployment app/api can reach every public address directly on TCP 53,UDP 53 (allowed by app/deny-all-but-dns), bypassing the egress exit: proxy 203.0.113.10/32 (egress.gateways).');
    expect(open.api.evidence).toMatchObject({ anyAddress: true, ports: 'TCP 53,UDP 53' });
    // DNS alone to every public resolver still bypasses the exit: the finding stays at the check's severity.
    expect(open.api.severity).toBe('high');
    expect(open.web.message).toContain('can reach every public address directly on TCP 443 (allowed by app/https-only)');
    // 0.0.0.0/0 on 443: one family and one port; no policy at all: every port, and no "on".
    const direct = failures('fail.direct-egress.yaml');
    expect(direct.web.message).toContain('can reach every public IPv4 address directly on TCP 443 (allowed by shop/web-out)');
    expect(direct.worker.message).toContain('can reach every public address directly (no egress policy restricts it)');
    expect(direct.worker.evidence).toMatchObject({ ports: 'All Connections' });
  });
});
