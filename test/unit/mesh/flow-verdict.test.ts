// A meshed caller whose own proxy lets a port out untouched sends it in plaintext, without a mesh
// identity: Linkerd's config.linkerd.io/skip-outbound-ports bypasses the proxy entirely
// (https://linkerd.io/2/features/protocol-detection/), Consul's
// consul.hashicorp.com/transparent-proxy-exclude-outbound-ports excludes the port from traffic
// redirection (https://developer.hashicorp.com/consul/docs/k8s/annotations-and-labels).
import { describe, expect, it } from 'vitest';
import { meshFlowVerdict, meshVerdictOverConns } from '../../../src/analysis/mesh/flow-verdict.ts';
import { allConns } from '../../../src/analysis/netpol/conns.ts';
import type { ResourceRef } from '../../../src/base/vocabulary.ts';
import { ctxOf } from './helpers.ts';

const ref = (ns: string, name: string): ResourceRef => ({ kind: 'Deployment', namespace: ns, name });
const dep = (name: string, annotations: string, ports = '') => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: shop}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}, annotations: {${annotations}}}
    spec:
      serviceAccountName: ${name}
      containers: [{name: ${name}, image: example/${name}:1${ports}}]
---`;

// The reviewer's repro l2: db admits only authenticated clients; web skips its proxy for 5432.
const linkerd = (webAnnotations: string, nsAnnotations = '') => `
apiVersion: v1
kind: Namespace
metadata: {name: shop, annotations: {linkerd.io/inject: enabled${nsAnnotations}}}
---
${dep('db', 'config.linkerd.io/default-inbound-policy: all-authenticated', ', ports: [{containerPort: 5432}]')}
${dep('web', webAnnotations)}`;

// The reviewer's repro c6: Consul with ACLs deny; web excludes outbound 5432 from redirection.
const consul = (webAnnotations: string) => `
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: consul-server-config, namespace: consul}
data:
  acl-config.json: '{"acl": {"enabled": true, "default_policy": "deny"}}'
---
apiVersion: consul.hashicorp.com/v1alpha1
kind: ServiceIntentions
metadata: {name: db, namespace: shop}
spec: {destination: {name: db}, sources: [{name: web, action: allow}]}
---
${dep('db', 'consul.hashicorp.com/connect-inject: "true"', ', ports: [{containerPort: 5432}]')}
${dep('web', `consul.hashicorp.com/connect-inject: "true"${webAnnotations}`)}`;

function verdict(yaml: string, port = 5432) {
  const ctx = ctxOf(yaml);
  return meshFlowVerdict(ctx.snapshot, ctx.config, ref('shop', 'web'), ref('shop', 'db'), port, 'TCP');
}

describe('a caller that skips its own proxy for the port calls in plaintext', () => {
  it('Linkerd: skip-outbound-ports 5432 on the caller → an all-authenticated callee refuses it (was: allowed as mTLS)', () => {
    const v = verdict(linkerd('config.linkerd.io/skip-outbound-ports: "5432"'));
    expect(v).toMatchObject({ mesh: 'linkerd', verdict: 'denied', plaintext: true });
    expect(v.reason).toMatch(/^shop\/web sends port 5432 around its own linkerd proxy \(pod annotation config\.linkerd\.io\/skip-outbound-ports\)/);
    // A range, and the namespace's value for a template, count as well; another port keeps mTLS.
    expect(verdict(linkerd('config.linkerd.io/skip-outbound-ports: "5000-6000"')).verdict).toBe('denied');
    expect(verdict(linkerd('a: b', ', config.linkerd.io/skip-outbound-ports: "5432"'))).toMatchObject({ verdict: 'denied', plaintext: true });
    expect(verdict(linkerd('config.linkerd.io/skip-outbound-ports: "3306"'))).toMatchObject({ verdict: 'allowed', plaintext: false });
  });

  it('Linkerd: over every port, the skipped port is judged on its own and is not open', () => {
    const ctx = ctxOf(linkerd('config.linkerd.io/skip-outbound-ports: "5432,7000"'));
    const over = meshVerdictOverConns(ctx.snapshot, ctx.config, ref('shop', 'web'), ref('shop', 'db'), allConns())!;
    expect(over.ports.find((p) => p.port === 7000)).toMatchObject({ verdict: 'denied' });
    expect(over.open.TCP).toEqual([[1, 5431], [5433, 6999], [7001, 65535]]);
  });

  it('Consul: transparent-proxy-exclude-outbound-ports 5432 on the caller → the callee\'s sidecar refuses it, whatever the intentions allow', () => {
    const v = verdict(consul(', consul.hashicorp.com/transparent-proxy-exclude-outbound-ports: "8080,5432"'));
    expect(v).toMatchObject({ mesh: 'consul', verdict: 'denied', plaintext: true });
    expect(v.reason).toMatch(/around its own consul proxy \(pod annotation consul\.hashicorp\.com\/transparent-proxy-exclude-outbound-ports\)/);
    expect(verdict(consul(''))).toMatchObject({ verdict: 'allowed', plaintext: false, policy: { kind: 'ServiceIntentions', name: 'db' } });
  });
});
