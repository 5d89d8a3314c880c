// Which network plugin enforces NetworkPolicy when its own switch or build decides it: the Amazon
// VPC CNI's node agent, kube-router's --run-firewall, Kube-OVN's --enable-np and kind's kindnetd
// by its build date; and the managed clouds' own CNIs (GKE's netd, AKS's Azure CNI), which enforce
// nothing without a policy engine beside them. A policy that nothing enforces must not make a flow DENIED nor a check pass;
// a switch that cannot be read is said to be unconfirmed, never guessed.
import { describe, expect, it } from 'vitest';
import { cniNotEnforcing } from '../../../checks/network/cni-not-enforcing.ts';
import { intentViolation } from '../../../checks/network/intent-violation.ts';
import { namespaceDefaultDenyIngress } from '../../../checks/network/namespace-default-deny-ingress.ts';
import { buildReachability } from '../../../src/analysis/netpol/model.ts';
import { queryReach } from '../../../src/analysis/netpol/query.ts';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { ctxOf, pod, policy, snap } from './helpers.ts';

/** A DaemonSet or Deployment with the given containers (YAML flow maps). */
const workload = (kind: string, namespace: string, name: string, containers: string[]) => `---
apiVersion: apps/v1
kind: ${kind}
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      hostNetwork: true
      containers: [${containers.join(', ')}]
`;

// shop/db isolated by a default-deny ingress policy; other/client is not allowed in.
const APPS = pod('shop', 'db', { app: 'db' }) + pod('other', 'client', { app: 'client' }) + policy('shop', 'default-deny', '{podSelector: {}, policyTypes: [Ingress]}');
const INTENT = { intent: { deny: [{ name: 'other-never-shop', from: { namespace: 'other' }, to: { namespace: 'shop' }, ports: [5432] }] } };

/** What a user sees for other/client -> shop/db:5432: reach, cni-not-enforcing, default-deny for shop, the intent. */
function seen(cni: string) {
  const yaml = cni + APPS;
  const answer = queryReach(buildReachability(snap(yaml)), 'other/client', 'shop/db', 5432);
  const cniVerdicts = [...cniNotEnforcing.evaluate(ctxOf(yaml))];
  const shop = [...namespaceDefaultDenyIngress.evaluate(ctxOf(yaml))].filter((v) => v.resource.name === 'shop');
  const [intent] = [...intentViolation.evaluate(ctxOf(yaml, INTENT))];
  return {
    reach: answer.undetermined?.length ? 'unknown' : answer.allowed ? 'allowed' : 'denied',
    notes: answer.notes.join('\n'),
    cni: cniVerdicts.map((v) => [v.status, v.severity ?? cniNotEnforcing.severity, v.message] as const),
    shopDefaultDeny: shop.map((v) => v.status),
    shopDefaultDenyFull: shop.map((v) => [v.status, v.severity ?? namespaceDefaultDenyIngress.severity, v.message] as const),
    intent: intent.status,
    reachOutput: reachCommandCore(snap(yaml), { from: 'other/client', to: 'shop/db', port: '5432' }).output,
  };
}

/** The verdicts when NetworkPolicy is not enforced: the flow is open, and every check says so. */
function expectNotEnforced(s: ReturnType<typeof seen>, why: RegExp) {
  expect(s.reach).toBe('allowed');
  expect(s.reachOutput).toMatch(/^ALLOWED: /);
  expect(s.cni).toHaveLength(1);
  expect(s.cni[0][0]).toBe('fail');
  expect(s.cni[0][1]).toBe('critical');
  expect(s.cni[0][2]).toMatch(why);
  expect(s.cni[0][2]).toMatch(/1 NetworkPolicies have no effect/);
  expect(s.shopDefaultDeny).toEqual(['fail']);
  expect(s.intent).toBe('fail');
}

/** The verdicts when it is enforced: the default-deny isolates shop. */
function expectEnforced(s: ReturnType<typeof seen>) {
  expect(s.reach).toBe('denied');
  expect(s.cni.map((v) => v[0])).toEqual(['pass']);
  expect(s.shopDefaultDeny).toEqual(['pass']);
  expect(s.intent).toBe('pass');
}

