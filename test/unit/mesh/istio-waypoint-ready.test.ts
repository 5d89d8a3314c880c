// An Istio waypoint decides calls only once istiod takes its Gateway as a waypoint, and istiod does
// that only for a Gateway with status.addresses: "gateway.Status.Addresses should only be populated
// once the Waypoint's deployment has at least 1 ready pod" (istio/istio
// pilot/pkg/serviceregistry/kube/controller/ambient/waypoints.go, gatewayToWaypointTransform, which
// returns no waypoint without one). A Service or namespace naming such a Gateway by
// istio.io/use-waypoint then gets no waypoint at all (fetchWaypointForTarget:
// ReportWaypointIsNotReady, no fallback), so the call goes straight to the workload's ztunnel,
// which enforces only the L4 parts of the policies selecting the workload and never a targetRef'd
// one (ambient/authorization.go: "TargetRef is not intended for ztunnel";
// https://istio.io/latest/docs/ambient/usage/l4-policy/). The Gateway statuses below are the
// shapes istiod writes (pilot/pkg/config/kube/gateway/testdata/waypoint.status.yaml.golden:
// Programmed False, reason AddressNotUsable, no addresses). Manifests never carry status, so a
// Gateway read from them is assumed ready, and reach says so.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { meshFlowVerdict } from '../../../src/analysis/mesh/flow-verdict.ts';
import { authzMissing } from '../../../checks/mtls/authz-missing.ts';
import { main } from '../../../src/cli/main.ts';
import type { CliIO } from '../../../src/cli/io.ts';
import { writeSnapshot } from '../../../src/snapshot/io.ts';
import { ctxOf as ctxOfInput, istiodYaml, run } from './helpers.ts';

/** These cases are for an istiod that knows every AuthorizationPolicy field they use (targetRefs, `when` keys): without one in the input, such a policy cannot be confirmed. */
const ctxOf = (yaml: string, ...rest: Parameters<typeof ctxOfInput> extends [string, ...infer R] ? R : never) => ctxOfInput(`${istiodYaml()}${yaml}`, ...rest);


const NOT_PROGRAMMED = `
  conditions:
  - {type: Accepted, status: "True", reason: Accepted, message: Resource accepted}
  - {type: Programmed, status: "False", reason: AddressNotUsable, message: 'Failed to assign to any requested addresses: hostname "waypoint.shop.svc.cluster.local" not found'}`;
const READY = `
  addresses: [{type: Hostname, value: waypoint.shop.svc.cluster.local}]
  conditions:
  - {type: Accepted, status: "True", reason: Accepted}
  - {type: Programmed, status: "True", reason: Programmed, message: 'Resource programmed, assigned to service(s) waypoint.shop.svc.cluster.local:15008'}`;

/** A running pod whose traffic ztunnel captures (live pods are judged by what runs: the CNI's redirection annotation). */
const pod = (name: string, sa: string) => `
apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: shop, labels: {app: ${name}}, annotations: {ambient.istio.io/redirection: enabled}}
spec: {serviceAccountName: ${sa}, containers: [{name: app, image: example/app:1, ports: [{containerPort: 8000}]}]}
status: {phase: Running, podIP: 10.0.0.${name.length}}
---`;

/**
 * Namespace shop in ambient mode, using waypoint `waypoint` (istio.io/waypoint-for: all, so both a
 * call to Service api and a direct call to its pod would go through it). The waypoint's only ALLOW
 * names web's front, so shop/front is refused there. `status`: the Gateway's status block, if any;
 * `gateway: false` leaves the Gateway out.
 */
const cluster = (status: string | undefined, opts: { gateway?: boolean; extra?: string } = {}) => `
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio.io/dataplane-mode: ambient, istio.io/use-waypoint: waypoint}}
---${pod('api', 'api')}${pod('front', 'front')}
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec: {selector: {app: api}, ports: [{port: 8000}]}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: api-callers, namespace: shop}
spec:
  targetRefs: [{kind: Gateway, group: gateway.networking.k8s.io, name: waypoint}]
  action: ALLOW
  rules:
  - from: [{source: {principals: ["cluster.local/ns/web/sa/front"]}}]
---${opts.extra ?? ''}${opts.gateway === false ? '' : `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: waypoint, namespace: shop, labels: {istio.io/waypoint-for: all}}
spec: {gatewayClassName: istio-waypoint, listeners: [{name: mesh, port: 15008, protocol: HBONE}]}
${status !== undefined ? `status:${status}` : ''}`}`;

type Origin = 'live' | 'manifests' | 'snapshot of live';
function ctx(yaml: string, origin: Origin) {
  const c = ctxOf(yaml);
  if (origin === 'live') Object.assign(c.snapshot, { source: 'live', origin: 'live' });
  if (origin === 'snapshot of live') Object.assign(c.snapshot, { source: 'snapshot', origin: 'live' });
  return c;
}
const front = { kind: 'Pod', namespace: 'shop', name: 'front' };
const api = { kind: 'Pod', namespace: 'shop', name: 'api' };
const verdict = (yaml: string, origin: Origin) => {
  const c = ctx(yaml, origin);
  return meshFlowVerdict(c.snapshot, c.config, front, api, 8000, 'TCP');
};

const NOT_READY_REASON = 'waypoint shop/waypoint is not ready: Gateway shop/waypoint has no status.addresses (Programmed False, reason AddressNotUsable), so istiod sends no traffic through it, and the AuthorizationPolicies attached to it by targetRefs are enforced nowhere; ztunnel of shop/api (ambient) judges the call: no ALLOW AuthorizationPolicy applies, so Istio allows principal cluster.local/ns/shop/sa/front on port 8000';

