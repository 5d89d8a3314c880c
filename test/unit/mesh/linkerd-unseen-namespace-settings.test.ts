// A Linkerd pod template meshed by its own annotation linkerd.io/inject: enabled ("Overriding
// injection", https://linkerd.io/2/features/proxy-injection/) still takes its config.linkerd.io
// settings from its namespace where it lacks them: the proxy injector copies the namespace's config
// annotations onto each pod it injects ("config.linkerd.io/default-inbound-policy ... can be set on a
// namespace, workload or pod", https://linkerd.io/2/reference/authorization-policy/#default-policies;
// linkerd2 controller/proxy-injector/webhook.go copies the namespace's annotations the pod lacks).
// With the Namespace object not in the input (a manifests directory without it), that policy is
// unknown, not absent: the workload is not judged on the cluster default, its namespace is named
// as not judged, instead of a finding that may be false (the namespace may say `deny`).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { linkerdUnauthenticatedDefault } from '../../../checks/mtls/linkerd-unauthenticated-default.ts';
import type { AuditContext } from '../../../src/analysis/context.ts';
import { meshModel } from '../../../src/analysis/mesh/index.ts';
import { loadManifests } from '../../../src/collect/manifests.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { deploymentYaml } from './helpers.ts';

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

/** A manifests directory holding `yaml`, read as `ztaudit run --manifests DIR` reads it. */
function manifests(yaml: string): AuditContext {
  const dir = mkdtempSync(join(tmpdir(), 'ztaudit-linkerd-unseen-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'all.yaml'), yaml);
  return { snapshot: loadManifests([dir], { clusterName: 'c1' }), config: defaultConfig(), now: new Date('2026-06-01T00:00:00Z') };
}

const LINKERD = `
apiVersion: v1
kind: Namespace
metadata: {name: linkerd}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: linkerd-identity, namespace: linkerd}
spec:
  selector: {matchLabels: {app: identity}}
  template:
    metadata: {labels: {app: identity}}
    spec: {containers: [{name: identity, image: cr.l5d.io/linkerd/controller:edge-25.1.1}]}
---`;
const SHOP = `
apiVersion: v1
kind: Namespace
metadata: {name: shop, annotations: {config.linkerd.io/default-inbound-policy: deny}}
---`;
const INJECT = { 'linkerd.io/inject': 'enabled' };
/** Every setting a template would otherwise take from its namespace, set on the pod itself. */
const OWN = { ...INJECT, 'config.linkerd.io/default-inbound-policy': 'all-unauthenticated', 'config.linkerd.io/skip-inbound-ports': '', 'config.linkerd.io/skip-outbound-ports': '', 'config.linkerd.io/skip-subnets': '', 'config.linkerd.io/proxy-require-identity-inbound-ports': '' };
const shopVerdicts = (ctx: AuditContext) => [...linkerdUnauthenticatedDefault.evaluate(ctx)].filter((v) => v.resource.namespace === 'shop');

describe('Linkerd: a template meshed by its own annotation in a namespace not in the input', () => {
  it('its default inbound policy is the namespace\'s, unknown: the workload is not judged and the namespace is named', () => {
    const ctx = manifests(`${LINKERD}${deploymentYaml('shop', 'api', { annotations: INJECT })}`);
    const m = meshModel(ctx.snapshot, ctx.config);
    expect(m.workloads.find((w) => w.workload.ref.name === 'api')).toMatchObject({ mesh: 'linkerd', namespaceUnknown: true });
    expect(m.unseenNamespaces).toEqual(['shop']);
    expect(shopVerdicts(ctx)).toEqual([]);
    expect(linkerdUnauthenticatedDefault.unjudgedNamespaces!(ctx)).toEqual(['shop']);
    expect(linkerdUnauthenticatedDefault.excluded!(ctx)).toContain('namespace shop is not in the input');
  });

  it('with the Namespace object (control), the namespace\'s deny is the pod\'s and it passes', () => {
    const ctx = manifests(`${LINKERD}${SHOP}${deploymentYaml('shop', 'api', { annotations: INJECT })}`);
    expect(shopVerdicts(ctx)).toMatchObject([{ status: 'pass', resource: { name: 'api' } }]);
  });

  it('a template carrying every such setting itself is judged without its namespace', () => {
    const ctx = manifests(`${LINKERD}${deploymentYaml('shop', 'api', { annotations: OWN })}`);
    expect(meshModel(ctx.snapshot, ctx.config).unseenNamespaces).toEqual([]);
    expect(shopVerdicts(ctx)).toMatchObject([{ status: 'fail', resource: { name: 'api' } }]);
  });
});
