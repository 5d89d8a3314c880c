// Missing data is not a fix: a kind that was forbidden makes the checks that read it
// not-evaluated, and the diff never reports their findings resolved (DESIGN.md, "Non-negotiables").
// The engine gates a check only on the kinds it declares (needs, reads, readsWhen), so a check
// that reads a kind it does not declare is judged without it: its findings vanish ("resolved"),
// come back next run ("new", a regression), or appear from nothing. These tests hold every
// check to its declaration: with any one kind forbidden (a 403 is the authorizer refusing a
// list, https://kubernetes.io/docs/reference/access-authn-authz/authorization/, "Determine
// whether a request is allowed or denied"), a check still judged must judge exactly as it did
// with every kind read. A read that changes no verdict here (a best-effort one, or one only a live
// cluster makes) is held to the declaration by the trace in test/unit/schedule/watch-inputs.test.ts.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECKS, CHECK_BY_ID } from '../../../checks/index.ts';
import { loadManifests } from '../../../src/collect/manifests.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { defaultConfig, type Config } from '../../../src/config/types.ts';
import { findBaseline } from '../../../src/diff/baseline.ts';
import { diffRuns } from '../../../src/diff/diff.ts';
import { runDetails } from '../../../src/analysis/details.ts';
import { meshModel } from '../../../src/analysis/mesh/index.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import { runChecks } from '../../../src/engine/run.ts';
import type { CheckOutcome } from '../../../src/engine/types.ts';
import type { KindKey } from '../../../src/snapshot/kinds.ts';
import type { Snapshot } from '../../../src/snapshot/types.ts';
import type { RunReport } from '../../../src/run/types.ts';
import { fixtureConfig, loadFixture, loadFixtureConfig } from '../../helpers/fixtures.ts';

const ROOT = join(import.meta.dirname, '../../..');
const FIXTURES = join(ROOT, 'test/fixtures/checks');
const NOW = new Date('2026-11-26T00:00:00Z');

/**
 * Kinds a check reads best-effort (its `readsBestEffort`): unreadable, they refine the verdict
 * and the check says it could not look, by design. Each pair is one the sweep sees change.
 */
