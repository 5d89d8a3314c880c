// Felix's dropActionOverride as a user sees it: Accept or LogAndAccept turns every packet Calico
// policy denies into an accept, so `reach` must not answer DENIED, the namespace's default deny
// must not pass, and network.cni-not-enforcing names the setting and where it is set.
// Upstream:
// - the setting: "DropActionOverride controls what happens to each packet that is denied by the
//   current Calico Cloud policy [...] Drop, Accept, LogAndDrop, LogAndAccept [...] the "Accept" and
//   "LogAndAccept" values can be useful: then the packet will be still be allowed through"
//   (docs.tigera.io/calico-cloud/visibility/iptables, "Calico Cloud adds a Felix option
//   DropActionOverride"); tigera/api pkg/apis/projectcalico/v3/felixconfig.go `dropActionOverride`,
//   "[Default: Drop]", pattern `^(?i)(Drop|LogAndDrop|Accept|LogAndAccept)?$` (any casing).
// - Calico Open Source has no such parameter: projectcalico/calico v3.32.1
//   felix/config/config_params.go and api/pkg/apis/projectcalico/v3/felixconfig.go define none, and
//   Felix logs "Ignoring unknown config param." for it (Config.resolve).
// - precedence: "Configuration for Felix is read from one of five possible locations, in order [...]
//   1. Environment variables [...] 3. Host-specific FelixConfiguration resources (node.<nodename>) [...]
//   5. The global FelixConfiguration resource (default). The value of any configuration parameter
//   is the value read from the first location containing a value"
//   (docs.tigera.io/calico/latest/reference/felix/configuration); a FELIX_ variable under any casing
//   (felix/config/env_var_loader.go lower-cases the name).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cniNotEnforcing } from '../../../checks/network/cni-not-enforcing.ts';
import { namespaceDefaultDenyIngress } from '../../../checks/network/namespace-default-deny-ingress.ts';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { main } from '../../../src/cli/main.ts';
import type { CliIO } from '../../../src/cli/io.ts';
import { runChecks } from '../../../src/engine/run.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { parseAllDocuments } from 'yaml';
import { liveConfigMapRefs } from '../../../src/cli/source.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { collectConfigMaps } from '../../../src/collect/live.ts';
import { addressedElsewhere } from '../../../src/analysis/netpol/calico/ip-pools.ts';
import type { KubeClient } from '../../../src/kube/client.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';
import { ctxOf, run, snap } from './helpers.ts';

const ENTERPRISE = 'quay.io/tigera/cnx-node:v3.22.1';
const OPEN_SOURCE = 'quay.io/calico/node:v3.32.1';

/** calico-node (Calico Enterprise unless `image` says otherwise) with `env`, a default-deny NetworkPolicy on shop, and `extra` objects. */
function scene({ image = ENTERPRISE, env = '', extra = '' } = {}): string {
  return `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: calico-node, namespace: calico-system}
spec:
  selector: {matchLabels: {k8s-app: calico-node}}
  template:
    metadata: {labels: {k8s-app: calico-node}}
    spec:
      containers:
      - name: calico-node
        image: ${image}
        env: [{name: DATASTORE_TYPE, value: kubernetes}${env}]
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
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: shop}
spec: {podSelector: {}, policyTypes: [Ingress]}
${extra}`;
}

const felixConfig = (name: string, spec: string) => `---
apiVersion: crd.projectcalico.org/v1
kind: FelixConfiguration
metadata: {name: ${name}}
spec: {${spec}}
`;

const NOW = new Date('2026-12-01T00:00:00Z');
const AGENT = 'calico-node (DaemonSet calico-system/calico-node)';
const reach = (yaml: string) => {
  const r = reachCommandCore(snap(yaml), { from: 'shop/client', to: 'shop/web', port: '80' });
  return [r.output.split('\n')[0]!.split(':')[0], r.exitCode];
};
const fails = (yaml: string) => run(cniNotEnforcing, ctxOf(yaml)).filter((r) => r.status === 'fail').map((r) => `${r.severity ?? 'critical'} ${r.message}`);
const shopIsolated = (yaml: string) => run(namespaceDefaultDenyIngress, ctxOf(yaml)).find((v) => v.resource.name === 'shop')?.status;
const accepted = (by: string) => `1 NetworkPolicies have no effect: Calico's Felix accepts every packet policy denies (${by}; dropActionOverride Accept or LogAndAccept, a Calico Enterprise and Calico Cloud setting): no policy is enforced, allowing all traffic`;

