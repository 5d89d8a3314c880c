// The demo cluster's cert-manager objects and external destinations, as its report shows them.
import { describe, expect, it } from 'vitest';
import { renderHtml } from '../../../src/report/html.ts';
import { demoRun } from './demo.ts';

describe('demo cluster: certificates and where traffic may leave', () => {
  const { report, previous, trend } = demoRun();
  const fail = (check: string) => report.findings.filter((f) => f.check === check).map((f) => `${f.severity} ${f.resource.kind} ${f.resource.namespace}/${f.resource.name}`);

  it('judges cert-manager status without probing', () => {
    expect(fail('tls.issuer-not-ready')).toEqual(['medium Issuer payments/partner-ca']);
    expect(fail('tls.certificate-not-ready')).toEqual(['medium Certificate payments/partner-api']);
    expect(fail('tls.certificate-expiring')).toEqual(['medium Certificate payments/partner-api']);
    // The storefront's Ingress Secret is a Certificate's spec.secretName: managed. The dashboards
    // Gateway's listener Secret is named by no Certificate: rotated by hand.
    expect(fail('tls.certificate-unmanaged')).toEqual(['low Gateway envoy-gateway-system/dashboards']);
  });

  // 0.0.0.0/0 is every IPv4 address (Kubernetes NetworkPolicy docs, ipBlock): "any address", as
  // the same report's network.unrestricted-egress finding says, not one "address range".
  it('lists the external destinations in report.json and in the HTML report', () => {
    expect(report.details.network?.egress).toEqual([{ kind: 'world', value: '0.0.0.0/0', source: { kind: 'NetworkPolicy', namespace: 'shop', name: 'legacy-reporting-egress' } }]);
    const html = renderHtml(report, { previous, trend });
    expect(html).toContain('Where traffic may leave');
    const text = html.replace(/<wbr>/g, '');
    expect(text).toContain('<td data-label="Destination"><code>0.0.0.0/0</code></td><td data-label="Kind">any address</td><td data-label="Allowed by"><code>NetworkPolicy shop/legacy-reporting-egress</code></td>');
    expect(fail('network.unrestricted-egress')).toContain('high NetworkPolicy shop/legacy-reporting-egress');
  });
});
