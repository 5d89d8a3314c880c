// The network checks beyond the reference cases: egress, intent, CNI, exposure, system namespaces.
import type { AuditContext } from '../../../src/analysis/context.ts';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../src/config/types.ts';
import { networkChecks } from '../../../checks/network/index.ts';
import { unrestrictedEgress } from '../../../checks/network/unrestricted-egress.ts';
import { intentViolation } from '../../../checks/network/intent-violation.ts';
import { cniNotEnforcing } from '../../../checks/network/cni-not-enforcing.ts';
import { exposedWorkload } from '../../../checks/network/exposed-workload.ts';
import { allowAllIngress } from '../../../checks/network/allow-all-ingress.ts';
import { namespaceDefaultDenyEgress } from '../../../checks/network/namespace-default-deny-egress.ts';
import { namespaceDefaultDenyIngress } from '../../../checks/network/namespace-default-deny-ingress.ts';
import { networkExposure } from '../../../src/analysis/netpol/exposure.ts';
import { detectCni } from '../../../src/analysis/netpol/cni.ts';
import { ctxOf, ns, pod, policy, run, snap } from './helpers.ts';
import { loadFixture } from '../../helpers/fixtures.ts';
import { join } from 'node:path';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import { workloadYaml } from '../../helpers/workload.ts';
import { parseAllDocuments } from 'yaml';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { slimObject } from '../../../src/snapshot/slim.ts';
import { formatConns } from '../../../src/analysis/netpol/conns.ts';
import { buildReachability } from '../../../src/analysis/netpol/model.ts';
import { queryReach } from '../../../src/analysis/netpol/query.ts';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { denialDetail, evaluatePod } from '../../../src/analysis/pss/index.ts';

const ds = (namespace: string, name: string, image: string) => `---\n${workloadYaml(namespace, name, { kind: 'DaemonSet', container: { name: 'c', image } })}`;

const svc = (namespace: string, name: string, type: string, selector: string, port: string) => `---
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: ${namespace}}
spec: {type: ${type}, selector: {${selector}}, ports: [${port}]}
`;

describe('registry', () => {
  it('registers every network check id once, each with controls and a remediation', () => {
    const ids = networkChecks.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining([
      'network.namespace-default-deny-ingress', 'network.namespace-default-deny-egress', 'network.allow-all-ingress', 'network.unrestricted-egress',
      'network.intent-violation', 'network.cni-not-enforcing', 'network.policy-selects-nothing', 'network.invalid-policy', 'network.exposed-workload',
    ]));
    for (const c of networkChecks) {
      expect(c.area).toBe('network');
      expect(c.controls.length).toBeGreaterThan(0);
      expect(c.remediation.length).toBeGreaterThan(20);
    }
  });
});

describe('network.namespace-default-deny-*', () => {
  it('skips system namespaces and points out a deny-all without policyTypes', () => {
    const ctx = ctxOf(pod('kube-system', 'dns', {}) + pod('a', 'p', {}) + policy('a', 'deny-all', '{podSelector: {}}'));
    const eg = [...namespaceDefaultDenyEgress.evaluate(ctx)];
    expect(eg.map((v) => v.resource.name)).toEqual(['a']);
    expect(eg[0].status).toBe('fail');
    expect(String(eg[0].evidence?.hint)).toContain('a/deny-all has no policyTypes');
    expect([...namespaceDefaultDenyIngress.evaluate(ctx)].map((v) => [v.resource.name, v.status])).toEqual([['a', 'pass']]);
  });

  it('does not call a namespace of only hostNetwork workloads isolated', () => {
    // kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicy-and-hostnetwork-pods:
    // enforcement on hostNetwork pods is undefined, so the default deny vouches for nothing there.
    const ctx = ctxOf(pod('a', 'agent', { app: 'agent' }, [], { hostNetwork: true }) + policy('a', 'deny-all', '{podSelector: {}, policyTypes: [Ingress, Egress]}'));
    for (const check of [namespaceDefaultDenyIngress, namespaceDefaultDenyEgress]) {
      expect([...check.evaluate(ctx)].map((v) => [v.resource.name, v.status, v.severity])).toEqual([['a', 'fail', 'low']]);
    }
  });
});

describe('network.allow-all-ingress', () => {
  it('passes an open policy in a namespace declared exposed', () => {
    const yaml = pod('edge', 'lb', {}) + policy('edge', 'open', '{podSelector: {}, ingress: [{}]}');
    expect([...allowAllIngress.evaluate(ctxOf(yaml))][0].status).toBe('fail');
    expect([...allowAllIngress.evaluate(ctxOf(yaml, { network: { exposedNamespaces: ['edge'] } }))][0].status).toBe('pass');
  });
  it('namespaceSelector {} with a narrowing podSelector is not open to all', () => {
    const yaml = pod('a', 'p', {}) + policy('a', 'mon', '{podSelector: {}, ingress: [{from: [{namespaceSelector: {}, podSelector: {matchLabels: {app: prometheus}}}]}]}');
    expect([...allowAllIngress.evaluate(ctxOf(yaml))][0].status).toBe('pass');
    const open = pod('a', 'p', {}) + policy('a', 'mon', '{podSelector: {}, ingress: [{from: [{namespaceSelector: {}}]}]}');
    expect([...allowAllIngress.evaluate(ctxOf(open))][0].message).toContain('every pod in every namespace');
  });
  // NetworkPolicy ipBlock (https://kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicy-resource):
  // the peers of one rule are ORed, so two /1 halves admit every address as /0 does.
  it('sees /0 and ::/0 written as two halves', () => {
    const verdict = (from: string) => [...allowAllIngress.evaluate(ctxOf(pod('a', 'p', {}) + policy('a', 'split', `{podSelector: {}, ingress: [{from: ${from}}]}`)))][0];
    expect(verdict('[{ipBlock: {cidr: 0.0.0.0/1}}, {ipBlock: {cidr: 128.0.0.0/1}}]')).toMatchObject({ status: 'fail', message: 'a/split admits ingress from every IPv4 address (ipBlocks cover 0.0.0.0/0) on every port' });
    expect(verdict('[{ipBlock: {cidr: "::/1"}}, {ipBlock: {cidr: "8000::/1"}}]')).toMatchObject({ status: 'fail', message: 'a/split admits ingress from every IPv6 address (ipBlocks cover ::/0) on every port' });
    expect(verdict('[{ipBlock: {cidr: 0.0.0.0/1}}, {ipBlock: {cidr: 128.0.0.0/2}}]').status).toBe('pass');
    expect(verdict('[{ipBlock: {cidr: 0.0.0.0/1}}, {ipBlock: {cidr: "8000::/1"}}]').status).toBe('pass');
  });
});

