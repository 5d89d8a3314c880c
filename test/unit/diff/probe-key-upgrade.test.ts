// The first run after an upgrade must not report a TLS probe finding that did not change as new
// (and its stored self as resolved), nor flag a regression: DESIGN.md, "fingerprint: stable
// across runs". Probe findings about an object were keyed by the address the probe reached,
// `shop.example.com@203.0.113.10:443`; they are keyed by SNI and port now. The fixture
// test/fixtures/upgrade/tls-probe-keys/old-run.jsonl is `ztaudit history export` of a run stored
// by the ztaudit before that change (snapshot.json beside it, one Ingress probed: TLS 1.0
// accepted, certificate expired, certificate for another name), as an operator moving stores
// or keeping one across the upgrade has it. The Ingress is Contour's, with
// ingress.kubernetes.io/force-ssl-redirect, so that port 80 adds no finding of its own to the run.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { pairFindings } from '../../../src/diff/diff.ts';
import { formerFingerprints } from '../../../src/diff/former-keys.ts';
import { fingerprintOf } from '../../../src/engine/fingerprint.ts';
import { probeSubject } from '../../../src/analysis/tls/index.ts';
import type { Finding, RunReport } from '../../../src/run/types.ts';
import type { TlsProbeResult } from '../../../src/snapshot/types.ts';
import { captureIO } from '../../helpers/cli.ts';

const FIXTURE = join(import.meta.dirname, '../../fixtures/upgrade/tls-probe-keys');
const PROBE_CHECKS = ['tls.certificate-expiring', 'tls.certificate-hostname-mismatch', 'tls.probe-legacy-accepted'];

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'zt-probe-keys-'));
  copyFileSync(join(FIXTURE, 'snapshot.json'), join(dir, 'snapshot.json'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('TLS probe findings stored under their former keys, after an upgrade', () => {
  it('persist: no new, no resolved, no regression (exit 0 with --fail-on regression)', async () => {
    const imported = captureIO(dir);
    expect(await main(['history', 'import', '--history', 'h.db', '--file', join(FIXTURE, 'old-run.jsonl')], imported.cli)).toBe(0);
    const old = JSON.parse(readFileSync(join(FIXTURE, 'old-run.jsonl'), 'utf8').split('\n')[1]!) as RunReport;

    const t = captureIO(dir);
    expect(await main(['run', '--snapshot', 'snapshot.json', '--history', 'h.db', '--no-notify', '--format', 'json', '--out', 'o', '--fail-on', 'regression'], t.cli)).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, 'o/report.json'), 'utf8')) as RunReport;
    // The keys did change: none of the three checks' findings has its stored fingerprint.
    const probed = report.findings.filter((f) => PROBE_CHECKS.includes(f.check));
    expect(probed.map((f) => f.check).sort()).toEqual(PROBE_CHECKS);
    const oldFingerprints = new Set(old.findings.map((f) => f.fingerprint));
    expect(probed.some((f) => oldFingerprints.has(f.fingerprint))).toBe(false);

    expect(report.diff).toMatchObject({ previousRunId: old.run.id, new: [], resolved: [], persisting: old.findings.length, regression: false, regressionReasons: [] });
    expect(t.out()).toContain('0 new, 0 resolved');
    expect(t.out()).not.toContain('REGRESSION');
  });

  it('a waiver that had run out while the stored finding was open is no news: no "waiver expired" regression', async () => {
    // README "waivers": expires 2026-01-31 is valid through that day; the stored run (2026-12)
    // already showed the finding open.
    writeFileSync(join(dir, 'ztaudit.yaml'), [
      'waivers:',
      '  - check: tls.probe-legacy-accepted',
      '    resource: {kind: Ingress, namespace: shop, name: shop}',
      '    reason: "legacy clients until the terminals are replaced"',
      '    owner: edge@example.com',
      '    expires: 2026-01-31',
      '',
    ].join('\n'));
    expect(await main(['history', 'import', '--history', 'h.db', '--file', join(FIXTURE, 'old-run.jsonl')], captureIO(dir).cli)).toBe(0);
    const t = captureIO(dir);
    expect(await main(['run', '--snapshot', 'snapshot.json', '--config', 'ztaudit.yaml', '--history', 'h.db', '--no-notify', '--format', 'json', '--out', 'o', '--fail-on', 'regression'], t.cli)).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, 'o/report.json'), 'utf8')) as RunReport;
    expect(report.waivers?.map((w) => w.state)).toEqual(['expired']);
    expect(report.diff).toMatchObject({ new: [], resolved: [], regression: false, regressionReasons: [] });
  });
});

describe('formerFingerprints', () => {
  const probe = (host: string, sni?: string): TlsProbeResult => ({
    endpoint: { host, port: 443, ...(sni !== undefined ? { sni } : {}), origin: 'Ingress/shop/web' },
    versions: { TLSv1: 'accepted', 'TLSv1.1': 'accepted', 'TLSv1.2': 'accepted', 'TLSv1.3': 'accepted' },
  });
  const findingOf = (p: TlsProbeResult, evidence: Record<string, unknown>): Finding => {
    const { resource, detailKey } = probeSubject(p);
    return { fingerprint: fingerprintOf('tls.probe-legacy-accepted', resource, detailKey), check: 'tls.probe-legacy-accepted', area: 'tls', severity: 'high', resource, message: '', controls: [], evidence, waived: false };
  };

  it('rebuilds the key the probe label gave (SNI named only when it differs from the host)', () => {
    for (const p of [probe('203.0.113.10', 'shop.example.com'), probe('lb.example.net', 'lb.example.net'), probe('203.0.113.10')]) {
      const f = findingOf(p, { endpoint: p.endpoint });
      expect(formerFingerprints(f)).toEqual([fingerprintOf(f.check, f.resource, probeSubject(p).label)]);
    }
  });

  it('pairs with the stored finding of the address kept, else of another address the object was reached at; an exact match first', () => {
    const now = probe('34.9.8.7', 'shop.example.com');
    const current = findingOf(now, { endpoint: now.endpoint, alsoProbedAt: ['shop.example.com@34.1.2.3:443'] });
    const stored = (label: string): Finding => ({ ...current, fingerprint: fingerprintOf(current.check, current.resource, label), evidence: {} });
    const comparable = new Set([current.check]);

    // Stored at the other address only (the load balancer changed since): persists.
    const atOther = stored('shop.example.com@34.1.2.3:443');
    expect(pairFindings([atOther], [current], comparable)).toEqual({ current: [current], was: [atOther], resolved: [] });

    // Stored at both: the one at the address kept pairs, the other address's is resolved.
    const atKept = stored('shop.example.com@34.9.8.7:443');
    expect(pairFindings([atOther, atKept], [current], comparable)).toEqual({ current: [current], was: [atKept], resolved: [atOther] });

    // Stored under its own fingerprint already: that pairs; the former one is resolved.
    expect(pairFindings([atKept, current], [current], comparable)).toEqual({ current: [current], was: [current], resolved: [atKept] });
  });
});