const BEST_EFFORT: Record<string, string> = {
  'pod-security.enforce-missing <- deployments': 'a policy engine\'s Deployment only lowers the severity; unread, the finding stays at high and says it did not look (coverage-gate.test.ts)',
  'network.cni-not-enforcing <- networkpolicies': 'the policies in force only name what the missing enforcement leaves decorative; the verdict is the CNI\'s',
  'pod-security.resource-limits-missing <- limitranges': 'a LimitRange\'s Container default only supplies limits a pod template lacks; unread, such a template\'s finding drops to low and says a LimitRange may inject them (hardening.test.ts)',
  // Policies of an API the CNI does not enforce decide no flow: unread, their finding stays (same
  // fingerprint) as a low note saying this changes no reachability verdict but they could not be counted (checks/network/lib/policy-kinds.ts).
  'network.cni-not-enforcing <- anp.adminnetworkpolicies': 'AdminNetworkPolicies Cilium does not implement decide nothing; unread, the finding says they could not be counted',
  'network.cni-not-enforcing <- calico-v3.globalnetworkpolicies': 'Calico policies Cilium does not implement decide nothing; unread, the finding says they could not be counted',
  'network.cni-not-enforcing <- cilium.networkpolicies': 'Cilium policies Calico does not implement decide nothing; unread, the finding says they could not be counted',
  'network.cni-not-enforcing <- antrea.clusternetworkpolicies': 'Antrea ClusterNetworkPolicies Antrea does not handle (its AntreaPolicy feature gate false) decide nothing; unread, the finding says they could not be counted',
  'network.cni-not-enforcing <- cilium.clusterwidenetworkpolicies': 'CiliumClusterwideNetworkPolicies the agent does not watch (enable-cilium-clusterwide-network-policy false) decide nothing; unread, the finding says they could not be counted',
  // Calico IPPools settle where a pod's address lies against an ipBlock or nets: unread, the flow stays in doubt (engine.ts podCidrStatus).
  'network.intent-violation <- calico.ippools': 'unread, a pod\'s address against an ipBlock is in doubt: the finding is medium, "cannot be confirmed", and says the IPPools could not be read (intent-ippools.test.ts)',
  // CiliumCIDRGroups resolve a cidrGroupRef/cidrGroupSelector: unread, the peer is unresolved (lib/unresolved-peers.ts).
  'network.unrestricted-egress <- cilium.cidrgroups': 'unread, a policy allowing egress to a CIDR group is a medium "cannot be judged" naming the field and saying the CiliumCIDRGroups could not be read (reach-outside-doubts.test.ts)',
  'network.allow-all-ingress <- cilium.cidrgroups': 'unread, a policy admitting ingress from a CIDR group is a medium "cannot be judged" naming the field and saying the CiliumCIDRGroups could not be read (reach-outside-doubts.test.ts)',
  // Calico Tiers place the custom tiers Calico policies name (the built-in tiers' orders are fixed): unread, only the policies naming one are in doubt (calico/policy.ts collectCalicoPolicies).
  'network.namespace-default-deny-ingress <- calico-v3.tiers': 'unread, a Calico policy naming a custom tier is not evaluated: the namespace whose pods it selects is a medium "cannot be confirmed" naming it, other namespaces keep their verdicts (calico-tiers-unread.test.ts)',
  'network.invalid-policy <- calico-v3.tiers': 'unread, a Calico policy naming a custom tier is listed as one that cannot be evaluated, its error saying the Tier objects could not be read (calico-tiers-unread.test.ts)',
  'network.exposed-workload <- configmaps': 'the ingress-nginx controller\'s ConfigMap only turns service-upstream on for every Ingress; unread, the default (pod addresses) stands, the more open answer, and the path\'s mesh reason says the ConfigMap could not be read',
  'tls.ingress-without-tls <- certmanager.certificates': 'a Certificate\'s dnsNames only say whether the TLS Secret ingress-nginx falls back to names a host; unread, that host is a medium finding saying the Certificates could not be read (ingress-nginx-tls-secret-fallback.test.ts)',
  // A TLSOption's finding names the routers using it (checks/tls/lib/traefik-option-users.ts).
  'tls.weak-ciphers <- traefik.ingressroutetcps': 'the IngressRouteTCPs only name the routers a TLSOption\'s finding lists; unread, the verdict stands and the finding says they could not be read (traefik-tls-option-users.test.ts)',
  // MiddlewareTCPs only refine an IngressRouteTCP (routes.ts EDGE_ROUTE_BEST_EFFORT): unread, the route stays served and the guard names what it could not read.
  'tls.edge-auth-missing <- traefik.middlewaretcps': 'unread, the IngressRouteTCP stays exposed and the finding (same fingerprint) adds "Traefik MiddlewareTCP … could not be read" (traefik-middlewaretcp.test.ts)',
  'tls.edge-rate-limit-missing <- traefik.middlewaretcps': 'unread, an inFlightConn MiddlewareTCP is not seen: the route fails, the finding saying "Traefik MiddlewareTCP … could not be read" (traefik-middlewaretcp.test.ts)',
  'tls.edge-waf-missing <- traefik.middlewaretcps': 'unread, the IngressRouteTCP stays exposed and the finding (same fingerprint) adds "Traefik MiddlewareTCP … could not be read" (traefik-middlewaretcp.test.ts)',
  // A GKE load balancer's SSL policy is its FrontendConfig's or GCPGatewayPolicy's (checks/tls/lib/gke-ssl-policy-read.ts gkeUnjudged).
  'tls.legacy-protocol-enabled <- gke.frontendconfigs': 'unread, only the GKE Ingresses naming a FrontendConfig are left out, the note naming them and the kind, their namespaces unjudged so the diff carries their findings (gke-unread-policy-kinds.test.ts)',
  'tls.legacy-protocol-enabled <- gke.gcpgatewaypolicies': 'unread, the GKE Gateways are left out, the note naming them and the kind, their namespaces unjudged so the diff carries their findings (gke-unread-policy-kinds.test.ts)',
  'tls.weak-ciphers <- gke.frontendconfigs': 'unread, only the GKE Ingresses naming a FrontendConfig are left out, the note naming them and the kind, their namespaces unjudged (gke-unread-policy-kinds.test.ts)',
  'tls.weak-ciphers <- gke.gcpgatewaypolicies': 'unread, the GKE Gateways are left out, the note naming them and the kind, their namespaces unjudged (gke-unread-policy-kinds.test.ts)',
  // A TLSOption's clientAuth is a guard of the routers using it (guards.ts traefikClientCertificates).
  'tls.edge-auth-missing <- traefik.tlsoptions': 'unread, a TLSOption requiring client certificates is not seen: the host fails, the finding saying "… uses TLSOption … which could not be read" (traefik-client-auth.test.ts)',
  'tls.ingress-without-tls <- deployments': 'the controller\'s Deployment (its args) only refines the message about where TLS ends; the Ingress is judged without it',
  // Exec into a pod that can reach its node is node takeover (checks/rbac/lib/named-pods.ts): a
  // live cluster's pods, from manifests the workload templates standing in for them, say which.
  // Unread, that is not known, and the finding says so; a named pod that could not be looked up
  // is taken to be any pod of its namespace, running as any account there (exec-node-escape.test.ts).
  'rbac.pod-exec-attach <- pods': 'unread, whether a pod exec reaches can reach its node is not known: the finding says the pods could not all be read',
  'rbac.pod-exec-attach <- deployments': 'from manifests a Deployment\'s template stands in for its pods: unread, the finding says the pods could not all be read',
  'rbac.pod-exec-attach <- statefulsets': 'from manifests a StatefulSet\'s template stands in for its pods (and names them): unread, the finding says the pods could not all be read, and a named one may run as any account',
  'rbac.pod-exec-attach <- daemonsets': 'from manifests a DaemonSet\'s template stands in for its pods: unread, the finding says the pods could not all be read',
  // Pod Security admission judges an added ephemeral container at its namespace's enforce level.
  'rbac.pod-exec-attach <- namespaces': 'a namespace enforcing no Pod Security level makes ephemeral containers node takeover; unread, the finding says its level could not be read',
};

