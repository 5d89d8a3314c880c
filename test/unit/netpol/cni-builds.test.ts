// Which policy APIs the running CNI enforces, where its build or its nodes' releases decide it,
// and what reach says when a policy kind was not read. Each case cites the upstream source it
// follows.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../../../src/cli/io.ts';
import { main } from '../../../src/cli/main.ts';
import { cniNotEnforcing } from '../../../checks/network/cni-not-enforcing.ts';
import { networkChecks } from '../../../checks/network/index.ts';
import { runChecks } from '../../../src/engine/run.ts';
import { buildReachability } from '../../../src/analysis/netpol/model.ts';
import { queryReach } from '../../../src/analysis/netpol/query.ts';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { runNotes } from '../../../src/analysis/details.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { ctxOf, ns, pod, snap } from './helpers.ts';

const nsSel = (n: string) => `{matchLabels: {kubernetes.io/metadata.name: ${n}}}`;
const anpDeny = `---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: deny-a-to-b}
spec: {priority: 10, subject: {namespaces: ${nsSel('b')}}, ingress: [{action: Deny, from: [{namespaces: ${nsSel('a')}}]}]}
`;
const banpDeny = `---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: {name: default}
spec: {subject: {namespaces: ${nsSel('b')}}, ingress: [{action: Deny, from: [{namespaces: ${nsSel('c')}}]}]}
`;
const cnpDeny = `---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: baseline-deny}
spec: {tier: Baseline, priority: 50, subject: {namespaces: ${nsSel('b')}}, ingress: [{action: Deny, from: [{namespaces: ${nsSel('d')}}]}]}
`;
const daemonset = (namespace: string, name: string, image: string, args: string[] = []) => `---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec: {hostNetwork: true, containers: [{name: agent, image: "${image}", args: ${JSON.stringify(args)}}]}
`;
const cluster = ns('a') + ns('b') + ns('c') + ns('d')
  + pod('a', 'client', { app: 'client' }) + pod('b', 'server', { app: 'server' }, [{ name: 'http', containerPort: 8080 }])
  + pod('c', 'other', { app: 'other' }) + pod('d', 'tenant', { app: 'tenant' });
const policies = cluster + anpDeny + banpDeny + cnpDeny;

/** Whether the ANP (from a), the BANP (from c) and the Baseline CNP (from d) each deny b/server: [anp, banp, cnp]. */
function denied(yaml: string): [boolean, boolean, boolean] {
  const m = buildReachability(snap(yaml));
  return [!queryReach(m, 'a/client', 'b/server', 8080).allowed, !queryReach(m, 'c/other', 'b/server', 8080).allowed, !queryReach(m, 'd/tenant', 'b/server', 8080).allowed];
}
const failing = (yaml: string) => [...cniNotEnforcing.evaluate(ctxOf(yaml))].filter((v) => v.status === 'fail').map((v) => v.detailKey);

