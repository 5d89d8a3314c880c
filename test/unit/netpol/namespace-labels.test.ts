// The labels a namespaceSelector reads. The control plane sets kubernetes.io/metadata.name on
// every namespace to the namespace's name ("The Kubernetes control plane sets an immutable label
// kubernetes.io/metadata.name on all namespaces. The value of the label is the namespace name",
// https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/#automatic-labelling),
// so a manifest that writes another value there does not move its namespace.
import { describe, expect, it } from 'vitest';
import { reachCommandCore } from '../../../src/cli/reach.ts';
import { buildReachability } from '../../../src/analysis/netpol/model.ts';
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

// A manifests directory that runs pods in a namespace it never declares says nothing of that
// namespace's labels but its name (from-objects.ts). A namespaceSelector on another label then
// cannot be judged for those pods: reach says UNKNOWN and why, as the Gateway API reader does
// for allowedRoutes selectors (docs/network-model.md).
describe('a namespaceSelector on labels of a namespace no manifest declares', () => {
  const web = pod('shop', 'web', { app: 'web' }, [{ name: 'http', containerPort: 8080 }]) + pod('other', 'client', { app: 'client' }) + pod('other', 'batch', { app: 'batch' });
  const byTeam = policy('shop', 'web-in', '{podSelector: {matchLabels: {app: web}}, ingress: [{from: [{namespaceSelector: {matchLabels: {team: other}}, podSelector: {matchLabels: {app: client}}}], ports: [{port: http}]}]}');
  const ask = (yaml: string, from = 'other/client') => reachCommandCore(snap(ns('shop', { team: 'shop' }) + yaml), { from, to: 'shop/web', port: '8080' });

  it('makes reach UNKNOWN (exit 2) where it decides the flow, saying which namespace to declare', () => {
    const r = ask(web + byTeam);
    expect(r.exitCode).toBe(2);
    const lines = r.output.split('\n');
    expect(lines[0]).toBe('UNKNOWN: other/client[Pod] -> shop/web[Pod] on 8080/TCP');
    expect(lines).toContain('    DENIED (uncertain) by NetworkPolicy isolation (shop/web-in select it; no rule allows it): TCP 8080');
    expect(lines).toContain('  note: uncertain: NetworkPolicy shop/web-in rule 0 (Allow): whether namespace other is selected by namespaceSelector team in (other) is not known: no manifest declares it, so only its kubernetes.io/metadata.name label is known (add the Namespace manifest with its labels); counted as not selected');
    // The run's coverage notes name the policy once.
    expect(buildReachability(snap(ns('shop') + web + byTeam)).notes.map((n) => n.message)).toContain('its namespace selectors read labels (team in (other)), but no manifest declares namespace(s) other, whose pods it may admit or not: only their kubernetes.io/metadata.name label is known, so reach answers UNKNOWN where such a selector decides a flow for them (the checks and the matrix count the name-only reading); add the Namespace manifests with their labels');
  });

  it('stays certain once the namespace is declared, whichever labels it carries', () => {
    expect(ask(ns('other', { team: 'other' }) + web + byTeam).output.split('\n')[0]).toBe('ALLOWED: other/client[Pod] -> shop/web[Pod] on 8080/TCP');
    const denied = ask(ns('other', { team: 'blue' }) + web + byTeam);
    expect([denied.exitCode, denied.output.split('\n')[0]]).toEqual([1, 'DENIED: other/client[Pod] -> shop/web[Pod] on 8080/TCP']);
    expect(buildReachability(snap(ns('shop') + ns('other') + web + byTeam)).notes).toEqual([]);
  });

  it('stays certain where the namespace\'s other labels cannot change the answer', () => {
    // The selector reads the name label only, which the control plane sets: known.
    const byName = policy('shop', 'web-in', '{podSelector: {matchLabels: {app: web}}, ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: other}}}], ports: [{port: http}]}]}');
    expect(ask(web + byName).output.split('\n')[0]).toBe('ALLOWED: other/client[Pod] -> shop/web[Pod] on 8080/TCP');
    // The peer's podSelector leaves the pod out whatever the namespace's labels.
    expect(ask(web + byTeam, 'other/batch').exitCode).toBe(1);
    // Every namespace.
    const any = policy('shop', 'web-in', '{podSelector: {matchLabels: {app: web}}, ingress: [{from: [{namespaceSelector: {}}], ports: [{port: http}]}]}');
    expect(ask(web + any).exitCode).toBe(0);
  });
});
