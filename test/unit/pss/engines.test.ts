// A namespace without PSA labels still fails
// pod-security.enforce-missing when another admission policy engine runs, at medium severity,
// naming the engine and saying its policies are not read.
import { describe, expect, it } from 'vitest';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import type { KubeObject, Snapshot } from '../../../src/snapshot/types.ts';
import { admissionPolicyEngines } from '../../../src/analysis/pss/index.ts';
import { enforceMissing } from '../../../checks/pod-security/enforce-missing.ts';

const ns = (name: string, labels: Record<string, string> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
const deployment = (namespace: string, name: string, image: string, replicas = 1): KubeObject => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace },
  spec: { replicas, template: { spec: { containers: [{ name: 'c', image }] } } },
});
const pod = (namespace: string, name: string, image: string, phase = 'Running'): KubeObject => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace }, spec: { containers: [{ name: 'c', image }] }, status: { phase },
});
const live = (objects: KubeObject[]): Snapshot => {
  const s = snapshotFromObjects(objects, { origin: 'live' });
  s.source = 'live';
  return s;
};
const evaluate = (s: Snapshot) => [...enforceMissing.evaluate({ snapshot: s, config: defaultConfig(), now: new Date('2026-11-26T00:00:00Z') })];
const engineNames = (s: Snapshot) => admissionPolicyEngines(s).map((e) => e.name);

