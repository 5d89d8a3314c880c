// Istio builds an AuthorizationPolicy into a TCP filter on a port whose Service declares a TCP
// protocol, and there HTTP-only fields (methods, paths, hosts, requestPrincipals, request.* `when`
// keys) do not exist: "the rule becomes invalid when it uses an HTTP-only field (`methods`) for TCP
// traffic. Istio ignores the invalid ALLOW rule", while for a DENY rule "Istio doesn't understand
// the HTTP-only fields while creating a DENY rule for tcp port and due to its restrictive nature
// it denies all the traffic to the tcp ports"
// (https://istio.io/latest/docs/tasks/security/authorization/authz-tcp/, whose tcp-echo sample
// Service — istio/istio samples/tcp-echo/tcp-echo.yaml — declares port 9000 `tcp` and 9001
// `tcp-other`, and leaves 9002 out). The declared protocol is the port's `appProtocol`, else its
// name's prefix (https://istio.io/latest/docs/ops/configuration/traffic-management/protocol-selection/:
// "name: <protocol>[-<suffix>]", "If both are defined, appProtocol takes precedence over the port
// name"). A port declared HTTP keeps its HTTP fields; an undeclared one is sniffed, so those fields
// still make the answer per request.
import { describe, expect, it } from 'vitest';
import { meshFlowVerdict, meshVerdictOverConns } from '../../../src/analysis/mesh/flow-verdict.ts';
import { allConns } from '../../../src/analysis/netpol/conns.ts';
import { declaredPortProtocol } from '../../../src/analysis/mesh/istio-authz.ts';
import { ctxOf, deploymentYaml, namespaceYaml } from './helpers.ts';

const ref = (name: string) => ({ kind: 'Deployment', namespace: 'foo', name });
/** tcp-echo as in the sample: listens on 9000-9002; `ports` is its Service's port list. */
const tcpEcho = (ports = '[{name: tcp, port: 9000}, {name: tcp-other, port: 9001}]', extra = '') => `${namespaceYaml('foo')}${deploymentYaml('foo', 'curl', { serviceAccount: 'curl', ports: [] })}${deploymentYaml('foo', 'tcp-echo', { ports: [{ name: 'echo', containerPort: 9000 }, 9001, 9002] })}
apiVersion: v1
kind: Service
metadata: {name: tcp-echo, namespace: foo}
spec: {selector: {app: tcp-echo}, ports: ${ports}}
---${extra}`;
const tcpPolicy = (action: string, operation: string) => `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: tcp-policy, namespace: foo}
spec:
  selector: {matchLabels: {app: tcp-echo}}
  action: ${action}
  rules: [{to: [{operation: ${operation}}]}]
---`;
const judge = (yaml: string, port: number) => {
  const ctx = ctxOf(yaml);
  return meshFlowVerdict(ctx.snapshot, ctx.config, ref('curl'), ref('tcp-echo'), port, 'TCP');
};
const verdicts = (yaml: string) => [9000, 9001, 9002].map((p) => judge(yaml, p).verdict);

