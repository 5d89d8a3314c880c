// Linkerd's proxy injector accepts linkerd.io/inject values enabled, disabled and ingress only
// (linkerd2 pkg/inject/report.go ValidInjectAnnotationValues) and judges the namespace's value
// before the pod's (disabledByAnnotation: invalidInjectAnnotationNamespace, then
// invalidInjectAnnotationWorkload): a namespace saying "true" keeps out every pod there, even one
// saying "enabled". Both values come from Go maps, so an empty value is no value.
import { describe, expect, it } from 'vitest';
import { meshWorkloadModes } from '../../../src/analysis/mesh/index.ts';
import { workloadOutsideMesh } from '../../../checks/mtls/workload-outside-mesh.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';
import { ctxOf, deployment, fails, run } from './helpers.ts';

const INJECT = 'linkerd.io/inject';
const ns = (value: string): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', annotations: { [INJECT]: value } } });
const LINKERD_CONFIG: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'linkerd-config', namespace: 'linkerd' }, data: { values: 'proxy:\n  defaultInboundPolicy: all-authenticated\nproxyInit:\n  ignoreInboundPorts: ""\n  ignoreOutboundPorts: "4567,4568"\n' } };

function postureOf(nsValue: string, podAnnotations: Record<string, string>) {
  const ctx = ctxOf('', (c) => { c.mesh.meshedNamespaces = ['shop']; }, [ns(nsValue), LINKERD_CONFIG, deployment('shop', 'web', { annotations: podAnnotations })]);
  return { mode: meshWorkloadModes(ctx.snapshot, ctx.config).find((w) => w.workload.name === 'web')!, outside: fails(run(workloadOutsideMesh, ctx)) };
}

describe('Linkerd linkerd.io/inject values the proxy injector refuses', () => {
  it('a namespace value "true" keeps a pod saying "enabled" out of the mesh, and the finding says why', () => {
    const { mode, outside } = postureOf('true', { [INJECT]: 'enabled' });
    expect(mode).toMatchObject({ mesh: 'none', posture: 'outside' });
    expect(outside).toHaveLength(1);
    expect(outside[0].message).toContain('namespace annotation linkerd.io/inject="true" is not a value Linkerd\'s proxy injector accepts (enabled, disabled, ingress), so it injects no pod of the namespace, whatever the pod\'s own annotation says');
  });

  it('a pod value "true" keeps the pod out though its namespace says "enabled"', () => {
    const { mode, outside } = postureOf('enabled', { [INJECT]: 'true' });
    expect(mode).toMatchObject({ mesh: 'none', posture: 'outside' });
    expect(outside[0].message).toContain('pod annotation linkerd.io/inject="true" is not a value Linkerd\'s proxy injector accepts');
  });

  it('valid values still decide as before: the pod\'s enabled beats the namespace\'s disabled, and an empty pod value is no value', () => {
    expect(postureOf('disabled', { [INJECT]: 'enabled' }).mode).toMatchObject({ mesh: 'linkerd', posture: 'authenticated' });
    expect(postureOf('enabled', { [INJECT]: '' }).mode).toMatchObject({ mesh: 'linkerd', posture: 'authenticated' });
    expect(postureOf('enabled', { [INJECT]: 'disabled' }).mode).toMatchObject({ mesh: 'none' });
  });
});
