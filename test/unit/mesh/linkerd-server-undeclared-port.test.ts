// A Linkerd Server that names a port by number covers it whether or not a container declares it.
//
// linkerd2 policy-controller/k8s/index/src/inbound/index.rs, Pod::select_ports: `Port::Number(p) =>
// Some(*p)`; only `Port::Name` looks the name up in the pod's declared ports (pod_tcp_ports_by_name).
// linkerd2-proxy linkerd/app/inbound/src/policy/store.rs, Dynamic::check_policy: a port not yet
// discovered gets a watch of its own, so the proxy asks for the policy of any port it is called on.
// https://linkerd.io/2-edge/reference/authorization-policy/#server ("Only ports in a pod spec's
// ports are considered") holds for a named port, which must match a declared one. reach already
// judged so (/tmp/rev-meshauthz l2: "Server api-8080 covers port 8080"); mtls.authz-missing said
// the workload "declares no port a Server could cover".
import { describe, expect, it } from 'vitest';
import { meshFlowVerdict } from '../../../src/analysis/mesh/flow-verdict.ts';
import { mtlsChecks } from '../../../checks/mtls/index.ts';
import { ctxOf, deploymentYaml, run } from './helpers.ts';

const LC = `
apiVersion: v1
kind: Namespace
metadata: {name: lc, annotations: {linkerd.io/inject: enabled}}
---${deploymentYaml('lc', 'api', { ports: [] })}${deploymentYaml('lc', 'client', { serviceAccount: 'client', ports: [] })}`;
const server = (port: string) => `
apiVersion: policy.linkerd.io/v1beta3
kind: Server
metadata: {name: api-server, namespace: lc}
spec:
  podSelector: {matchLabels: {app: api}}
  port: ${port}
  proxyProtocol: HTTP/1
`;
const authzMissing = mtlsChecks.find((c) => c.id === 'mtls.authz-missing')!;
const unauthDefault = mtlsChecks.find((c) => c.id === 'mtls.linkerd-unauthenticated-default')!;
const apiDefaultVerdict = (yaml: string) => run(unauthDefault, ctxOf(yaml)).find((v) => v.resource.kind === 'Deployment' && v.resource.name === 'api')!;
const apiVerdict = (yaml: string) => run(authzMissing, ctxOf(yaml)).find((v) => v.resource.kind === 'Deployment' && v.resource.name === 'api')!;
const reach = (yaml: string) => { const ctx = ctxOf(yaml); return meshFlowVerdict(ctx.snapshot, ctx.config, { kind: 'Deployment', namespace: 'lc', name: 'client' }, { kind: 'Deployment', namespace: 'lc', name: 'api' }, 8080, 'TCP'); };

