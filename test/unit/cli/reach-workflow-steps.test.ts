// `reach` about one step of an Argo Workflow answers for that step's pod: its own ServiceAccount
// (the mesh identity) and its own labels (what policies select). An Argo Workflow controls every
// step's pod, each with its template's serviceAccountName and metadata.labels
// (https://argo-workflows.readthedocs.io/en/latest/fields/#template), so pods of one owner that
// differ in either are not folded into one workload whose first pod would speak for all.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../../../src/cli/io.ts';
import { main } from '../../../src/cli/main.ts';

const step = (name: string, labels: string, sa: string, extra = '') => `---
apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: ci
  labels: {workflows.argoproj.io/workflow: wf${labels}}
  ownerReferences: [{apiVersion: argoproj.io/v1alpha1, kind: Workflow, name: wf, uid: 1111aaaa-0000-4000-8000-0000000000f1, controller: true}]
${extra}spec:
  serviceAccountName: ${sa}
  containers: [{name: main, image: alpine, ports: [{containerPort: 8080}]}${extra ? ', {name: istio-proxy, image: istio/proxyv2:1.24.0}' : ''}]
status: {phase: Running}
`;

async function reach(yaml: string, ...args: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'ztaudit-reach-steps-'));
  writeFileSync(join(dir, 'all.yaml'), yaml);
  const out: string[] = [];
  const io: CliIO = { stdout: (t) => out.push(t), stderr: () => {}, env: {}, isTTY: false, cwd: dir };
  const code = await main(['reach', '--manifests', dir, ...args], io);
  return { code, out: out.join('') };
}

describe('reach: each Workflow step is judged as itself', () => {
  // Istio: "principals: A list of peer identities derived from the peer certificate. The peer
  // identity is in the format of <TRUST_DOMAIN>/ns/<NAMESPACE>/sa/<SERVICE_ACCOUNT>"
  // (https://istio.io/latest/docs/reference/config/security/authorization-policy/#Source): the
  // certificate is the calling pod's ServiceAccount's, not another step's.
  it('the mesh identity is the step pod\'s own ServiceAccount: deployer is DENIED where only builder is allowed', async () => {
    const sidecar = `  annotations: {sidecar.istio.io/status: '{"containers":["istio-proxy"]}'}\n`;
    const yaml = `apiVersion: v1
kind: Namespace
metadata: {name: ci, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
${step('wf-build-1', '', 'builder', sidecar)}${step('wf-deploy-2', '', 'deployer', sidecar)}---
apiVersion: v1
kind: Pod
metadata:
  name: api-0
  namespace: shop
  labels: {app: api}
  annotations: {sidecar.istio.io/status: '{"containers":["istio-proxy"]}'}
spec:
  serviceAccountName: api
  containers: [{name: api, image: nginx, ports: [{containerPort: 8080}]}, {name: istio-proxy, image: istio/proxyv2:1.24.0}]
status: {phase: Running}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec: {mtls: {mode: STRICT}}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  action: ALLOW
  rules:
  - from: [{source: {principals: [cluster.local/ns/ci/sa/builder]}}]
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec:
  selector: {app: api}
  ports: [{port: 8080, targetPort: 8080}]
`;
    const deploy = await reach(yaml, '--from', 'ci/wf-deploy-2', '--to', 'shop/api-0', '--port', '8080');
    expect(deploy.code).toBe(1);
    expect(deploy.out.split('\n')[0]).toBe('DENIED: ci/wf-deploy-2[Pod] -> shop/api-0[Pod] on 8080/TCP');
    expect(deploy.out).toContain('mesh DENIED: no ALLOW AuthorizationPolicy matches principal cluster.local/ns/ci/sa/deployer on port 8080');
    const build = await reach(yaml, '--from', 'ci/wf-build-1', '--to', 'shop/api-0', '--port', '8080');
    expect(build.code).toBe(0);
    expect(build.out.split('\n')[0]).toBe('ALLOWED: ci/wf-build-1[Pod] -> shop/api-0[Pod] on 8080/TCP');
  });

  // "podSelector: Selects the pods to which this NetworkPolicy object applies"
  // (https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/):
  // allow-test selects the step=test pod only; the build step stays under default-deny.
  it('a policy selecting one step\'s labels does not admit traffic to another step: wf-build-1 is DENIED, wf-test-2 ALLOWED', async () => {
    const yaml = `${step('wf-build-1', ', step: build', 'builder')}${step('wf-test-2', ', step: test', 'tester')}---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: ci}
spec:
  podSelector: {}
  policyTypes: [Ingress]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-test, namespace: ci}
spec:
  podSelector: {matchLabels: {step: test}}
  ingress: [{}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: client, namespace: shop}
spec:
  selector: {matchLabels: {app: client}}
  template:
    metadata: {labels: {app: client}}
    spec:
      containers: [{name: c, image: alpine}]
`;
    const build = await reach(yaml, '--from', 'shop/client', '--to', 'ci/wf-build-1', '--port', '8080');
    expect(build.code).toBe(1);
    expect(build.out.split('\n')[0]).toBe('DENIED: shop/client[Deployment] -> ci/wf-build-1[Pod] on 8080/TCP');
    expect(build.out).toContain('DENIED by NetworkPolicy isolation (ci/default-deny select it; no rule allows it)');
    const test = await reach(yaml, '--from', 'shop/client', '--to', 'ci/wf-test-2', '--port', '8080');
    expect(test.code).toBe(0);
    expect(test.out).toContain('ALLOWED by NetworkPolicy ci/allow-test rule 0');
  });
});
