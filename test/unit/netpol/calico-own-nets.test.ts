// A Calico rule's `nets`/`notNets` on the policy's own side (destination on ingress, source on
// egress) match the address of the pod the policy selects, judged by that pod's own IPPools.
// What the tests rest on, all upstream:
// - Rule `source`/`destination` EntityRule: "nets: Match packets with IP in any of the listed
//   CIDRs", "notNets: Negative match on CIDRs" (https://docs.tigera.io/calico/latest/reference/resources/networkpolicy,
//   EntityRule); an ingress rule's destination is the selected endpoint itself, an egress rule's
//   source likewise ("Ingress rules … destination … the endpoint the policy applies to").
// - A pod's address comes from the pools of its namespace's cni.projectcalico.org/ipv4pools
//   annotation ("You can control which pools Calico uses for each pod using … an annotation on the
//   pod's namespace", https://docs.tigera.io/calico/latest/networking/ipam/get-started-ip-addresses);
//   without one IPAM picks from every enabled Automatic pool.
import { describe, expect, it } from 'vitest';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { config } from './calico-intent-cases.ts';
import { snap } from './helpers.ts';
import { runChecks } from '../../../src/engine/run.ts';
import { intentViolation } from '../../../checks/network/intent-violation.ts';

const CNI_CONF = '{"name": "k8s-pod-network", "plugins": [{"type": "calico", "ipam": {"type": "calico-ipam"}, "policy": {"type": "k8s"}}]}';

const calicoNode = `---
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
        env: [{name: CNI_NETWORK_CONFIG, value: ${JSON.stringify(CNI_CONF)}}]
      containers: [{name: calico-node, image: quay.io/calico/node:v3.28.2}]
`;

const namespace = (name: string, pools?: string) => `---
apiVersion: v1
kind: Namespace
metadata:
  name: ${name}
  labels: {kubernetes.io/metadata.name: ${name}}
${pools ? `  annotations: {cni.projectcalico.org/ipv4pools: '${pools}'}\n` : ''}`;

const deployment = (ns: string, name: string, port?: number) => `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${ns}}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec: {containers: [{name: c, image: 'img:1'${port ? `, ports: [{containerPort: ${port}}]` : ''}}]}
`;

const pools = `---
apiVersion: crd.projectcalico.org/v1
kind: IPPool
metadata: {name: a}
spec: {cidr: 192.168.0.0/16}
---
apiVersion: crd.projectcalico.org/v1
kind: IPPool
metadata: {name: b}
spec: {cidr: 10.244.0.0/16}
`;

/** pg (in db) isolated for ingress by a Calico policy whose one rule allows 5432 with `destination` as given. */
const pgIn = (destination: string) => `---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: pg-in, namespace: db}
spec:
  selector: app == 'pg'
  types: [Ingress]
  ingress:
  - action: Allow
    protocol: TCP
    destination: {${destination}, ports: [5432]}
`;

/** The previous session's repro: pools a 192.168.0.0/16 and b 10.244.0.0/16, web in shop, pg in db. */
const scene = (o: { db?: string; shop?: string; policy: string }) =>
  calicoNode + namespace('shop', o.shop) + namespace('db', o.db) + deployment('shop', 'web') + deployment('db', 'pg', 5432) + pools + o.policy;

const reach = (yaml: string) => reachCommandCore(snap(yaml), { from: 'shop/web', to: 'db/pg', port: '5432' });
const intentOf = (yaml: string) => {
  const [outcome] = runChecks([intentViolation], { snapshot: snap(yaml), config, now: new Date('2026-12-05T00:00:00Z') });
  return outcome.results[0]!;
};

describe('Calico destination nets on an ingress rule match the policy\'s own pod by its pools', () => {
  const nets = pgIn('nets: [10.244.0.0/16]');

  it('db annotated ["b"]: pg\'s address is in 10.244.0.0/16, so the rule applies: ALLOWED (exit 0), the intent a definite high violation', () => {
    const yaml = scene({ db: '["b"]', policy: nets });
    const r = reach(yaml);
    expect(r.exitCode).toBe(0);
    expect(r.output).toContain('ALLOWED: shop/web[Deployment] -> db/pg[Deployment] on 5432/TCP');
    expect(r.output).toContain('ALLOWED by Calico NetworkPolicy db/pg-in rule 0 (Allow): TCP 5432');
    expect(intentOf(yaml)).toMatchObject({ status: 'fail', severity: 'high' });
  });

  it('db annotated ["a"]: pg\'s address is in 192.168.0.0/16, outside the nets: DENIED for certain (exit 1), the intent holds', () => {
    const yaml = scene({ db: '["a"]', policy: nets });
    const r = reach(yaml);
    expect(r.exitCode).toBe(1);
    expect(r.output).toContain('DENIED: shop/web[Deployment] -> db/pg[Deployment] on 5432/TCP');
    expect(r.output).not.toContain('uncertain');
    expect(intentOf(yaml).status).toBe('pass');
  });

  it('db without annotation: both pools are candidates, one inside the nets: UNKNOWN (exit 2) naming the own side, the intent "cannot be confirmed"', () => {
    const yaml = scene({ policy: nets });
    const r = reach(yaml);
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain("destination nets on the policy's own pod: whether the pod's address is in 10.244.0.0/16 is not known: the pods' address pools (IPPool a (192.168.0.0/16), IPPool b (10.244.0.0/16)) lie partly inside it");
    const res = intentOf(yaml);
    expect(res).toMatchObject({ status: 'fail', severity: 'medium' });
    expect(res.message).toContain('cannot be confirmed');
  });

  it('another namespace\'s annotation does not narrow pg: shop ["b"] leaves db\'s pg in doubt (exit 2)', () => {
    expect(reach(scene({ shop: '["b"]', policy: nets })).exitCode).toBe(2);
  });
});

