// The enforcement switches cilium-agent takes before cilium-config, as a user sees them: `reach`
// answers as the agent enforces, network.cni-not-enforcing names where the switch was set, and a
// value the snapshot does not show is a doubt, never a pass. Upstream, cilium/cilium v1.20.2:
// daemon/cmd/daemon_main.go (each switch a flag with option.BindEnv), pkg/option/config.go
// (getEnvName: CILIUM_ + the key upper-cased, '-' as '_'; InitConfig merges the config directory
// as viper's config layer), spf13/viper v1.21.0 find() (a changed flag, then the variable, then
// the config), pkg/option/resolver/resolver.go and cilium-dbg/cmd/build-config.go (the init
// container writes the directory from cilium-config and the matching CiliumNodeConfigs over it,
// later names winning), Documentation/configuration/per-node-config.rst ("A CiliumNodeConfig
// object allows for overriding ConfigMap / Agent arguments"; an empty selector selects all nodes).
import { describe, expect, it } from 'vitest';
import { cniNotEnforcing } from '../../../checks/network/cni-not-enforcing.ts';
import { namespaceDefaultDenyIngress } from '../../../checks/network/namespace-default-deny-ingress.ts';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { ctxOf, run, snap } from './helpers.ts';

const BUILD_CONFIG = `
      initContainers:
      - {name: config, image: quay.io/cilium/cilium:v1.20.2, command: [cilium-dbg, build-config]}`;

/** Cilium v1.20.2 with cilium-config `data`, the agent's `args` and `env`, a CiliumNetworkPolicy isolating every pod of shop, and `extra` objects. */
function scene({ data = 'enable-policy: default', args = '', env = '', init = '', extra = '' } = {}): string {
  return `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: cilium, namespace: kube-system}
spec:
  selector: {matchLabels: {k8s-app: cilium}}
  template:
    metadata: {labels: {k8s-app: cilium}}
    spec:${init}
      containers:
      - name: cilium-agent
        image: quay.io/cilium/cilium:v1.20.2
        command: [cilium-agent]
        args: [--config-dir=/tmp/cilium/config-map${args}]
        env: [{name: K8S_NODE_NAME, valueFrom: {fieldRef: {fieldPath: spec.nodeName}}}${env}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cilium-config, namespace: kube-system}
data: {${data}}
---
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {containers: [{name: c, image: nginx, ports: [{containerPort: 80}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: shop, labels: {app: client}}
spec: {containers: [{name: c, image: busybox}]}
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: lockdown, namespace: shop}
spec:
  endpointSelector: {}
  ingress: [{}]
${extra}`;
}

const nodeConfig = (name: string, selector: string, defaults: string, namespace = 'kube-system') => `---
apiVersion: cilium.io/v2
kind: CiliumNodeConfig
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  nodeSelector: ${selector}
  defaults: {${defaults}}
`;

const AGENT = 'cilium-agent (DaemonSet kube-system/cilium)';
const reach = (yaml: string) => {
  const r = reachCommandCore(snap(yaml), { from: 'shop/client', to: 'shop/web', port: '80' });
  return [r.output.split('\n')[0]!.split(':')[0], r.exitCode];
};
const fails = (yaml: string) => run(cniNotEnforcing, ctxOf(yaml)).filter((r) => r.status === 'fail').map((r) => `${r.severity ?? 'critical'} ${r.message}`);
const shopIsolated = (yaml: string) => run(namespaceDefaultDenyIngress, ctxOf(yaml)).find((v) => v.resource.name === 'shop')?.status;