// kubernetes-sigs/kube-network-policies, from v0.9.0 ("move to a pluggable architecture") to v1.1.1:
// cmd/kube-network-policies/standard/main.go registers NetworkPolicy alone, npa-v1alpha1/main.go
// adds AdminNetworkPolicy and BaselineAdminNetworkPolicy, npa-v1alpha2/main.go ClusterNetworkPolicy;
// the Makefile tags them $(TAG), $(TAG)-npa-v1alpha1 and $(TAG)-npa-v1alpha2 (install-cnp.yaml runs
// :v1.1.0-npa-v1alpha2). Up to v0.8.1 cmd/main.go has one binary whose --admin-network-policy and
// --baseline-admin-network-policy flags default to false.
describe('kube-network-policies enforces the admin APIs of its image build only', () => {
  const knp = (image: string, args: string[] = []) => policies + daemonset('kube-system', 'kube-network-policies', `registry.k8s.io/networking/kube-network-policies:${image}`, args);

  it('the default build (v1.1.0) enforces NetworkPolicy only: a Baseline ClusterNetworkPolicy deny is decorative and cni-not-enforcing says so', () => {
    const yaml = knp('v1.1.0');
    expect(denied(yaml)).toEqual([false, false, false]);
    const out = reachCommandCore(snap(yaml), { from: 'd/tenant', to: 'b/server', port: '8080' });
    expect(out.output).toMatch(/^ALLOWED: /);
    expect(out.output).toContain('note: ClusterNetworkPolicy objects are not counted: kube-network-policies v1.1.0 (DaemonSet kube-system/kube-network-policies) does not implement ClusterNetworkPolicy: its v1.1.0 image enforces NetworkPolicy only (the -npa-v1alpha1 and -npa-v1alpha2 builds add the admin APIs)');
    expect(failing(yaml)).toEqual(['AdminNetworkPolicy', 'BaselineAdminNetworkPolicy', 'ClusterNetworkPolicy']);
  });

  it('the -npa-v1alpha2 build enforces ClusterNetworkPolicy, not AdminNetworkPolicy or BaselineAdminNetworkPolicy', () => {
    const yaml = knp('v1.1.0-npa-v1alpha2');
    expect(denied(yaml)).toEqual([false, false, true]);
    expect(queryReach(buildReachability(snap(yaml)), 'a/client', 'b/server', 8080).notes).toContain('AdminNetworkPolicy objects are not counted: kube-network-policies v1.1.0 (DaemonSet kube-system/kube-network-policies) does not implement AdminNetworkPolicy: its v1.1.0-npa-v1alpha2 image is the npa-v1alpha2 build, which enforces NetworkPolicy and ClusterNetworkPolicy');
    expect(failing(yaml)).toEqual(['AdminNetworkPolicy', 'BaselineAdminNetworkPolicy']);
  });

  it('the -npa-v1alpha1 build enforces AdminNetworkPolicy and BaselineAdminNetworkPolicy, not ClusterNetworkPolicy', () => {
    const yaml = knp('v1.1.1-npa-v1alpha1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef');
    expect(denied(yaml)).toEqual([true, true, false]);
    expect(failing(yaml)).toEqual(['ClusterNetworkPolicy']);
  });

  it('before v0.9.0 the flags decide: off by default, --admin-network-policy and --baseline-admin-network-policy each turn one on', () => {
    expect(denied(knp('v0.8.1'))).toEqual([false, false, false]);
    expect(denied(knp('v0.8.1', ['--hostname-override=$(MY_NODE_NAME)', '--admin-network-policy=true']))).toEqual([true, false, false]);
    expect(denied(knp('v0.5.0', ['-v=2', '-admin-network-policy=true', '-baseline-admin-network-policy=true']))).toEqual([true, true, false]);
    expect(denied(knp('v0.8.1', ['--admin-network-policy=false', '--baseline-admin-network-policy']))).toEqual([false, true, false]);
    expect(failing(knp('v0.8.1', ['--admin-network-policy']))).toEqual(['BaselineAdminNetworkPolicy', 'ClusterNetworkPolicy']);
  });

  // The kubelet expands $(VAR) in args from the container's env before the program parses them
  // (kubernetes.io/docs/tasks/inject-data-application/define-interdependent-environment-variables/):
  // a value the spec writes out decides the pre-v0.9.0 flag; one from valueFrom is not shown.
  it('before v0.9.0 a flag set as $(VAR) is read as the kubelet expands it: a literal env value decides, valueFrom leaves the API unconfirmed (UNKNOWN), never off', () => {
    const withEnv = (env: string) => policies + `---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: kube-network-policies, namespace: kube-system}
spec:
  selector: {matchLabels: {app: knp}}
  template:
    metadata: {labels: {app: knp}}
    spec: {hostNetwork: true, containers: [{name: agent, image: "registry.k8s.io/networking/kube-network-policies:v0.8.1", args: ["--admin-network-policy=$(ANP)"], env: [${env}]}]}
`;
    expect(denied(withEnv('{name: ANP, value: "true"}'))).toEqual([true, false, false]);
    expect(denied(withEnv('{name: ANP, value: "false"}'))).toEqual([false, false, false]);
    const opaque = withEnv('{name: ANP, valueFrom: {configMapKeyRef: {name: knp, key: anp}}}');
    const answer = queryReach(buildReachability(snap(opaque)), 'a/client', 'b/server', 8080);
    expect(answer.undetermined?.length).toBeGreaterThan(0);
    expect(answer.notes.join('\n')).toContain('whether the CNI enforces AdminNetworkPolicy cannot be confirmed (kube-network-policies (DaemonSet kube-system/kube-network-policies) sets --admin-network-policy from an environment variable ("--admin-network-policy=$(ANP)") whose value is not read');
    expect(reachCommandCore(snap(opaque), { from: 'a/client', to: 'b/server', port: '8080' }).output).toMatch(/^UNKNOWN/);
    // The AdminNetworkPolicy is not called decorative (high): only the APIs certainly off are; it is a medium "cannot be confirmed".
    const findings = [...cniNotEnforcing.evaluate(ctxOf(opaque))].filter((v) => v.status === 'fail');
    expect(findings.map((v) => [v.detailKey, v.severity])).toEqual([['AdminNetworkPolicy', 'medium'], ['BaselineAdminNetworkPolicy', 'high'], ['ClusterNetworkPolicy', 'high']]);
    expect(findings[0].message).toBe('whether the CNI enforces AdminNetworkPolicy cannot be confirmed: kube-network-policies (DaemonSet kube-system/kube-network-policies) sets --admin-network-policy from an environment variable ("--admin-network-policy=$(ANP)") whose value is not read: its env does not write out a value for "ANP"; 1 AdminNetworkPolicy object(s) are evaluated as enforced, and the network verdicts resting on them are not vouched for');
    // Not set at all (no env entry of that name): the same doubt.
    expect(queryReach(buildReachability(snap(withEnv(''))), 'a/client', 'b/server', 8080).undetermined?.length).toBeGreaterThan(0);
  });

  // No upstream image without a build suffix enforces ClusterNetworkPolicy: before v0.9.0 there is one
  // binary (cmd/main.go, v0.8.1: both admin flags default false, no ClusterNetworkPolicy), from v0.9.0 the
  // suffix-less $(TAG) image is cmd/kube-network-policies/standard (NetworkPolicy alone).
  it('a tag naming no release (:latest) and no build suffix enforces no admin API unless the pre-v0.9.0 flags turn one on; cni-not-enforcing fails', () => {
    const yaml = knp('latest');
    expect(denied(yaml)).toEqual([false, false, false]);
    const out = reachCommandCore(snap(yaml), { from: 'd/tenant', to: 'b/server', port: '8080' });
    expect(out.output).toMatch(/^ALLOWED: /);
    expect(out.output).toContain('note: ClusterNetworkPolicy objects are not counted: kube-network-policies (DaemonSet kube-system/kube-network-policies) does not implement ClusterNetworkPolicy: its image tag latest names no release and no -npa-v1alpha1 or -npa-v1alpha2 build');
    expect(failing(yaml)).toEqual(['AdminNetworkPolicy', 'BaselineAdminNetworkPolicy', 'ClusterNetworkPolicy']);
    expect(denied(knp('latest', ['--admin-network-policy', '--baseline-admin-network-policy']))).toEqual([true, true, false]);
  });

  // The Makefile's default TAG is v$(date +%Y%m%d)-$(git describe --tags --always --dirty): the release is the describe part.
  it('a staging tag v<date>-<git describe> is read by its release: v20250601-v1.1.0-3-g5f81cc3 enforces NetworkPolicy only, its -npa-v1alpha2 build ClusterNetworkPolicy', () => {
    const staging = (tag: string) => policies + daemonset('kube-system', 'kube-network-policies', `gcr.io/k8s-staging-networking/kube-network-policies:${tag}`);
    expect(denied(staging('v20250601-v1.1.0-3-g5f81cc3'))).toEqual([false, false, false]);
    expect(queryReach(buildReachability(snap(staging('v20250601-v1.1.0-3-g5f81cc3'))), 'd/tenant', 'b/server', 8080).notes).toContain('ClusterNetworkPolicy objects are not counted: kube-network-policies v1.1.0 (DaemonSet kube-system/kube-network-policies) does not implement ClusterNetworkPolicy: its v20250601-v1.1.0-3-g5f81cc3 image enforces NetworkPolicy only (the -npa-v1alpha1 and -npa-v1alpha2 builds add the admin APIs)');
    expect(denied(staging('v20250601-v1.1.0-3-g5f81cc3-npa-v1alpha2'))).toEqual([false, false, true]);
  });

  it(':latest beside :v1.1.0: neither build enforces ClusterNetworkPolicy, so its deny is decorative and cni-not-enforcing fails', () => {
    const yaml = knp('latest') + daemonset('kube-system', 'kube-network-policies-canary', 'registry.k8s.io/networking/kube-network-policies:v1.1.0');
    expect(denied(yaml)).toEqual([false, false, false]);
    expect(failing(yaml)).toEqual(['AdminNetworkPolicy', 'BaselineAdminNetworkPolicy', 'ClusterNetworkPolicy']);
  });

  // Only the tag names the build (the Makefile tags $(TAG), $(TAG)-npa-v1alpha1, $(TAG)-npa-v1alpha2):
  // pinned by digest alone (common hardening), the build is unknown, never "no admin API".
  it('an image pinned by digest alone names no build: each admin API is taken as enforced, said; beside a known build, what that one lacks still counts', () => {
    const digest = 'registry.k8s.io/networking/kube-network-policies@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
    const yaml = policies + daemonset('kube-system', 'kube-network-policies', digest);
    expect(denied(yaml)).toEqual([true, true, true]);
    expect(failing(yaml)).toEqual([]);
    const out = reachCommandCore(snap(yaml), { from: 'a/client', to: 'b/server', port: '8080' });
    expect(out.output).toMatch(/^DENIED: /);
    expect(out.output).toContain("note: kube-network-policies' build is unknown (its image is pinned by digest alone, which names no build): AdminNetworkPolicy is taken as enforced, as its -npa-v1alpha1 build does");
    // Beside a v1.1.0-npa-v1alpha2 install: the v1alpha1 APIs that build lacks are not counted; CNP is assumed.
    const mixed = yaml + daemonset('kube-system', 'kube-network-policies-canary', 'registry.k8s.io/networking/kube-network-policies:v1.1.0-npa-v1alpha2');
    expect(denied(mixed)).toEqual([false, false, true]);
    expect(failing(mixed)).toEqual(['AdminNetworkPolicy', 'BaselineAdminNetworkPolicy']);
  });

  it('an install recognised by name with no kube-network-policies image: each admin API is taken as enforced, and reach says so', () => {
    const yaml = policies + daemonset('kube-system', 'kube-network-policies', 'registry.example.com/netpol-agent:2.4');
    expect(denied(yaml)).toEqual([true, true, true]);
    const why = "kube-network-policies' build is unknown (no kube-network-policies image was found)";
    expect(buildReachability(snap(yaml)).notes.map((n) => n.message)).toEqual([
      `${why}: AdminNetworkPolicy is taken as enforced, as its -npa-v1alpha1 build does`,
      `${why}: BaselineAdminNetworkPolicy is taken as enforced, as its -npa-v1alpha1 build does`,
      `${why}: ClusterNetworkPolicy is taken as enforced, as its -npa-v1alpha2 build does`,
    ]);
    const out = reachCommandCore(snap(yaml), { from: 'd/tenant', to: 'b/server', port: '8080' });
    expect(out.output).toMatch(/^DENIED: /);
    expect(out.output).toContain(`note: ${why}: ClusterNetworkPolicy is taken as enforced, as its -npa-v1alpha2 build does`);
  });
});

