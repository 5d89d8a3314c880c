// Calico IPAM narrows the pools each pod draws from, so a CIDR rule the union of the Workload
// pools leaves in doubt can be certain for one pod. What the tests rest on, all upstream:
// - The pod's cni.projectcalico.org/ipv4pools annotation, else its namespace's, else the CNI
//   config's ipv4_pools: "Gets the POD annotation for IP Pools and overwrites Namespace annotation
//   if it exists" (projectcalico/calico cni-plugin/pkg/k8s/k8s.go CmdAddK8s, which writes the
//   annotation's list over the CNI config's ipam ipv4_pools); "You can control which pools Calico
//   uses for each pod using node selectors, an annotation on the pod's namespace, or an annotation
//   on the pod" (https://docs.tigera.io/calico/latest/networking/ipam/get-started-ip-addresses).
// - An entry is a pool's CIDR or its name (cni-plugin utils ResolvePools); a requested pool must
//   exist and be enabled ("the given pool (…) does not exist, or is not enabled") and is then used
//   "unconditionally", its selectors ignored; without requested pools IPAM uses the enabled pools
//   whose nodeSelector matches the node and whose assignmentMode is Automatic
//   (libcalico-go/lib/ipam/ipam.go determinePools).
// - "disabled: When set to true, Calico IPAM will not assign addresses from this pool"
//   (https://docs.tigera.io/calico/latest/reference/resources/ippool, Spec): a pod made now gets
//   none from it, a running pod keeps the one it has.
import { describe, expect, it } from 'vitest';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { config, fromBlock } from './calico-intent-cases.ts';
import { snap } from './helpers.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';
import { parseAllDocuments } from 'yaml';

/** `yaml` as a live cluster shows it: a workload's template stands for pods still to be made. */
const liveSnap = (yaml: string) => snapshotFromObjects(parseAllDocuments(yaml).map((d) => d.toJS() as KubeObject).filter((o) => o && typeof o === 'object'), { origin: 'live' });
import { runChecks } from '../../../src/engine/run.ts';
import { intentViolation } from '../../../checks/network/intent-violation.ts';

const pool = (name: string, cidr: string, extra = '') => `---
apiVersion: crd.projectcalico.org/v1
kind: IPPool
metadata: {name: ${name}}
spec: {cidr: ${cidr}${extra}}
`;

/** calico-node as calico.yaml installs it; `cni` is the CNI config install-cni writes (absent: none read). */
const calicoNode = (cni?: string) => `---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: calico-node, namespace: kube-system}
spec:
  selector: {matchLabels: {k8s-app: calico-node}}
  template:
    metadata: {labels: {k8s-app: calico-node}}
    spec:
      hostNetwork: true
      initContainers:
      - name: install-cni
        image: quay.io/calico/cni:v3.28.2
${cni ? `        env: [{name: CNI_NETWORK_CONFIG, value: ${JSON.stringify(cni)}}]\n` : ''}
      containers: [{name: calico-node, image: quay.io/calico/node:v3.28.2}]
`;
const CNI_CONF = '{"name": "k8s-pod-network", "plugins": [{"type": "calico", "ipam": {"type": "calico-ipam"}, "policy": {"type": "k8s"}}]}';
const CNI_CONF_POOLS = (pools: string) => `{"name": "k8s-pod-network", "plugins": [{"type": "calico", "ipam": {"type": "calico-ipam", "ipv4_pools": ${pools}}, "policy": {"type": "k8s"}}]}`;

const namespaces = (shopAnnotation?: string) => `---
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: {kubernetes.io/metadata.name: shop}
${shopAnnotation ? `  annotations: {cni.projectcalico.org/ipv4pools: '${shopAnnotation}'}\n` : ''}---
apiVersion: v1
kind: Namespace
metadata: {name: db, labels: {kubernetes.io/metadata.name: db}}
`;