/** Enforcement that cannot be confirmed: reach is UNKNOWN, cni-not-enforcing a medium finding, never a pass. */
function expectUnconfirmed(s: ReturnType<typeof seen>, why: RegExp) {
  expect(s.reach).toBe('unknown');
  expect(s.reachOutput).toMatch(/^UNKNOWN/);
  expect(s.cni).toHaveLength(1);
  expect(s.cni[0][0]).toBe('fail');
  expect(s.cni[0][1]).toBe('medium');
  expect(s.cni[0][2]).toMatch(/cannot be confirmed/);
  expect(s.cni[0][2]).toMatch(why);
  expect(s.intent).toBe('fail');
  // shop's isolation rests only on the NetworkPolicy whose enforcement is in doubt: the
  // default-deny check says it cannot be confirmed, as it does under an Antrea-native policy.
  expect(s.shopDefaultDenyFull).toHaveLength(1);
  expect(s.shopDefaultDenyFull[0][0]).toBe('fail');
  expect(s.shopDefaultDenyFull[0][1]).toBe('medium');
  expect(s.shopDefaultDenyFull[0][2]).toMatch(/^whether 1 workload\(s\) in namespace shop are isolated for ingress cannot be confirmed: their isolation rests on NetworkPolicy policies, and whether the CNI enforces NetworkPolicy cannot be confirmed/);
  expect(s.shopDefaultDenyFull[0][2]).toMatch(why);
}

