// A Calico namespaceSelector reads the namespace's labels as pcns.<key> (Calico copies a
// Namespace's labels onto its pods' endpoints through the kns.<name> profile; the rule's
// namespaceSelector becomes a selector on pcns.* labels: projectcalico/calico
// libcalico-go/lib/backend/k8s/conversion/conversion.go NamespaceToProfile, and
// libcalico-go/lib/backend/syncersv1/updateprocessors/rules.go for rules and
// globalnetworkpolicyprocessor.go for a GlobalNetworkPolicy's own namespaceSelector, v3.32.1; docs.tigera.io/calico/latest/reference/resources/networkpolicy,
// EntityRule namespaceSelector). Of a namespace no manifest declares only the name is known, so
// such a selector cannot be judged for its pods: UNKNOWN, as for a Kubernetes namespaceSelector
// (network-model.md "Limits").
import { describe, expect, it } from 'vitest';
import { buildReachability } from '../../../src/analysis/netpol/model.ts';
import { calicoBase, reach } from './calico-scenes.ts';
import { snap } from './helpers.ts';

const spy = `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: spy, namespace: ghost}
spec:
  selector: {matchLabels: {app: spy}}
  template:
    metadata: {labels: {app: spy}}
    spec:
      containers: [{name: c, image: busybox}]
`;

const ghostNamespace = (labels: string) => `---
apiVersion: v1
kind: Namespace
metadata: {name: ghost, labels: ${labels}}
`;

const fromTeamGhost = `---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: from-team, namespace: shop}
spec:
  selector: all()
  types: [Ingress]
  ingress:
  - action: Allow
    source: {namespaceSelector: team == 'ghost'}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: deny-not-team}
spec:
  order: 1
  selector: app == 'db'
  types: [Ingress]
  ingress:
  - action: Deny
    source: {namespaceSelector: team != 'ghost'}
  - action: Allow
`;

const denyInNonDev = `---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: deny-in-non-dev}
spec:
  namespaceSelector: env != 'dev'
  types: [Ingress]
`;

describe('Calico namespaceSelector peers on a namespace no manifest declares', () => {
  it('an Allow from team == ghost: whether ghost has that label is not known: UNKNOWN (exit 2), not DENIED', () => {
    const r = reach(calicoBase() + spy + fromTeamGhost, 'ghost/spy', 'shop/web', '8080');
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('whether namespace ghost is selected by selector team is not known: no manifest declares it');
  });

  it('a Deny from team != ghost: UNKNOWN (exit 2), not DENIED', () => {
    const r = reach(calicoBase() + spy + fromTeamGhost, 'ghost/spy', 'shop/db', '5432');
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('GlobalNetworkPolicy deny-not-team (order 1) rule 0 (Deny): whether namespace ghost is selected by selector team is not known');
  });

  it('with the Namespace declared (team: ghost) both answers are certain again', () => {
    const yaml = calicoBase() + spy + ghostNamespace('{team: ghost}') + fromTeamGhost;
    expect(reach(yaml, 'ghost/spy', 'shop/web', '8080').exitCode).toBe(0);
    expect(reach(yaml, 'ghost/spy', 'shop/db', '5432').exitCode).toBe(0);
  });
});

describe('a Calico policy whose own namespaceSelector reads labels of an undeclared namespace', () => {
  it('whether it applies to ghost\'s pods is not known: ingress at ghost/spy is UNKNOWN (exit 2), naming the policy', () => {
    const r = reach(calicoBase() + spy + denyInNonDev, 'other/client', 'ghost/spy', '8080');
    expect(r.exitCode).toBe(2);
    expect(r.output).toContain('whether GlobalNetworkPolicy deny-in-non-dev applies to it is not known (whether namespace ghost is selected by its selector on namespace labels env is not known');
  });

  it('declared without env, ghost is selected for certain: DENIED (exit 1); declared with env: dev, not: ALLOWED (exit 0)', () => {
    expect(reach(calicoBase() + spy + ghostNamespace('{}') + denyInNonDev, 'other/client', 'ghost/spy', '8080').exitCode).toBe(1);
    expect(reach(calicoBase() + spy + ghostNamespace('{env: dev}') + denyInNonDev, 'other/client', 'ghost/spy', '8080').exitCode).toBe(0);
  });

  it('the shop side, whose Namespace is declared, stays certain (DENIED, exit 1)', () => {
    expect(reach(calicoBase() + spy + denyInNonDev, 'other/client', 'shop/web', '8080').exitCode).toBe(1);
  });
});

describe('the run\'s coverage notes name Calico policies whose namespace selectors cannot be judged', () => {
  it('a rule\'s namespaceSelector and a policy\'s own one are both named, with the undeclared namespaces', () => {
    const notes = buildReachability(snap(calicoBase() + spy + fromTeamGhost + denyInNonDev)).notes.map((n) => `${n.object.kind} ${n.object.name}: ${n.message}`);
    expect(notes).toContain('NetworkPolicy from-team: its namespace selectors read labels (team), but no manifest declares namespace(s) ghost, whose pods it may admit or not: only their kubernetes.io/metadata.name label is known, so reach answers UNKNOWN where such a selector decides a flow for them (the checks and the matrix count the name-only reading); add the Namespace manifests with their labels');
    expect(notes).toContain('GlobalNetworkPolicy deny-in-non-dev: its selector reads namespace labels (env), but no manifest declares namespace(s) ghost, whose pods it may select or not: only their kubernetes.io/metadata.name label is known, so reach answers UNKNOWN where its verdict on those pods decides a flow (the checks and the matrix count the name-only reading); add the Namespace manifests with their labels');
  });
});
