// The run notes of a Calico preDNAT GlobalNetworkPolicy (the reviewer's repro pd): preDNAT and
// doNotTrack policies apply to host endpoints only ("preDNAT ... applies only to host endpoints",
// docs.tigera.io/calico/latest/reference/resources/globalnetworkpolicy#spec; both require
// applyOnForward), so the applyOnForward note must not say the rules are evaluated for pods. The
// run's notes (report coverage section) name the policy once, not "GlobalNetworkPolicy x: GlobalNetworkPolicy x: …".
import { describe, expect, it } from 'vitest';
import { buildReachability } from '../../../src/analysis/netpol/model.ts';
import { runNotes } from '../../../src/analysis/details.ts';
import { ctxOf, snap } from './helpers.ts';

const gnp = (extra: string) => `
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: deny-nodeports}
spec:
  order: 20
  selector: has(kubernetes-host)
  applyOnForward: true
  ${extra}
  types: [Ingress]
  ingress:
  - action: Deny
    protocol: TCP
    destination: {ports: ["30000:32767"]}
`;

const notes = (yaml: string) => buildReachability(snap(yaml)).notes.filter((n) => n.object.name === 'deny-nodeports').map((n) => n.message);

describe('Calico preDNAT / applyOnForward notes', () => {
  it('preDNAT: the applyOnForward note says the policy never applies to pods, each note names the policy once', () => {
    expect(notes(gnp('preDNAT: true'))).toEqual([
      'GlobalNetworkPolicy deny-nodeports: preDNAT: applies to host endpoints only, before DNAT (host endpoints are not modelled)',
      'GlobalNetworkPolicy deny-nodeports: applyOnForward: forwarded traffic through host endpoints is not modelled, and as a preDNAT policy it never applies to pods, so it is not evaluated',
    ]);
  });

  it('applyOnForward alone: its rules are evaluated for pods, and the note says so', () => {
    expect(notes(gnp(''))).toEqual(['GlobalNetworkPolicy deny-nodeports: applyOnForward: forwarded traffic through host endpoints is not modelled (the rules are evaluated for pods)']);
  });
});

describe('the run notes name the policy once', () => {
  it('runNotes: "GlobalNetworkPolicy deny-nodeports: preDNAT: …", not the id twice', () => {
    const lines = runNotes(ctxOf(gnp('preDNAT: true'))).filter((l) => l.includes('deny-nodeports'));
    expect(lines).toContain('GlobalNetworkPolicy deny-nodeports: preDNAT: applies to host endpoints only, before DNAT (host endpoints are not modelled)');
    expect(lines.filter((l) => l.startsWith('GlobalNetworkPolicy deny-nodeports: GlobalNetworkPolicy deny-nodeports'))).toEqual([]);
  });
});
