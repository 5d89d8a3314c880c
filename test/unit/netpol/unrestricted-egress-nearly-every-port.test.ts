// network.unrestricted-egress on rules open to every port of a protocol but one (the reviewer's
// repro u1): leaving out SMTP still lets a pod reach any address on any other TCP port, so the
// finding is the high "every port" one, naming what is left out, not the low DNS one. Up to
// NEARLY_EVERY_PORT_MAX_EXCLUDED (16) ports left out count as every port.
// Calico `notPorts`: "Negative match on ports" (docs.tigera.io/calico/latest/reference/resources/
// networkpolicy#entityrule); Kubernetes `endPort`: "the range of ports from port to endPort,
// inclusive" (kubernetes.io/docs/concepts/services-networking/network-policies/#targeting-a-range-of-ports).
import { describe, expect, it } from 'vitest';
import { unrestrictedEgress } from '../../../checks/network/unrestricted-egress.ts';
import { ctxOf, run } from './helpers.ts';

const CALICO = `
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: calico-node, namespace: kube-system}
spec:
  selector: {matchLabels: {k8s-app: calico-node}}
  template:
    metadata: {labels: {k8s-app: calico-node}}
    spec: {containers: [{name: calico-node, image: "docker.io/calico/node:v3.30.2"}]}
`;

const POD = `---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: shop, labels: {app: client}}
spec: {containers: [{name: c, image: nginx}]}
`;

const calicoPolicy = (destination: string) => `---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: eg, namespace: shop}
spec:
  order: 10
  selector: app == 'client'
  types: [Egress]
  egress:
  - action: Allow
    protocol: TCP
    destination: ${destination}
`;

const k8sPolicy = (ports: string) => `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: eg, namespace: shop}
spec:
  podSelector: {matchLabels: {app: client}}
  policyTypes: [Egress]
  egress:
  - ports: ${ports}
`;

const failures = (yaml: string) => run(unrestrictedEgress, ctxOf(yaml)).filter((v) => v.status === 'fail').map((v) => [v.severity ?? unrestrictedEgress.severity, v.message]);

describe('network.unrestricted-egress: every port of a protocol but a few counts as every port', () => {
  it('Calico notPorts [25]: high, "every TCP port except TCP 25"', () => {
    expect(failures(CALICO + POD + calicoPolicy('{notPorts: [25]}'))).toEqual([
      ['high', 'Calico NetworkPolicy shop/eg allows egress to any peer (to missing or empty) on every TCP port except TCP 25'],
    ]);
  });

  it('Calico ports ["1:24", "26:65535"]: high, the same', () => {
    expect(failures(CALICO + POD + calicoPolicy('{ports: ["1:24", "26:65535"]}'))).toEqual([
      ['high', 'Calico NetworkPolicy shop/eg allows egress to any peer (to missing or empty) on every TCP port except TCP 25'],
    ]);
  });

  it('Kubernetes port 1 endPort 24 and port 26 endPort 65535: high, the same', () => {
    expect(failures(POD + k8sPolicy('[{protocol: TCP, port: 1, endPort: 24}, {protocol: TCP, port: 26, endPort: 65535}]'))).toEqual([
      ['high', 'shop/eg allows egress to any peer (to missing or empty) on every TCP port except TCP 25'],
    ]);
  });

  it('more than 16 ports left out is no longer every port: TCP 1024-65535 passes, TCP 18-65535 is only the low DNS finding', () => {
    expect(failures(POD + k8sPolicy('[{protocol: TCP, port: 1024, endPort: 65535}]'))).toEqual([]);
    expect(failures(POD + k8sPolicy('[{protocol: TCP, port: 18, endPort: 65535}]'))).toEqual([
      ['low', 'shop/eg allows DNS (port 53) to any destination: a DNS exfiltration path; send DNS to kube-dns only'],
    ]);
  });

  it('16 ports left out (TCP 17-65535): high, naming TCP 1-16', () => {
    expect(failures(POD + k8sPolicy('[{protocol: TCP, port: 17, endPort: 65535}]'))).toEqual([
      ['high', 'shop/eg allows egress to any peer (to missing or empty) on every TCP port except TCP 1-16'],
    ]);
  });
});