describe('Felix dropActionOverride (Calico Enterprise)', () => {
  it('the scene itself: no override, the default deny holds', () => {
    expect(reach(scene())).toEqual(['DENIED', 1]);
    expect(fails(scene())).toEqual([]);
    expect(shopIsolated(scene())).toBe('pass');
  });

  it.each(['Accept', 'LogAndAccept', 'accept'])('FelixConfiguration default sets %s: every denial is accepted, reach ALLOWED, the default deny fails, the finding names the object', (value) => {
    const yaml = scene({ extra: felixConfig('default', `dropActionOverride: ${value}`) });
    expect(reach(yaml)).toEqual(['ALLOWED', 0]);
    expect(fails(yaml)).toEqual([`critical ${accepted(`FelixConfiguration default sets dropActionOverride to "${value}" for every node`)}`]);
    expect(shopIsolated(yaml)).toBe('fail');
  });

  // Calico Enterprise 3.22+ dropped the cnx- prefix: its agent is tigera/node and tigera/node-windows
  // (tigera/operator a4e446dfb, #3894, operator v1.40.0: pkg/components/enterprise.go ComponentTigeraNode).
  it.each(['quay.io/tigera/node:v3.22.1', 'quay.io/tigera/node-windows:v3.22.1', 'quay.io/tigera/cnx-node-windows:v3.21.4'])('Calico Enterprise image %s with FelixConfiguration default Accept: the critical finding, not a doubt', (image) => {
    const yaml = scene({ image, extra: felixConfig('default', 'dropActionOverride: Accept') });
    expect(reach(yaml)).toEqual(['ALLOWED', 0]);
    expect(fails(yaml)).toEqual([`critical ${accepted('FelixConfiguration default sets dropActionOverride to "Accept" for every node')}`]);
    expect(shopIsolated(yaml)).toBe('fail');
    // Recognised by its image alone, whatever its container is named.
    const renamed = yaml.replace('- name: calico-node\n', '- name: node\n');
    expect(renamed).not.toBe(yaml);
    expect(reach(renamed)).toEqual(['ALLOWED', 0]);
  });

  it.each(['Drop', 'LogAndDrop'])('FelixConfiguration default sets %s: verdicts unchanged', (value) => {
    const yaml = scene({ extra: felixConfig('default', `dropActionOverride: ${value}`) });
    expect(reach(yaml)).toEqual(['DENIED', 1]);
    expect(fails(yaml)).toEqual([]);
    expect(shopIsolated(yaml)).toBe('pass');
  });

  it('FELIX_DROPACTIONOVERRIDE on calico-node beats the FelixConfigurations (environment variables come first), under any casing of its name', () => {
    const env = (name: string, value: string) => `, {name: ${name}, value: ${value}}`;
    const viaEnv = scene({ env: env('FELIX_DROPACTIONOVERRIDE', 'LogAndAccept') });
    expect(reach(viaEnv)).toEqual(['ALLOWED', 0]);
    expect(fails(viaEnv)).toEqual([`critical ${accepted(`${AGENT} has FELIX_DROPACTIONOVERRIDE="LogAndAccept" in its env`)}`]);
    expect(reach(scene({ env: env('felix_DropActionOverride', 'Accept') }))).toEqual(['ALLOWED', 0]);
    // The variable set to Drop keeps a FelixConfiguration's Accept from applying; an empty one is ignored.
    expect(reach(scene({ env: env('FELIX_DROPACTIONOVERRIDE', 'Drop'), extra: felixConfig('default', 'dropActionOverride: Accept') }))).toEqual(['DENIED', 1]);
    expect(reach(scene({ env: env('FELIX_DROPACTIONOVERRIDE', '""'), extra: felixConfig('default', 'dropActionOverride: Accept') }))).toEqual(['ALLOWED', 0]);
  });

  it('a per-node FelixConfiguration (node.<nodename>) or a selector-scoped one giving some nodes another answer: UNKNOWN, a medium finding naming it, never a pass', () => {
    const perNode = scene({ extra: felixConfig('node.worker-1', 'dropActionOverride: Accept') });
    expect(reach(perNode)).toEqual(['UNKNOWN', 2]);
    expect(fails(perNode)).toEqual(['medium whether the CNI enforces any policy cannot be confirmed: FelixConfiguration node.worker-1 sets dropActionOverride to "Accept" for node worker-1, and ztaudit does not place pods on nodes; 1 NetworkPolicies are evaluated as if Felix drops what policy denies, and the network verdicts are not vouched for']);
    const isolation = run(namespaceDefaultDenyIngress, ctxOf(perNode)).find((v) => v.resource.name === 'shop');
    expect([isolation?.status, isolation?.severity]).toEqual(['fail', 'medium']);
    expect(isolation?.message).toBe('whether 2 workload(s) in namespace shop are isolated for ingress cannot be confirmed: their isolation rests on the CNI enforcing policy, which cannot be confirmed (FelixConfiguration node.worker-1 sets dropActionOverride to "Accept" for node worker-1, and ztaudit does not place pods on nodes)');
    // Drop on one node under an Accept default: that node drops, the others accept.
    expect(reach(scene({ extra: felixConfig('default', 'dropActionOverride: Accept') + felixConfig('node.worker-1', 'dropActionOverride: Drop') }))).toEqual(['UNKNOWN', 2]);
    expect(reach(scene({ extra: felixConfig('pool-a', 'nodeSelector: "pool == \'a\'", dropActionOverride: Accept') }))).toEqual(['UNKNOWN', 2]);
    // Every node accepting, the default and the per-node one alike: ALLOWED.
    expect(reach(scene({ extra: felixConfig('default', 'dropActionOverride: Accept') + felixConfig('node.worker-1', 'dropActionOverride: LogAndAccept') }))).toEqual(['ALLOWED', 0]);
    // A name that is neither default nor node.* and has no nodeSelector applies to no node.
    expect(reach(scene({ extra: felixConfig('spare', 'dropActionOverride: Accept') }))).toEqual(['DENIED', 1]);
  });

  it('Calico Open Source (calico/node) has no dropActionOverride: Accept anywhere changes nothing', () => {
    const yaml = scene({ image: OPEN_SOURCE, env: ', {name: FELIX_DROPACTIONOVERRIDE, value: Accept}', extra: felixConfig('default', 'dropActionOverride: Accept') + felixConfig('node.worker-1', 'dropActionOverride: Accept') });
    expect(reach(yaml)).toEqual(['DENIED', 1]);
    expect(fails(yaml)).toEqual([]);
    expect(shopIsolated(yaml)).toBe('pass');
  });

  it('a calico-node image that is neither calico/node nor a Calico Enterprise node image, with Accept set: UNKNOWN', () => {
    const yaml = scene({ image: 'registry.example/platform/felix:7', extra: felixConfig('default', 'dropActionOverride: Accept') });
    expect(reach(yaml)).toEqual(['UNKNOWN', 2]);
    expect(fails(yaml)[0]).toMatch(/^medium whether the CNI enforces any policy cannot be confirmed: FelixConfiguration default sets dropActionOverride to "Accept" for every node, which Calico Enterprise and Calico Cloud honour and Calico Open Source ignores/);
  });

  it('the variable from a ConfigMap that was not read: UNKNOWN', () => {
    const yaml = scene({ env: ', {name: FELIX_DROPACTIONOVERRIDE, valueFrom: {configMapKeyRef: {name: felix-env, key: drop}}}' });
    expect(reach(yaml)).toEqual(['UNKNOWN', 2]);
  });

  it('the variable written as $(VAR) is expanded as the kubelet does; from a Secret it cannot be told', () => {
    // kubernetes.io/docs/tasks/inject-data-application/define-interdependent-environment-variables/
    expect(reach(scene({ env: ', {name: MODE, value: Accept}, {name: FELIX_DROPACTIONOVERRIDE, value: "$(MODE)"}' }))).toEqual(['ALLOWED', 0]);
    expect(reach(scene({ env: ', {name: MODE, value: Drop}, {name: FELIX_DROPACTIONOVERRIDE, value: "$(MODE)"}' }))).toEqual(['DENIED', 1]);
    const secret = scene({ env: ', {name: MODE, valueFrom: {secretKeyRef: {name: s, key: k}}}, {name: FELIX_DROPACTIONOVERRIDE, value: "$(MODE)"}' });
    expect(reach(secret)).toEqual(['UNKNOWN', 2]);
    expect(fails(secret)[0]).toBe(`medium whether the CNI enforces any policy cannot be confirmed: ${AGENT}: FELIX_DROPACTIONOVERRIDE is set from variables whose value is not read ("MODE"); 1 NetworkPolicies are evaluated as if Felix drops what policy denies, and the network verdicts are not vouched for`);
  });
});