describe('agent flags and variables over cilium-config', () => {
  it('the scene itself: cilium-config enable-policy default, the policy isolates shop/web', () => {
    expect(reach(scene())).toEqual(['DENIED', 1]);
    expect(fails(scene())).toEqual([]);
  });

  it.each([
    ['--enable-policy=never', ', --enable-policy=never'],
    ['--enable-policy never', ', --enable-policy, never'],
  ])('%s in the agent args beats cilium-config: nothing is enforced, and the finding names the flag', (_, args) => {
    const yaml = scene({ args });
    expect(reach(yaml)).toEqual(['ALLOWED', 0]);
    const why = `Cilium's policy enforcement mode is 'never' (${AGENT} runs with --enable-policy=never): no policy is enforced`;
    expect(fails(yaml)).toEqual([`critical no network policy is enforced: ${why}`, `high 1 CiliumNetworkPolicy object(s) have no effect: ${why}`]);
    expect(shopIsolated(yaml)).toBe('fail');
    expect(shopIsolated(scene())).toBe('pass');
  });

  it('CILIUM_POLICY_AUDIT_MODE=true in the agent env beats cilium-config, as policy-audit-mode in cilium-config does', () => {
    const yaml = scene({ env: ', {name: CILIUM_POLICY_AUDIT_MODE, value: "true"}' });
    expect(reach(yaml)).toEqual(['ALLOWED', 0]);
    const why = `Cilium runs in policy audit mode (${AGENT} has CILIUM_POLICY_AUDIT_MODE="true" in its env): it logs the verdicts of every policy and enforces none, allowing all traffic`;
    expect(fails(yaml)).toEqual([`critical no network policy is enforced: ${why}`, `high 1 CiliumNetworkPolicy object(s) have no effect: ${why}`]);
    expect(shopIsolated(yaml)).toBe('fail');
    // The same audit mode from cilium-config: the same verdicts.
    expect(reach(scene({ data: 'policy-audit-mode: "true"' }))).toEqual(['ALLOWED', 0]);
  });

  it('a flag beats the variable, and the variable beats cilium-config', () => {
    expect(reach(scene({ args: ', --policy-audit-mode=false', env: ', {name: CILIUM_POLICY_AUDIT_MODE, value: "true"}' }))).toEqual(['DENIED', 1]);
    expect(reach(scene({ data: 'policy-audit-mode: "true"', env: ', {name: CILIUM_POLICY_AUDIT_MODE, value: "false"}' }))).toEqual(['DENIED', 1]);
    // An empty variable is unset to viper: cilium-config decides.
    expect(reach(scene({ data: 'policy-audit-mode: "true"', env: ', {name: CILIUM_POLICY_AUDIT_MODE, value: ""}' }))).toEqual(['ALLOWED', 0]);
  });

  it('CILIUM_ENABLE_K8S_NETWORKPOLICY=false: NetworkPolicies are decorative, and the finding names the variable', () => {
    const np = `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: shop}
spec: {podSelector: {matchLabels: {app: client}}, policyTypes: [Ingress]}
`;
    const yaml = scene({ env: ', {name: CILIUM_ENABLE_K8S_NETWORKPOLICY, value: "false"}', extra: np });
    expect(fails(yaml)).toEqual([`critical 1 NetworkPolicies have no effect: ${AGENT} has CILIUM_ENABLE_K8S_NETWORKPOLICY="false" in its env: the Cilium agent does not watch NetworkPolicies`]);
  });

  it('a variable from a ConfigMap key is read when the ConfigMap is; otherwise the answer is unknown, never a pass', () => {
    const env = ', {name: CILIUM_POLICY_AUDIT_MODE, valueFrom: {configMapKeyRef: {name: agent-env, key: audit}}}';
    const cm = (v: string) => `---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: agent-env, namespace: kube-system}\ndata: {audit: "${v}"}\n`;
    expect(reach(scene({ env, extra: cm('true') }))).toEqual(['ALLOWED', 0]);
    expect(reach(scene({ env, extra: cm('false') }))).toEqual(['DENIED', 1]);
    const unread = scene({ env });
    expect(reach(unread)).toEqual(['UNKNOWN', 2]);
    expect(fails(unread)).toEqual([`medium whether the CNI enforces any policy cannot be confirmed: ${AGENT} sets CILIUM_POLICY_AUDIT_MODE from key "audit" of ConfigMap kube-system/agent-env, which was not read; 0 NetworkPolicies are evaluated as cilium-config says, and the network verdicts are not vouched for`]);
  });

  it('--enable-policy=$(MODE) from a Secret: unknown, never a pass', () => {
    const yaml = scene({ args: ', --enable-policy=$(MODE)', env: ', {name: MODE, valueFrom: {secretKeyRef: {name: s, key: k}}}' });
    expect(reach(yaml)).toEqual(['UNKNOWN', 2]);
    expect(fails(yaml)[0]).toMatch(/^medium whether the CNI enforces any policy cannot be confirmed: cilium-agent \(DaemonSet kube-system\/cilium\) sets --enable-policy from an environment variable/);
  });

  it('a flag the agent refuses (--policy-audit-mode=yes) stops it: unknown', () => {
    expect(reach(scene({ args: ', --policy-audit-mode=yes' }))).toEqual(['UNKNOWN', 2]);
  });
});

