// mtls.authz-missing names a port that skips the linkerd-proxy once, as skipped: not again as "also
// open" under a Server or the default inbound policy, which never see its traffic.
//
// Upstream (linkerd2, stable-2.14.10 and main): proxy-init's --inbound-ports-to-ignore
// (charts/partials/templates/_proxy-init.tpl, proxyInit.ignoreInboundPorts "4567,4568" by default in
// charts/linkerd-control-plane/values.yaml, replaced by config.linkerd.io/skip-inbound-ports in
// pkg/inject/inject.go) RETURNs those ports before the redirect to the proxy (linkerd2-proxy-init
// pkg/iptables/iptables.go addIncomingTrafficRules), so the proxy's policy (Servers, default inbound
// policy: https://linkerd.io/2.14/reference/authorization-policy/) is not applied there.
import { describe, expect, it } from 'vitest';
import { authzMissing } from '../../../checks/mtls/authz-missing.ts';
import { ctxOf, run } from './helpers.ts';
import { galera } from './linkerd-galera-scene.ts';

// The reviewer's repro lk-control (a copy of fail.default-ignored-port-declared.yaml) is galera().
const verdict = (y: string) => run(authzMissing, ctxOf(y)).find((v) => v.resource.kind === 'Deployment')!;

describe('mtls.authz-missing: a skipped port is not also listed as open', () => {
  it("Linkerd's default ignored 4567: reported as skipped, and only 3306 as open under the default policy", () => {
    const v = verdict(galera());
    expect(v.status).toBe('fail');
    expect(v.message).toContain('port 4567 skips its linkerd-proxy');
    expect(v.message).toContain('also open on port 3306 (no Server; default all-unauthenticated)');
    expect(v.message).not.toMatch(/4567 \(no Server/);
    expect(v.evidence?.open).toEqual(['3306 (no Server; default all-unauthenticated)']);
    expect(v.evidence?.skippedPorts).toEqual(['4567']);
  });

  it('a skipped port a permissive Server selects is reported as skipped only, not as open under that Server', () => {
    const server = `---
apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: {name: galera-repl, namespace: shop}
spec: {podSelector: {matchLabels: {app: galera}}, port: 4567, accessPolicy: all-unauthenticated}
---
apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: {name: galera-sql, namespace: shop}
spec: {podSelector: {matchLabels: {app: galera}}, port: 3306}
`;
    const v = verdict(galera('{config.linkerd.io/skip-inbound-ports: "4567"}', undefined, server));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('port 4567 skips its linkerd-proxy (pod annotation config.linkerd.io/skip-inbound-ports)');
    expect(v.message).not.toContain('also open');
    expect(v.message).not.toContain('galera-repl');
    expect(v.evidence?.open).toBeUndefined();
  });
});
