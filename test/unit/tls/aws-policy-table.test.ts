// The AWS security policies tls.weak-ciphers judges by their published suites, and those it only
// notes. The TLS-1-0/1-2/1-2-Ext, FS and 2015-05 tables are AWS's documentation as its source
// repositories keep it (awsdocs/elb-application-load-balancers-user-guide
// doc_source/create-https-listener.md, awsdocs/elb-network-load-balancers-user-guide
// doc_source/create-tls-listener.md, "Security policies"; the same tables as
// https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html):
// - TLS-1-2-2017-01: TLS 1.2 only, the 2016-08 suites without SHA-1, still AES128-GCM-SHA256 and
//   AES256-SHA256 (RSA key exchange);
// - TLS-1-0-2015-04: the 2016-08 suites and DES-CBC3-SHA ("a weak cipher");
// - FS-1-2-Res-2019-08: ECDHE only, AES-GCM and the SHA-256/384 CBC suites.
// The console's default, ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09, accepts "TLS 1.3 only, or
// TLS 1.2 only" clients (the same page, "Considerations"): tls.legacy-protocol-enabled judges it
// from its name; its suite table was not available to check, so tls.weak-ciphers names it in the
// note, never passes it.
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { AuditContext } from '../../../src/analysis/context.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';
import { legacyProtocolEnabled } from '../../../checks/tls/legacy-protocol-enabled.ts';
import { weakCiphers } from '../../../checks/tls/weak-ciphers.ts';
import { alb } from './alb.ts';

function ctx(yamlText: string): AuditContext {
  const objs = parseAllDocuments(yamlText).map((d) => d.toJSON() as KubeObject).filter(Boolean);
  return { snapshot: snapshotFromObjects(objs), config: defaultConfig(), now: new Date('2026-12-01T00:00:00Z') };
}

const weak = (policy: string) => [...weakCiphers.evaluate(ctx(alb(policy)))].filter((v) => v.detailKey === 'alb-ssl-policy');

describe('tls.weak-ciphers: the AWS policy table', () => {
  it('ELBSecurityPolicy-TLS-1-2-2017-01 fails on the Ingress: AES128-GCM-SHA256 has RSA key exchange, and no SHA-1 suite is named', () => {
    const rs = weak('ELBSecurityPolicy-TLS-1-2-2017-01');
    expect(rs.map((r) => [r.status, `${r.resource.kind} ${r.resource.namespace}/${r.resource.name}`])).toEqual([['fail', 'Ingress shop/web']]);
    expect(rs[0].evidence?.weakSuites).toContain('AES128-GCM-SHA256 (rsa-key-exchange)');
    expect((rs[0].evidence?.ciphers as string[]).filter((c) => c.endsWith('-SHA'))).toEqual([]);
  });

  it('ELBSecurityPolicy-TLS-1-0-2015-04 fails naming 3DES (DES-CBC3-SHA)', () => {
    const rs = weak('ELBSecurityPolicy-TLS-1-0-2015-04');
    expect(rs.map((r) => r.status)).toEqual(['fail']);
    expect((rs[0].evidence?.weakSuites as string[]).some((s) => s.startsWith('DES-CBC3-SHA ('))).toBe(true);
  });

  it.each(['ELBSecurityPolicy-FS-2018-06', 'ELBSecurityPolicy-FS-1-1-2019-08', 'ELBSecurityPolicy-FS-1-2-2019-08', 'ELBSecurityPolicy-FS-1-2-Res-2019-08', 'ELBSecurityPolicy-TLS-1-2-Ext-2018-06', 'ELBSecurityPolicy-2015-05'])('%s is judged (a verdict, not a note): its CBC suites fail it', (policy) => {
    const rs = weak(policy);
    expect(rs.map((r) => r.status)).toEqual(['fail']);
    expect(rs[0].evidence?.weakSuites).toContain('ECDHE-RSA-AES128-SHA256 (cbc)');
    expect(weakCiphers.excluded?.(ctx(alb(policy))) ?? '').not.toContain(policy);
  });

  it('the console default ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09: TLS 1.2 and 1.3 only passes tls.legacy-protocol-enabled; its suites are noted by tls.weak-ciphers, not passed', () => {
    const c = ctx(alb('ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09'));
    const legacy = [...legacyProtocolEnabled.evaluate(c)].filter((v) => v.resource.kind === 'Ingress');
    expect(legacy.map((v) => [v.status, v.resource.name])).toEqual([['pass', 'web']]);
    expect(weak('ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09')).toEqual([]);
    expect(weakCiphers.excluded?.(c)).toContain('Ingress shop/web ("ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09")');
  });
});
