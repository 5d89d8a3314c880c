// mtls.linkerd-unauthenticated-default leaves a port that skips the linkerd-proxy out of the ports
// the default inbound policy (or a Server) opens: traffic there never reaches the proxy, so its
// policy does not apply (mtls.linkerd-skip-ports and mtls.authz-missing report the port instead).
//
// Upstream (linkerd2, stable-2.14.10 and main): proxy-init gets --inbound-ports-to-ignore
// (charts/partials/templates/_proxy-init.tpl; proxyInit.ignoreInboundPorts "4567,4568" by default in
// charts/linkerd-control-plane/values.yaml, replaced by config.linkerd.io/skip-inbound-ports in
// pkg/inject/inject.go), whose iptables rules RETURN those ports before the redirect to the proxy
// (linkerd2-proxy-init pkg/iptables/iptables.go addIncomingTrafficRules); the default inbound policy
// and Servers are the proxy's (https://linkerd.io/2.14/reference/authorization-policy/).
import { describe, expect, it } from 'vitest';
import { linkerdUnauthenticatedDefault } from '../../../checks/mtls/linkerd-unauthenticated-default.ts';
import { ctxOf, run } from './helpers.ts';
import { galera } from './linkerd-galera-scene.ts';

const verdict = (y: string) => run(linkerdUnauthenticatedDefault, ctxOf(y)).find((v) => v.resource.kind === 'Deployment')!;

describe('mtls.linkerd-unauthenticated-default: a port that skips the proxy is not opened by its policy', () => {
  it("Linkerd's default ignored 4567 is not listed as uncovered; 3306 still is", () => {
    const v = verdict(galera());
    expect(v.status).toBe('fail');
    expect(v.message).toContain('on port(s) 3306 not covered by a Server');
    expect(v.message).toContain('port 4567 skips the proxy');
    expect(v.evidence?.uncoveredPorts).toEqual([3306]);
    expect(v.evidence?.skippedPorts).toEqual([4567]);
  });

  it('a port named in config.linkerd.io/skip-inbound-ports is left out; the others covered by a deny Server pass', () => {
    const server = `---
apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: {name: web, namespace: shop}
spec: {podSelector: {matchLabels: {app: galera}}, port: 8080}
`;
    const v = verdict(galera('{config.linkerd.io/skip-inbound-ports: "9000"}', '[{containerPort: 8080}, {containerPort: 9000}]', server));
    expect(v.status).toBe('pass');
    expect(v.message).toContain('every declared port the proxy sees is covered by a Server');
    expect(v.message).toContain('port 9000 skips the proxy');
    expect(v.evidence?.skippedBy).toContain('config.linkerd.io/skip-inbound-ports');
  });

  // linkerd2-proxy-init pkg/iptables/iptables.go addIncomingTrafficRules (proxy-init/v2.2.3, v2.4.9):
  // RETURN rules for the ignored ports, then a REDIRECT of all remaining TCP to the proxy's inbound
  // port, so a port the spec does not declare still meets the default policy, as on a workload
  // declaring no port (which this check fails "on all ports (none declared)").
  it('every declared port skipped: the default still opens every other port, so it fails like a workload declaring none, without naming the skipped port as opened', () => {
    const v = verdict(galera('{config.linkerd.io/skip-inbound-ports: "4000-4100"}', '[{containerPort: 4040}]'));
    expect(v.status).toBe('fail');
    expect(v.severity).toBe('high');
    expect(v.message).toContain('admits unauthenticated clients on every port but the skipped ones: no declared port reaches the proxy');
    expect(v.message).toContain('port 4040 skips the proxy');
    expect(v.evidence?.uncoveredPorts).toEqual([]);
    expect(v.evidence?.skippedPorts).toEqual([4040]);
  });

  it('a list skipping every port (the proxy\'s own aside) leaves the default nowhere to apply: pass', () => {
    const v = verdict(galera('{config.linkerd.io/skip-inbound-ports: "1-65535"}', '[{containerPort: 4040}]'));
    expect(v.status).toBe('pass');
    expect(v.message).toContain('every port skips the proxy');
    expect(verdict(galera('{config.linkerd.io/skip-inbound-ports: "1-65535"}', '[]')).status).toBe('pass');
  });

  it('a skipped port a permissive Server selects is not reopened under an all-authenticated default', () => {
    const server = `---
apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: {name: galera-repl, namespace: shop}
spec: {podSelector: {matchLabels: {app: galera}}, port: 4567, accessPolicy: all-unauthenticated}
`;
    const v = verdict(galera('{config.linkerd.io/default-inbound-policy: all-authenticated}', undefined, server));
    expect(v.status).toBe('pass');
    expect(v.message).not.toContain('galera-repl');
    expect(v.evidence?.serverAccessPolicies).toBeUndefined();
  });

  it('without a skip the port is still judged (control: the same Deployment, 4567 not declared)', () => {
    const v = verdict(galera('{}', '[{containerPort: 3306}, {containerPort: 4568}]', ''));
    // 4568 is in the default list too, so only 3306 is opened by the default policy.
    expect(v.evidence?.uncoveredPorts).toEqual([3306]);
    const w = verdict(galera('{config.linkerd.io/skip-inbound-ports: ""}'));
    expect(w.evidence?.uncoveredPorts).toEqual([3306, 4567]);
  });
});