// The Amazon VPC CNI enforces NetworkPolicy through the aws-eks-nodeagent container of aws-node
// (VPC CNI v1.14 and later), and only with --enable-network-policy=true: the flag defaults to
// false (aws/aws-network-policy-agent pkg/config/controller_config.go, BindFlags), and the EKS
// User Guide, "Configure your cluster for Kubernetes network policies"
// (docs.aws.amazon.com/eks/latest/userguide/cni-network-policy.html), has users set
// enableNetworkPolicy "true" on the add-on or replace --enable-network-policy=false with true;
// "If you have version 1.13 or earlier ... you need to implement a third party solution".
describe('Amazon VPC CNI (aws-node)', () => {
  const cniC = '{name: aws-node, image: "602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.19.2-eksbuild.1"}';
  const agent = (args: string, env = '') => `{name: aws-eks-nodeagent, image: "602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon/aws-network-policy-agent:v1.1.6-eksbuild.1", args: [${args}]${env ? `, env: [${env}]` : ''}}`;
  const awsNode = (...containers: string[]) => workload('DaemonSet', 'kube-system', 'aws-node', containers);

  it('with the node agent set --enable-network-policy=false (the add-on default), NetworkPolicies have no effect', () => {
    expectNotEnforced(seen(awsNode(cniC, agent('--enable-ipv6=false, --enable-network-policy=false'))), /--enable-network-policy=false/);
  });
  it('with the flag left out, the agent default (false) applies', () => {
    expectNotEnforced(seen(awsNode(cniC, agent('--enable-ipv6=false'))), /does not set --enable-network-policy, which defaults to false/);
  });
  it('without the node agent container (VPC CNI before v1.14), nothing is enforced', () => {
    expectNotEnforced(seen(awsNode(cniC)), /runs no network policy agent/);
  });
  it('with --enable-network-policy=true, NetworkPolicy is enforced', () => {
    expectEnforced(seen(awsNode(cniC, agent('--enable-network-policy=true'))));
  });
  it('Calico beside an aws-node without policy (Calico on EKS) enforces', () => {
    expectEnforced(seen(awsNode(cniC, agent('--enable-network-policy=false')) + workload('DaemonSet', 'kube-system', 'calico-node', ['{name: calico-node, image: "quay.io/calico/node:v3.29.0"}'])));
  });
  it('a switch set from an environment variable cannot be confirmed', () => {
    expectUnconfirmed(seen(awsNode(cniC, agent('"--enable-network-policy=$(ENABLE_NP)"'))), /from an environment variable/);
  });
  // The kubelet expands $(VAR) in args from the container's env before running it, and $$ escapes
  // (kubernetes.io/docs/tasks/inject-data-application/define-interdependent-environment-variables/).
  describe('a switch given as $(VAR) is read as the kubelet expands it', () => {
    const np = '"--enable-network-policy=$(ENABLE_NP)"';
    it('env ENABLE_NP: "true" (a value written in the spec): enforced', () => {
      expectEnforced(seen(awsNode(cniC, agent(np, '{name: ENABLE_NP, value: "true"}'))));
    });
    it('env ENABLE_NP: "false": NetworkPolicies have no effect, and the message shows the argument as written', () => {
      expectNotEnforced(seen(awsNode(cniC, agent(np, '{name: ENABLE_NP, value: "false"}'))), /runs with --enable-network-policy=false \("--enable-network-policy=\$\(ENABLE_NP\)", expanded from its env\)/);
    });
    it('a value built from an earlier variable, and the last entry of a name, count', () => {
      expectEnforced(seen(awsNode(cniC, agent(np, '{name: ON, value: "true"}, {name: ENABLE_NP, value: "false"}, {name: ENABLE_NP, value: "$(ON)"}'))));
    });
    it('a variable set from valueFrom, or built from one, cannot be confirmed', () => {
      const fromCm = '{name: ENABLE_NP, valueFrom: {configMapKeyRef: {name: amazon-vpc-cni, key: enable-network-policy-controller}}}';
      expectUnconfirmed(seen(awsNode(cniC, agent(np, fromCm))), /its env does not write out a value for "ENABLE_NP"/);
      expectUnconfirmed(seen(awsNode(cniC, agent(np, `{name: ENABLE_NP, value: "true"}, ${fromCm}`))), /its env does not write out a value for "ENABLE_NP"/);
      expectUnconfirmed(seen(awsNode(cniC, agent(np, '{name: ENABLE_NP, value: "$(FROM_ENVFROM)"}'))), /its env does not write out a value for "ENABLE_NP"/);
    });
    // With no NetworkPolicy yet nothing rests on the switch, so the check still passes (as it gives
    // nothing for an admin API with no object, docs/network-model.md), but it was "NetworkPolicy is
    // enforced by aws-vpc-cni": a claim the switch does not show.
    it('with no NetworkPolicy yet, a switch from valueFrom still passes, saying enforcement cannot be confirmed rather than claiming it', () => {
      const fromCm = '{name: ENABLE_NP, valueFrom: {configMapKeyRef: {name: amazon-vpc-cni, key: enable-network-policy-controller}}}';
      const yaml = awsNode(cniC, agent(np, fromCm)) + pod('shop', 'db', { app: 'db' });
      const verdicts = [...cniNotEnforcing.evaluate(ctxOf(yaml))];
      expect(verdicts.map((v) => v.status)).toEqual(['pass']);
      expect(verdicts[0].message).not.toMatch(/NetworkPolicy is enforced/);
      expect(verdicts[0].message).toMatch(/^whether the CNI enforces NetworkPolicy cannot be confirmed \(the network policy agent of DaemonSet kube-system\/aws-node sets --enable-network-policy from an environment variable .*its env does not write out a value for "ENABLE_NP"\); no NetworkPolicy exists yet, so no verdict rests on it; whether the CNI enforces ClusterNetworkPolicy cannot be confirmed \(/);
      const confirmed = [...cniNotEnforcing.evaluate(ctxOf(awsNode(cniC, agent('--enable-network-policy=true')) + pod('shop', 'db', { app: 'db' })))];
      expect(confirmed.map((v) => [v.status, v.message.split(';')[0]])).toEqual([['pass', 'NetworkPolicy is enforced by aws-vpc-cni']]);
    });
    it('$$(VAR) is the literal text, which the flag parser refuses: cannot be confirmed', () => {
      expectUnconfirmed(seen(awsNode(cniC, agent('"--enable-network-policy=$$(ENABLE_NP)"', '{name: ENABLE_NP, value: "true"}'))), /passes --enable-network-policy="\$\(ENABLE_NP\)", which its flag parser refuses/);
    });
  });
  it('aws-node-termination-handler is not the VPC CNI: with nothing else recognised, the policies are evaluated as before', () => {
    const nth = workload('DaemonSet', 'kube-system', 'aws-node-termination-handler', ['{name: aws-node-termination-handler, image: "public.ecr.aws/aws-ec2/aws-node-termination-handler:v1.22.0"}']);
    const s = seen(nth);
    expect(s.reach).toBe('denied');
    expect(s.cni).toEqual([]);
  });
});

// kube-router: --run-firewall "Enables Network Policy", default true (cloudnativelabs/kube-router
// pkg/options/options.go, v2.4.1: fs.BoolVar(&s.RunFirewall, "run-firewall", ...)).
describe('kube-router --run-firewall', () => {
  const kr = (args: string) => workload('DaemonSet', 'kube-system', 'kube-router', [`{name: kube-router, image: "docker.io/cloudnativelabs/kube-router:v2.4.1", args: [${args}]}`]);
  it('--run-firewall=false: NetworkPolicies have no effect', () => {
    expectNotEnforced(seen(kr('"--run-router=true", "--run-firewall=false"')), /runs with --run-firewall=false/);
  });
  it('left out (default true) or true: enforced', () => {
    expectEnforced(seen(kr('"--run-router=true"')));
    expectEnforced(seen(kr('"--run-firewall=true"')));
  });
  it('a value from the environment cannot be confirmed', () => {
    expectUnconfirmed(seen(kr('"--run-firewall=$(FIREWALL)"')), /--run-firewall/);
  });
  it('a value from the env the container writes is read: FIREWALL "false" enforces nothing', () => {
    const krEnv = (env: string) => workload('DaemonSet', 'kube-system', 'kube-router', [`{name: kube-router, image: "docker.io/cloudnativelabs/kube-router:v2.4.1", args: ["--run-firewall=$(FIREWALL)"], env: [${env}]}`]);
    expectNotEnforced(seen(krEnv('{name: FIREWALL, value: "false"}')), /runs with --run-firewall=false/);
    expectEnforced(seen(krEnv('{name: FIREWALL, value: "true"}')));
  });
});

// Kube-OVN: kube-ovn-controller's --enable-np, default true (kubeovn/kube-ovn pkg/controller/config.go:
// pflag.Bool("enable-np", true, "Enable network policy support")); its NetworkPolicy handlers
// are gated by c.config.EnableNP.
describe('Kube-OVN --enable-np', () => {
  const ovn = (args: string) => workload('DaemonSet', 'kube-system', 'kube-ovn-cni', ['{name: cni-server, image: "docker.io/kubeovn/kube-ovn:v1.14.4", command: [/kube-ovn/start-cniserver.sh]}'])
    + workload('Deployment', 'kube-system', 'kube-ovn-controller', [`{name: kube-ovn-controller, image: "docker.io/kubeovn/kube-ovn:v1.14.4", args: [/kube-ovn/start-controller.sh, ${args}]}`]);
  it('--enable-np=false on the controller: NetworkPolicies have no effect', () => {
    expectNotEnforced(seen(ovn('--enable-np=false, --enable-lb=true')), /kube-ovn-controller .* runs with --enable-np=false/);
  });
  it('left out (default true): enforced', () => {
    expectEnforced(seen(ovn('--enable-lb=true')));
  });
});

// Kube-OVN's admin policies: kube-ovn-controller's --enable-anp, "Enable support for admin network
// policy and baseline admin network policy", default false (kubeovn/kube-ovn pkg/controller/config.go,
// v1.13.0 to v1.16.2); pkg/controller/controller.go registers the AdminNetworkPolicy,
// BaselineAdminNetworkPolicy and ClusterNetworkPolicy informers and workers only under
// config.EnableANP. The chart and install.sh pass --enable-anp=false unless ENABLE_ANP is set.
describe('Kube-OVN --enable-anp', () => {
  const cniDs = workload('DaemonSet', 'kube-system', 'kube-ovn-cni', ['{name: cni-server, image: "docker.io/kubeovn/kube-ovn:v1.14.4", command: [/kube-ovn/start-cniserver.sh]}']);
  const controller = (args: string, env = '', image = 'docker.io/kubeovn/kube-ovn:v1.14.4') => workload('Deployment', 'kube-system', 'kube-ovn-controller', [`{name: kube-ovn-controller, image: "${image}", args: [/kube-ovn/start-controller.sh, ${args}]${env ? `, env: [${env}]` : ''}}`]);
  const anp = '---\napiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: deny-other}\nspec: {priority: 1, subject: {namespaces: {}}, ingress: [{action: Deny, from: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: other}}}]}]}\n';
  const cnp = '---\napiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata: {name: deny-other}\nspec: {tier: Admin, priority: 1, subject: {namespaces: {}}, ingress: [{action: Deny, from: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: other}}}]}]}\n';
  const apps = pod('shop', 'db', { app: 'db' }) + pod('other', 'client', { app: 'client' });
  const judge = (yaml: string) => {
    const answer = queryReach(buildReachability(snap(yaml)), 'other/client', 'shop/db', 5432);
    return {
      reach: answer.undetermined?.length ? 'unknown' : answer.allowed ? 'allowed' : 'denied',
      notes: answer.notes.join('\n'),
      cni: [...cniNotEnforcing.evaluate(ctxOf(yaml))].map((v) => [v.status, v.severity ?? cniNotEnforcing.severity, v.message] as const),
    };
  };

  it('left out (default false): the AdminNetworkPolicy has no effect, and cni-not-enforcing says why', () => {
    const j = judge(cniDs + controller('--enable-np=true') + apps + anp);
    expect(j.reach).toBe('allowed');
    expect(j.cni.map((v) => [v[0], v[1]])).toEqual([['pass', 'critical'], ['fail', 'high']]);
    expect(j.cni[1][2]).toMatch(/^1 AdminNetworkPolicy object\(s\) have no effect: kube-ovn-controller \(Deployment kube-system\/kube-ovn-controller\) does not set --enable-anp, which defaults to false/);
  });
  it('--enable-anp=false, as the chart passes it: the same', () => {
    const j = judge(cniDs + controller('--enable-anp=false') + apps + anp);
    expect(j.reach).toBe('allowed');
    expect(j.cni[1][2]).toMatch(/runs with --enable-anp=false/);
  });
  it('ClusterNetworkPolicy is switched by the same flag', () => {
    const v115 = 'docker.io/kubeovn/kube-ovn:v1.15.0';
    expect(judge(cniDs + controller('--enable-anp=false', '', v115) + apps + cnp).reach).toBe('allowed');
    expect(judge(cniDs + controller('--enable-anp=true', '', v115) + apps + cnp).reach).toBe('denied');
  });
  // kubeovn/kube-ovn: pkg/controller/cluster_network_policy.go and the v1alpha2 ClusterNetworkPolicy
  // informer of pkg/controller/controller.go enter at v1.15.0 (#5921, "Add support for
  // ClusterNetworkPolicies"); no file of v1.14.41's pkg/ names ClusterNetworkPolicy.
  describe('ClusterNetworkPolicy by the kube-ovn-controller image release (from v1.15.0)', () => {
    it('v1.14.4 with --enable-anp=true: the ClusterNetworkPolicy has no effect and cni-not-enforcing names the release; the AdminNetworkPolicy still denies', () => {
      const j = judge(cniDs + controller('--enable-anp=true') + apps + cnp);
      expect(j.reach).toBe('allowed');
      expect(j.cni.map((v) => [v[0], v[1]])).toEqual([['pass', 'critical'], ['fail', 'high']]);
      expect(j.cni[1][2]).toMatch(/^1 ClusterNetworkPolicy object\(s\) have no effect: kube-ovn-controller \(Deployment kube-system\/kube-ovn-controller\) runs Kube-OVN v1\.14\.4, which does not implement ClusterNetworkPolicy \(Kube-OVN enforces it from v1\.15\.0\)/);
      expect(judge(cniDs + controller('--enable-anp=true') + apps + anp).reach).toBe('denied');
    });
    it('v1.15.0 and a mirrored v1.16.2 with --enable-anp=true: it denies', () => {
      expect(judge(cniDs + controller('--enable-anp=true', '', 'docker.io/kubeovn/kube-ovn:v1.15.0') + apps + cnp).reach).toBe('denied');
      expect(judge(cniDs + controller('--enable-anp=true', '', 'registry.example.com/mirror/kube-ovn:v1.16.2@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef') + apps + cnp).reach).toBe('denied');
    });
    it('an image whose tag names no release (latest, a digest alone): the denial cannot be confirmed (UNKNOWN)', () => {
      for (const image of ['docker.io/kubeovn/kube-ovn:latest', 'docker.io/kubeovn/kube-ovn@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef']) {
        const j = judge(cniDs + controller('--enable-anp=true', '', image) + apps + cnp);
        expect(j.reach).toBe('unknown');
        expect(j.notes).toContain(`whether the CNI enforces ClusterNetworkPolicy cannot be confirmed (kube-ovn-controller (Deployment kube-system/kube-ovn-controller) runs ${JSON.stringify(image)}, which names no Kube-OVN release: Kube-OVN enforces ClusterNetworkPolicy from v1.15.0 and not before`);
      }
    });
  });
  it('--enable-anp=true: the AdminNetworkPolicy denies, and cni-not-enforcing passes alone', () => {
    const j = judge(cniDs + controller('--enable-anp=true') + apps + anp);
    expect(j.reach).toBe('denied');
    expect(j.cni.map((v) => v[0])).toEqual(['pass']);
  });
  it('--enable-anp from a variable the env does not write out: the denial cannot be vouched for (UNKNOWN); written out "true", it denies', () => {
    const unknown = judge(cniDs + controller('"--enable-anp=$(ENABLE_ANP)"') + apps + anp);
    expect(unknown.reach).toBe('unknown');
    expect(unknown.notes).toMatch(/whether the CNI enforces AdminNetworkPolicy cannot be confirmed \(kube-ovn-controller .* sets --enable-anp from an environment variable/);
    expect(judge(cniDs + controller('"--enable-anp=$(ENABLE_ANP)"', '{name: ENABLE_ANP, value: "true"}') + apps + anp).reach).toBe('denied');
  });
  it('no kube-ovn-controller in the snapshot to show the flag: the denial cannot be vouched for', () => {
    const j = judge(cniDs + apps + anp);
    expect(j.reach).toBe('unknown');
    expect(j.notes).toMatch(/whether the CNI enforces AdminNetworkPolicy cannot be confirmed \(no kube-ovn-controller was found to show --enable-anp, which defaults to false\)/);
  });
  // The check says of an admin API what it says of NetworkPolicy (its medium "cannot be confirmed"),
  // where reach answers UNKNOWN on it: was no finding at all, a lone pass.
  it('cni-not-enforcing gives its medium "cannot be confirmed" for each admin API whose objects exist and whose enforcement is unconfirmed, naming the API and why; none where no such object exists', () => {
    const fromVar = judge(cniDs + controller('"--enable-anp=$(ENABLE_ANP)"') + apps + anp);
    expect(fromVar.cni.map((v) => [v[0], v[1]])).toEqual([['pass', 'critical'], ['fail', 'medium']]);
    expect(fromVar.cni[1][2]).toBe('whether the CNI enforces AdminNetworkPolicy cannot be confirmed: kube-ovn-controller (Deployment kube-system/kube-ovn-controller) sets --enable-anp from an environment variable ("--enable-anp=$(ENABLE_ANP)") whose value is not read: its env does not write out a value for "ENABLE_ANP"; 1 AdminNetworkPolicy object(s) are evaluated as enforced, and the network verdicts resting on them are not vouched for');
    const noController = judge(cniDs + apps + anp);
    expect(noController.cni.map((v) => [v[0], v[1]])).toEqual([['pass', 'critical'], ['fail', 'medium']]);
    expect(noController.cni[1][2]).toMatch(/^whether the CNI enforces AdminNetworkPolicy cannot be confirmed: no kube-ovn-controller was found to show --enable-anp, which defaults to false; 1 AdminNetworkPolicy object/);
    const latest = judge(cniDs + controller('--enable-anp=true', '', 'docker.io/kubeovn/kube-ovn:latest') + apps + cnp);
    expect(latest.cni.map((v) => [v[0], v[1]])).toEqual([['pass', 'critical'], ['fail', 'medium']]);
    expect(latest.cni[1][2]).toMatch(/^whether the CNI enforces ClusterNetworkPolicy cannot be confirmed: kube-ovn-controller \(Deployment kube-system\/kube-ovn-controller\) runs "docker\.io\/kubeovn\/kube-ovn:latest", which names no Kube-OVN release/);
    // The same doubt with no admin policy in the cluster: nothing to say.
    expect(judge(cniDs + controller('"--enable-anp=$(ENABLE_ANP)"') + apps).cni.map((v) => v[0])).toEqual(['pass']);
    // That pass claims NetworkPolicy only, and says the admin APIs' enforcement cannot be confirmed.
    expect(judge(cniDs + controller('"--enable-anp=$(ENABLE_ANP)"') + apps).cni[0][2]).toBe('NetworkPolicy is enforced by kube-ovn; whether the CNI enforces AdminNetworkPolicy cannot be confirmed (kube-ovn-controller (Deployment kube-system/kube-ovn-controller) sets --enable-anp from an environment variable ("--enable-anp=$(ENABLE_ANP)") whose value is not read: its env does not write out a value for "ENABLE_ANP"); no AdminNetworkPolicy exists yet, so no verdict rests on it; whether the CNI enforces BaselineAdminNetworkPolicy cannot be confirmed (kube-ovn-controller (Deployment kube-system/kube-ovn-controller) sets --enable-anp from an environment variable ("--enable-anp=$(ENABLE_ANP)") whose value is not read: its env does not write out a value for "ENABLE_ANP"); no BaselineAdminNetworkPolicy exists yet, so no verdict rests on it');
    expect(judge(cniDs + apps).cni.map((v) => v[0])).toEqual(['pass']);
  });
});

// kind's kindnetd enforces NetworkPolicy from kind v0.24.0, which pins
// docker.io/kindest/kindnetd:v20240813-c6f155d6 (kubernetes-sigs/kind
// pkg/build/nodeimage/const_cni.go at v0.24.0; images/kindnetd/cmd/kindnetd/main.go there starts the
// network policy controller unconditionally, kind#842); v0.23.0 pins v20240513-cd2ac642, whose
// main.go has none. kindnetd passes no AdminNetworkPolicy informer (nil at v0.24.0; only the
// standard NetworkPolicy evaluator at v0.32.0).
describe('kindnet', () => {
  const kindnet = (image: string) => workload('DaemonSet', 'kube-system', 'kindnet', [`{name: kindnet-cni, image: "${image}"}`]);
  it('kindnetd of kind v0.24.0 and later enforces NetworkPolicy', () => {
    expectEnforced(seen(kindnet('docker.io/kindest/kindnetd:v20260528-9350166c')));
    expectEnforced(seen(kindnet('docker.io/kindest/kindnetd:v20240813-c6f155d6')));
    expectEnforced(seen(kindnet('docker.io/kindest/kindnetd:v20251212-v0.29.0-alpha-105-g20ccfc88')));
  });
  it('kindnetd before kind v0.24.0 enforces nothing', () => {
    expectNotEnforced(seen(kindnet('docker.io/kindest/kindnetd:v20240513-cd2ac642')), /older than its v20240813 build/);
  });
  it('an image whose tag names no build date cannot be confirmed', () => {
    expectUnconfirmed(seen(kindnet('docker.io/kindest/kindnetd@sha256:' + 'a'.repeat(64))), /names no build date/);
    expectUnconfirmed(seen(kindnet('docker.io/kindest/kindnetd:latest')), /names no build date/);
  });
  it('AdminNetworkPolicy stays unenforced on kindnet', () => {
    const anp = '---\napiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: deny-other}\nspec: {priority: 1, subject: {namespaces: {}}, ingress: [{action: Deny, from: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: other}}}]}]}\n';
    const yaml = kindnet('docker.io/kindest/kindnetd:v20260528-9350166c') + pod('shop', 'db', { app: 'db' }) + pod('other', 'client', { app: 'client' }) + anp;
    expect(queryReach(buildReachability(snap(yaml)), 'other/client', 'shop/db', 5432).allowed).toBe(true);
    const v = [...cniNotEnforcing.evaluate(ctxOf(yaml))];
    expect(v.map((x) => [x.status, x.severity ?? 'critical'])).toEqual([['pass', 'critical'], ['fail', 'high']]);
    expect(v[1].message).toMatch(/AdminNetworkPolicy object\(s\) have no effect: kindnet does not implement AdminNetworkPolicy/);
  });
});

// Weave Net enforces NetworkPolicy through its Network Policy Controller, the weave-npc container
// of the weave-net DaemonSet (weaveworks/weave site/kubernetes/kube-addon.md, "Network Policy";
// "Changing Configuration Options": the cloud.weave.works option disable-npc, and EXPECT_NPC "set
// to 0 to disable Network Policy Controller"; the manifest prog/weave-kube/weave-daemonset-k8s.yaml
// runs the containers weave (weaveworks/weave-kube) and weave-npc (weaveworks/weave-npc)).
describe('Weave Net without weave-npc', () => {
  const router = '{name: weave, image: "docker.io/weaveworks/weave-kube:2.8.1", command: [/home/weave/launch.sh]}';
  const npc = '{name: weave-npc, image: "docker.io/weaveworks/weave-npc:2.8.1"}';
  const weave = (...containers: string[]) => workload('DaemonSet', 'kube-system', 'weave-net', containers);
  it('weave-kube with weave-npc enforces NetworkPolicy', () => {
    expectEnforced(seen(weave(router, npc)));
  });
  it('weave-kube alone (disable-npc) enforces nothing: NetworkPolicies have no effect', () => {
    expectNotEnforced(seen(weave(router)), /runs weave-kube without its weave-npc container/);
  });
  it('weave-npc in one object and a weave-kube without it in another cannot be confirmed cluster-wide', () => {
    const other = workload('DaemonSet', 'kube-system', 'weave-net-edge', [router]);
    expectUnconfirmed(seen(weave(router, npc) + other), /not enforced cluster-wide/);
  });
});

// GKE's netd (GoogleCloudPlatform/netd netd.yaml: the netd DaemonSet of kube-system, images
// netd-init and netd) writes the nodes' CNI config (the ptp plugin) and enforces no policy. GKE
// enforces NetworkPolicy only with network policy enforcement turned on, which runs Calico
// (calico-node), or with Dataplane V2 (anetd); "By default, all Pods within a cluster can
// communicate with each other freely" (cloud.google.com/kubernetes-engine/docs/how-to/network-policy).
describe("GKE's netd", () => {
  const netd = workload('DaemonSet', 'kube-system', 'netd', ['{name: netd, image: "gcr.io/google-containers/netd:latest", args: ["--enable-policy-routing=$(ENABLE_POLICY_ROUTING)"]}']);
  it('netd alone (network policy enforcement off): NetworkPolicies have no effect, and the finding says how GKE enforces them', () => {
    const s = seen(netd);
    expectNotEnforced(s, /the CNI \(gke-netd\) does not enforce NetworkPolicy \(GKE's netd \(DaemonSet kube-system\/netd\) configures pod networking and enforces no policy/);
    expect(s.cni[0][2]).toMatch(/calico-node/);
    expect(s.cni[0][2]).toMatch(/anetd/);
  });
  it('netd by its image alone (another name) is recognised too', () => {
    expectNotEnforced(seen(workload('DaemonSet', 'kube-system', 'gke-node-net', ['{name: netd, image: "gke.gcr.io/netd-amd64:v0.2.9-gke.0"}'])), /gke-netd/);
  });
  it("an application's Deployment called netd is not GKE's netd: with no CNI recognised the policies are evaluated as before", () => {
    const s = seen(workload('Deployment', 'apps', 'netd', ['{name: netd, image: "registry.example/team/netd-api:1.0"}']));
    expect(s.reach).toBe('denied');
    expect(s.cni).toEqual([]);
  });
  it('netd beside calico-node (GKE network policy enforcement on) enforces', () => {
    expectEnforced(seen(netd + workload('DaemonSet', 'kube-system', 'calico-node', ['{name: calico-node, image: "gke.gcr.io/calico/node:v3.29.3-gke.0"}'])));
  });
  it('netd beside anetd (Dataplane V2) enforces, as Cilium', () => {
    expectEnforced(seen(netd + workload('DaemonSet', 'kube-system', 'anetd', ['{name: cilium-agent, image: "gke.gcr.io/cilium/cilium:v1.15.7-gke.0"}'])));
  });
});

// AKS: Azure CNI gives pods their addresses (the azure-cns DaemonSet and its azure-cni installer,
// Azure/azure-container-networking cns/azure-cns.yaml and hack/manifests/cni-installer-v1.yaml) and
// enforces no policy: "All pods in an AKS cluster can send and receive traffic without
// limitations, by default"; NetworkPolicy needs a network policy engine, Azure Network Policy
// Manager (azure-npm), Calico or Cilium (learn.microsoft.com/azure/aks/use-network-policies;
// the cluster's networkPolicy "none": "Network policies will not be enforced").
describe('AKS Azure CNI', () => {
  const cns = workload('DaemonSet', 'kube-system', 'azure-cns', ['{name: cns-container, image: "mcr.microsoft.com/containernetworking/azure-cns:v1.6.13"}']);
  it('Azure CNI without a network policy engine: NetworkPolicies have no effect, and the finding names the engines', () => {
    const s = seen(cns);
    expectNotEnforced(s, /the CNI \(azure-cni\) does not enforce NetworkPolicy \(Azure CNI \(DaemonSet kube-system\/azure-cns\) gives pods their addresses and enforces no policy/);
    expect(s.cni[0][2]).toMatch(/azure-npm/);
  });
  it("the azure-cni installer DaemonSet alone is Azure CNI too", () => {
    expectNotEnforced(seen(workload('DaemonSet', 'kube-system', 'azure-cni', ['{name: azure-cni, image: "mcr.microsoft.com/containernetworking/azure-cni:v1.5.16"}'])), /azure-cni/);
  });
  it('with Azure Network Policy Manager (azure-npm) NetworkPolicy is enforced', () => {
    expectEnforced(seen(cns + workload('DaemonSet', 'kube-system', 'azure-npm', ['{name: azure-npm, image: "mcr.microsoft.com/containernetworking/azure-npm:v1.5.45"}'])));
  });
  it('Azure CNI Powered by Cilium (the cilium DaemonSet) enforces', () => {
    expectEnforced(seen(cns + workload('DaemonSet', 'kube-system', 'cilium', ['{name: cilium-agent, image: "mcr.microsoft.com/oss/cilium/cilium:1.17.3"}'])));
  });
  it('with Calico (calico-system/calico-node) NetworkPolicy is enforced', () => {
    expectEnforced(seen(cns + workload('DaemonSet', 'calico-system', 'calico-node', ['{name: calico-node, image: "mcr.microsoft.com/oss/calico/node:v3.29.2"}'])));
  });
});