const deployment = (ns: string, name: string, o: { port?: number; podAnnotation?: string } = {}) => `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${ns}}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata:
      labels: {app: ${name}}
${o.podAnnotation ? `      annotations: {cni.projectcalico.org/ipv4pools: '${o.podAnnotation}'}\n` : ''}    spec: {containers: [{name: c, image: 'img:1'${o.port ? `, ports: [{containerPort: ${o.port}}]` : ''}}]}
`;

const dbDeny = `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: db}
spec: {podSelector: {}, policyTypes: [Ingress]}
`;

/** pg open on 5432 to 0.0.0.0/0 except 10.0.0.0/8; pool a (192.168.0.0/16) lies outside the except, pool b (10.244.0.0/16) inside it. */
const scene = (o: { shop?: string; web?: string; pools?: string; cni?: string } = {}) =>
  calicoNode(o.cni) + namespaces(o.shop) + deployment('shop', 'web', o.web ? { podAnnotation: o.web } : {}) + deployment('db', 'pg', { port: 5432 }) + dbDeny
  + fromBlock('{cidr: 0.0.0.0/0, except: [10.0.0.0/8]}') + (o.pools ?? pool('a', '192.168.0.0/16') + pool('b', '10.244.0.0/16'));

const reach = (yaml: string) => reachCommandCore(snap(yaml), { from: 'shop/web', to: 'db/pg', port: '5432' });
const intentOf = (yaml: string) => {
  const [outcome] = runChecks([intentViolation], { snapshot: snap(yaml), config, now: new Date('2026-12-05T00:00:00Z') });
  return outcome.results[0]!;
};

describe('Calico pool annotations narrow a pod\'s address (pg: 0.0.0.0/0 except 10.0.0.0/8; pools a 192.168.0.0/16, b 10.244.0.0/16)', () => {
  it('without annotations both pools are candidates: reach UNKNOWN (exit 2), the intent a medium "cannot be confirmed"', () => {
    const r = reach(scene());
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain("the pods' address pools (IPPool a (192.168.0.0/16), IPPool b (10.244.0.0/16)) lie partly inside it");
    expect(intentOf(scene())).toMatchObject({ status: 'fail', severity: 'medium' });
  });

  it('namespace shop annotated ["b"]: web\'s pods are in 10.244.0.0/16, inside the except, so reach is DENIED for certain and the intent holds', () => {
    const yaml = scene({ shop: '["b"]' });
    const r = reach(yaml);
    expect(r.exitCode).toBe(1);
    expect(r.output).toContain('DENIED: shop/web[Deployment] -> db/pg[Deployment] on 5432/TCP');
    expect(r.output).not.toContain('uncertain');
    expect(intentOf(yaml).status).toBe('pass');
  });

  it('the annotation may name the pool by CIDR: shop annotated ["10.244.0.0/16"] is DENIED for certain too', () => {
    expect(reach(scene({ shop: '["10.244.0.0/16"]' })).exitCode).toBe(1);
  });

  it('the pod annotation wins over the namespace\'s: shop ["b"] but web\'s template ["a"] puts web in 192.168.0.0/16: ALLOWED (exit 0), the intent a definite high violation', () => {
    const yaml = scene({ shop: '["b"]', web: '["a"]' });
    const r = reach(yaml);
    expect(r.exitCode).toBe(0);
    expect(r.output).toContain('ALLOWED: shop/web[Deployment] -> db/pg[Deployment] on 5432/TCP');
    expect(intentOf(yaml)).toMatchObject({ status: 'fail', severity: 'high' });
  });

  it('an annotation naming no pool read keeps the doubt and says why', () => {
    const r = reach(scene({ shop: '["green"]' }));
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain(`namespace shop's annotation cni.projectcalico.org/ipv4pools names "green", which is no Workload IPPool read, so every pool counts`);
  });

  it('an annotation that is no JSON list keeps the doubt and says why', () => {
    const r = reach(scene({ shop: 'b' }));
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain("namespace shop's annotation cni.projectcalico.org/ipv4pools is not a JSON list of pool names or CIDRs");
  });

  it('the CNI config\'s ipv4_pools ["b"] applies to pods without annotations: DENIED for certain; a pod annotation still wins', () => {
    expect(reach(scene({ cni: CNI_CONF_POOLS('["b"]') })).exitCode).toBe(1);
    expect(reach(scene({ cni: CNI_CONF_POOLS('["b"]'), web: '["a"]' })).exitCode).toBe(0);
  });
});