describe('network.unrestricted-egress', () => {
  const check = (spec: string) => [...unrestrictedEgress.evaluate(ctxOf(pod('a', 'p', {}) + policy('a', 'eg', spec)))][0];
  it('fails egress to 0.0.0.0/0 on every port', () => {
    expect(check('{podSelector: {}, policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0}}]}]}').status).toBe('fail');
    expect(check('{podSelector: {}, policyTypes: [Egress], egress: [{}]}').status).toBe('fail');
    expect(check('{podSelector: {}, policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: "::/0"}}]}]}').status).toBe('fail');
  });
  it('warns (low) on DNS to anywhere, passes port-restricted and selective rules', () => {
    expect(check('{podSelector: {}, policyTypes: [Egress], egress: [{ports: [{port: 53, protocol: UDP}]}]}')).toMatchObject({ status: 'fail', severity: 'low' });
    expect(check('{podSelector: {}, policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0}}], ports: [{port: 443}]}]}').status).toBe('pass');
    expect(check('{podSelector: {}, policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: 10.0.0.0/8}}]}]}').status).toBe('pass');
  });
});

describe('network.intent-violation', () => {
  const intent = { deny: [{ name: 'frontend-never-db', from: { namespace: 'shop', podSelector: { tier: 'frontend' } }, to: { namespace: 'shop', podSelector: { tier: 'database' } }, ports: [5432] }] };
  const base = pod('shop', 'fe', { tier: 'frontend' }) + pod('shop', 'db', { tier: 'database' }) + policy('shop', 'deny', '{podSelector: {}, policyTypes: [Ingress]}');
  it('fails with the allowing policies when the flow is open', () => {
    const yaml = base + policy('shop', 'db-open', '{podSelector: {matchLabels: {tier: database}}, ingress: [{from: [{podSelector: {}}]}]}');
    const [v] = [...intentViolation.evaluate(ctxOf(yaml, { intent }))];
    expect(v.status).toBe('fail');
    expect(v.evidence?.allowingPolicies).toEqual(['shop/db-open']);
    expect((v.evidence?.flows as Array<Record<string, unknown>>)[0]).toMatchObject({ from: ['Pod shop/fe'], to: ['Pod shop/db'], ports: 'TCP 5432', egressAllowedBy: ['not isolated'], ingressAllowedBy: ['shop/db-open rule 0'] });
  });
  it('passes when the policies deny it, or allow only other ports', () => {
    expect([...intentViolation.evaluate(ctxOf(base, { intent }))][0].status).toBe('pass');
    const other = base + policy('shop', 'db-http', '{podSelector: {matchLabels: {tier: database}}, ingress: [{ports: [{port: 8080}]}]}');
    expect([...intentViolation.evaluate(ctxOf(other, { intent }))][0].status).toBe('pass');
  });
  it('does not apply without intent rules', () => {
    expect(intentViolation.appliesByConfig!(ctxOf(base).config)).toBe(false);
  });
  it('warns, naming the rule, when a selector matches no pods (a typo would otherwise read as "holds")', () => {
    const typo = { deny: [...intent.deny, { name: 'fe-db-typo', from: intent.deny[0].from, to: { namespace: 'shpo', podSelector: { tier: 'database' } } }] };
    expect(intentViolation.warnings!(ctxOf(base, { intent: typo }))).toEqual([
      'intent "fe-db-typo": its to selector (shpo pods {tier=database}) matches no pods, so the rule holds over nothing; check the namespace and labels',
    ]);
    // The audit carries the line into the report's notes and the run's log.
    const { report, warnings } = auditSnapshot({ snapshot: snap(base), config: { ...defaultConfig(), intent: typo }, checks: [intentViolation], now: new Date(0), startedAt: new Date(0), runId: 'r' });
    expect(report.run.notes).toContain(`network.intent-violation: ${intentViolation.warnings!(ctxOf(base, { intent: typo }))[0]}`);
    expect(warnings).toEqual(report.run.notes);
  });
  it('a port the config validator would refuse is ignored, never an empty set that "holds"', () => {
    // Validation refuses these (config/validate.test.ts); a config built in code still says so in evidence.
    const yaml = base + policy('shop', 'db-open', '{podSelector: {matchLabels: {tier: database}}, ingress: [{from: [{podSelector: {}}]}]}');
    const [v] = [...intentViolation.evaluate(ctxOf(yaml, { intent: { deny: [{ ...intent.deny[0], ports: ['5432/tcp', 99999] }] } }))];
    expect(v.status).toBe('fail');
    expect(v.evidence?.ignoredPorts).toEqual(['99999']);
  });
});