describe('Linkerd Server on a port number no container declares', () => {
  it('port: 8080 covers 8080 of a pod declaring no port: reach DENIES the unauthorized caller and authz-missing agrees (was: "declares no port a Server could cover")', () => {
    const y = `${LC}${server('8080')}`;
    expect(reach(y)).toMatchObject({ verdict: 'denied', policy: { kind: 'Server', name: 'api-server' } });
    const v = apiVerdict(y);
    expect(v.status).toBe('pass');
    expect(v.message).toBe('Deployment lc/api: port 8080, which no container declares but a Server names (Linkerd applies a Server to a port number whether or not it is declared), is covered by a Server that denies unless authorized; any other port it listens on follows default inbound policy all-unauthenticated (Linkerd install default)');
    expect(v.evidence).toMatchObject({ ports: [8080], undeclaredServerPorts: [8080] });
  });

  it('a Server admitting every client on that port still fails, naming it', () => {
    const v = apiVerdict(`${LC}${server('8080')}  accessPolicy: all-unauthenticated\n`);
    expect(v.status).toBe('fail');
    expect(v.message).toContain('port 8080 (Server api-server accessPolicy all-unauthenticated)');
  });

  it('linkerd-unauthenticated-default still fails the all-unauthenticated default, but names the ports it governs: every port but 8080 (was: "all ports (none declared)")', () => {
    const v = apiDefaultVerdict(`${LC}${server('8080')}`);
    expect(v.status).toBe('fail');
    expect(v.message).toBe('Deployment lc/api: default inbound policy all-unauthenticated (Linkerd install default) admits unauthenticated clients on every port but 8080 (none declared; port 8080, which no container declares but a Server names (Linkerd applies a Server to a port number whether or not it is declared), is covered by a Server that requires authorization).');
    expect(v.evidence).toMatchObject({ undeclaredServerPorts: [8080] });
    // A Server admitting every client there leaves every port open: the text says all ports.
    expect(apiDefaultVerdict(`${LC}${server('8080')}  accessPolicy: all-unauthenticated\n`).message).toContain('on all ports (none declared)');
  });

  // config.linkerd.io/proxy-require-identity-inbound-ports, "Inbound ports on which the proxy should
  // require identity" (https://linkerd.io/2-edge/reference/proxy-configuration/): the policy controller
  // makes the default authenticated-only by port number (policy-controller/k8s/index
  // default_inbound_server, `settings.require_id_ports.contains(&port)`), declared or not.
  it('ports listed in proxy-require-identity-inbound-ports on a pod declaring no port are named as the Server-covered ones are (was: "all ports (none declared)")', () => {
    const REQ = 'config.linkerd.io/proxy-require-identity-inbound-ports';
    const api = (list: string) => `
apiVersion: v1
kind: Namespace
metadata: {name: lc, annotations: {linkerd.io/inject: enabled}}
---${deploymentYaml('lc', 'api', { ports: [], annotations: { [REQ]: list } })}${deploymentYaml('lc', 'client', { serviceAccount: 'client', ports: [] })}`;
    const alone = apiDefaultVerdict(api('9090'));
    expect(alone.status).toBe('fail');
    expect(alone.message).toBe(`Deployment lc/api: default inbound policy all-unauthenticated (Linkerd install default) admits unauthenticated clients on every port but 9090 (none declared; port 9090 requires a mesh identity (pod annotation ${REQ})).`);
    // Beside a Server on 8080 requiring authorization, and one on 9100 inside a listed range, which decides there.
    const both = apiDefaultVerdict(`${api('9000-9200,9300')}${server('8080')}---${server('9100').replace('name: api-server', 'name: api-9100')}`);
    expect(both.message).toBe(`Deployment lc/api: default inbound policy all-unauthenticated (Linkerd install default) admits unauthenticated clients on every port but 8080, 9000-9099, 9100, 9101-9200, 9300 (none declared; ports 8080, 9100, which no container declares but a Server names (Linkerd applies a Server to a port number whether or not it is declared), are covered by a Server that requires authorization; ports 9000-9099, 9101-9200, 9300 require a mesh identity (pod annotation ${REQ})).`);
  });

  // The list takes ranges (parse_portset; https://linkerd.io/2-edge/reference/proxy-configuration/
  // "Inbound ports on which the proxy should require identity"): one covering every port leaves none
  // to the unauthenticated default. Was a fail on "every port but 1-65535".
  it('a proxy-require-identity-inbound-ports list covering every port on a pod declaring no port passes; a Server admitting unauthenticated clients on one of them still fails there', () => {
    const REQ = 'config.linkerd.io/proxy-require-identity-inbound-ports';
    const api = (list: string) => `
apiVersion: v1
kind: Namespace
metadata: {name: lc, annotations: {linkerd.io/inject: enabled}}
---${deploymentYaml('lc', 'api', { ports: [], annotations: { [REQ]: list } })}${deploymentYaml('lc', 'client', { serviceAccount: 'client', ports: [] })}`;
    const all = apiDefaultVerdict(api('1-65535'));
    expect([all.status, all.message]).toEqual(['pass', `Deployment lc/api: default inbound policy is all-unauthenticated, but no port is declared and every port requires a mesh identity (pod annotation ${REQ}).`]);
    // Ranges that leave out only a port a Server closes cover every port too.
    const withServer = apiDefaultVerdict(`${api('1-8079, 8081-65535')}${server('8080')}`);
    expect([withServer.status, withServer.message]).toEqual(['pass', `Deployment lc/api: default inbound policy is all-unauthenticated, but no port is declared and every port requires a mesh identity (pod annotation ${REQ}) or is covered by a Server that requires authorization (port 8080).`]);
    // One port short of every port: it still admits unauthenticated clients there.
    expect(apiDefaultVerdict(api('1-65534')).message).toContain('on every port but 1-65534 (none declared;');
    const reopened = apiDefaultVerdict(`${api('1-65535')}${server('8080')}  accessPolicy: all-unauthenticated\n`);
    expect(reopened.status).toBe('fail');
    expect(reopened.message).toContain('on every port but 1-8079, 8081-65535 (none declared;');
  });

  it('a named port no container declares covers nothing, in reach and in authz-missing alike', () => {
    const y = `${LC}${server('http')}`;
    expect(reach(y).verdict).toBe('allowed');
    expect(apiVerdict(y)).toMatchObject({ status: 'fail', message: expect.stringContaining('declares no port a Server could cover') });
  });
});