describe('Calico pools IPAM gives no new address from', () => {
  const liveReach = (yaml: string) => reachCommandCore(liveSnap(yaml), { from: 'shop/web', to: 'db/pg', port: '5432' });

  it('live, a disabled pool is no candidate for pods still to be made from a template: b disabled leaves web in a, ALLOWED (exit 0)', () => {
    const pools = pool('a', '192.168.0.0/16') + pool('b', '10.244.0.0/16', ', disabled: true');
    expect(liveReach(scene({ pools })).exitCode).toBe(0);
    // The same with the CNI config read (IPAM's automatic choice).
    expect(liveReach(scene({ pools, cni: CNI_CONF })).exitCode).toBe(0);
  });

  it('from manifests a template\'s pods may run already with an address of a pool disabled since (a pool migration disables the old pool while its pods keep theirs): the doubt stays (exit 2)', () => {
    const pools = pool('a', '192.168.0.0/16') + pool('b', '10.244.0.0/16', ', disabled: true');
    expect(reach(scene({ pools })).exitCode).toBe(2);
    expect(reach(scene({ pools, cni: CNI_CONF })).exitCode).toBe(2);
    expect(reach(scene({ shop: '["a", "b"]', pools })).exitCode).toBe(2);
  });

  it('live, a disabled pool asked for by annotation gives nothing either: shop ["a", "b"] with b disabled is ALLOWED', () => {
    expect(liveReach(scene({ shop: '["a", "b"]', pools: pool('a', '192.168.0.0/16') + pool('b', '10.244.0.0/16', ', disabled: true') })).exitCode).toBe(0);
  });

  it('a running pod keeps the address it holds in a disabled pool, and that address decides: a live web pod at 10.244.3.4, inside the except, is DENIED for certain (exit 1)', () => {
    const live = `---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {containers: [{name: c, image: 'img:1'}]}
status: {phase: Running, podIP: 10.244.3.4, podIPs: [{ip: 10.244.3.4}]}
`;
    const pools = pool('a', '192.168.0.0/16') + pool('b', '10.244.0.0/16', ', disabled: true');
    const base = calicoNode() + namespaces() + deployment('db', 'pg', { port: 5432 }) + dbDeny + fromBlock('{cidr: 0.0.0.0/0, except: [10.0.0.0/8]}') + pools;
    expect(reachCommandCore(snap(base + live), { from: 'shop/web', to: 'db/pg', port: '5432' }).exitCode).toBe(1);
    // The same pod not yet given an address will get one from a only.
    expect(reachCommandCore(snap(base + live.replace(/status: .*\n/, 'status: {phase: Pending}\n')), { from: 'shop/web', to: 'db/pg', port: '5432' }).exitCode).toBe(0);
  });

  it('a nodeSelector that selects no node (!all()) takes b out of the automatic choice once the CNI config is read and asks for no pool: ALLOWED', () => {
    const pools = pool('a', '192.168.0.0/16') + pool('b', '10.244.0.0/16', ", nodeSelector: '!all()'");
    expect(reach(scene({ cni: CNI_CONF, pools })).exitCode).toBe(0);
    // A nodeSelector on labels (Node labels are not collected) may select the pod's node: the doubt stays.
    expect(reach(scene({ cni: CNI_CONF, pools: pool('a', '192.168.0.0/16') + pool('b', '10.244.0.0/16', ", nodeSelector: \"zone == 'b'\"") })).exitCode).toBe(2);
    // No CNI config read: it may name b, which IPAM then uses whatever its nodeSelector says.
    expect(reach(scene({ pools })).exitCode).toBe(2);
  });

  it('an assignmentMode Manual pool serves only pods that ask for it: b Manual leaves unannotated web in a (ALLOWED), shop ["b"] puts it in b (DENIED)', () => {
    const pools = pool('a', '192.168.0.0/16') + pool('b', '10.244.0.0/16', ', assignmentMode: Manual');
    expect(reach(scene({ cni: CNI_CONF, pools })).exitCode).toBe(0);
    expect(reach(scene({ cni: CNI_CONF, pools, shop: '["b"]' })).exitCode).toBe(1);
  });
});