// projectcalico/calico: the ANP converter enters libcalico-go/lib/backend/k8s/conversion/conversion.go
// at v3.29.0, the BANP one at v3.30.0, and release-notes/v3.32.0-release-notes.md removes both
// ("Calico v3.32 and newer won't enforce them") for ClusterNetworkPolicy.
describe('Calico nodes on two releases enforce only what both enforce', () => {
  const calico = (...images: string[]) => policies + images.map((image, i) => daemonset('calico-system', `calico-node-${i}`, image)).join('');

  it('v3.31.3 and v3.32.0 mid-upgrade: neither generation is enforced cluster-wide', () => {
    const yaml = calico('quay.io/calico/node:v3.31.3', 'quay.io/calico/node:v3.32.0');
    expect(denied(yaml)).toEqual([false, false, false]);
    const out = reachCommandCore(snap(yaml), { from: 'a/client', to: 'b/server', port: '8080' });
    expect(out.output).toMatch(/^ALLOWED: /);
    expect(out.output).toContain('note: AdminNetworkPolicy objects are not counted: calico v3.32.0 does not implement AdminNetworkPolicy (Calico enforces it from v3.29.0 to v3.31), and nodes run it beside v3.31.3: not enforced cluster-wide');
    expect(failing(yaml)).toEqual(['AdminNetworkPolicy', 'BaselineAdminNetworkPolicy', 'ClusterNetworkPolicy']);
  });

  it('v3.28.2 beside a node pinned by digest alone: the v3.28 nodes still enforce no admin API, whatever the other runs', () => {
    const yaml = calico('quay.io/calico/node:v3.28.2', 'quay.io/calico/node@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef');
    expect(denied(yaml)).toEqual([false, false, false]);
    const out = reachCommandCore(snap(yaml), { from: 'a/client', to: 'b/server', port: '8080' });
    expect(out.output).toMatch(/^ALLOWED: /);
    expect(out.output).toContain('note: AdminNetworkPolicy objects are not counted: calico v3.28.2 does not implement AdminNetworkPolicy (Calico enforces it from v3.29.0 to v3.31)');
    expect(failing(yaml)).toEqual(['AdminNetworkPolicy', 'BaselineAdminNetworkPolicy', 'ClusterNetworkPolicy']);
  });

  it('v3.29.2 beside a node of unknown release: only AdminNetworkPolicy, which v3.29 enforces, is taken as enforced, and reach says so', () => {
    const yaml = calico('quay.io/calico/node:v3.29.2', 'quay.io/calico/node:latest');
    expect(denied(yaml)).toEqual([true, false, false]);
    const note = "Calico's version is unknown (its calico/node image tag names no release): AdminNetworkPolicy is taken as enforced, as Calico does from v3.29.0 to v3.31";
    expect(buildReachability(snap(yaml)).notes.map((n) => n.message)).toEqual([note]);
    expect(queryReach(buildReachability(snap(yaml)), 'a/client', 'b/server', 8080).notes).toContain(note);
  });

  it('v3.30.0 and v3.31.7 both enforce ANP and BANP: counted; v3.29 beside them leaves BANP out', () => {
    expect(denied(calico('quay.io/calico/node:v3.31.7', 'docker.io/calico/node:v3.30.0'))).toEqual([true, true, false]);
    expect(denied(calico('quay.io/calico/node:v3.31.7', 'docker.io/calico/node:v3.29.2'))).toEqual([true, false, false]);
  });
});