describe('FelixConfigurations that could not be read', () => {
  const forbidden = (image: string) => {
    const s = snap(scene({ image }));
    s.coverage['calico.felixconfigurations'] = { status: 'forbidden', detail: 'list refused' };
    return s;
  };

  it('under Calico Enterprise: reach UNKNOWN naming them, and the checks judging flows are not evaluated (as CiliumNodeConfigs unread)', () => {
    const s = forbidden(ENTERPRISE);
    const r = reachCommandCore(s, { from: 'shop/client', to: 'shop/web', port: '80' });
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('FelixConfigurations (felixconfigurations.crd.projectcalico.org) could not be read (forbidden)');
    const [outcome] = runChecks([namespaceDefaultDenyIngress], { snapshot: s, config: defaultConfig(), now: NOW });
    expect(outcome?.status).toBe('not-evaluated');
    expect(outcome?.unreadable).toEqual(['calico.felixconfigurations']);
  });

  it('under Calico Open Source, or where the variable decides: nothing rests on them, verdicts unchanged', () => {
    const s = forbidden(OPEN_SOURCE);
    expect(reachCommandCore(s, { from: 'shop/client', to: 'shop/web', port: '80' }).exitCode).toBe(1);
    const [outcome] = runChecks([namespaceDefaultDenyIngress], { snapshot: s, config: defaultConfig(), now: NOW });
    expect(outcome!.status).not.toBe('not-evaluated');
    expect(outcome!.results.find((r) => r.resource.name === 'shop')?.status).toBe('pass');
    const byEnv = snap(scene({ env: ', {name: FELIX_DROPACTIONOVERRIDE, value: Drop}' }));
    byEnv.coverage['calico.felixconfigurations'] = { status: 'forbidden', detail: 'list refused' };
    expect(reachCommandCore(byEnv, { from: 'shop/client', to: 'shop/web', port: '80' }).exitCode).toBe(1);
  });
});