describe('network.cni-not-enforcing', () => {
  it('flannel alone is a critical finding', () => {
    const [v] = [...cniNotEnforcing.evaluate(ctxOf(ds('kube-flannel', 'kube-flannel-ds', 'docker.io/flannel/flannel:v0.26.1')))];
    expect(v.status).toBe('fail');
    expect(cniNotEnforcing.severity).toBe('critical');
  });
  // kindnetd enforces NetworkPolicy from kind v0.24.0's build, v20240813 (cni-switches.test.ts); v0.23.0's does not.
  it('kindnet before kind v0.24.0 alone fails; calico, cilium or canal pass', () => {
    expect([...cniNotEnforcing.evaluate(ctxOf(ds('kube-system', 'kindnet', 'docker.io/kindest/kindnetd:v20240513-cd2ac642')))][0].status).toBe('fail');
    expect([...cniNotEnforcing.evaluate(ctxOf(ds('kube-system', 'calico-node', 'quay.io/calico/node:v3.29.0')))][0].status).toBe('pass');
    expect([...cniNotEnforcing.evaluate(ctxOf(ds('kube-system', 'cilium', 'quay.io/cilium/cilium:v1.17.0')))][0].status).toBe('pass');
    expect([...cniNotEnforcing.evaluate(ctxOf(ds('kube-system', 'kube-flannel-ds', 'flannel/flannel:v0.26') + ds('kube-system', 'canal', 'calico/node:v3.29')))][0].status).toBe('pass');
  });
  it('finds the plugin among many unrelated workloads, in any letter case, the first listed winning', () => {
    const dep = (i: number) => `---\n${workloadYaml(`team-${i}`, `web-${i}`, { container: { name: 'web', image: `registry.example.com/shop/web:${i}` } })}`;
    const many = Array.from({ length: 200 }, (_, i) => dep(i)).join('');
    const d = detectCni(ctxOf(many + ds('kube-system', 'kube-flannel-ds', 'Docker.IO/Flannel/Flannel:v0.26') + dep(201) + ds('kube-system', 'node-agent', 'Quay.IO/Calico/Node:v3.29')).snapshot);
    expect(d.plugins.map((p) => [p.name, p.seenIn])).toEqual([['flannel', 'DaemonSet kube-system/kube-flannel-ds'], ['calico', 'DaemonSet kube-system/node-agent']]);
    expect(d.verdict).toBe('enforcing');
    // canal bundles flannel: an object naming both is canal, listed before flannel.
    expect(detectCni(ctxOf(ds('kube-system', 'canal', 'docker.io/flannel/flannel:v0.26')).snapshot).plugins.map((p) => p.name)).toEqual(['canal']);
    expect(detectCni(ctxOf(many).snapshot)).toEqual({ plugins: [], verdict: 'unknown' });
  });
  // kubernetes.io/docs/concepts/services-networking/network-policies/, Prerequisites: "Creating
  // a NetworkPolicy resource without a controller that implements it will have no effect."
  it('flannel alone: NetworkPolicies are decorative in every verdict, reach says ALLOWED and why', () => {
    const yaml = ds('kube-flannel', 'kube-flannel-ds', 'docker.io/flannel/flannel:v0.26.1') + pod('app', 'a', { app: 'a' }) + pod('app', 'b', { app: 'b' })
      + policy('app', 'deny', '{podSelector: {}, policyTypes: [Ingress, Egress]}');
    const out = reachCommandCore(snap(yaml), { from: 'app/b', to: 'app/a', port: '80' });
    expect(out.output).toMatch(/^ALLOWED: /);
    expect(out.output).toContain('note: NetworkPolicy objects are not counted: flannel does not implement NetworkPolicy');
    expect(out.exitCode).toBe(0);
    const egress = [...namespaceDefaultDenyEgress.evaluate(ctxOf(yaml))].filter((v) => v.resource.namespace === 'app' || v.resource.name === 'app');
    expect(egress.map((v) => v.status)).toEqual(['fail']);
    expect([...cniNotEnforcing.evaluate(ctxOf(yaml))].map((v) => [v.status, v.message])).toEqual([['fail', 'the CNI (flannel) does not enforce NetworkPolicy: 1 NetworkPolicies have no effect']]);
  });
  it('flannel with an enforcing plugin beside it (kube-router, kube-network-policies) still enforces what that plugin implements', () => {
    const base = pod('app', 'a', { app: 'a' }) + pod('app', 'b', { app: 'b' }) + policy('app', 'deny', '{podSelector: {}, policyTypes: [Ingress]}');
    const flannel = ds('kube-flannel', 'kube-flannel-ds', 'docker.io/flannel/flannel:v0.26.1');
    const withRouter = flannel + ds('kube-system', 'kube-router', 'docker.io/cloudnativelabs/kube-router:v2.4.1') + base;
    expect(queryReach(buildReachability(snap(withRouter)), 'app/b', 'app/a', 80).allowed).toBe(false);
    expect([...cniNotEnforcing.evaluate(ctxOf(withRouter))].map((v) => v.status)).toEqual(['pass']);
    const anp = '---\napiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: deny-b}\nspec: {priority: 1, subject: {namespaces: {}}, ingress: [{action: Deny, from: [{pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: b}}}}]}]}\n';
    const withKnp = flannel + ds('kube-system', 'kube-network-policies', 'registry.k8s.io/networking/kube-network-policies:v1.1.0-npa-v1alpha1') + pod('app', 'a', { app: 'a' }) + pod('app', 'b', { app: 'b' }) + anp;
    const r = queryReach(buildReachability(snap(withKnp)), 'app/b', 'app/a', 80);
    expect(r.allowed).toBe(false);
    expect(r.ingress.decisions[0].by).toBe('AdminNetworkPolicy deny-b (priority 1) rule 0 (Deny)');
    // No CNI recognised (a manifests directory): every API present is evaluated.
    expect(queryReach(buildReachability(snap(base)), 'app/b', 'app/a', 80).allowed).toBe(false);
  });
  // The Cilium project ships Tetragon (quay.io/cilium/tetragon), Hubble, cilium-envoy and the
  // operator; only the agent (cilium/cilium, container cilium-agent) enforces policy. Reviewer
  // repro r2-tetragon: flannel with Tetragon was taken for Cilium and the check passed.
  it('Tetragon, Hubble, cilium-envoy or cilium-operator beside flannel are not Cilium: flannel alone fails', () => {
    const tetragon = `---\n${workloadYaml('kube-system', 'tetragon', { kind: 'DaemonSet', container: { name: 'tetragon', image: 'quay.io/cilium/tetragon:v1.4.0' } })}`;
    const others = ds('kube-system', 'hubble-relay', 'quay.io/cilium/hubble-relay:v1.18.4') + ds('kube-system', 'cilium-envoy', 'quay.io/cilium/cilium-envoy:v1.34.4')
      + `---\n${workloadYaml('kube-system', 'cilium-operator', { container: { name: 'cilium-operator', image: 'quay.io/cilium/operator-generic:v1.18.4' } })}`;
    const yaml = ds('kube-flannel', 'kube-flannel-ds', 'docker.io/flannel/flannel:v0.26.1') + tetragon + others + pod('shop', 'web', { app: 'web' })
      + policy('shop', 'default-deny', '{podSelector: {}, policyTypes: [Ingress, Egress]}');
    expect(detectCni(ctxOf(yaml).snapshot)).toMatchObject({ plugins: [{ name: 'flannel' }], verdict: 'not-enforcing' });
    expect([...cniNotEnforcing.evaluate(ctxOf(yaml))].map((v) => [v.status, v.message])).toEqual([['fail', 'the CNI (flannel) does not enforce NetworkPolicy: 1 NetworkPolicies have no effect']]);
    // The agent from a mirror, or in a container named cilium-agent, is still Cilium.
    const agent = `---\n${workloadYaml('kube-system', 'cilium', { kind: 'DaemonSet', container: { name: 'cilium-agent', image: 'registry.corp/cni/agent:1.18' } })}`;
    expect(detectCni(ctxOf(yaml + agent).snapshot).verdict).toBe('enforcing');
    expect(detectCni(ctxOf(yaml + ds('kube-system', 'cilium', 'mcr.microsoft.com/oss/cilium/cilium:1.17.3')).snapshot).plugins.map((p) => p.name)).toEqual(['flannel', 'cilium']);
  });
  it('an unknown CNI yields no result rather than a guess', () => {
    expect([...cniNotEnforcing.evaluate(ctxOf(ds('kube-system', 'kube-proxy', 'registry.k8s.io/kube-proxy:v1.33.0')))]).toEqual([]);
  });
});

