// `reach` to a Linkerd-meshed pod's proxy control port (4190) is not judged by Servers or the
// default inbound policy: only the tap server listens there.
//
// Upstream:
// - linkerd2 charts/linkerd-control-plane/values.yaml proxy.ports.control 4190 and admin 4191
//   (stable-2.14.10, edge-26.8.3); charts/partials/templates/_proxy.tpl sets them as
//   LINKERD2_PROXY_CONTROL_LISTEN_ADDR and LINKERD2_PROXY_ADMIN_LISTEN_ADDR, and
//   charts/partials/templates/_proxy-init.tpl puts both first in --inbound-ports-to-ignore.
// - linkerd2-proxy release/v2.210.4 (the proxy of stable-2.14.10, linkerd2 .proxy-version):
//   linkerd/app/src/env.rs parse_tap_config serves tap on the control address only when
//   LINKERD2_PROXY_TAP_SVC_NAME is set, and linkerd/app/src/tap.rs admits only that identity
//   (AcceptPermittedClients, after TLS detection); linkerd/app/admin/src/stack.rs, by contrast,
//   applies the inbound policy to the admin port (4191).
// - linkerd2 viz/tap/injector/patch.go (edge-26.8.3) adds LINKERD2_PROXY_TAP_SVC_NAME at
//   admission; viz/charts/linkerd-viz/templates/tap-rbac.yaml names the tap ServiceAccount `tap`.
import { describe, expect, it } from 'vitest';
import { meshFlowVerdict } from '../../../src/analysis/mesh/flow-verdict.ts';
import { ctxOf } from './helpers.ts';

const scene = (extra = '') => `
apiVersion: v1
kind: Namespace
metadata: {name: shop, annotations: {linkerd.io/inject: enabled, config.linkerd.io/default-inbound-policy: all-unauthenticated}}
---
apiVersion: v1
kind: Namespace
metadata: {name: linkerd-viz, annotations: {linkerd.io/inject: enabled}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: shop}
spec:
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: db, image: example/db:1, ports: [{containerPort: 3306}]}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: example/web:1}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: tap, namespace: linkerd-viz}
spec:
  selector: {matchLabels: {app: tap}}
  template:
    metadata: {labels: {app: tap}}
    spec:
      serviceAccountName: tap
      containers: [{name: tap, image: example/tap:1}]
${extra}`;
const web = { kind: 'Deployment', namespace: 'shop', name: 'web' };
const tap = { kind: 'Deployment', namespace: 'linkerd-viz', name: 'tap' };
const db = { kind: 'Deployment', namespace: 'shop', name: 'db' };
const reach = (y: string, from: typeof web, to: { kind: string; namespace: string; name: string }, port: number) => { const c = ctxOf(y); return meshFlowVerdict(c.snapshot, c.config, from, to, port, 'TCP'); };

describe('reach: the linkerd-proxy control (tap) port', () => {
  it('an application caller is refused on 4190 although the default admits everyone; 4191 and 3306 still follow the default', () => {
    const v = reach(scene(), web, db, 4190);
    expect(v.verdict).toBe('denied');
    expect(v.reason).toContain("port 4190 is the linkerd-proxy's control (tap) port, where no Server or default inbound policy applies");
    expect(reach(scene(), web, db, 4191).verdict).toBe('allowed');
    expect(reach(scene(), web, db, 3306).verdict).toBe('allowed');
  });

  it('the tap controller calling a pod yet to be injected: unknown, the tap injector decides', () => {
    expect(reach(scene(), tap, db, 4190).verdict).toBe('unknown');
  });

  it('a running pod: its proxy\'s LINKERD2_PROXY_TAP_SVC_NAME decides, and without it nothing serves tap', () => {
    const pod = (env: string) => `---
apiVersion: v1
kind: Pod
metadata: {name: cache-0, namespace: shop, labels: {app: cache}, annotations: {linkerd.io/inject: enabled}}
spec:
  containers:
  - {name: cache, image: example/cache:1}
  - {name: linkerd-proxy, image: example/proxy:1, env: [${env}]}
`;
    const cache = { kind: 'Pod', namespace: 'shop', name: 'cache-0' };
    const named = pod('{name: LINKERD2_PROXY_TAP_SVC_NAME, value: tap.linkerd-viz.serviceaccount.identity.linkerd.cluster.local}');
    expect(reach(scene(named), tap, cache, 4190).verdict).toBe('allowed');
    expect(reach(scene(named), web, cache, 4190).verdict).toBe('denied');
    const none = reach(scene(pod('')), tap, cache, 4190);
    expect(none.verdict).toBe('denied');
    expect(none.reason).toContain('serves no tap');
  });

  // The caller's identity is <sa>.<ns>.serviceaccount.identity.<control plane ns>.<trust domain>
  // (linkerd2 stable-2.14.10 controller/api/destination/endpoint_translator.go builds it so;
  // identityTrustDomain in linkerd-config, charts/linkerd-control-plane
  // values.yaml identityTrustDomain): with linkerd-config unread, whether the name
  // LINKERD2_PROXY_TAP_SVC_NAME gives is the tap controller's is not known.
  it('linkerd-config unread: a name starting with the caller\'s own is unknown either way (was: allowed on cluster.local, denied on any other domain); another ServiceAccount\'s name is still denied', () => {
    const pod = (value: string) => `---
apiVersion: v1
kind: Pod
metadata: {name: cache-0, namespace: shop, labels: {app: cache}, annotations: {linkerd.io/inject: enabled}}
spec:
  containers:
  - {name: cache, image: example/cache:1}
  - {name: linkerd-proxy, image: example/proxy:1, env: [{name: LINKERD2_PROXY_TAP_SVC_NAME, value: ${value}}]}
`;
    const cache = { kind: 'Pod', namespace: 'shop', name: 'cache-0' };
    const unreadReach = (y: string, from: typeof web) => {
      const c = ctxOf(y);
      c.snapshot.coverage.configmaps = { status: 'forbidden', detail: 'get configmaps (denied)' };
      return meshFlowVerdict(c.snapshot, c.config, from, cache, 4190, 'TCP');
    };
    for (const domain of ['cluster.local', 'corp.example']) {
      const v = unreadReach(scene(pod(`tap.linkerd-viz.serviceaccount.identity.linkerd.${domain}`)), tap);
      expect(v.verdict).toBe('unknown');
      expect(v.reason).toContain('ConfigMap linkerd/linkerd-config (identityTrustDomain) could not be read (forbidden)');
    }
    // Read (or absent: Linkerd's default cluster.local), the answer stays certain.
    expect(reach(scene(pod('tap.linkerd-viz.serviceaccount.identity.linkerd.corp.example')), tap, cache, 4190).verdict).toBe('denied');
    expect(unreadReach(scene(pod('tap.linkerd-viz.serviceaccount.identity.linkerd.cluster.local')), web).verdict).toBe('denied');
  });

  it('config.linkerd.io/control-port moves it: 4190 is then an ordinary port', () => {
    const y = scene().replace('metadata: {labels: {app: db}}', 'metadata: {labels: {app: db}, annotations: {config.linkerd.io/control-port: "5190"}}');
    expect(reach(y, web, db, 5190).verdict).toBe('denied');
    expect(reach(y, web, db, 4190).verdict).toBe('allowed');
  });
});