describe('admission policy engines and pod-security.enforce-missing', () => {
  it('without an engine an unlabelled namespace fails at the check severity (high)', () => {
    const [v] = evaluate(live([ns('shop'), deployment('shop', 'api', 'registry.example/api:1')]));
    expect(v.status).toBe('fail');
    expect(v.severity).toBeUndefined();
    expect(enforceMissing.severity).toBe('high');
    expect(v.evidence?.policyEngines).toBeUndefined();
  });

  it('with Kyverno running the namespace still fails, at medium, naming the engine and that its policies are not read', () => {
    const s = live([ns('shop'), ns('kyverno', { 'pod-security.kubernetes.io/enforce': 'baseline' }), deployment('kyverno', 'kyverno-admission-controller', 'reg.kyverno.io/kyverno/kyverno:v1.15.2')]);
    const byName = new Map(evaluate(s).map((v) => [v.resource.name, v]));
    const shop = byName.get('shop')!;
    expect(shop.status).toBe('fail');
    expect(shop.severity).toBe('medium');
    expect(shop.message).toContain('Kyverno (Deployment kyverno/kyverno-admission-controller)');
    expect(shop.message).toContain('cannot read its policies');
    expect(shop.evidence?.policyEngines).toEqual([
      { name: 'Kyverno', workload: { kind: 'Deployment', namespace: 'kyverno', name: 'kyverno-admission-controller' }, matched: 'image reg.kyverno.io/kyverno/kyverno:v1.15.2' },
    ]);
    expect(byName.get('kyverno')!.status).toBe('pass');
  });

  it('recognises each engine by image, pods included', () => {
    expect(engineNames(live([ns('a'), deployment('policy', 'admission', 'ghcr.io/kyverno/kyverno:v1.12.0')]))).toEqual(['Kyverno']);
    expect(engineNames(live([ns('a'), pod('opa', 'webhook-7f9c', 'openpolicyagent/gatekeeper:v3.18.0')]))).toEqual(['OPA Gatekeeper']);
    expect(engineNames(live([ns('a'), deployment('kubewarden', 'policy-server-default', 'ghcr.io/kubewarden/policy-server:v1.20.0')]))).toEqual(['Kubewarden']);
    expect(engineNames(live([ns('a'), deployment('kubewarden', 'kubewarden-controller', 'ghcr.io/kubewarden/kubewarden-controller:v1.20.0')]))).toEqual(['Kubewarden']);
    const all = live([
      deployment('kw', 'kubewarden-controller', 'ghcr.io/kubewarden/kubewarden-controller:v1.20.0'),
      deployment('gk', 'gatekeeper-controller-manager', 'openpolicyagent/gatekeeper:v3.18.0'),
      deployment('ky', 'kyverno', 'reg.kyverno.io/kyverno/kyverno:v1.15.2'),
    ]);
    expect(engineNames(all)).toEqual(['Kyverno', 'OPA Gatekeeper', 'Kubewarden']);
    const [v] = evaluate(all).filter((x) => x.status === 'fail');
    expect(v.message).toContain('Kyverno (Deployment ky/kyverno), OPA Gatekeeper (Deployment gk/gatekeeper-controller-manager) and Kubewarden (Deployment kw/kubewarden-controller) run in the cluster');
    expect(v.message).toContain('cannot read their policies');
  });

  // Anyone who may create a Deployment may name it after an engine: a name alone must not lower
  // every namespace's enforce-missing finding to medium.
  it('a workload named like an engine but running another image is no engine: enforce-missing stays high', () => {
    const s = live([ns('shop'), ns('monitoring'), deployment('monitoring', 'kyverno-policy-exporter-demo', 'ghcr.io/someone/metrics-exporter:1.0')]);
    expect(engineNames(s)).toEqual([]);
    const shop = evaluate(s).find((v) => v.resource.name === 'shop')!;
    expect(shop.status).toBe('fail');
    expect(shop.severity).toBeUndefined();
    expect(shop.evidence?.policyEngines).toBeUndefined();
    for (const [name, image] of [['gatekeeper-controller-manager', 'example/any:1'], ['kubewarden-controller', 'x:1'], ['kyverno', 'z:1']]) {
      expect(engineNames(live([ns('a'), deployment('x', name, image)])), name).toEqual([]);
    }
  });

  it('does not count look-alikes: Kyverno\'s policy-reporter, engines scaled to zero, finished pods', () => {
    const s = live([
      ns('shop'),
      deployment('kyverno', 'policy-reporter', 'ghcr.io/kyverno/policy-reporter:3.0.0'),
      deployment('kyverno', 'kyverno-admission-controller', 'ghcr.io/kyverno/kyverno:v1.15.2', 0),
      pod('gk', 'gatekeeper-controller-manager-abc', 'openpolicyagent/gatekeeper:v3.18.0', 'Failed'),
    ]);
    expect(engineNames(s)).toEqual([]);
    const shop = evaluate(s).find((v) => v.resource.name === 'shop')!;
    expect(shop.status).toBe('fail');
    expect(shop.severity).toBeUndefined();
  });

  // The engines' Helm charts run kyverno/kyverno, openpolicyagent/gatekeeper and
  // kubewarden/policy-server: an image whose name merely contains an engine's is the shop's own.
  it('recognises engines by their published image repositories behind any registry or mirror, not by a substring', () => {
    const one = (image: string) => engineNames(live([ns('a'), deployment('shop', 'api', image)]));
    expect(one('registry.example.com/shop/payment-gatekeeper:2.1')).toEqual([]);
    expect(one('example.com/team/kyverno-demo:1')).toEqual([]);
    expect(one('ghcr.io/kubewarden/kubewarden-dashboard:1')).toEqual([]);
    expect(one('docker.io/acme/openpolicyagent/gatekeeper-ui:1')).toEqual([]);
    expect(one('mirror.example.com/docker.io/openpolicyagent/gatekeeper:v3.18.0')).toEqual(['OPA Gatekeeper']);
    expect(one('reg.kyverno.io/kyverno/kyverno:v1.15.2')).toEqual(['Kyverno']);
    expect(one('localhost:5000/kyverno/kyverno@sha256:0123abcd')).toEqual(['Kyverno']);
    expect(one('kubewarden/policy-server')).toEqual(['Kubewarden']);
    const [shop] = evaluate(live([ns('shop'), deployment('shop', 'api', 'registry.example.com/shop/payment-gatekeeper:2.1')]));
    expect(shop.status).toBe('fail');
    expect(shop.severity).toBeUndefined();
  });

  it('says when engines could not be looked for because workloads were unreadable', () => {
    const s = live([ns('shop')]);
    s.coverage.pods = { status: 'forbidden', detail: 'list pods' };
    const [v] = evaluate(s);
    expect(v.severity).toBeUndefined();
    expect(v.evidence?.policyEngines).toBe('not looked for: pods could not be read');
  });

  it('an engine does not change namespaces that enforce a level: they pass', () => {
    const s = live([ns('shop', { 'pod-security.kubernetes.io/enforce': 'restricted' }), deployment('ky', 'kyverno', 'ghcr.io/kyverno/kyverno:v1')]);
    expect(evaluate(s).find((v) => v.resource.name === 'shop')!.status).toBe('pass');
  });

  it('survives malformed workloads', () => {
    const s = live([
      ns('shop'),
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x', namespace: 'shop' }, spec: { template: { spec: { containers: [null, 3, { image: 42 }] } } } },
      { apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'shop' }, spec: 'nope' },
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'shop' }, spec: { containers: 'kyverno' } },
    ]);
    expect(engineNames(s)).toEqual([]);
    expect(evaluate(s)[0].status).toBe('fail');
  });
});
