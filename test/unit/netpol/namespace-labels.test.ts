// The labels a namespaceSelector reads. The control plane sets kubernetes.io/metadata.name on
// every namespace to the namespace's name ("The Kubernetes control plane sets an immutable label
// kubernetes.io/metadata.name on all namespaces. The value of the label is the namespace name",
// https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/#automatic-labelling),
// so a manifest that writes another value there does not move its namespace.
import { describe, expect, it } from 'vitest';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { ns, pod, policy, snap } from './helpers.ts';

const base = ns('shop', { team: 'shop' }) + pod('shop', 'api', { app: 'api' }, [{ name: 'http', containerPort: 8000 }]) + pod('other', 'client', { app: 'client' }) + pod('shop', 'client', { app: 'client' });
const byName = policy('shop', 'api-in', '{podSelector: {matchLabels: {app: api}}, ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: shop}}}]}]}');

describe('kubernetes.io/metadata.name is the namespace\'s name, whatever a manifest writes', () => {
  it('a Namespace "other" labelled kubernetes.io/metadata.name: shop is not selected as shop', () => {
    const s = snap(ns('other', { team: 'other', 'kubernetes.io/metadata.name': 'shop' }) + base + byName);
    const r = reachCommandCore(s, { from: 'other/client', to: 'shop/api', port: '8000' });
    expect(r.output.split('\n')[0]).toBe('DENIED: other/client[Pod] -> shop/api[Pod] on 8000/TCP');
    expect(r.exitCode).toBe(1);
    expect(reachCommandCore(s, { from: 'shop/client', to: 'shop/api', port: '8000' }).exitCode).toBe(0);
    // The snapshot built from the manifests carries the name the control plane would set.
    expect(s.resources.namespaces?.find((n) => n.metadata?.name === 'other')?.metadata?.labels).toEqual({ team: 'other', 'kubernetes.io/metadata.name': 'other' });
  });

  it('a snapshot whose Namespace object carries the wrong value (written by hand or by another tool) is read the same way', () => {
    const s = snap(ns('other', { team: 'other' }) + base + byName);
    const other = s.resources.namespaces!.find((n) => n.metadata?.name === 'other')!;
    other.metadata!.labels = { team: 'other', 'kubernetes.io/metadata.name': 'shop' };
    expect(reachCommandCore(s, { from: 'other/client', to: 'shop/api', port: '8000' }).exitCode).toBe(1);
  });
});