function demo(): { snapshot: Snapshot; config: Config } {
  const { config } = loadConfig(join(ROOT, 'examples/ztaudit.demo.yaml'), ROOT, new Set(CHECKS.map((c) => c.id)));
  return { snapshot: loadManifests([join(ROOT, 'examples/demo-cluster')], { clusterName: 'demo', clusterVersion: 'v1.36.3' }), config };
}

/** The snapshot as a collection refused `kind` would leave it: no objects, coverage forbidden. A copy: analyses memoise per snapshot. */
function forbid(snapshot: Snapshot, kind: KindKey): Snapshot {
  const s = structuredClone(snapshot);
  s.coverage[kind] = { status: 'forbidden', detail: `list ${kind} (refused in test)` };
  delete s.resources[kind];
  return s;
}

/** What a run shows and diffs of a check: its status and each finding's fingerprint, severity and message. */
function judged(outcomes: CheckOutcome[]): Map<string, { status: string; findings: string[] }> {
  return new Map(outcomes.map((o) => [o.check.id, {
    status: o.status,
    findings: o.results.filter((r) => r.status !== 'pass').map((r) => `${r.fingerprint} ${r.severity} ${r.message}`).sort(),
  }]));
}

/**
 * For each kind with objects in `snapshot`: the checks still judged (not not-evaluated) with it
 * forbidden whose status or findings changed, one line each: "CHECK <- KIND (label): ...".
 */