describe('CiliumNodeConfig', () => {
  const audit = (name: string, selector: string) => nodeConfig(name, selector, 'policy-audit-mode: "true"');

  it('for every node (nodeSelector {}), with build-config merging it: nothing is enforced, and the finding names it', () => {
    const yaml = scene({ init: BUILD_CONFIG, extra: audit('audit-everywhere', '{}') });
    expect(reach(yaml)).toEqual(['ALLOWED', 0]);
    const why = "Cilium runs in policy audit mode (CiliumNodeConfig kube-system/audit-everywhere sets policy-audit-mode to \"true\" for every node): it logs the verdicts of every policy and enforces none, allowing all traffic";
    expect(fails(yaml)).toEqual([`critical no network policy is enforced: ${why}`, `high 1 CiliumNetworkPolicy object(s) have no effect: ${why}`]);
    expect(shopIsolated(yaml)).toBe('fail');
  });

  it('for some nodes only: unknown, naming the CiliumNodeConfig', () => {
    const yaml = scene({ init: BUILD_CONFIG, extra: audit('audit-pool-a', '{matchLabels: {pool: a}}') });
    expect(reach(yaml)).toEqual(['UNKNOWN', 2]);
    expect(fails(yaml)).toEqual(['medium whether the CNI enforces any policy cannot be confirmed: CiliumNodeConfig kube-system/audit-pool-a sets policy-audit-mode to "true" for the nodes its nodeSelector picks, and ztaudit does not place pods on nodes; 0 NetworkPolicies are evaluated as cilium-config says, and the network verdicts are not vouched for']);
    // Nor does the namespace's default deny pass: on those nodes nothing is enforced.
    const isolation = run(namespaceDefaultDenyIngress, ctxOf(yaml)).find((v) => v.resource.name === 'shop');
    expect([isolation?.status, isolation?.severity]).toEqual(['fail', 'medium']);
    expect(isolation?.message).toContain('isolation rests on the CNI enforcing policy, which cannot be confirmed (CiliumNodeConfig kube-system/audit-pool-a sets policy-audit-mode');
  });

  it('without a build-config init container to show it is merged: unknown, never a pass', () => {
    const yaml = scene({ extra: audit('audit-everywhere', '{}') });
    expect(reach(yaml)).toEqual(['UNKNOWN', 2]);
    expect(fails(yaml)[0]).toMatch(/^medium .*CiliumNodeConfig kube-system\/audit-everywhere sets policy-audit-mode to "true" for every node, and the agent DaemonSet shows no cilium-dbg build-config init container/);
  });

  it('the agent flag beats it (the CiliumNodeConfig only writes the config directory)', () => {
    expect(reach(scene({ init: BUILD_CONFIG, args: ', --policy-audit-mode=false', extra: audit('audit-everywhere', '{}') }))).toEqual(['DENIED', 1]);
  });

  it('one of another namespace, a later name, or build-config sources without it decide nothing', () => {
    expect(reach(scene({ init: BUILD_CONFIG, extra: nodeConfig('audit-elsewhere', '{}', 'policy-audit-mode: "true"', 'other') }))).toEqual(['DENIED', 1]);
    expect(reach(scene({ init: BUILD_CONFIG, extra: audit('a-audit', '{}') + nodeConfig('b-enforce', '{}', 'policy-audit-mode: "false"') }))).toEqual(['DENIED', 1]);
    const onlyConfigMap = BUILD_CONFIG.replace('build-config]', 'build-config, --source=config-map:cilium-config]');
    expect(reach(scene({ init: onlyConfigMap, extra: audit('audit-everywhere', '{}') }))).toEqual(['DENIED', 1]);
  });

  it('strengthening: for every node it turns enforcement on; for some nodes it does not make a pass', () => {
    const on = (selector: string) => scene({ data: 'policy-audit-mode: "true"', init: BUILD_CONFIG, extra: nodeConfig('enforce', selector, 'policy-audit-mode: "false"') });
    expect(reach(on('{}'))).toEqual(['DENIED', 1]);
    expect(fails(on('{}'))).toEqual([]);
    expect(reach(on('{matchLabels: {pool: a}}'))).toEqual(['UNKNOWN', 2]);
    expect(fails(on('{matchLabels: {pool: a}}'))[0]).toMatch(/^medium whether the CNI enforces any policy cannot be confirmed: CiliumNodeConfig kube-system\/enforce/);
  });

  it('CiliumNodeConfigs that could not be read leave the answer unknown', () => {
    const s = snap(scene({ init: BUILD_CONFIG }));
    s.coverage['cilium.nodeconfigs'] = { status: 'forbidden', detail: 'list refused' };
    const r = reachCommandCore(s, { from: 'shop/client', to: 'shop/web', port: '80' });
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('CiliumNodeConfigs (ciliumnodeconfigs.cilium.io) could not be read (forbidden)');
  });
});