describe('Calico destination notNets ("Negative match on CIDRs") on the policy\'s own pod', () => {
  const notNets = pgIn('notNets: [10.244.0.0/16]');

  it('db ["b"]: pg is inside the notNets, the rule does not apply: DENIED for certain, the intent holds', () => {
    const yaml = scene({ db: '["b"]', policy: notNets });
    const r = reach(yaml);
    expect(r.exitCode).toBe(1);
    expect(r.output).not.toContain('uncertain');
    expect(intentOf(yaml).status).toBe('pass');
  });

  it('db ["a"]: pg is outside the notNets, the rule applies: ALLOWED (exit 0), a definite violation', () => {
    const yaml = scene({ db: '["a"]', policy: notNets });
    expect(reach(yaml).exitCode).toBe(0);
    expect(intentOf(yaml)).toMatchObject({ status: 'fail', severity: 'high' });
  });

  it('db without annotation: UNKNOWN (exit 2) naming destination notNets', () => {
    const r = reach(scene({ policy: notNets }));
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain("destination notNets on the policy's own pod");
  });
});

describe('Calico source nets on an egress rule match the sending pod by its pools', () => {
  /** web (in shop) isolated for egress; its one rule allows egress when web's own address is in pool a. */
  const webOut = `---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: web-out, namespace: shop}
spec:
  selector: app == 'web'
  types: [Egress]
  egress:
  - action: Allow
    source: {nets: [192.168.0.0/16]}
`;

  it('shop ["a"]: web\'s address is in the nets: ALLOWED (exit 0)', () => {
    expect(reach(scene({ shop: '["a"]', policy: webOut })).exitCode).toBe(0);
  });

  it('shop ["b"]: outside: DENIED for certain (exit 1)', () => {
    const r = reach(scene({ shop: '["b"]', policy: webOut }));
    expect(r.exitCode).toBe(1);
    expect(r.output).not.toContain('uncertain');
  });

  it('shop without annotation: UNKNOWN (exit 2) naming source nets', () => {
    const r = reach(scene({ policy: webOut }));
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain("source nets on the policy's own pod");
  });
});

describe('Calico source selector beside nets: the selected pods count only when their own address is in the nets', () => {
  // EntityRule: "selector … nets …": a packet matches when it matches every field given
  // (https://docs.tigera.io/calico/latest/reference/resources/networkpolicy, EntityRule).
  const fromWebInB = pgIn('nets: [0.0.0.0/0]').replace('destination: {nets: [0.0.0.0/0], ports: [5432]}', `source: {namespaceSelector: "kubernetes.io/metadata.name == 'shop'", selector: "app == 'web'", nets: [10.244.0.0/16]}
    destination: {ports: [5432]}`);

  it('shop ["b"]: web\'s address is in the nets: ALLOWED (exit 0), a definite violation', () => {
    const yaml = scene({ shop: '["b"]', policy: fromWebInB });
    const r = reach(yaml);
    expect(r.exitCode).toBe(0);
    expect(r.output).toContain('ALLOWED by Calico NetworkPolicy db/pg-in rule 0 (Allow): TCP 5432');
    expect(intentOf(yaml)).toMatchObject({ status: 'fail', severity: 'high' });
  });

  it('shop ["a"]: web is outside the nets: DENIED for certain (exit 1), the intent holds', () => {
    const yaml = scene({ shop: '["a"]', policy: fromWebInB });
    const r = reach(yaml);
    expect(r.exitCode).toBe(1);
    expect(r.output).not.toContain('uncertain');
    expect(intentOf(yaml).status).toBe('pass');
  });

  it('shop without annotation: UNKNOWN (exit 2), the intent "cannot be confirmed"', () => {
    const yaml = scene({ policy: fromWebInB });
    const r = reach(yaml);
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain("the rule selects pods only when their address is in its nets: whether the pod's address is in 10.244.0.0/16 is not known");
    const res = intentOf(yaml);
    expect(res).toMatchObject({ status: 'fail', severity: 'medium' });
    expect(res.message).toContain('cannot be confirmed');
  });
});