function undeclaredReads(label: string, snapshot: Snapshot, config: Config): { breaks: string[]; kinds: KindKey[] } {
  const full = judged(runChecks(CHECKS, { snapshot: structuredClone(snapshot), config, now: NOW }));
  const kinds = (Object.keys(snapshot.coverage) as KindKey[]).filter((k) => snapshot.coverage[k]?.status === 'ok' && (snapshot.resources[k]?.length ?? 0) > 0);
  const breaks: string[] = [];
  for (const kind of kinds) {
    for (const [id, got] of judged(runChecks(CHECKS, { snapshot: forbid(snapshot, kind), config, now: NOW }))) {
      if (got.status === 'not-evaluated') continue;
      const was = full.get(id)!;
      if (got.status === was.status && got.findings.join('\n') === was.findings.join('\n')) continue;
      const lost = was.findings.filter((f) => !got.findings.includes(f));
      const gained = got.findings.filter((f) => !was.findings.includes(f));
      breaks.push(`${id} <- ${kind} (${label}): ${was.status} -> ${got.status}${lost.length ? `; lost ${lost.join(' | ')}` : ''}${gained.length ? `; gained ${gained.join(' | ')}` : ''}`);
    }
  }
  return { breaks, kinds };
}

const pairOf = (line: string) => line.slice(0, line.indexOf(' ('));

describe('every check declares the kinds it reads', () => {
  it('accepted best-effort reads are declared so', () => {
    for (const pair of Object.keys(BEST_EFFORT)) {
      const [id, kind] = pair.split(' <- ');
      expect(CHECK_BY_ID.get(id)?.readsBestEffort, pair).toContain(kind);
    }
  });

  it('the demo cluster: with any one kind forbidden (ConfigMaps included), every check still judged judges as before', () => {
    const { snapshot, config } = demo();
    const { breaks, kinds } = undeclaredReads('demo', snapshot, config);
    expect(kinds).toEqual(expect.arrayContaining(['configmaps', 'deployments', 'services', 'statefulsets', 'namespaces', 'istio.destinationrules']));
    expect(breaks.filter((b) => !(pairOf(b) in BEST_EFFORT))).toEqual([]);
  });

  it('every check fixture (meshes, Cilium, Calico, gateways, cert-manager): with any one kind forbidden, every check still judged judges as before', { timeout: 120_000 }, () => {
    const all: string[] = [];
    let sweeps = 0;
    for (const id of readdirSync(FIXTURES)) {
      const dir = join(FIXTURES, id);
      const base = loadFixtureConfig(dir, new Set(CHECK_BY_ID.keys())) ?? defaultConfig();
      for (const file of readdirSync(dir).filter((f) => /^(pass|fail)\..*\.yaml$/.test(f))) {
        const path = join(dir, file);
        const { breaks, kinds } = undeclaredReads(`${id}/${file}`, loadFixture(path, id), fixtureConfig(path, base));
        sweeps += kinds.length;
        all.push(...breaks);
      }
    }
    expect(sweeps).toBeGreaterThan(1000);
    expect(all.filter((b) => !(pairOf(b) in BEST_EFFORT))).toEqual([]);
    // No stale acceptance: each best-effort pair is one the fixtures exercise.
    expect([...new Set(all.map(pairOf))].sort()).toEqual(Object.keys(BEST_EFFORT).sort());
  });
});