describe('Istio waypoint: a Gateway istiod has not given an address enforces nothing', () => {
  it('ready (status.addresses set): the waypoint refuses shop/front', () => {
    expect(verdict(cluster(READY), 'live')).toMatchObject({ verdict: 'denied', enforcedBy: 'waypoint shop/waypoint', reason: 'no ALLOW AuthorizationPolicy matches principal cluster.local/ns/shop/sa/front on port 8000 (applying: shop/api-callers)' });
  });

  it('not ready (no status.addresses, Programmed False): ztunnel judges the call, and the reason names the Gateway (was: DENIED at the waypoint)', () => {
    for (const origin of ['live', 'snapshot of live'] as const) {
      const r = verdict(cluster(NOT_PROGRAMMED), origin);
      expect(r).toMatchObject({ verdict: 'allowed', enforcedBy: 'ztunnel of shop/api (ambient)' });
      expect(r.reason).toBe(NOT_READY_REASON);
    }
    // A Gateway with no status at all, read from the cluster, has no address either.
    expect(verdict(cluster(undefined), 'live').reason).toMatch(/^waypoint shop\/waypoint is not ready: Gateway shop\/waypoint has no status.addresses, so istiod/);
  });

  it('a Gateway the cluster does not have is no waypoint either', () => {
    const r = verdict(cluster(undefined, { gateway: false }), 'live');
    expect(r).toMatchObject({ verdict: 'allowed', enforcedBy: 'ztunnel of shop/api (ambient)' });
    expect(r.reason).toMatch(/^waypoint shop\/waypoint is not ready: Gateway shop\/waypoint is not in the cluster, so istiod sends no traffic through it/);
  });

  it('ztunnel still enforces the L4 parts of the policies selecting the workload', () => {
    const selector = `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: api-l4, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  action: ALLOW
  rules: [{from: [{source: {principals: ["cluster.local/ns/shop/sa/admin"]}}]}]
---`;
    const r = verdict(cluster(NOT_PROGRAMMED, { extra: selector }), 'live');
    expect(r).toMatchObject({ verdict: 'denied', enforcedBy: 'ztunnel of shop/api (ambient)' });
    expect(r.reason).toMatch(/^waypoint shop\/waypoint is not ready: .*; ztunnel of shop\/api \(ambient\) judges the call: no ALLOW AuthorizationPolicy matches principal cluster.local\/ns\/shop\/sa\/front on port 8000 \(applying: shop\/api-l4\)$/);
  });

  it('Programmed False with an address: istiod still sends traffic to that address, so the waypoint decides (and the note says Programmed)', () => {
    const r = verdict(cluster(READY.replace('status: "True", reason: Programmed', 'status: "False", reason: AddressNotUsable')), 'live');
    expect(r).toMatchObject({ verdict: 'denied', enforcedBy: 'waypoint shop/waypoint' });
    expect(r.notes?.some((n) => n.includes('Gateway Programmed False, reason AddressNotUsable, but it has status.addresses'))).toBe(true);
  });

  it('from manifests (no status): assumed ready, said in a note', () => {
    const r = verdict(cluster(undefined), 'manifests');
    expect(r).toMatchObject({ verdict: 'denied', enforcedBy: 'waypoint shop/waypoint' });
    expect(r.notes).toContain('waypoint shop/waypoint: its Gateway comes from manifests, which carry no status, so it is assumed ready; in a cluster istiod uses it only once the Gateway has status.addresses');
    // A manifest that does carry a status (kubectl get -o yaml) is read as it says.
    expect(verdict(cluster(NOT_PROGRAMMED), 'manifests')).toMatchObject({ verdict: 'allowed', reason: NOT_READY_REASON });
  });

  it('mtls.authz-missing credits the waypoint\'s ALLOW only when the waypoint is ready', () => {
    const status = (yaml: string) => run(authzMissing, ctx(yaml, 'live')).filter((v) => v.resource.name === 'api');
    expect(status(cluster(READY)).map((v) => v.status)).toEqual(['pass']);
    const [v] = status(cluster(NOT_PROGRAMMED));
    expect(v.status).toBe('fail');
    expect(v.message).toContain('no ALLOW AuthorizationPolicy applies to it');
    expect(v.message).toContain('waypoint shop/waypoint (namespace shop label istio.io/use-waypoint, for its Services) is not ready: Gateway shop/waypoint has no status.addresses (Programmed False, reason AddressNotUsable)');
    expect(v.message).not.toContain('enforced by waypoint');
  });

  it('ztaudit reach over a snapshot of a live cluster says the waypoint is not ready, naming the Gateway', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ztaudit-waypoint-ready-'));
    const file = join(dir, 'cluster.json.gz');
    writeSnapshot(file, ctx(cluster(NOT_PROGRAMMED), 'live').snapshot);
    const out: string[] = [];
    const io: CliIO = { stdout: (t) => out.push(t), stderr: () => {}, env: {}, isTTY: false, cwd: dir };
    const code = await main(['reach', '--snapshot', file, '--from', 'shop/front', '--to', 'shop/api', '--port', '8000'], io);
    const text = out.join('');
    expect(code).toBe(0);
    expect(text.split('\n')[0]).toBe('ALLOWED: shop/front[Pod] -> shop/api[Pod] on 8000/TCP');
    expect(text).toContain(`mesh ALLOWED: ${NOT_READY_REASON}`);
  });
});