describe('exposure', () => {
  const yaml = pod('shop', 'web', { app: 'web' }, [{ name: 'http', containerPort: 8080 }]) + pod('shop', 'db', { app: 'db' }) + pod('shop', 'admin', { app: 'admin' }) +
    svc('shop', 'web', 'LoadBalancer', 'app: web', '{port: 80, targetPort: http}') +
    svc('shop', 'db', 'NodePort', 'app: db', '{port: 5432}') +
    svc('shop', 'admin', 'ClusterIP', 'app: admin', '{port: 80, targetPort: 9000}') +
    `---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: admin, namespace: shop}\nspec:\n  rules:\n  - host: admin.example.com\n    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: admin, port: {number: 80}}}}]}\n` +
    policy('shop', 'db-internal', '{podSelector: {matchLabels: {app: db}}, ingress: [{from: [{podSelector: {}}]}]}');

  it('lists LoadBalancer/NodePort/Ingress paths with resolved target ports', () => {
    const exp = networkExposure(ctxOf(yaml).snapshot);
    const byName = Object.fromEntries(exp.map((e) => [e.workload.name, e]));
    expect(byName.web.external).toEqual([{ via: 'LoadBalancer', through: { kind: 'Service', namespace: 'shop', name: 'web' }, ports: 'TCP 8080', allowedByPolicy: true, admitted: { TCP: [[8080, 8080]], UDP: [], SCTP: [] } }]);
    expect(byName.db.external[0]).toMatchObject({ via: 'NodePort', ports: 'TCP 5432', allowedByPolicy: false });
    expect(byName.admin.external[0]).toMatchObject({ via: 'Ingress', ports: 'TCP 9000', allowedByPolicy: 'not-evaluated' });
    expect(byName.web.fromAllNamespaces).toBe(true);
    expect(byName.db.fromAllNamespaces).toBe(false);
  });

  it('network.exposed-workload fails direct exposure, passes policy-blocked or declared namespaces', () => {
    const v = [...exposedWorkload.evaluate(ctxOf(yaml))];
    // admin: its Ingress controller's pods are not in the snapshot, so the route counts as open.
    expect(v.map((x) => [x.resource.name, x.status])).toEqual([['admin', 'fail'], ['db', 'pass'], ['web', 'fail']]);
    const cfg = { ...defaultConfig().network, exposedNamespaces: ['shop'] };
    expect([...exposedWorkload.evaluate(ctxOf(yaml, { network: cfg }))].every((x) => x.status === 'pass')).toBe(true);
  });

  // What a path a node forwards (externalTrafficPolicy Cluster, the default) adds to the ranges
  // its ipBlocks admit when the snapshot holds no Node (exposure.ts nodeRewriteDoubt).
  const noNodeDoubt = (ranges: string) => ` (the NetworkPolicy ipBlocks admit only ${ranges}, but under externalTrafficPolicy Cluster a node may rewrite the client address to its own before NetworkPolicy judges it, so the ipBlocks may be judging node addresses; the snapshot holds no Node, so whether they admit a node's own address, and with it every client, is not known)`;

  it('an ipBlock allowlist is named in the finding (still a way in from outside), and the remediation says so', () => {
    const lb = pod('shop', 'web', { app: 'web' }, [{ name: 'http', containerPort: 8080 }]) + svc('shop', 'web-lb', 'LoadBalancer', 'app: web', '{port: 443, targetPort: http}');
    const only = (cidrs: string) => lb + policy('shop', 'web-in', `{podSelector: {matchLabels: {app: web}}, policyTypes: [Ingress], ingress: [{from: [${cidrs}], ports: [{port: http}]}]}`);
    const message = (yaml: string) => [...exposedWorkload.evaluate(ctxOf(yaml))].map((x) => [x.status, x.message]);
    expect(message(lb)).toEqual([['fail', 'reachable from outside the cluster via LoadBalancer Service web-lb (TCP 8080)']]);
    expect(message(only('{ipBlock: {cidr: 203.0.113.0/24}}'))).toEqual([['fail', `reachable from outside the cluster via LoadBalancer Service web-lb (TCP 8080) from 203.0.113.0/24 only${noNodeDoubt('203.0.113.0/24')}`]]);
    expect(message(only('{ipBlock: {cidr: 203.0.113.0/24}}, {ipBlock: {cidr: "2001:db8::/32"}}, {ipBlock: {cidr: 198.51.100.0/24, except: [198.51.100.128/25]}}'))).toEqual([['fail', `reachable from outside the cluster via LoadBalancer Service web-lb (TCP 8080) from 198.51.100.0/25, 203.0.113.0/24, 2001:db8::/32 only${noNodeDoubt('198.51.100.0/25, 203.0.113.0/24, 2001:db8::/32')}`]]);
    // Every IPv4 and every IPv6 address admitted: nothing narrower to name.
    expect(message(only('{ipBlock: {cidr: 0.0.0.0/0}}, {ipBlock: {cidr: "::/0"}}'))).toEqual([['fail', 'reachable from outside the cluster via LoadBalancer Service web-lb (TCP 8080)']]);
    const [v] = [...exposedWorkload.evaluate(ctxOf(only('{ipBlock: {cidr: 203.0.113.0/24}}')))];
    expect(v.evidence).toMatchObject({ paths: [{ via: 'LoadBalancer', admittedFrom: ['203.0.113.0/24'] }] });
    expect(exposedWorkload.remediation).toContain('an ipBlock of the allowed clients narrows who can connect (the finding then names the admitted ranges) but is still a way in');
  });

  // 0.0.0.0/0 (or ::/0, or blocks adding up to one) is every address of a family: no allowlist,
  // and network.allow-all-ingress says "admits ingress from every address" for the same policy.
  // https://kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicy-resource (ipBlock)
  it('a policy admitting every address of a family names no "only" and no admittedFrom, as network.allow-all-ingress calls it open to every address', () => {
    const lb = pod('app', 'web', { app: 'web' }, [{ containerPort: 8080 }]) + svc('app', 'web', 'LoadBalancer', 'app: web', '{port: 80, targetPort: 8080}');
    const open = (cidrs: string) => lb + policy('app', 'allow', `{podSelector: {}, policyTypes: [Ingress], ingress: [{from: [${cidrs}]}]}`);
    for (const cidrs of ['{ipBlock: {cidr: 0.0.0.0/0}}', '{ipBlock: {cidr: 0.0.0.0/1}}, {ipBlock: {cidr: 128.0.0.0/1}}', '{ipBlock: {cidr: "::/0"}}', '{ipBlock: {cidr: 0.0.0.0/0}}, {ipBlock: {cidr: "2001:db8::/32"}}']) {
      const [v] = [...exposedWorkload.evaluate(ctxOf(open(cidrs)))];
      expect([v.status, v.message], cidrs).toEqual(['fail', 'reachable from outside the cluster via LoadBalancer Service web (TCP 8080)']);
      expect((v.evidence as { paths: Array<Record<string, unknown>> }).paths[0], cidrs).not.toHaveProperty('admittedFrom');
      expect([...allowAllIngress.evaluate(ctxOf(open(cidrs)))].map((x) => x.status), cidrs).toContain('fail');
    }
    // An except leaves an allowlist: the ranges are named.
    expect([...exposedWorkload.evaluate(ctxOf(open('{ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}}')))].map((x) => x.message)).toEqual([`reachable from outside the cluster via LoadBalancer Service web (TCP 8080) from 0.0.0.0-9.255.255.255, 11.0.0.0-255.255.255.255 only${noNodeDoubt('0.0.0.0-9.255.255.255, 11.0.0.0-255.255.255.255')}`]);
  });

  it('a default deny does not protect a hostNetwork pod behind a LoadBalancer', () => {
    // kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicy-and-hostnetwork-pods:
    // behaviour is undefined and most plugins ignore hostNetwork pods, so the LoadBalancer reaches hn.
    const hn = pod('app', 'hn', { app: 'hn' }, [{ name: 'http', containerPort: 8080 }], { hostNetwork: true }) + svc('app', 'hn', 'LoadBalancer', 'app: hn', '{port: 80, targetPort: http}') +
      policy('app', 'deny-all', '{podSelector: {}, policyTypes: [Ingress, Egress]}');
    const [e] = networkExposure(ctxOf(hn).snapshot);
    expect(e.external[0]).toMatchObject({ via: 'LoadBalancer', allowedByPolicy: true });
    expect(e.ingressIsolated).toBe(false);
    expect([...exposedWorkload.evaluate(ctxOf(hn))].map((x) => [x.resource.name, x.status])).toEqual([['hn', 'fail']]);
  });
});