describe('a forbidden kind hides no mesh finding from the diff (the demo cluster, as the README runs it)', () => {
  const audit = (snapshot: Snapshot, config: Config, runId: string, at: Date): RunReport =>
    auditSnapshot({ snapshot, config, checks: CHECKS, now: at, startedAt: at, runId }).report;
  const days = (n: number) => new Date(NOW.getTime() + n * 86_400_000);
  async function* newestFirst(runs: RunReport[]) { for (const r of runs) yield r; }

  // Deployments hold the meshed workloads of the shop (their pod templates stand in for pods):
  // without them the workload-based mesh checks reported 4 findings resolved, then new again.
  it('Deployments forbidden: the authorization checks are not evaluated, nothing is resolved, and the next full run finds nothing new', async () => {
    const { snapshot, config } = demo();
    const full = audit(structuredClone(snapshot), config, 'run-1', days(0));
    expect(full.findings.filter((f) => f.check === 'mtls.authz-missing' || f.check === 'mtls.authz-plaintext-bypass').map((f) => `${f.check} ${f.resource.namespace}/${f.resource.name}`).sort()).toEqual([
      'mtls.authz-missing shop/backend', 'mtls.authz-missing shop/frontend', 'mtls.authz-plaintext-bypass shop/backend', 'mtls.authz-plaintext-bypass shop/frontend',
    ]);
    const partial = audit(forbid(snapshot, 'deployments'), config, 'run-2', days(1));
    for (const id of ['mtls.authz-missing', 'mtls.authz-plaintext-bypass', 'mtls.authz-allow-any', 'mtls.permissive-override']) {
      const c = partial.checks.find((x) => x.id === id)!;
      expect(c.status, id).toBe('not-evaluated');
      expect(c.reason, id).toMatch(/deployments: forbidden/);
    }
    const d = diffRuns(full, partial, { rules: config.regression, expiredWaivers: [] });
    expect(d.resolved).toEqual([]);
    expect(d.regressionReasons).toEqual([expect.stringMatching(/^coverage lost: .*mtls\.authz-missing.*needs deployments: forbidden/)]);
    const next = audit(structuredClone(snapshot), config, 'run-3', days(2));
    const baseline = (await findBaseline(newestFirst([partial, full]), next))!;
    const again = diffRuns(baseline.report, next, { rules: config.regression, expiredWaivers: [], olderRuns: baseline.olderRuns });
    expect({ new: again.new, resolved: again.resolved, regression: again.regression }).toEqual({ new: [], resolved: [], regression: false });
  });

  // DestinationRule shop/postgres sets tls.mode DISABLE toward postgres, whose StatefulSet runs
  // without a sidecar: outside the mesh, it passes. Without the Service or the StatefulSet it was
  // "assumed meshed" and failed high, a false new finding and a regression.
  it.each(['services', 'statefulsets'] as const)('%s forbidden: the DestinationRule check is not evaluated instead of failing DestinationRule shop/postgres', (kind) => {
    const { snapshot, config } = demo();
    const full = audit(structuredClone(snapshot), config, 'run-1', days(0));
    expect(full.checks.find((c) => c.id === 'mtls.destinationrule-tls-disabled')?.status).toBe('pass');
    const partial = audit(forbid(snapshot, kind), config, 'run-2', days(1));
    const c = partial.checks.find((x) => x.id === 'mtls.destinationrule-tls-disabled')!;
    expect(c.status).toBe('not-evaluated');
    expect(c.reason).toContain(`${kind}: forbidden`);
    const d = diffRuns(full, partial, { rules: config.regression, expiredWaivers: [] });
    expect(d.new).toEqual([]);
    // The run is still a regression, for what it is: coverage lost, naming the refused kind. The
    // intent check loses the Services too: they pick the DestinationRule a sidecar caller sends by.
    expect(d.regressionReasons[0]).toMatch(new RegExp(`^coverage lost: .*mtls\\.destinationrule-tls-disabled.*needs ${kind}: forbidden`));
    expect(d.regressionReasons.slice(1)).toEqual(kind === 'services' ? [expect.stringMatching(/^coverage lost: 1 check\(s\) the previous run evaluated could not be evaluated: network\.intent-violation \(needs services: forbidden .* for the Services 2 Istio DestinationRule\(s\) set client TLS for\)$/)] : []);
  });
});