// "Use a specific IP address with a pod" (https://docs.tigera.io/calico/latest/networking/ipam/use-specific-ip):
// cni.projectcalico.org/ipAddrs assigns exactly the listed addresses, which must lie in a
// configured pool (any, before the pool annotations are read: cni-plugin pkg/k8s/k8s.go);
// ipAddrsNoIpam bypasses IPAM, the address in no pool.
describe('Calico fixed pod addresses', () => {
  const fixedWeb = (annotation: string) => `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web}
      annotations: {${annotation}}
    spec: {containers: [{name: c, image: 'img:1'}]}
`;
  const base = (web: string, pools = pool('a', '192.168.0.0/16', ', assignmentMode: Manual') + pool('b', '10.244.0.0/16')) =>
    calicoNode(CNI_CONF) + namespaces() + web + deployment('db', 'pg', { port: 5432 }) + dbDeny + fromBlock('{cidr: 0.0.0.0/0, except: [10.0.0.0/8]}') + pools;

  it('ipAddrs ["192.168.0.5"] puts web in the Manual pool a, outside the except: ALLOWED (not a certain DENIED), the intent a definite violation', () => {
    const yaml = base(fixedWeb(`cni.projectcalico.org/ipAddrs: '["192.168.0.5"]'`));
    const r = reach(yaml);
    expect(r.exitCode, r.output).toBe(0);
    expect(intentOf(yaml)).toMatchObject({ status: 'fail', severity: 'high' });
  });

  it('ipAddrs wins over the namespace\'s pool annotation', () => {
    const yaml = calicoNode(CNI_CONF) + namespaces('["b"]') + fixedWeb(`cni.projectcalico.org/ipAddrs: '["192.168.0.5"]'`) + deployment('db', 'pg', { port: 5432 }) + dbDeny + fromBlock('{cidr: 0.0.0.0/0, except: [10.0.0.0/8]}') + pool('a', '192.168.0.0/16') + pool('b', '10.244.0.0/16');
    expect(reach(yaml).exitCode).toBe(0);
  });

  it('ipAddrs inside the except is DENIED for certain; an address in no pool read keeps the doubt and says so', () => {
    expect(reach(base(fixedWeb(`cni.projectcalico.org/ipAddrs: '["10.244.7.7"]'`))).exitCode).toBe(1);
    const r = reach(base(fixedWeb(`cni.projectcalico.org/ipAddrs: '["172.16.0.9"]'`)));
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('asks for 172.16.0.9, which no Workload IPPool read holds');
  });

  it('ipAddrsNoIpam: the address is in no pool, so nothing about the pools settles it (exit 2), even with the namespace annotated to b', () => {
    const yaml = calicoNode(CNI_CONF) + namespaces('["b"]') + fixedWeb(`cni.projectcalico.org/ipAddrsNoIpam: '["10.244.7.7"]'`) + deployment('db', 'pg', { port: 5432 }) + dbDeny + fromBlock('{cidr: 0.0.0.0/0, except: [10.0.0.0/8]}') + pool('a', '192.168.0.0/16') + pool('b', '10.244.0.0/16');
    const r = reach(yaml);
    expect(r.exitCode, r.output).toBe(2);
    expect(r.output).toContain('ipAddrsNoIpam');
    expect(intentOf(yaml).status).not.toBe('pass');
  });
});