describe('through the CLI', () => {
  it('ztaudit reach --manifests: ALLOWED with exit 0 under a FelixConfiguration default Accept, DENIED with exit 1 without', async () => {
    const reachCli = async (yaml: string) => {
      const dir = mkdtempSync(join(tmpdir(), 'ztaudit-felix-'));
      writeFileSync(join(dir, 'all.yaml'), yaml);
      const out: string[] = [];
      const io: CliIO = { stdout: (t) => out.push(t), stderr: () => {}, env: {}, isTTY: false, cwd: dir };
      const code = await main(['reach', '--manifests', dir, '--from', 'shop/client', '--to', 'shop/web', '--port', '80', '-o', 'json'], io).finally(() => rmSync(dir, { recursive: true, force: true }));
      const json = JSON.parse(out.join('')) as { allowed: boolean; effective: string; network: { allowed: boolean } };
      return [code, json.allowed, json.effective, json.network.allowed];
    };
    expect(await reachCli(scene({ extra: felixConfig('default', 'dropActionOverride: Accept') }))).toEqual([0, true, 'allowed', true]);
    expect(await reachCli(scene())).toEqual([1, false, 'denied', false]);
  });
});

// Live, the envFrom ConfigMap calico-node takes FELIX_DROPACTIONOVERRIDE from must be read whatever
// gives the pods their addresses (Calico Enterprise for policy beside the Amazon VPC CNI): an
// optional envFrom source sets nothing only when it does not exist (Kubernetes API, EnvFromSource
// `optional`), which only its own by-name read answering 404 tells.
describe('live: the agent\'s envFrom ConfigMap beside a cloud CNI', () => {
  const AWS_NODE = `---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: aws-node, namespace: kube-system}
spec:
  selector: {matchLabels: {k8s-app: aws-node}}
  template:
    metadata: {labels: {k8s-app: aws-node}}
    spec: {hostNetwork: true, containers: [{name: aws-node, image: 602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.18.0}]}
`;
  const envFrom = (image: string) => AWS_NODE + '---' + scene({ image, env: ', {name: CALICO_NETWORKING_BACKEND, value: none}' }).replace('        env: [', '        envFrom: [{configMapRef: {name: felix-overrides, optional: true}}]\n        env: [');
  const OVERRIDES = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'felix-overrides', namespace: 'calico-system' }, data: { FELIX_DROPACTIONOVERRIDE: 'Accept' } };
  /** An API server answering the by-name gets: felix-overrides as `cm` holds it (404 when undefined), 404 for every other name. */
  const server = (cm: object | undefined): KubeClient => ({
    get: async (path: string) => (path === '/api/v1/namespaces/calico-system/configmaps/felix-overrides' && cm ? { status: 200, body: structuredClone(cm) } : { status: 404, body: undefined }),
  } as unknown as KubeClient);
  const collected = async (image: string, cm: object | undefined) => {
    const s = snapshotFromObjects(parseAllDocuments(envFrom(image)).map((d) => d.toJS() as KubeObject).filter((o) => o && typeof o === 'object'), { origin: 'live' });
    await collectConfigMaps(server(cm), s, { configMapRefs: liveConfigMapRefs(defaultConfig()) }, 2);
    return s;
  };
  const reachOf = (s: ReturnType<typeof snap>) => {
    const r = reachCommandCore(s, { from: 'shop/client', to: 'shop/web', port: '80' });
    return [r.output.split('\n')[0]!.split(':')[0], r.exitCode];
  };

  it('the scene: Calico IPAM plays no part, so only the drop action names the ConfigMap', () => {
    expect(addressedElsewhere(snap(envFrom(ENTERPRISE)))).toContain('the Amazon VPC CNI (DaemonSet kube-system/aws-node) gives pods their addresses');
  });

  it('Calico Enterprise: the collector asks for it; holding Accept, reach ALLOWED and the default deny fails; not found (404), DENIED', async () => {
    const held = await collected(ENTERPRISE, OVERRIDES);
    expect(held.resources.configmaps?.map((c) => c.metadata?.name)).toEqual(['felix-overrides']);
    expect(reachOf(held)).toEqual(['ALLOWED', 0]);
    const [outcome] = runChecks([namespaceDefaultDenyIngress], { snapshot: held, config: defaultConfig(), now: NOW });
    expect(outcome!.results.find((r) => r.resource.name === 'shop')?.status).toBe('fail');
    const absent = await collected(ENTERPRISE, undefined);
    expect(absent.configMapsNotFound).toContain('calico-system/felix-overrides');
    expect(reachOf(absent)).toEqual(['DENIED', 1]);
  });

  it('Calico Open Source ignores the variable: its ConfigMap is not asked for', async () => {
    expect(liveConfigMapRefs(defaultConfig())(snap(envFrom(OPEN_SOURCE)))).not.toContainEqual({ namespace: 'calico-system', name: 'felix-overrides' });
    expect(reachOf(await collected(OPEN_SOURCE, OVERRIDES))).toEqual(['DENIED', 1]);
  });

  it('a live snapshot whose by-name reads all answered but that never asked for it (written before): UNKNOWN, not a pass', () => {
    const s = snapshotFromObjects(parseAllDocuments(envFrom(ENTERPRISE)).map((d) => d.toJS() as KubeObject).filter((o) => o && typeof o === 'object'), { origin: 'live' });
    s.coverage.configmaps = { status: 'ok', count: 0 };
    const r = reachCommandCore(s, { from: 'shop/client', to: 'shop/web', port: '80' });
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('FELIX_DROPACTIONOVERRIDE may be set from ConfigMap calico-system/felix-overrides (envFrom), which was not read');
  });
});