describe('a forbidden kind fakes no RBAC growth (the demo cluster)', () => {
  // Breadth counts a cluster-wide grant on a namespaced resource once per namespace: computed
  // without the namespaces, it shrank, and the next full run called it growth (a regression).
  it('namespaces forbidden: the run keeps no RBAC breadth, and the next full run compares with the last run that had it', async () => {
    const { snapshot, config } = demo();
    const audit = (s: Snapshot, runId: string, at: Date): RunReport => auditSnapshot({ snapshot: s, config, checks: CHECKS, now: at, startedAt: at, runId, details: runDetails }).report;
    const full = audit(structuredClone(snapshot), 'run-1', NOW);
    expect(full.details.rbac?.breadth.length).toBeGreaterThan(0);
    const partial = audit(forbid(snapshot, 'namespaces'), 'run-2', new Date(NOW.getTime() + 86_400_000));
    expect(partial.details.rbac).toBeUndefined();
    const next = audit(structuredClone(snapshot), 'run-3', new Date(NOW.getTime() + 2 * 86_400_000));
    async function* newestFirst() { yield partial; yield full; }
    const baseline = (await findBaseline(newestFirst(), next))!;
    const d = diffRuns(baseline.report, next, { rules: config.regression, expiredWaivers: [], olderRuns: baseline.olderRuns });
    expect({ breadthGrowth: d.breadthGrowth, regression: d.regression, reasons: d.regressionReasons }).toEqual({ breadthGrowth: [], regression: false, reasons: [] });
  });

  it('with any one kind forbidden, the RBAC breadth a run keeps is the one a full run computes', () => {
    const { snapshot, config } = demo();
    const full = runDetails({ snapshot: structuredClone(snapshot), config, now: NOW }).rbac;
    const kinds = (Object.keys(snapshot.coverage) as KindKey[]).filter((k) => snapshot.coverage[k]?.status === 'ok' && (snapshot.resources[k]?.length ?? 0) > 0);
    const differ = kinds.filter((k) => {
      const got = runDetails({ snapshot: forbid(snapshot, k), config, now: NOW }).rbac;
      return got !== undefined && JSON.stringify(got) !== JSON.stringify(full);
    });
    expect(differ).toEqual([]);
  });
});

describe('a check cannot be found not applicable on data it could not read', () => {
  // cert-manager records the certificate's expiry in status.notAfter
  // (https://cert-manager.io/docs/reference/api-docs/#cert-manager.io/v1.CertificateStatus).
  it('Certificates forbidden: certificate-expiring is not evaluated, not "applies only when ... Certificates report status.notAfter"; absent, it does not apply', () => {
    const check = CHECK_BY_ID.get('tls.certificate-expiring')!;
    const path = join(FIXTURES, check.id, 'fail.cert-manager-notafter.yaml');
    const forbidden = forbid(loadFixture(path, check.id), 'certmanager.certificates');
    const [o] = runChecks([check], { snapshot: forbidden, config: defaultConfig(), now: NOW });
    expect(o.status).toBe('not-evaluated');
    expect(o.unreadable).toEqual(['certmanager.certificates']);
    const absent = loadFixture(path, check.id);
    absent.coverage['certmanager.certificates'] = { status: 'absent' };
    delete absent.resources['certmanager.certificates'];
    expect(runChecks([check], { snapshot: absent, config: defaultConfig(), now: NOW })[0].status).toBe('not-applicable');
  });

  it('namespaces forbidden on a mesh known only by its namespace labels: the mesh checks are not evaluated, not "not applicable"', () => {
    const path = join(FIXTURES, 'mtls.linkerd-skip-ports', 'fail.pod-skip-inbound.yaml');
    const snapshot = forbid(loadFixture(path, 'mtls.linkerd-skip-ports'), 'namespaces');
    const [o] = runChecks([CHECK_BY_ID.get('mtls.linkerd-skip-ports')!], { snapshot, config: defaultConfig(), now: NOW });
    expect(o.status).toBe('not-evaluated');
    expect(o.reason).toMatch(/^needs namespaces: forbidden/);
  });

  // The collector lists a kind only after discovery found it served, so a 403 on Istio's
  // DestinationRules says Istio's API is installed (live.ts): the mesh is there.
  it('a refused Istio API still shows Istio installed: the mesh checks that do not read it still judge', () => {
    const path = join(FIXTURES, 'mtls.destinationrule-tls-disabled', 'fail.disable.yaml');
    const check = CHECK_BY_ID.get('mtls.mesh-not-strict')!;
    const full = runChecks([check], { snapshot: loadFixture(path, check.id), config: defaultConfig(), now: NOW })[0];
    expect(full.status).toBe('fail');
    const [o] = runChecks([check], { snapshot: forbid(loadFixture(path, check.id), 'istio.destinationrules'), config: defaultConfig(), now: NOW });
    expect(o.status).toBe('fail');
    expect(o.results.map((r) => r.fingerprint)).toEqual(full.results.map((r) => r.fingerprint));
  });
});

