import { describe, expect, it } from 'vitest';
import { meshModel } from '../../../src/analysis/mesh/index.ts';
import { meshRequired } from '../../../checks/mtls/mesh-required.ts';
import { mtlsChecks } from '../../../checks/mtls/index.ts';
import { runChecks } from '../../../src/engine/run.ts';
import { ctxOf, deployment } from './helpers.ts';

describe('mesh detection and mtls applicability', () => {
  it('without a mesh every mtls check is not-applicable unless mTLS is required', () => {
    const ctx = ctxOf('', undefined, [deployment('shop', 'web')]);
    expect(meshModel(ctx.snapshot, ctx.config).present).toBe(false);
    const outcomes = runChecks(mtlsChecks, ctx);
    expect(outcomes.map((o) => o.status)).toEqual(mtlsChecks.map(() => 'not-applicable'));

    const required = ctxOf('', (c) => { c.target.requireMtls = true; }, [deployment('shop', 'web')]);
    const o2 = runChecks(mtlsChecks, required);
    const failing = o2.filter((o) => o.status === 'fail');
    expect(failing.map((o) => o.check.id)).toEqual(['mtls.mesh-required']);
    expect(failing[0].results).toMatchObject([{ status: 'fail', severity: 'critical' }]);
    expect(o2.filter((o) => o.status !== 'fail').every((o) => o.status === 'not-applicable')).toBe(true);
  });

  it('a mesh is detected from CRD objects, labelled namespaces or proxied pods', () => {
    const crd = ctxOf(`
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: x, namespace: a}
spec: {host: x}
`);
    expect(meshModel(crd.snapshot, crd.config)).toMatchObject({ present: true, istio: { present: true }, linkerd: { present: false } });
    const pod = ctxOf('', undefined, [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'a' }, spec: { containers: [{ name: 'linkerd-proxy' }] } }]);
    expect(meshModel(pod.snapshot, pod.config).linkerd.present).toBe(true);
    expect([...meshRequired.evaluate({ ...pod, config: { ...pod.config, target: { ...pod.config.target, requireMtls: true } } })][0].status).toBe('pass');
  });

  it('a forbidden PeerAuthentication list makes mesh-not-strict not-evaluated, never a pass', () => {
    const ctx = ctxOf(`
apiVersion: v1
kind: Namespace
metadata: {name: ns1, labels: {istio-injection: enabled}}
`, undefined, [deployment('ns1', 'a')]);
    ctx.snapshot.coverage['istio.peerauthentications'] = { status: 'forbidden', detail: 'list peerauthentications.security.istio.io' };
    const o = runChecks(mtlsChecks, ctx).find((x) => x.check.id === 'mtls.mesh-not-strict')!;
    expect(o.status).toBe('not-evaluated');
    expect(o.reason).toBe('needs istio.peerauthentications: forbidden (list peerauthentications.security.istio.io)');
  });

  it('answers at scale (time is measured by npm run bench): 20,000 workloads across 2,000 namespaces with 2,000 policies', () => {
    const objs = [];
    for (let n = 0; n < 2000; n++) {
      objs.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `ns${n}`, labels: { 'istio-injection': 'enabled' } } });
      objs.push({ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: `ns${n}` }, spec: { mtls: { mode: n % 2 ? 'STRICT' : 'PERMISSIVE' } } });
      for (let w = 0; w < 10; w++) objs.push(deployment(`ns${n}`, `w${w}`));
    }
    const ctx = ctxOf('', undefined, objs);
    const outcomes = runChecks(mtlsChecks, ctx);
    expect(outcomes.find((o) => o.check.id === 'mtls.permissive-override')!.results.filter((r) => r.status === 'fail')).toHaveLength(1000);
  });
});