// cilium-dbg/cmd/build-config.go@v1.20.2: --source is a pflag StringSlice (every use appends, each
// split on commas); a cilium-node-config:<ns>/<name> source applies that config whatever its
// nodeSelector, and a node: source the Node's config.cilium.io/<key> labels and annotations
// (pkg/option/resolver/resolver.go readNodeConfigs, readNodeOverrides).
describe('build-config --source, read as cilium-dbg reads it', () => {
  const withSources = (...args: string[]) => BUILD_CONFIG.replace('build-config]', `build-config, ${args.join(', ')}]`);
  const audit = (name: string, selector: string) => nodeConfig(name, selector, 'policy-audit-mode: "true"');
  const auditNode = `---
apiVersion: v1
kind: Node
metadata: {name: node-1, annotations: {config.cilium.io/policy-audit-mode: "true"}}
`;

  it('a node: source (Node annotations config.cilium.io/<key>, not kept in the snapshot): unknown, naming the annotation, never a pass', () => {
    const yaml = scene({ init: withSources('"--source=config-map:cilium-config,node:"'), extra: auditNode });
    expect(reach(yaml)).toEqual(['UNKNOWN', 2]);
    const [finding] = fails(yaml);
    expect(finding).toMatch(/^medium whether the CNI enforces any policy cannot be confirmed: /);
    expect(finding).toContain("takes a Node source (--source node:), where a Node's label or annotation config.cilium.io/policy-audit-mode sets policy-audit-mode for that node");
  });

  it('repeated --source flags append: a CiliumNodeConfig source given in a second flag is merged', () => {
    const yaml = scene({ init: withSources('--source=config-map:cilium-config', '--source=cilium-node-config:kube-system'), extra: audit('audit', '{}') });
    expect(reach(yaml)).toEqual(['ALLOWED', 0]);
    expect(fails(yaml)[0]).toMatch(/^critical no network policy is enforced: Cilium runs in policy audit mode \(CiliumNodeConfig kube-system\/audit sets policy-audit-mode to "true" for every node\)/);
    const thenNode = scene({ init: withSources('--source=config-map:cilium-config', '--source=cilium-node-config:kube-system', '"--source=node:"'), extra: audit('audit', '{}') });
    expect(reach(thenNode)).toEqual(['UNKNOWN', 2]);
    expect(fails(thenNode)[0]).toContain('(below it, CiliumNodeConfig kube-system/audit sets policy-audit-mode to "true" for every node)');
  });

  it('a CiliumNodeConfig named in the source applies to every node whatever its nodeSelector; one not named does not apply', () => {
    const named = withSources('"--source=config-map:cilium-config,cilium-node-config:kube-system/audit"');
    const yaml = scene({ init: named, extra: audit('audit', '{matchLabels: {never: matches}}') });
    expect(reach(yaml)).toEqual(['ALLOWED', 0]);
    expect(fails(yaml)[0]).toMatch(/^critical no network policy is enforced: Cilium runs in policy audit mode \(CiliumNodeConfig kube-system\/audit sets policy-audit-mode to "true" for every node \(build-config names it as a source\)\)/);
    expect(reach(scene({ init: named, extra: audit('other', '{}') }))).toEqual(['DENIED', 1]);
  });
});