describe('Consul service names come from the Services selecting a pod', () => {
  // consul.hashicorp.com/connect-service names the service a pod serves, and "defaults to the name
  // of the Kubernetes service associated with the pod"
  // (https://developer.hashicorp.com/consul/docs/k8s/annotations-and-labels). Intentions are
  // written against that name: read without the Services, api (Service payments) was judged as
  // service api, which no intention names, and failed as open to any mesh service.
  const path = join(FIXTURES, 'mtls.authz-missing', 'pass.consul-service-named-by-service.yaml');
  const consulChecks = ['mtls.authz-missing', 'mtls.permissive-override', 'mtls.consul-default-allow'].map((id) => CHECK_BY_ID.get(id)!);

  it('Services forbidden in a Consul cluster: authz-missing (and the other checks judging by Consul service names) is not evaluated, not failed', () => {
    const full = runChecks(consulChecks, { snapshot: loadFixture(path, 'consul'), config: defaultConfig(), now: NOW });
    expect(full.find((o) => o.check.id === 'mtls.authz-missing')?.status).toBe('pass');
    for (const o of runChecks(consulChecks, { snapshot: forbid(loadFixture(path, 'consul'), 'services'), config: defaultConfig(), now: NOW })) {
      expect(o.status, o.check.id).toBe('not-evaluated');
      expect(o.unreadable, o.check.id).toEqual(['services']);
      expect(o.reason, o.check.id).toMatch(/^needs services: forbidden .* for the Consul service names of 1 meshed workload\(s\) without a consul\.hashicorp\.com\/connect-service annotation/);
    }
  });

  it('Services forbidden where every Consul pod names its service by annotation: the checks still judge, as with them', () => {
    const named = (s: Snapshot) => {
      const template = (s.resources.deployments![0].spec as { template: { metadata: { annotations: Record<string, string> } } }).template;
      template.metadata.annotations['consul.hashicorp.com/connect-service'] = 'payments';
      return s;
    };
    const [full] = runChecks([CHECK_BY_ID.get('mtls.authz-missing')!], { snapshot: named(loadFixture(path, 'consul')), config: defaultConfig(), now: NOW });
    const [o] = runChecks([CHECK_BY_ID.get('mtls.authz-missing')!], { snapshot: forbid(named(loadFixture(path, 'consul')), 'services'), config: defaultConfig(), now: NOW });
    expect([full.status, o.status]).toEqual(['pass', 'pass']);
  });

  it('Services forbidden in an Istio-only cluster (the demo): authz-missing judges as before, its findings kept', () => {
    const { snapshot, config } = demo();
    const check = CHECK_BY_ID.get('mtls.authz-missing')!;
    const [full] = runChecks([check], { snapshot: structuredClone(snapshot), config, now: NOW });
    const [o] = runChecks([check], { snapshot: forbid(snapshot, 'services'), config, now: NOW });
    expect(meshModel(snapshot, config).consul.present).toBe(false);
    expect(full.status).toBe('fail');
    expect(judged([full]).get(check.id)!.findings).toHaveLength(2);
    expect(o.status).toBe('fail');
    expect(judged([o]).get(check.id)).toEqual(judged([full]).get(check.id));
  });

  // It read Services unconditionally: a refused list left it "not evaluated" (a gap to fix) where no Consul runs.
  it('Services forbidden in an Istio-only cluster (the demo): consul-default-allow does not apply, it is not "not evaluated"', () => {
    const { snapshot, config } = demo();
    const [o] = runChecks([CHECK_BY_ID.get('mtls.consul-default-allow')!], { snapshot: forbid(snapshot, 'services'), config, now: NOW });
    expect(o.status).toBe('not-applicable');
  });
});