// docs/network-model.md: a kind that was forbidden or failed to list "makes the check not
// evaluated — the model cannot vouch for isolation it could not read"; reach answers the same.
describe('reach when a policy kind was not read', () => {
  const yaml = policies + daemonset('kube-system', 'kube-network-policies', 'registry.k8s.io/networking/kube-network-policies:v1.1.0-npa-v1alpha2');
  const withCoverage = (key: string, entry: { status: 'forbidden' | 'error' | 'absent'; detail?: string }) => {
    const s = snap(yaml);
    (s.coverage as Record<string, unknown>)[key] = entry;
    return s;
  };

  it('a ClusterNetworkPolicy kind served at a version ztaudit does not read: UNKNOWN (exit 2), naming the kind', () => {
    const s = withCoverage('anp.clusternetworkpolicies', { status: 'error', detail: 'clusternetworkpolicies.policy.networking.k8s.io is served at v1alpha3; not read (ztaudit reads v1alpha2)' });
    const out = reachCommandCore(s, { from: 'a/client', to: 'b/server', port: '8080' });
    expect(out.exitCode).toBe(2);
    expect(out.output).toMatch(/^UNKNOWN: /);
    expect(out.output).toContain('note: ClusterNetworkPolicy (clusternetworkpolicies.policy.networking.k8s.io) could not be read (error: clusternetworkpolicies.policy.networking.k8s.io is served at v1alpha3; not read (ztaudit reads v1alpha2)): its policies may decide this, and the model cannot vouch for what it did not read');
    const json = JSON.parse(reachCommandCore(s, { from: 'a/client', to: 'b/server', port: '8080', output: 'json' }).output);
    expect(json.network.undetermined).toEqual([expect.stringContaining('ClusterNetworkPolicy (clusternetworkpolicies.policy.networking.k8s.io) could not be read')]);
  });

  it('NetworkPolicies forbidden: a flow a policy would otherwise deny is UNKNOWN too', () => {
    const s = withCoverage('networkpolicies', { status: 'forbidden', detail: 'list networkpolicies.networking.k8s.io' });
    const r = queryReach(buildReachability(s), 'd/tenant', 'b/server', 8080);
    expect(r.allowed).toBe(false);
    expect(r.undetermined).toEqual(['NetworkPolicy (networkpolicies.networking.k8s.io) could not be read (forbidden: list networkpolicies.networking.k8s.io): its policies may decide this, and the model cannot vouch for what it did not read']);
  });

  // kubernetes-sigs/network-policy-api site-src/implementations.md: Cilium does not implement
  // AdminNetworkPolicy (cilium/cilium#23380), nor does the -npa-v1alpha2 build: their policies
  // decide nothing, read or not. With no CNI recognised any kind may decide.
  it('an unread kind the detected CNI does not enforce decides nothing: the answer stands; with no CNI recognised it is UNKNOWN', () => {
    const deny = ns('a') + ns('b') + pod('a', 'client', { app: 'client' }) + pod('b', 'server', { app: 'server' }, [{ name: 'http', containerPort: 8080 }])
      + '---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny-all, namespace: b}\nspec: {podSelector: {}, policyTypes: [Ingress]}\n';
    const forbidden = (yamlText: string) => {
      const s = snap(yamlText);
      (s.coverage as Record<string, unknown>)['anp.adminnetworkpolicies'] = { status: 'forbidden', detail: 'list adminnetworkpolicies.policy.networking.k8s.io' };
      return s;
    };
    const cilium = reachCommandCore(forbidden(deny + daemonset('kube-system', 'cilium', 'quay.io/cilium/cilium:v1.16.3')), { from: 'a/client', to: 'b/server', port: '8080' });
    expect(cilium.exitCode).toBe(1);
    expect(cilium.output).toMatch(/^DENIED: /);
    expect(reachCommandCore(forbidden(yaml), { from: 'd/tenant', to: 'b/server', port: '8080' }).output).toMatch(/^DENIED: /);
    const none = reachCommandCore(forbidden(deny), { from: 'a/client', to: 'b/server', port: '8080' });
    expect(none.exitCode).toBe(2);
    expect(none.output).toMatch(/^UNKNOWN: /);
  });

  // The note that keeps a reviewer from wondering why the answer is firm though a kind was not read.
  it('an unread kind the CNI does not enforce is said in one line, by reach and in the coverage notes', () => {
    const s = withCoverage('anp.adminnetworkpolicies', { status: 'forbidden', detail: 'list adminnetworkpolicies.policy.networking.k8s.io' });
    const cilium = snap(ns('a') + ns('b') + pod('a', 'client', { app: 'client' }) + pod('b', 'server', { app: 'server' }, [{ name: 'http', containerPort: 8080 }]) + daemonset('kube-system', 'cilium', 'quay.io/cilium/cilium:v1.16.3'));
    cilium.coverage['anp.adminnetworkpolicies'] = { status: 'forbidden', detail: 'list adminnetworkpolicies.policy.networking.k8s.io' };
    const line = 'AdminNetworkPolicy (adminnetworkpolicies.policy.networking.k8s.io) was not read (forbidden) and decides no reach verdict: cilium does not implement AdminNetworkPolicy';
    const out = reachCommandCore(cilium, { from: 'a/client', to: 'b/server', port: '8080' });
    expect(out.output).toMatch(/^ALLOWED: /);
    expect(out.output.split('\n').filter((l) => l.includes('adminnetworkpolicies'))).toEqual([`  note: ${line}`]);
    expect(runNotes({ snapshot: cilium, config: defaultConfig(), now: new Date() })).toEqual([line]);
    // Where the CNI enforces the kind (kube-network-policies' npa-v1alpha2 build enforces
    // ClusterNetworkPolicy, not AdminNetworkPolicy) only the kinds it does not enforce are passed over.
    expect(runNotes({ snapshot: s, config: defaultConfig(), now: new Date() })).toEqual(['AdminNetworkPolicy (adminnetworkpolicies.policy.networking.k8s.io) was not read (forbidden) and decides no reach verdict: kube-network-policies v1.1.0 (DaemonSet kube-system/kube-network-policies) does not implement AdminNetworkPolicy: its v1.1.0-npa-v1alpha2 image is the npa-v1alpha2 build, which enforces NetworkPolicy and ClusterNetworkPolicy']);
    const cnp = withCoverage('anp.clusternetworkpolicies', { status: 'forbidden', detail: 'list clusternetworkpolicies.policy.networking.k8s.io' });
    expect(runNotes({ snapshot: cnp, config: defaultConfig(), now: new Date() }).filter((n) => n.includes('decides no reach verdict'))).toEqual([]);
  });

  // Cilium's `enable-policy: never`: "Policy enforcement is disabled on all endpoints, even if
  // rules select specific endpoints" (https://docs.cilium.io/en/stable/security/policy/intro/,
  // "Policy Enforcement Modes"). No NetworkPolicy or Cilium policy is enforced, read or not.
  it("Cilium with enforcement off (enable-policy: never): NetworkPolicies and Cilium policies not read decide nothing, so the answer is ALLOWED", () => {
    const cluster = (mode: string) => {
      const s = snap(ns('a') + ns('b') + pod('a', 'client', { app: 'client' }) + pod('b', 'server', { app: 'server' }, [{ name: 'http', containerPort: 8080 }])
        + daemonset('kube-system', 'cilium', 'quay.io/cilium/cilium:v1.16.3')
        + `---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cilium-config, namespace: kube-system}\ndata: {enable-policy: ${mode}}\n`);
      s.coverage.networkpolicies = { status: 'forbidden', detail: 'list networkpolicies.networking.k8s.io' };
      s.coverage['cilium.networkpolicies'] = { status: 'error', detail: 'ciliumnetworkpolicies.cilium.io is served at v3; not read (ztaudit reads v2)' };
      return s;
    };
    const never = reachCommandCore(cluster('never'), { from: 'a/client', to: 'b/server', port: '8080' });
    expect(never.exitCode).toBe(0);
    expect(never.output).toMatch(/^ALLOWED: /);
    const why = "Cilium's policy enforcement mode is 'never' (cilium-config enable-policy): no policy is enforced";
    expect(never.output).toContain(`note: NetworkPolicy (networkpolicies.networking.k8s.io) was not read (forbidden) and decides no reach verdict: ${why}`);
    expect(never.output).toContain(`note: CiliumNetworkPolicy (ciliumnetworkpolicies.cilium.io) was not read (error) and decides no reach verdict: ${why}`);
    expect(never.output).not.toContain('could not be read');
    expect(reachCommandCore(cluster('never'), { matrix: true }).output).not.toContain('note:');
    // Enforcement on (the default mode): the same unread kinds may decide the flow.
    const enforcing = reachCommandCore(cluster('default'), { from: 'a/client', to: 'b/server', port: '8080' });
    expect(enforcing.exitCode).toBe(2);
    expect(enforcing.output).toMatch(/^UNKNOWN: /);
    expect(enforcing.output).not.toContain('decides no reach verdict');
  });

  // The same cluster as the checks see it: a kind the CNI does not enforce decides no network
  // verdict, so the checks judging flows do not wait for it (checks/network/lib/policy-kinds.ts)
  // and the critical cni-not-enforcing finding shows; checks judging every policy, enforced or not
  // (invalid-policy, policy-selects-nothing), still wait. Cilium "Policy Enforcement Modes":
  // never, "Policy enforcement is disabled on all endpoints, even if rules select specific
  // endpoints" (https://docs.cilium.io/en/stable/security/policy/intro/).
  it('Cilium enable-policy never with Cilium and admin policies unread: the network checks are judged and cni-not-enforcing fails critical; the note does not call the kinds unneeded', () => {
    const cluster = (mode: string) => {
      const s = snap(ns('a') + ns('b') + pod('a', 'client', { app: 'client' }) + pod('b', 'server', { app: 'server' }, [{ name: 'http', containerPort: 8080 }])
        + daemonset('kube-system', 'cilium', 'quay.io/cilium/cilium:v1.16.3')
        + `---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cilium-config, namespace: kube-system}\ndata: {enable-policy: ${mode}}\n`
        + '---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny-all, namespace: b}\nspec: {podSelector: {}, policyTypes: [Ingress]}\n');
      s.coverage['anp.adminnetworkpolicies'] = { status: 'forbidden', detail: 'list adminnetworkpolicies' };
      s.coverage['cilium.networkpolicies'] = { status: 'forbidden', detail: 'list ciliumnetworkpolicies.cilium.io' };
      return s;
    };
    const run = (mode: string) => new Map(runChecks(networkChecks, { snapshot: cluster(mode), config: defaultConfig(), now: new Date() }).map((o) => [o.check.id, o]));
    const never = run('never');
    const cni = never.get('network.cni-not-enforcing')!;
    expect(cni.status).toBe('fail');
    expect(cni.results.filter((r) => r.status === 'fail').map((r) => `${r.severity} ${r.message}`)).toEqual([
      "critical 1 NetworkPolicies have no effect: Cilium's policy enforcement mode is 'never' (cilium-config enable-policy): no policy is enforced",
      "low AdminNetworkPolicy (adminnetworkpolicies.policy.networking.k8s.io) (forbidden) could not be read; this changes no reachability verdict, as Cilium's policy enforcement mode is 'never' (cilium-config enable-policy): no policy is enforced: any such policies would have no effect, but whether some exist is not known (network.invalid-policy and network.policy-selects-nothing, which judge every policy, enforced or not, are not evaluated until it can be read)",
      "low CiliumNetworkPolicy (ciliumnetworkpolicies.cilium.io) (forbidden) could not be read; this changes no reachability verdict, as Cilium's policy enforcement mode is 'never' (cilium-config enable-policy): no policy is enforced: any such policies would have no effect, but whether some exist is not known (network.invalid-policy and network.policy-selects-nothing, which judge every policy, enforced or not, are not evaluated until it can be read)",
    ]);
    for (const id of ['network.namespace-default-deny-ingress', 'network.allow-all-ingress', 'network.unrestricted-egress', 'network.exposed-workload']) expect(never.get(id)!.status, id).not.toBe('not-evaluated');
    // Enforcement off: namespace b's deny-all NetworkPolicy isolates nothing.
    expect(never.get('network.namespace-default-deny-ingress')!.results.find((r) => r.resource.name === 'b')?.status).toBe('fail');
    for (const id of ['network.invalid-policy', 'network.policy-selects-nothing']) expect(never.get(id)!.reason, id).toContain('anp.adminnetworkpolicies: forbidden');
    expect(runNotes({ snapshot: cluster('never'), config: defaultConfig(), now: new Date() }).filter((n) => n.includes('not needed'))).toEqual([]);
    // Enforcement on: the same unread kinds may decide a flow, and the checks wait for them.
    const enforcing = run('default');
    expect(enforcing.get('network.namespace-default-deny-ingress')!.status).toBe('not-evaluated');
    expect(enforcing.get('network.namespace-default-deny-ingress')!.reason).toContain('cilium.networkpolicies: forbidden (list ciliumnetworkpolicies.cilium.io) for Cilium policies, which the CNI may enforce');
  });

  // Cilium does not implement AdminNetworkPolicy (it is not among the implementations listed by
  // kubernetes-sigs/network-policy-api, site-src/implementations.md): read, its policies are a high
  // finding (they have no effect); unread, they could change no reachability verdict, so they are a
  // low note under the same fingerprint (a diff does not call the decorative policies resolved). The
  // note does not claim more: invalid-policy and policy-selects-nothing, which judge every policy
  // enforced or not, are not evaluated in the same run for that kind, and the note names them.
  it('Cilium enforcing NetworkPolicy with AdminNetworkPolicies unread: cni-not-enforcing passes NetworkPolicy and adds a low note that changes no reachability verdict, naming the checks that still wait for the kind', () => {
    const cilium = daemonset('kube-system', 'cilium', 'quay.io/cilium/cilium:v1.16.3');
    const outcome = (s: ReturnType<typeof snap>) => runChecks([cniNotEnforcing], { snapshot: s, config: defaultConfig(), now: new Date() })[0];
    const read = outcome(snap(cluster + anpDeny + cilium));
    const seen = read.results.filter((r) => r.status === 'fail');
    expect(seen.map((r) => `${r.severity} ${r.message}`)).toEqual(['high 1 AdminNetworkPolicy object(s) have no effect: cilium does not implement AdminNetworkPolicy']);
    const refused = snap(cluster + cilium);
    refused.coverage['anp.adminnetworkpolicies'] = { status: 'forbidden', detail: 'list adminnetworkpolicies.policy.networking.k8s.io' };
    const unread = outcome(refused);
    expect(unread.results.filter((r) => r.status === 'pass')).toHaveLength(1); // NetworkPolicy is enforced by cilium
    const notes = unread.results.filter((r) => r.status === 'fail');
    expect(notes.map((r) => `${r.severity} ${r.message}`)).toEqual([
      'low AdminNetworkPolicy (adminnetworkpolicies.policy.networking.k8s.io) (forbidden) could not be read; this changes no reachability verdict, as cilium does not implement AdminNetworkPolicy: any such policies would have no effect, but whether some exist is not known (network.invalid-policy and network.policy-selects-nothing, which judge every policy, enforced or not, are not evaluated until it can be read)',
    ]);
    expect(notes[0].fingerprint).toBe(seen[0].fingerprint);
    // The same run: exactly the checks the note names wait for the kind; the flow checks do not.
    const waiting = runChecks(networkChecks, { snapshot: refused, config: defaultConfig(), now: new Date() }).filter((o) => o.status === 'not-evaluated');
    expect(waiting.map((o) => `${o.check.id}: ${o.reason}`).sort()).toEqual([
      'network.invalid-policy: needs anp.adminnetworkpolicies: forbidden (list adminnetworkpolicies.policy.networking.k8s.io)',
      'network.policy-selects-nothing: needs anp.adminnetworkpolicies: forbidden (list adminnetworkpolicies.policy.networking.k8s.io)',
    ]);
  });

  it('a kind that is absent (CRD not installed) holds no policies: the answer stands', () => {
    const s = withCoverage('cilium.networkpolicies', { status: 'absent' });
    const out = reachCommandCore(s, { from: 'a/client', to: 'b/server', port: '8080' });
    expect(out.exitCode).toBe(0);
    expect(out.output).toMatch(/^ALLOWED: /);
  });

  it('the matrix opens with a note in text and warns on stderr in JSON and CSV, whose shape stays', () => {
    const s = withCoverage('anp.clusternetworkpolicies', { status: 'forbidden', detail: 'list clusternetworkpolicies.policy.networking.k8s.io' });
    const text = reachCommandCore(s, { matrix: true });
    expect(text.output.split('\n')[0]).toBe("note: every row is the model's reading, not a verdict: ClusterNetworkPolicy (clusternetworkpolicies.policy.networking.k8s.io) could not be read (forbidden: list clusternetworkpolicies.policy.networking.k8s.io): its policies may decide this, and the model cannot vouch for what it did not read");
    const json = reachCommandCore(s, { matrix: true, output: 'json' });
    expect(Array.isArray(JSON.parse(json.output))).toBe(true);
    expect(json.warnings).toEqual([text.output.split('\n')[0].slice('note: '.length)]);
    expect(reachCommandCore(snap(yaml), { matrix: true }).output).not.toContain('note:');
  });

  it('ztaudit reach on such a snapshot file: one flow exits 2; the JSON matrix stays an array and stderr warns', async () => {
    const s = withCoverage('anp.clusternetworkpolicies', { status: 'forbidden', detail: 'list clusternetworkpolicies.policy.networking.k8s.io' });
    const dir = mkdtempSync(join(tmpdir(), 'ztaudit-unread-'));
    writeFileSync(join(dir, 'snap.json.gz'), gzipSync(JSON.stringify(s)));
    const cli = async (...args: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      const io: CliIO = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env: {}, isTTY: false, cwd: dir };
      return { code: await main(['reach', '--snapshot', join(dir, 'snap.json.gz'), ...args], io), out: out.join(''), err: err.join('') };
    };
    const flow = await cli('--from', 'a/client', '--to', 'b/server', '--port', '8080');
    expect(flow.code).toBe(2);
    expect(flow.out).toMatch(/^UNKNOWN: /);
    const matrix = await cli('--matrix', '-o', 'json');
    expect(matrix.code).toBe(0);
    expect(Array.isArray(JSON.parse(matrix.out))).toBe(true);
    expect(matrix.err).toBe("ztaudit reach: warning: every row is the model's reading, not a verdict: ClusterNetworkPolicy (clusternetworkpolicies.policy.networking.k8s.io) could not be read (forbidden: list clusternetworkpolicies.policy.networking.k8s.io): its policies may decide this, and the model cannot vouch for what it did not read\n");
  });
});
