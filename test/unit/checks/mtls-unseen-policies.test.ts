// The policy checks of the mtls area (mtls.permissive-override, mtls.authz-allow-any,
// mtls.authz-plaintext-bypass) and a namespace not in the input: its Namespace object missing,
// the labels that decide whether its workloads are in the mesh at all (istio-injection,
// istio.io/rev: https://istio.io/latest/docs/setup/additional-setup/sidecar-injection/#controlling-the-injection-policy)
// are unknown, so what a PeerAuthentication there does ("Namespace-wide policy ... applies to all
// workloads in the namespace", https://istio.io/latest/docs/reference/config/security/peer_authentication/)
// or whom an AuthorizationPolicy there admits is no verdict: neither pass nor fail, the namespace
// listed as not judged (carried by the diff, SARIF and JUnit), and a check that judged nothing
// else is not evaluated, as mtls.authz-missing is (unjudged-only-not-evaluated.test.ts).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CHECKS } from '../../../checks/index.ts';
import { loadManifests } from '../../../src/collect/manifests.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { auditSnapshot } from '../../../src/engine/audit.ts';
import { deploymentYaml, namespaceYaml } from '../mesh/helpers.ts';

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

const ISTIOD = `
apiVersion: v1
kind: Namespace
metadata: {name: istio-system}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: istiod, namespace: istio-system}
spec:
  selector: {matchLabels: {app: istiod}}
  template:
    metadata: {labels: {app: istiod}}
    spec:
      containers:
      - {name: discovery, image: docker.io/istio/pilot:1.24.2}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec: {mtls: {mode: STRICT}}
---`;
/** In `ns`: a PERMISSIVE namespace policy, an ALLOW with an empty rule (Istio's allow-all), a DENY on principals. */
const policies = (ns: string) => `
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: relaxed, namespace: ${ns}}
spec: {mtls: {mode: PERMISSIVE}}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: open, namespace: ${ns}}
spec: {action: ALLOW, rules: [{}]}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-bad, namespace: ${ns}}
spec: {action: DENY, rules: [{from: [{source: {principals: [cluster.local/ns/x/sa/bad]}}]}]}
---`;
const IDS = ['mtls.permissive-override', 'mtls.authz-allow-any', 'mtls.authz-plaintext-bypass'];

function audit(yaml: string) {
  const dir = mkdtempSync(join(tmpdir(), 'ztaudit-unseen-policies-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'all.yaml'), yaml);
  const now = new Date('2026-06-01T00:00:00Z');
  const { report } = auditSnapshot({ snapshot: loadManifests([dir], { clusterName: 'c1' }), config: defaultConfig(), checks: CHECKS, now, runId: 'r1', startedAt: now });
  const findings = (id: string) => report.findings.filter((f) => f.check === id);
  return { check: (id: string) => report.checks.find((c) => c.id === id)!, findings };
}

describe('policy checks and a namespace not in the input', () => {
  it('policies only in the unseen namespace: each check is not evaluated, names it, and reports no finding there', () => {
    const { check, findings } = audit(`${ISTIOD}${policies('shop')}${deploymentYaml('shop', 'api')}`);
    for (const id of IDS) {
      expect(check(id).status, id).toBe('not-evaluated');
      expect(check(id).reason, id).toMatch(/^judged nothing: all it would judge is in namespace shop, not in the input/);
      expect(check(id).unjudgedNamespaces, id).toEqual(['shop']);
      expect(findings(id), id).toEqual([]);
    }
  });

  it('with the Namespace object in the input (control), the same policies are findings', () => {
    const { check, findings } = audit(`${ISTIOD}${namespaceYaml('shop')}${policies('shop')}${deploymentYaml('shop', 'api')}`);
    expect(findings('mtls.permissive-override').map((f) => `${f.resource.kind} ${f.resource.namespace}/${f.resource.name}`)).toEqual(['PeerAuthentication shop/relaxed']);
    expect(findings('mtls.authz-allow-any').map((f) => `${f.resource.kind} ${f.resource.namespace}/${f.resource.name}`)).toEqual(['AuthorizationPolicy shop/open']);
    expect(findings('mtls.authz-plaintext-bypass').map((f) => `${f.resource.kind} ${f.resource.namespace}/${f.resource.name}`)).toEqual(['Deployment shop/api']);
    for (const id of IDS) {
      expect(check(id).status, id).toBe('fail');
      expect(check(id).unjudgedNamespaces, id).toBeUndefined();
    }
  });

  it('policies judged in a seen namespace besides: those verdicts stand, the unseen namespace is listed and never named in a finding', () => {
    const { check, findings } = audit(`${ISTIOD}${policies('shop')}${deploymentYaml('shop', 'api')}${namespaceYaml('web')}${policies('web')}${deploymentYaml('web', 'front')}`);
    for (const id of IDS) {
      expect(check(id).status, id).toBe('fail');
      expect(check(id).unjudgedNamespaces, id).toEqual(['shop']);
      expect(findings(id).length, id).toBeGreaterThan(0);
      expect(findings(id).filter((f) => f.resource.namespace === 'shop'), id).toEqual([]);
    }
  });

  it('no policy in the unseen namespace (nor a mesh-wide identity rule): nothing there was left unjudged, the checks pass', () => {
    const { check } = audit(`${ISTIOD}${deploymentYaml('shop', 'api')}${namespaceYaml('web')}${deploymentYaml('web', 'front')}`);
    for (const id of IDS) {
      expect(check(id).status, id).toBe('pass');
      expect(check(id).unjudgedNamespaces, id).toBeUndefined();
    }
  });
});