// ingress-nginx serves only the Ingresses of the namespaces its --watch-namespace-selector selects
// by their labels (ingress-nginx controller-v1.12.1 pkg/flags/flags.go --watch-namespace-selector;
// internal/ingress/controller/store/store.go New, the Namespace informer). Unread Namespaces keep
// such a controller serving every namespace in doubt (src/analysis/tls/nginx.ts nginxControllersFor):
// no check may judge, least of all pass, an Ingress on that doubt.
describe('namespaces forbidden where an ingress-nginx controller selects namespaces by label', () => {
  const cases = [
    ['tls.ssl-redirect-disabled', 'fail.watch-namespace-selector.yaml'],
    ['tls.weak-ciphers', 'fail.nginx-watch-namespace-selector.yaml'],
    ['tls.edge-auth-missing', 'pass.nginx-watch-namespace-selector.yaml'],
  ] as const;
  // Read whole, the unwatched namespace's Ingress is judged as if no controller of the input served
  // it (an ingress-nginx outside the input, by its IngressClass, reading its own annotations).
  const fullStatus: Record<string, string> = { 'tls.ssl-redirect-disabled': 'fail', 'tls.weak-ciphers': 'fail', 'tls.edge-auth-missing': 'pass' };
  it.each(cases)('%s on %s: not evaluated, naming the controller, instead of judging the unwatched namespace\'s Ingress', (id, file) => {
    const path = join(FIXTURES, id, file);
    const full = loadFixture(path, id);
    const checks = ['tls.ssl-redirect-disabled', 'tls.weak-ciphers', 'tls.hsts-disabled', 'tls.legacy-protocol-enabled', 'tls.edge-auth-missing', 'tls.edge-rate-limit-missing', 'tls.edge-waf-missing', 'tls.ingress-without-tls', 'network.exposed-workload'].map((c) => CHECK_BY_ID.get(c)!);
    const [judgedFull] = runChecks([CHECK_BY_ID.get(id)!], { snapshot: structuredClone(full), config: defaultConfig(), now: NOW });
    expect(judgedFull.status).toBe(fullStatus[id]);
    for (const o of runChecks(checks, { snapshot: forbid(full, 'namespaces'), config: defaultConfig(), now: NOW })) {
      if (o.status === 'not-applicable') continue;
      expect(o.status, `${o.check.id}: ${o.reason ?? ''}`).toBe('not-evaluated');
      expect(o.reason, o.check.id).toMatch(/namespaces: forbidden/);
    }
    const [o] = runChecks([CHECK_BY_ID.get(id)!], { snapshot: forbid(full, 'namespaces'), config: defaultConfig(), now: NOW });
    if (id !== 'tls.edge-auth-missing') expect(o.reason).toContain('--watch-namespace-selector of ingress-nginx controller Deployment ingress-nginx/ingress-nginx-controller');
  });

  it('without a selector, Namespaces forbidden leave ssl-redirect-disabled judged (the read is conditional)', () => {
    const path = join(FIXTURES, 'tls.ssl-redirect-disabled', 'fail.configmap.yaml');
    const [o] = runChecks([CHECK_BY_ID.get('tls.ssl-redirect-disabled')!], { snapshot: forbid(loadFixture(path, 'tls.ssl-redirect-disabled'), 'namespaces'), config: defaultConfig(), now: NOW });
    expect(o.status).toBe('fail');
  });
});
