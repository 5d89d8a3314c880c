// mtls.authz-missing and the ports a Linkerd workload's inbound traffic skips its proxy on.
//
// Upstream (linkerd2, stable-2.14.10 and main):
// - charts/partials/templates/_proxy-init.tpl: proxy-init always gets --inbound-ports-to-ignore
//   "{{proxy.ports.control}},{{proxy.ports.admin}}[,{{proxyInit.ignoreInboundPorts}}]": the proxy's
//   own control (4190) and admin (4191) ports, where linkerd-proxy itself listens.
// - charts/linkerd-control-plane/values.yaml: proxy.ports.control 4190, proxy.ports.admin 4191,
//   proxyInit.ignoreInboundPorts "4567,4568" (Galera).
// - pkg/inject/inject.go: config.linkerd.io/skip-inbound-ports replaces proxyInit.ignoreInboundPorts;
//   config.linkerd.io/control-port and admin-port replace the proxy's ports.
import { describe, expect, it } from 'vitest';
import { authzMissing } from '../../../checks/mtls/authz-missing.ts';
import { ctxOf, run } from './helpers.ts';

const yaml = (nsAnnotations: string, ports: number[], podAnnotations = '{}') => `
apiVersion: v1
kind: Namespace
metadata:
  name: backend
  annotations: {linkerd.io/inject: enabled, config.linkerd.io/default-inbound-policy: deny${nsAnnotations}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: backend}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}, annotations: ${podAnnotations}}
    spec:
      containers: [{name: api, image: example/api:1, ports: [${ports.map((p) => `{containerPort: ${p}}`).join(', ')}]}]
`;
const api = (y: string) => run(authzMissing, ctxOf(y)).filter((v) => v.resource.kind === 'Deployment' && v.resource.name === 'api');

describe('mtls.authz-missing: Linkerd skip-inbound-ports', () => {
  it("does not fail the proxy's own admin port 4191 listed in skip-inbound-ports, only the application's 25", () => {
    const [v] = api(yaml(', config.linkerd.io/skip-inbound-ports: "25,4191"', [8000]));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('port 25 skips its linkerd-proxy');
    expect(v.message).not.toContain('4191');
    expect(v.evidence?.skippedPorts).toEqual(['25']);
  });

  it('passes a deny-by-default workload whose skip-inbound-ports lists only the proxy ports 4190,4191', () => {
    expect(api(yaml(', config.linkerd.io/skip-inbound-ports: "4190,4191"', [8000])).map((v) => v.status)).toEqual(['pass']);
  });

  it('honours config.linkerd.io/admin-port: with the admin port moved to 9991, a skipped 4191 is an application port', () => {
    const [v] = api(yaml(', config.linkerd.io/skip-inbound-ports: "4191,9991", config.linkerd.io/admin-port: "9991"', [4191]));
    expect(v.status).toBe('fail');
    expect(v.evidence?.skippedPorts).toEqual(['4191']);
  });

  it('words a skipped port no container declares as conditional, and a declared one as reached', () => {
    const [v] = api(yaml(', config.linkerd.io/skip-inbound-ports: "25,8000"', [8000]));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('port 8000 skips its linkerd-proxy');
    expect(v.message).toMatch(/port 25 skips it too, which no container declares: if anything listens there/);
    const [only] = api(yaml(', config.linkerd.io/skip-inbound-ports: "25"', [8000]));
    expect(only.message).toContain('which no container declares: if anything listens there');
    expect(only.message).not.toMatch(/25 skips its linkerd-proxy \([^)]*\): any caller/);
  });

  it("without the annotation, Linkerd's default ignoreInboundPorts 4567,4568 is assumed: a container declaring 4567 fails, saying it is assumed", () => {
    const [v] = api(yaml('', [4567, 8000]));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('port 4567 skips its linkerd-proxy');
    expect(v.message).toContain('assumed');
    expect(v.evidence?.assumedDefault).toBe(true);
    // Not declared: no finding for the default ports, and an explicit annotation replaces the default.
    expect(api(yaml('', [8000])).map((v) => v.status)).toEqual(['pass']);
    expect(api(yaml(', config.linkerd.io/skip-inbound-ports: ""', [4567, 8000])).map((v) => v.status)).toEqual(['pass']);
  });
});
