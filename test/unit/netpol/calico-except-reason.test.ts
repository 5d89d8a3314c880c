// A Calico rule whose only peer criterion is an exclusion (`notNets`) admits every
// peer but the excluded ones: "notNets: Negative match on CIDRs. Match packets with IP in none of
// the listed CIDRs" (docs.tigera.io/calico/latest/reference/resources/networkpolicy#entityrule).
// The findings name the exclusion rather than calling the rule's peers "missing or empty"
// (the reviewer's repro ai/u1).
import { describe, expect, it } from 'vitest';
import { allowAllIngress } from '../../../checks/network/allow-all-ingress.ts';
import { unrestrictedEgress } from '../../../checks/network/unrestricted-egress.ts';
import { ctxOf, run } from './helpers.ts';

const BASE = `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: calico-node, namespace: kube-system}
spec:
  selector: {matchLabels: {k8s-app: calico-node}}
  template:
    metadata: {labels: {k8s-app: calico-node}}
    spec: {containers: [{name: calico-node, image: "docker.io/calico/node:v3.30.2"}]}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: shop, labels: {app: client}}
spec: {containers: [{name: c, image: nginx, ports: [{containerPort: 80}]}]}
`;

const gnp = (name: string, dir: 'Ingress' | 'Egress', rule: string) => `---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: ${name}, namespace: shop}
spec:
  order: 10
  selector: app == 'client'
  types: [${dir}]
  ${dir.toLowerCase()}:
  - ${rule}
`;

const failures = (check: typeof allowAllIngress, yaml: string) => run(check, ctxOf(yaml)).filter((v) => v.status === 'fail').map((v) => [v.severity ?? check.severity, v.message]);

describe('Calico notNets: the finding names what the rule leaves out', () => {
  it('ingress from notNets 10.0.0.0/8: "every address outside 10.0.0.0/8"', () => {
    expect(failures(allowAllIngress, BASE + gnp('in-notnets', 'Ingress', 'action: Allow\n    source: {notNets: [10.0.0.0/8]}'))).toEqual([
      ['high', 'Calico NetworkPolicy shop/in-notnets admits ingress from every address outside 10.0.0.0/8 (notNets) on every port'],
    ]);
  });

  it('egress to notNets 10.0.0.0/8: "every address outside 10.0.0.0/8"', () => {
    expect(failures(unrestrictedEgress, BASE + gnp('eg-notnets', 'Egress', 'action: Allow\n    destination: {notNets: [10.0.0.0/8]}'))).toEqual([
      ['high', 'Calico NetworkPolicy shop/eg-notnets allows egress to every address outside 10.0.0.0/8 (notNets) on every port'],
    ]);
  });

  it('a rule with no peer criterion at all still says "any peer (from/to missing or empty)"', () => {
    expect(failures(allowAllIngress, BASE + gnp('in-any', 'Ingress', 'action: Allow'))).toEqual([
      ['high', 'Calico NetworkPolicy shop/in-any admits ingress from any peer (from/to missing or empty) on every port'],
    ]);
  });
});
