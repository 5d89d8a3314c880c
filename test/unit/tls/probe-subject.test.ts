// A probe finding of an object is keyed by its SNI and port, never by the load-balancer address
// the probe reached it at: DESIGN.md, "a fingerprint is stable across runs: check + resource
// identity (+ detail key)". The cloud changes a load balancer's address (an Ingress re-created, a
// Service moved to another LB); the finding is the same problem on the same Ingress.
import { describe, expect, it } from 'vitest';
import type { AuditContext } from '../../../src/analysis/context.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { fingerprintOf } from '../../../src/engine/fingerprint.ts';
import type { TlsProbeResult } from '../../../src/snapshot/types.ts';
import { probeLegacyAccepted } from '../../../checks/tls/probe-legacy-accepted.ts';
import { certificateExpiring } from '../../../checks/tls/certificate-expiring.ts';
import { certificateHostnameMismatch } from '../../../checks/tls/certificate-hostname-mismatch.ts';

const now = new Date('2026-06-01T00:00:00Z');
const probe = (host: string, tls10: 'accepted' | 'rejected', origin = 'Ingress/shop/web', sni = 'shop.example.com'): TlsProbeResult => ({
  endpoint: { host, port: 443, ...(sni ? { sni } : {}), origin },
  versions: { TLSv1: tls10, 'TLSv1.1': tls10, 'TLSv1.2': 'accepted', 'TLSv1.3': 'accepted' },
  certificate: { notAfter: '2026-06-05T00:00:00Z', subject: 'CN=other.example.com', altNames: ['other.example.com'], hostnameMatches: false },
});
function ctx(probes: TlsProbeResult[]): AuditContext {
  const snapshot = snapshotFromObjects([]);
  snapshot.probes = probes;
  return { snapshot, config: defaultConfig(), now };
}
const checks = [probeLegacyAccepted, certificateExpiring, certificateHostnameMismatch];
const fingerprints = (c: AuditContext) => checks.flatMap((check) => [...check.evaluate(c)].map((v) => fingerprintOf(check.id, v.resource, v.detailKey))).sort();

describe('TLS probe findings of an object survive a load-balancer address change', () => {
  it('the same Ingress probed at 34.1.2.3 and then at 34.9.8.7 gives the same fingerprints (no new + resolved pair, no regression)', () => {
    const before = fingerprints(ctx([probe('34.1.2.3', 'accepted')]));
    const after = fingerprints(ctx([probe('34.9.8.7', 'accepted')]));
    expect(before).toHaveLength(3);
    expect(after).toEqual(before);
  });

  it('keeps the address in the message, and keys by SNI and port', () => {
    const [v] = [...probeLegacyAccepted.evaluate(ctx([probe('34.9.8.7', 'accepted')]))];
    expect(v).toMatchObject({ status: 'fail', resource: { kind: 'Ingress', namespace: 'shop', name: 'web' }, detailKey: 'shop.example.com:443' });
    expect(v.message).toBe('shop.example.com@34.9.8.7:443 completed a handshake with TLSv1 and TLSv1.1.');
  });

  it('one object at two addresses is one result, the worst one, naming the other address', () => {
    const rs = [...probeLegacyAccepted.evaluate(ctx([probe('34.1.2.3', 'rejected'), probe('34.9.8.7', 'accepted')]))];
    expect(rs).toHaveLength(1);
    expect(rs[0]).toMatchObject({ status: 'fail', message: expect.stringContaining('34.9.8.7'), evidence: { alsoProbedAt: ['shop.example.com@34.1.2.3:443'] } });
    const expiring = [...certificateExpiring.evaluate(ctx([probe('34.1.2.3', 'rejected'), probe('34.9.8.7', 'rejected')]))];
    expect(expiring).toHaveLength(1);
  });

  it('an endpoint of tls.probe.endpoints (origin config) stays keyed by its address: it is what the operator named', () => {
    const [v] = [...probeLegacyAccepted.evaluate(ctx([probe('api.example.com', 'accepted', 'config', '')]))];
    expect(v).toMatchObject({ resource: { kind: 'TLSEndpoint', name: 'api.example.com:443' }, detailKey: 'api.example.com:443' });
  });
});
