// ingress-nginx puts a Service's endpoints in its upstreams: "By default the NGINX ingress controller
// uses a list of all endpoints (Pod IP/port) in the NGINX upstream configuration", unless the Ingress
// sets nginx.ingress.kubernetes.io/service-upstream "true"
// (https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/annotations/#service-upstream).
// With an Istio sidecar on the controller such a pod-address call matches no outbound listener and
// leaves through PassthroughCluster without mTLS (istio/istio#22220): a DENY on the controller's
// principal cannot match it, and STRICT refuses it. Repro: /tmp/revE/nginx/all.yaml.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { effectiveExposure } from '../../../src/analysis/edge/effective-exposure.ts';
import { ctxOf } from '../mesh/helpers.ts';

const DIR = join(import.meta.dirname, '../../fixtures/checks/network.exposed-workload');
const fixture = (name: string) => readFileSync(join(DIR, name), 'utf8');
const adminPath = (yaml: string) => {
  const ctx = ctxOf(yaml);
  const w = effectiveExposure(ctx.snapshot, ctx.config).find((e) => e.workload.namespace === 'shop' && e.workload.name === 'admin');
  return w?.external.find((p) => p.via === 'Ingress');
};
const upstream = (yaml: string) => yaml.replace('  namespace: shop\nspec:\n  ingressClassName: nginx', '  namespace: shop\n  annotations: {nginx.ingress.kubernetes.io/service-upstream: "true"}\nspec:\n  ingressClassName: nginx');

describe('ingress-nginx with an Istio sidecar dials pod addresses: plaintext through PassthroughCluster', () => {
  it('a DENY on the controller\'s principal does not match the plaintext call: the backend is exposed, said why', () => {
    const p = adminPath(fixture('fail.ingress-mesh-nginx-pod-upstream-deny-principal.yaml'));
    expect(p).toMatchObject({ open: true, mesh: { verdict: 'allowed' } });
    expect(p!.mesh!.reason).toContain('in plaintext: ingress-nginx dials the endpoints\' pod addresses, not Service shop/admin (Ingress shop/admin sets no nginx.ingress.kubernetes.io/service-upstream "true")');
  });

  it('with service-upstream "true" it dials the Service over mTLS: the DENY matches, the path is closed', () => {
    const yaml = upstream(fixture('fail.ingress-mesh-nginx-pod-upstream-deny-principal.yaml'));
    expect(yaml).toContain('service-upstream');
    expect(adminPath(yaml)).toMatchObject({ open: false, mesh: { verdict: 'denied' } });
  });

  it('STRICT refuses the plaintext pod-address call; with service-upstream "true" the mTLS call gets through', () => {
    const pod = adminPath(fixture('pass.ingress-mesh-injected-controller-pod-upstream.yaml'));
    expect(pod).toMatchObject({ open: false, mesh: { verdict: 'denied' } });
    expect(adminPath(fixture('fail.ingress-mesh-injected-controller.yaml'))).toMatchObject({ open: true, mesh: { verdict: 'allowed' } });
  });
});
