// mtls.destinationrule-tls-disabled on a subset's own tls: "Policies specified for subsets will not
// take effect until a route rule explicitly sends traffic to this subset"
// (https://istio.io/latest/docs/reference/config/networking/destination-rule/#Subset). A subset no
// VirtualService routes to is a low finding, said so; routed, or with the VirtualServices unread,
// it stays high.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mtlsChecks } from '../../../checks/mtls/index.ts';
import { ctxOf, fails, istiodYaml, namespaceYaml, run } from './helpers.ts';

const check = mtlsChecks.find((c) => c.id === 'mtls.destinationrule-tls-disabled')!;
const FIXTURES = join(import.meta.dirname, '../../fixtures/checks/mtls.destinationrule-tls-disabled');
const scene = (fixture: string) => `${namespaceYaml('istio-system')}${istiodYaml()}${namespaceYaml('ns1', 'istio-injection: enabled')}\n${readFileSync(join(FIXTURES, fixture), 'utf8')}\n`;

describe('a DestinationRule subset that sets tls.mode DISABLE', () => {
  it('no VirtualService routes to it: low, saying it applies to no traffic until a route does (was high)', () => {
    const [f] = fails(run(check, ctxOf(scene('fail.subset-unrouted-low.yaml'))));
    expect(f?.severity).toBe('low');
    expect(f?.message).toContain('No VirtualService routes to subset "legacy", so this applies to no traffic until a route does.');
  });

  it('a route sends 10 % to it: high, as before', () => {
    const [f] = fails(run(check, ctxOf(scene('fail.subset-routed.yaml'))));
    expect(f?.severity).toBe('high');
    expect(f?.message).not.toContain('No VirtualService routes');
  });

  it('the VirtualServices could not be read: high, as any other (a route may send to it)', () => {
    const ctx = ctxOf(scene('fail.subset-unrouted-low.yaml'));
    ctx.snapshot.coverage['istio.virtualservices'] = { status: 'forbidden', detail: 'forbidden' };
    const [f] = fails(run(check, ctx));
    expect(f?.severity).toBe('high');
  });
});