describe('Istio: HTTP-only policy fields on a port its Service declares TCP (authz-tcp task)', () => {
  it('ALLOW with methods on port 9000: 9000 and 9001 are refused (the page: "connection rejected" on both; was DEPENDS on 9000)', () => {
    const y = tcpEcho(undefined, tcpPolicy('ALLOW', '{methods: ["GET"], ports: ["9000"]}'));
    expect(verdicts(y)).toEqual(['denied', 'denied', 'denied']);
    const r = judge(y, 9000);
    expect(r.reason).toBe('no ALLOW AuthorizationPolicy matches principal cluster.local/ns/foo/sa/curl on port 9000 (applying: foo/tcp-policy)');
    expect(r.notes).toContain('port 9000 of foo/tcp-echo is declared TCP (Service foo/tcp-echo port 9000 name tcp): Istio enforces no methods of AuthorizationPolicy foo/tcp-policy there: an ALLOW rule with them never matches, a DENY rule applies without them (https://istio.io/latest/docs/tasks/security/authorization/authz-tcp/)');
  });

  it('DENY with methods only: 9000 and 9001 are refused (was DEPENDS); 9002, which no Service declares, still depends on the request', () => {
    const y = tcpEcho(undefined, tcpPolicy('DENY', '{methods: ["GET"]}'));
    expect(verdicts(y)).toEqual(['denied', 'denied', 'depends']);
    expect(judge(y, 9000)).toMatchObject({ policy: { name: 'tcp-policy' }, rule: 0, reason: 'DENY AuthorizationPolicy foo/tcp-policy rules[0] matches principal cluster.local/ns/foo/sa/curl on port 9000' });
  });

  it('reach without --port judges the declared ports apart: the DENY closes 9000 and 9001, every other port stays open per request', () => {
    const ctx = ctxOf(tcpEcho(undefined, tcpPolicy('DENY', '{methods: ["GET"]}')));
    const over = meshVerdictOverConns(ctx.snapshot, ctx.config, ref('curl'), ref('tcp-echo'), allConns())!;
    expect(over.verdict.verdict).toBe('depends');
    expect(over.open.TCP).toEqual([[1, 8999], [9002, 65535]]);
  });

  it('DENY with methods on port 9000: 9000 is refused, 9001 allowed (the page\'s last step)', () => {
    expect(verdicts(tcpEcho(undefined, tcpPolicy('DENY', '{methods: ["GET"], ports: ["9000"]}')))).toEqual(['denied', 'allowed', 'allowed']);
  });

  it('requestPrincipals on a TCP port: an ALLOW never matches, a DENY applies to every caller', () => {
    const from = (action: string) => `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: jwt, namespace: foo}
spec:
  selector: {matchLabels: {app: tcp-echo}}
  action: ${action}
  rules: [{from: [{source: {requestPrincipals: ["*"]}}]}]
---`;
    expect(judge(tcpEcho(undefined, from('ALLOW')), 9000).verdict).toBe('denied');
    expect(judge(tcpEcho(undefined, from('DENY')), 9000).verdict).toBe('denied');
    // Declared HTTP, with no RequestAuthentication: no request carries a validated JWT, so the
    // ALLOW admits nobody and the DENY refuses nobody. Undeclared (9002): it depends on the protocol.
    const http = '[{name: http-echo, port: 9000}]';
    expect(judge(tcpEcho(http, from('ALLOW')), 9000).verdict).toBe('denied');
    expect(judge(tcpEcho(http, from('DENY')), 9000).verdict).toBe('allowed');
    expect(judge(tcpEcho(undefined, from('DENY')), 9002).verdict).toBe('depends');
    // The same for a request.auth.* condition in a DENY: dropped on TCP, never matching on HTTP without a JWT.
    const claims = `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: claims, namespace: foo}
spec:
  selector: {matchLabels: {app: tcp-echo}}
  action: DENY
  rules: [{when: [{key: "request.auth.claims[groups]", values: [guests]}]}]
---`;
    expect([judge(tcpEcho(undefined, claims), 9000).verdict, judge(tcpEcho(http, claims), 9000).verdict, judge(tcpEcho(undefined, claims), 9002).verdict]).toEqual(['denied', 'allowed', 'depends']);
  });

  it('a port declared HTTP (http-, http2-, grpc- names, appProtocol) keeps methods per request: DEPENDS', () => {
    for (const ports of ['[{name: http-echo, port: 9000}]', '[{name: http2, port: 9000}]', '[{name: grpc-echo, port: 9000}]', '[{name: tcp, appProtocol: http, port: 9000}]', '[{name: echo, appProtocol: grpc, port: 9000}]']) {
      const r = judge(tcpEcho(ports, tcpPolicy('ALLOW', '{methods: ["GET"]}')), 9000);
      expect(r.verdict, ports).toBe('depends');
      expect(r.notes?.some((n) => n.startsWith('port 9000 of foo/tcp-echo is declared HTTP')), ports).toBe(true);
    }
  });

  it('appProtocol tcp over an http- name, a named targetPort, and an undeclared or disputed port', () => {
    const allowGet = tcpPolicy('ALLOW', '{methods: ["GET"]}');
    expect(judge(tcpEcho('[{name: http-echo, appProtocol: tcp, port: 80, targetPort: 9000}]', allowGet), 9000).verdict).toBe('denied');
    // targetPort by container port name (tcp-echo's 9000 is named `echo`).
    expect(judge(tcpEcho('[{name: tcp, port: 80, targetPort: echo}]', allowGet), 9000).verdict).toBe('denied');
    // Not declared: sniffed, so per request.
    expect(judge(tcpEcho('[{name: echo, port: 9000}]', allowGet), 9000).verdict).toBe('depends');
    // Two Services leading to the port declare it differently: which one the listener takes is not judged.
    const second = `
apiVersion: v1
kind: Service
metadata: {name: echo-web, namespace: foo}
spec: {selector: {app: tcp-echo}, ports: [{name: http, port: 80, targetPort: 9000}]}
---`;
    expect(judge(tcpEcho(undefined, `${second}${allowGet}`), 9000).verdict).toBe('depends');
  });

  // A waypoint builds the Service's port as the Service declares it, with the same TCP filter
  // (https://istio.io/latest/docs/ambient/usage/waypoint/: a waypoint handles service traffic by default).
  it('at a waypoint, a call to a Service port declared TCP: an ALLOW with methods attached to the waypoint admits nobody', () => {
    const ambient = (portName: string) => `${namespaceYaml('foo', 'istio.io/dataplane-mode: ambient, istio.io/use-waypoint: waypoint')}${deploymentYaml('foo', 'curl', { serviceAccount: 'curl', ports: [] })}${deploymentYaml('foo', 'tcp-echo', { ports: [9000] })}
apiVersion: v1
kind: Service
metadata: {name: tcp-echo, namespace: foo}
spec: {selector: {app: tcp-echo}, ports: [{name: ${portName}, port: 9000}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: waypoint, namespace: foo}
spec: {gatewayClassName: istio-waypoint, listeners: [{name: mesh, port: 15008, protocol: HBONE}]}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: get-only, namespace: foo}
spec:
  targetRefs: [{kind: Service, group: "", name: tcp-echo}]
  action: ALLOW
  rules: [{to: [{operation: {methods: ["GET"]}}]}]
---`;
    const serviceCall = (portName: string) => judge(ambient(portName), 9000).notes?.find((n) => n.startsWith('a call to Service foo/tcp-echo: judged by waypoint foo/waypoint'));
    expect(serviceCall('tcp')).toMatch(/, DENIED: no ALLOW AuthorizationPolicy matches principal cluster.local\/ns\/foo\/sa\/curl on port 9000 \(applying: foo\/get-only\)$/);
    expect(serviceCall('echo')).toMatch(/, DEPENDS: /);
  });

  it('reads a port\'s protocol as istiod does (ConvertProtocol)', () => {
    const kind = (p: { name?: string; appProtocol?: string; port: number }) => declaredPortProtocol(p).protocol;
    expect([kind({ name: 'tcp', port: 9000 }), kind({ name: 'TCP-db', port: 1 }), kind({ name: 'tls-x', port: 1 }), kind({ name: 'https', port: 443 }), kind({ name: 'mysql', port: 1 })]).toEqual(['tcp', 'tcp', 'tcp', 'tcp', 'tcp']);
    expect([kind({ name: 'http', port: 1 }), kind({ name: 'grpc-web-x', port: 1 }), kind({ appProtocol: 'kubernetes.io/h2c', port: 1 }), kind({ name: 'tcp', appProtocol: 'HTTP2', port: 1 })]).toEqual(['http', 'http', 'http', 'http']);
    // Undeclared, unless the port is one istiod knows as TCP (25, 53, 3306, 27017).
    expect([kind({ name: 'web', port: 8080 }), kind({ port: 8080 }), kind({ name: 'db', port: 3306 })]).toEqual([undefined, undefined, 'tcp']);
  });
});