// Service externalIPs (https://kubernetes.io/docs/concepts/services-networking/service/#external-ips)
// route traffic for those addresses to the Service whatever its type; ContainerPort.hostPort
// (https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#ports) binds
// the pod's port on its node. Both are ways in from outside the cluster, judged like a NodePort.
describe('network.exposed-workload: externalIPs and hostPort', () => {
  const yaml = `apiVersion: v1
kind: Pod
metadata: {name: a, namespace: app, labels: {app: a}}
spec:
  containers: [{name: c, image: nginx, ports: [{containerPort: 80}]}]
---
apiVersion: v1
kind: Service
metadata: {name: a, namespace: app}
spec:
  selector: {app: a}
  externalIPs: [203.0.113.10]
  ports: [{port: 80, targetPort: 80}]
---
apiVersion: v1
kind: Pod
metadata: {name: b, namespace: app, labels: {app: b}}
spec:
  containers: [{name: c, image: nginx, ports: [{containerPort: 80, hostPort: 8080}, {containerPort: 53, hostPort: 53, protocol: UDP}]}]
`;
  it('fails a ClusterIP Service with externalIPs and a pod with a hostPort when no policy isolates them', () => {
    const v = [...exposedWorkload.evaluate(ctxOf(yaml))];
    expect(v.map((x) => [x.resource.name, x.status, x.message])).toEqual([
      ['a', 'fail', 'reachable from outside the cluster via externalIPs of Service a (TCP 80)'],
      ['b', 'fail', "reachable from outside the cluster via hostPort of Pod b (TCP 80 on the node's TCP 8080, UDP 53 on the node's UDP 53)"],
    ]);
  });
  it('passes them when a default deny isolates the pods, and opens only the admitted port', () => {
    const denied = yaml + policy('app', 'dd', '{podSelector: {}, policyTypes: [Ingress]}');
    expect([...exposedWorkload.evaluate(ctxOf(denied))].map((x) => [x.resource.name, x.status])).toEqual([['a', 'pass'], ['b', 'pass']]);
    // The policy judges the container port the host port leads to: admitting the world on TCP 80
    // only leaves the hostPort open there, not on UDP 53.
    const web = yaml + policy('app', 'web', '{podSelector: {matchLabels: {app: b}}, ingress: [{from: [{ipBlock: {cidr: 0.0.0.0/0}}], ports: [{port: 80}]}]}');
    const b = networkExposure(snap(web)).find((w) => w.workload.name === 'b')!;
    expect(b.external.map((x) => [x.via, x.allowedByPolicy, formatConns(x.admitted)])).toEqual([['hostPort', true, 'TCP 80']]);
  });
  // ContainerPort.hostIP is "What host IP to bind the external port to": bound to the node's
  // loopback, the port is not reachable from off the node.
  it('a hostPort bound to a loopback hostIP (127.0.0.0/8, ::1, ::ffff:127.0.0.1) is no way in; one bound to another address still is', () => {
    const statsd = (hostIP: string) => `apiVersion: v1
kind: Pod
metadata: {name: statsd, namespace: app, labels: {app: statsd}}
spec:
  containers: [{name: c, image: statsd, ports: [{containerPort: 8125, hostPort: 8125, hostIP: "${hostIP}", protocol: UDP}]}]
`;
    for (const ip of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) expect([...exposedWorkload.evaluate(ctxOf(statsd(ip)))], ip).toEqual([]);
    for (const ip of ['0.0.0.0', '10.0.0.5', '::']) expect([...exposedWorkload.evaluate(ctxOf(statsd(ip)))].map((x) => [x.status, x.message]), ip).toEqual([['fail', "reachable from outside the cluster via hostPort of Pod statsd (UDP 8125 on the node's UDP 8125)"]]);
  });
  // A host-network pod's ports are on the node whatever hostPort says: the API server stores an
  // unset or 0 hostPort as the containerPort (pod-v1 ports: "If HostNetwork is specified, this
  // must match ContainerPort"; pkg/apis/core/v1/defaults.go defaultHostNetworkPorts), and a
  // hostIP binds nothing in the node's network namespace. Pod Security counts the same hostPorts.
  it('a host-network pod with hostPort 0 or a loopback hostIP is exposed on the node, the ports Pod Security names', () => {
    const exporter = (ports: string) => `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: node-exporter, namespace: monitoring}
spec:
  selector: {matchLabels: {app: ne}}
  template:
    metadata: {labels: {app: ne}}
    spec:
      hostNetwork: true
      containers:
      - {name: c, image: ne, ports: [${ports.split(';')[0]}]}
      - {name: proxy, image: krp, ports: [${ports.split(';')[1]}]}
`;
    const expected = [['fail', "reachable from outside the cluster via hostPort of DaemonSet node-exporter (TCP 9100 on the node's TCP 9100, as a host-network pod, TCP 9443 on the node's TCP 9443, as a host-network pod)"]];
    for (const ports of ['{containerPort: 9100};{containerPort: 9443}', '{containerPort: 9100, hostIP: 127.0.0.1};{containerPort: 9443, hostPort: 0}', '{containerPort: 9100, hostIP: "::1", hostPort: 9100};{containerPort: 9443, hostPort: null}']) {
      const ctx = ctxOf(exporter(ports));
      expect([...exposedWorkload.evaluate(ctx)].map((x) => [x.status, x.message]), ports).toEqual(expected);
      const [template] = parseAllDocuments(exporter(ports)).map((d) => d.toJS().spec.template);
      expect(denialDetail(evaluatePod(template, 'baseline', 'latest')), ports).toBe('host namespaces (hostNetwork=true), hostPort (containers "c", "proxy" use hostPorts 9100, 9443)');
    }
  });
  it('the slimmed snapshot keeps spec.externalIPs and the containers\' hostPort', () => {
    const svc = slimObject('services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'a', namespace: 'app', managedFields: [{}] }, spec: { externalIPs: ['203.0.113.10'] }, status: { conditions: [] } });
    expect(svc.spec).toEqual({ externalIPs: ['203.0.113.10'] });
    const pod = slimObject('pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'b', namespace: 'app', managedFields: [{}] }, spec: { containers: [{ name: 'c', ports: [{ containerPort: 80, hostPort: 8080 }] }] }, status: { conditions: [] } });
    expect(pod.spec).toEqual({ containers: [{ name: 'c', ports: [{ containerPort: 80, hostPort: 8080 }] }] });
  });
});

describe('network.unrestricted-egress: what counts as every destination and every port', () => {
  const egressPolicy = (egress: string) => `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress: ${egress}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop}
spec: {containers: [{name: web, image: web:1}]}
`;
  const verdict = (egress: string) => {
    const check = networkChecks.find((c) => c.id === 'network.unrestricted-egress')!;
    const [v] = [...check.evaluate({ snapshot: snapshotFromObjects(parseAllDocuments(egressPolicy(egress)).map((d) => d.toJS())), config: defaultConfig(), now: new Date() })];
    return { status: v.status, severity: v.severity ?? check.severity, message: v.message };
  };

  it('does not call egress to every pod of the cluster unrestricted', () => {
    expect(verdict('[{to: [{namespaceSelector: {}}]}]').status).toBe('pass');
  });
  it('sees /0 written as two halves', () => {
    expect(verdict('[{to: [{ipBlock: {cidr: 0.0.0.0/1}}, {ipBlock: {cidr: 128.0.0.0/1}}]}]')).toMatchObject({ status: 'fail', severity: 'high' });
    expect(verdict('[{to: [{ipBlock: {cidr: 0.0.0.0/1}}]}]').status).toBe('pass');
  });
  it('treats a full port range or a whole protocol as every port, not as a DNS path', () => {
    expect(verdict('[{to: [{ipBlock: {cidr: 0.0.0.0/0}}], ports: [{port: 1, endPort: 65535}]}]')).toMatchObject({ status: 'fail', severity: 'high' });
    expect(verdict('[{to: [{ipBlock: {cidr: 0.0.0.0/0}}], ports: [{protocol: UDP}]}]')).toMatchObject({ status: 'fail', severity: 'high', message: expect.stringContaining('every UDP port') });
    expect(verdict('[{to: [{ipBlock: {cidr: 0.0.0.0/0}}], ports: [{protocol: UDP, port: 53}]}]')).toMatchObject({ status: 'fail', severity: 'low' });
  });
});

describe('network.allow-all-ingress and network.unrestricted-egress judge the effective verdict, as reach does', () => {
  const calicoNp = (name: string, spec: string) => `---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: ${name}, namespace: shop}
spec:
${spec.replace(/^\n/, '').split('\n').map((l) => `  ${l}`).join('\n')}
`;
  const allowAll = policy('shop', 'allow-all', '{podSelector: {}, policyTypes: [Ingress], ingress: [{}]}');
  const web = pod('shop', 'web', { app: 'web' });

  // Calico policy reference (docs.tigera.io/calico/latest/reference/resources/networkpolicy):
  // policies by order, rules in order, the first Allow or Deny decides; a Kubernetes
  // NetworkPolicy is order 1000, so a Calico Deny at order 10 comes first.
  it('an allow-all shadowed by an earlier Deny opens nothing, and the pass names the Deny, matching reach', () => {
    const yaml = web + allowAll + calicoNp('lockdown', '{order: 10, selector: all(), types: [Ingress], ingress: [{action: Deny}]}');
    const v = run(allowAllIngress, ctxOf(yaml)).find((r) => r.resource.name === 'allow-all')!;
    expect(v).toMatchObject({ status: 'pass', message: 'shop/allow-all admits ingress from any peer (from/to missing or empty), but rules that take precedence deny all of it (Calico NetworkPolicy shop/lockdown (order 10) rule 0 (Deny))' });
    const reach = queryReach(buildReachability(snap(yaml)), '203.0.113.7', 'shop/Pod/web', 80);
    expect(reach.allowed).toBe(false);
  });

  it('when a Deny takes some ports first, the finding names only the ports still open, at medium', () => {
    const yaml = web + allowAll + calicoNp('no-udp', '{order: 10, selector: all(), types: [Ingress], ingress: [{action: Deny, protocol: UDP}]}');
    const v = run(allowAllIngress, ctxOf(yaml)).find((r) => r.resource.name === 'allow-all')!;
    expect(v).toMatchObject({
      status: 'fail',
      severity: 'medium',
      message: 'shop/allow-all admits ingress from any peer (from/to missing or empty) on SCTP 1-65535,TCP 1-65535 (Calico NetworkPolicy shop/no-udp (order 10) rule 0 (Deny) refuses the rest)',
    });
  });

  // docs.cilium.io/en/stable/security/policy/language/#deny-policies: deny policies take precedence over allow policies.
  it('egress to every endpoint that an egressDeny world shadows is not unrestricted egress', () => {
    const fixture = 'network.unrestricted-egress/pass.cilium-egress-deny-world.yaml';
    const snapshot = loadFixture(join(import.meta.dirname, '../../fixtures/checks', fixture));
    const [v] = run(unrestrictedEgress, { snapshot, config: defaultConfig(), now: new Date() });
    expect(v).toMatchObject({ status: 'pass', message: 'CiliumNetworkPolicy shop/no-internet allows egress to every endpoint (entity all), but rules that take precedence deny all of it to every public address (CiliumNetworkPolicy shop/no-internet rule 1 "egressDeny[0]" (Deny))' });
    expect(queryReach(buildReachability(snapshot), 'shop/Deployment/web', '1.1.1.1', 443).allowed).toBe(false);
  });

  it('an egressDeny of one range leaves the rest of the internet open: still unrestricted, and the message says which range is refused', () => {
    const yaml = `${web}---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: out, namespace: shop}
spec:
  endpointSelector: {}
  egress: [{toEntities: [world]}]
  egressDeny: [{toCIDR: [203.0.113.0/24]}]
`;
    const [v] = run(unrestrictedEgress, ctxOf(yaml));
    expect(v).toMatchObject({ status: 'fail', message: 'CiliumNetworkPolicy shop/out allows egress to every address outside the cluster (entity world) on every port, though not to every public address (other rules refuse 203.0.113.0-203.0.113.255)' });
  });
});

/** The context as if its objects had been read from a live cluster, which lists every pod. */
const live = (ctx: AuditContext): AuditContext => ({ ...ctx, snapshot: { ...ctx.snapshot, source: 'live', origin: 'live' } });

describe('a policy open to everyone that selects no pod', () => {
  it('is policy-selects-nothing\'s finding, not a high allow-all-ingress one (pods exist, none selected)', () => {
    // pod-template-hash is not in the Cilium identity (docs.cilium.io/en/stable/operations/performance/scalability/identity-relevant-labels/).
    const snapshot = loadFixture(join(import.meta.dirname, '../../fixtures/checks/network.allow-all-ingress/pass.cilium-selects-no-pod.yaml'));
    const ctx = { snapshot, config: defaultConfig(), now: new Date() };
    expect(run(allowAllIngress, ctx).map((v) => [v.status, v.message])).toEqual([
      ['pass', 'CiliumNetworkPolicy shop/sts admits ingress from every pod in the cluster (entity cluster), but selects no pod, so it opens nothing today (network.policy-selects-nothing judges its selector)'],
    ]);
    const selects = networkChecks.find((c) => c.id === 'network.policy-selects-nothing')!;
    expect(run(selects, ctx).filter((v) => v.status === 'fail').map((v) => v.resource.name)).toEqual(['sts']);
  });

  it('in a namespace with no workloads yet is a low finding for both checks: the pods created there start open', () => {
    const yaml = `${pod('other', 'p', {})}---
apiVersion: v1
kind: Namespace
metadata: {name: staging}
${policy('staging', 'open', '{podSelector: {}, policyTypes: [Ingress, Egress], ingress: [{}], egress: [{}]}')}`;
    expect(run(allowAllIngress, ctxOf(yaml))).toMatchObject([{ status: 'fail', severity: 'low', message: 'staging/open admits ingress from any peer (from/to missing or empty); namespace staging runs no workloads yet, so it selects no pod now, but the pods it will select start open' }]);
    expect(run(unrestrictedEgress, ctxOf(yaml))).toMatchObject([{ status: 'fail', severity: 'low', message: 'staging/open allows egress to every address; namespace staging runs no workloads yet, so it selects no pod now, but the pods it will select start open' }]);
    const typo = pod('staging', 'web', { app: 'web' }) + policy('staging', 'open', '{podSelector: {matchLabels: {app: wbe}}, policyTypes: [Egress], egress: [{}]}');
    expect(run(unrestrictedEgress, live(ctxOf(typo)))).toMatchObject([{ status: 'pass', message: 'staging/open allows egress to every address, but selects no pod, so it opens nothing today (network.policy-selects-nothing judges its selector)' }]);
  });

  // Manifests hold no pod an operator creates from a custom resource: Strimzi's Cluster Operator
  // runs Kafka pods from StrimziPodSets it creates ("StrimziPodSetSpec schema reference": pods, "The
  // Pods managed by this StrimziPodSet"). Selecting none of the manifests' pods proves nothing there.
  it('from manifests, selecting none of their pods keeps the high finding: operator-created pods are not in manifests', () => {
    const yaml = `${pod('data', 'web', { app: 'web' })}${policy('data', 'kafka-open', '{podSelector: {matchLabels: {strimzi.io/cluster: my-kafka}}, policyTypes: [Ingress, Egress], ingress: [{}], egress: [{}]}')}`;
    const manifests = ctxOf(yaml);
    expect(manifests.snapshot.origin).toBe('manifests');
    const reason = 'it selects no pod the manifests hold, but pods that operators and controllers create (from custom resources, for instance) are not in manifests, so the pods it selects may exist and be open';
    expect(run(allowAllIngress, manifests)).toEqual([expect.objectContaining({ status: 'fail', message: `data/kafka-open admits ingress from any peer (from/to missing or empty); ${reason}` })]);
    expect(run(allowAllIngress, manifests)[0].severity).toBeUndefined(); // the check's own: high, as before selectors were weighed
    expect(run(unrestrictedEgress, manifests)).toEqual([expect.objectContaining({ status: 'fail', message: `data/kafka-open allows egress to every address; ${reason}` })]);
    // The same objects read from a live cluster, where every pod is listed: it opens nothing today.
    expect(run(allowAllIngress, live(ctxOf(yaml))).map((v) => v.status)).toEqual(['pass']);
    expect(run(unrestrictedEgress, live(ctxOf(yaml))).map((v) => v.status)).toEqual(['pass']);
  });
});

describe('network.namespace-default-deny-ingress on a namespace whose allow-all follows Deny rules', () => {
  const gnp = (ingress: string) => `${ns('a', { team: 'a' })}${ns('b', { team: 'b' })}${pod('a', 'web', { app: 'web' })}${pod('b', 'client', { app: 'client' })}---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: ns-a}
spec:
  order: 10
  namespaceSelector: team == 'a'
  types: [Ingress]
  ingress: ${ingress}
`;
  // Calico policy reference (docs.tigera.io/calico/latest/reference/resources/globalnetworkpolicy):
  // rules in order, the first Allow or Deny decides. The namespace is unisolated (docs/network-model.md
  // "Deciding is not denying"), but team b is denied, so "every source may connect" was false.
  it('keeps the verdict and says which Deny rules still refuse sources, as reach answers', () => {
    const yaml = gnp("[{action: Deny, source: {namespaceSelector: team == 'b'}}, {action: Allow}]");
    const a = run(namespaceDefaultDenyIngress, ctxOf(yaml)).find((v) => v.resource.name === 'a')!;
    expect(a).toMatchObject({ status: 'fail', message: '1 workload(s) in namespace a are not isolated for ingress: every source that no Deny rule of GlobalNetworkPolicy ns-a refuses may connect to them (GlobalNetworkPolicy ns-a allows every port)', evidence: { denyRulesIn: ['GlobalNetworkPolicy ns-a'] } });
    expect(queryReach(buildReachability(snap(yaml)), 'b/Pod/client', 'a/Pod/web', 80).allowed).toBe(false);
  });
  it('network.allow-all-ingress still fails the bare Allow (the anonymous pod is admitted) but names the Deny rules that come first', () => {
    const yaml = gnp("[{action: Deny, source: {namespaceSelector: team == 'b'}}, {action: Allow}]");
    expect(run(allowAllIngress, ctxOf(yaml))).toMatchObject([{ status: 'fail', message: 'GlobalNetworkPolicy ns-a admits ingress from any peer (from/to missing or empty) on every port, except the sources Deny rules of GlobalNetworkPolicy ns-a refuse', evidence: { denyRulesIn: ['GlobalNetworkPolicy ns-a'] } }]);
    const after = gnp("[{action: Allow}, {action: Deny, source: {namespaceSelector: team == 'b'}}]");
    expect(run(allowAllIngress, ctxOf(after))[0].message).toBe('GlobalNetworkPolicy ns-a admits ingress from any peer (from/to missing or empty) on every port');
  });
  // A Deny rule named there must be able to refuse part of the claim: an AdminNetworkPolicy
  // ingress peer is namespaces or pods only ("AdminNetworkPolicyIngressPeer ... namespaces, pods",
  // network-policy-api apis/v1alpha1/adminnetworkpolicy_types.go), so it refuses no public address;
  // a Calico Deny on another port refuses nothing on the Allow's port (the first matching rule
  // decides, docs.tigera.io/calico/latest/reference/resources/globalnetworkpolicy).
  it('network.allow-all-ingress names only the Deny rules that refuse part of the peers and ports it claims', () => {
    const halves = `${ns('shop')}${pod('shop', 'web', { app: 'web' })}---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: lower-half, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{from: [{ipBlock: {cidr: 0.0.0.0/1}}]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: upper-half, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{from: [{ipBlock: {cidr: 128.0.0.0/1}}]}]
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: no-pod-to-pod}
spec:
  priority: 10
  subject: {namespaces: {}}
  ingress: [{name: no-pods, action: Deny, from: [{namespaces: {}}]}]
`;
    expect(run(allowAllIngress, ctxOf(halves)).filter((v) => v.status === 'fail').map((v) => v.message)).toEqual([
      'shop/lower-half admits ingress from every public IPv4 address (rule 0 together with NetworkPolicy shop/upper-half rule 0 (Allow)) on every port',
      'shop/upper-half admits ingress from every public IPv4 address (rule 0 together with NetworkPolicy shop/lower-half rule 0 (Allow)) on every port',
    ]);
    // The same pods Deny before a rule open to every pod refuses part of it: named.
    const everyPod = halves.replace('ingress: [{from: [{ipBlock: {cidr: 0.0.0.0/1}}]}]', 'ingress: [{from: [{namespaceSelector: {}}]}]').replace('{name: no-pods, action: Deny, from: [{namespaces: {}}]}', '{name: no-team-b, action: Deny, from: [{namespaces: {matchLabels: {team: b}}}]}');
    expect(run(allowAllIngress, ctxOf(everyPod)).find((v) => v.resource.name === 'lower-half')!.message).toMatch(/, except the sources Deny rules of AdminNetworkPolicy no-pod-to-pod refuse$/);
    const otherPort = gnp("[{action: Deny, protocol: TCP, source: {namespaceSelector: team == 'b'}, destination: {ports: [22]}}, {action: Allow, protocol: TCP, destination: {ports: [80]}}]");
    expect(run(allowAllIngress, ctxOf(otherPort)).map((v) => v.message)).toEqual(['GlobalNetworkPolicy ns-a admits ingress from any peer (from/to missing or empty) on TCP 80']);
    const samePort = gnp("[{action: Deny, protocol: TCP, source: {namespaceSelector: team == 'b'}, destination: {ports: [80]}}, {action: Allow, protocol: TCP, destination: {ports: [80]}}]");
    expect(run(allowAllIngress, ctxOf(samePort)).map((v) => v.message)).toEqual(['GlobalNetworkPolicy ns-a admits ingress from any peer (from/to missing or empty) on TCP 80, except the sources Deny rules of GlobalNetworkPolicy ns-a refuse']);
  });
  it('a Deny after the allow-all decides nothing: every source may connect', () => {
    const yaml = gnp("[{action: Allow}, {action: Deny, source: {namespaceSelector: team == 'b'}}]");
    expect(run(namespaceDefaultDenyIngress, ctxOf(yaml)).find((v) => v.resource.name === 'a')!.message).toBe('1 workload(s) in namespace a are not isolated for ingress: every source may connect to them (GlobalNetworkPolicy ns-a allows every port)');
  });
});