// Calico v3.31 adds IPPool spec.namespaceSelector: "Allows IPPool to allocate for a specific
// namespace by label selector. If specified, both namespaceSelector and nodeSelector must match
// for the pool to be used" (projectcalico/calico api/pkg/apis/projectcalico/v3/ippool.go; added by
// projectcalico/calico#10888, first in v3.31.0). IPAM evaluates it on the labels of the pod's
// Namespace (libcalico-go/lib/ipam/pools.go SelectsNamespace) among the automatic pools only:
// requested pools "use those unconditionally", ignoring selectors (ipam.go determinePools), so the
// CNI config is read here (CNI_CONF asks for no pool).
describe('Calico IPPool namespaceSelector narrows the automatic pools by the pod\'s namespace (v3.31+)', () => {
  const v331 = (yaml: string) => yaml.replaceAll('v3.28.2', 'v3.31.0');
  const selecting = (a: string, b?: string) => pool('a', '192.168.0.0/16', `, namespaceSelector: ${JSON.stringify(a)}`) + pool('b', '10.244.0.0/16', b ? `, namespaceSelector: ${JSON.stringify(b)}` : '');

  it('pool a serves only namespaces labelled env=prod; shop has no such label, so web is in b (inside the except): DENIED for certain, the intent holds', () => {
    const yaml = v331(scene({ cni: CNI_CONF, pools: selecting("env == 'prod'") }));
    const r = reach(yaml);
    expect(r.exitCode).toBe(1);
    expect(r.output).toContain('DENIED: shop/web[Deployment] -> db/pg[Deployment] on 5432/TCP');
    expect(r.output).not.toContain('uncertain');
    expect(intentOf(yaml).status).toBe('pass');
  });

  it('by the namespace\'s name label: a serves shop, b serves db, so web is in a (outside the except): ALLOWED (exit 0), the intent a definite high violation', () => {
    const yaml = v331(scene({ cni: CNI_CONF, pools: selecting("kubernetes.io/metadata.name == 'shop'", "kubernetes.io/metadata.name == 'db'") }));
    expect(reach(yaml).exitCode).toBe(0);
    expect(intentOf(yaml)).toMatchObject({ status: 'fail', severity: 'high' });
  });

  it('a pool annotation requests pools whatever their selectors: shop annotated ["a"] puts web in a though a selects only env=prod: ALLOWED', () => {
    expect(reach(v331(scene({ cni: CNI_CONF, shop: '["a"]', pools: selecting("env == 'prod'") }))).exitCode).toBe(0);
  });

  it('a namespaceSelector that does not parse keeps the doubt, naming the pool: UNKNOWN (exit 2), the intent not confirmed', () => {
    const yaml = v331(scene({ cni: CNI_CONF, pools: selecting('env ==') }));
    const r = reach(yaml);
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('IPPool a (192.168.0.0/16)\'s spec.namespaceSelector "env ==" does not parse');
    expect(intentOf(yaml)).toMatchObject({ status: 'fail', severity: 'medium' });
  });

  it('a namespace no manifest declares: a selector on its name still decides (DENIED), one on other labels keeps the pool (UNKNOWN)', () => {
    const undeclared = (pools: string) => v331(scene({ cni: CNI_CONF, pools })).replace('kind: Namespace\nmetadata:\n  name: shop\n  labels: {kubernetes.io/metadata.name: shop}\n', 'kind: ConfigMap\nmetadata:\n  name: shop\n  namespace: default\n');
    expect(undeclared(selecting("kubernetes.io/metadata.name == 'db'"))).not.toContain('name: shop\n  labels');
    expect(reach(undeclared(selecting("kubernetes.io/metadata.name == 'db'"))).exitCode).toBe(1);
    expect(reach(undeclared(selecting("env == 'prod'"))).exitCode).toBe(2);
  });

  it('Calico v3.28 has no namespaceSelector: both pools stay candidates, UNKNOWN (exit 2)', () => {
    expect(reach(scene({ cni: CNI_CONF, pools: selecting("env == 'prod'") })).exitCode).toBe(2);
  });
});
