// Certificate name matching as RFC 9525 section 6.3 has clients do it
// (https://www.rfc-editor.org/rfc/rfc9525#section-6.3) and Go's crypto/x509 VerifyHostname does
// (matchHostnames: a "*" only as the whole first label, one label deep; IP addresses against IP
// SANs only; the Common Name ignored). Where it departs from Node's tls.checkServerIdentity (a CN
// with no DNS SAN, partial wildcards), each case says so and checks Node still takes it.
import tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import { certificateNamesHost, dnsNameCovers } from '../../../src/base/cert-names.ts';
import { ingressTlsHostCovers } from '../../../src/analysis/tls/hosts.ts';

const node = (host: string, cn: string | undefined, san: string | undefined) => tls.checkServerIdentity(host, { subject: cn ? { CN: cn } : {}, subjectaltname: san } as tls.PeerCertificate) === undefined;

describe('dnsNameCovers', () => {
  it('matches exactly, case-insensitively, with or without a trailing dot', () => {
    expect(dnsNameCovers('app.example.test', 'APP.Example.test.')).toBe(true);
    expect(dnsNameCovers('App.Example.Test.', 'app.example.test')).toBe(true);
    expect(dnsNameCovers('app.example.test', 'other.example.test')).toBe(false);
  });

  it('a wildcard is the whole left-most label and covers exactly one label', () => {
    expect(dnsNameCovers('*.example.test', 'a.example.test')).toBe(true);
    expect(dnsNameCovers('*.example.test', 'a.b.example.test')).toBe(false);
    expect(dnsNameCovers('*.example.test', 'example.test')).toBe(false);
    expect(dnsNameCovers('a.*.example.test', 'a.b.example.test')).toBe(false);
    expect(dnsNameCovers('*.*.example.test', 'a.b.example.test')).toBe(false);
  });

  it('no partial wildcard (Node takes them: a*.example.test, *oo.example.com, f*o.example.com)', () => {
    for (const [pattern, host] of [['a*.example.test', 'abc.example.test'], ['*oo.example.com', 'foo.example.com'], ['f*o.example.com', 'foo.example.com']] as const) {
      expect(node(host, undefined, `DNS:${pattern}`)).toBe(true);
      expect(dnsNameCovers(pattern, host)).toBe(false);
    }
  });

  it('an internationalised host is compared as its A-labels, as Node converts it (url.domainToASCII); a SAN that is not ASCII matches nothing', () => {
    expect(node('bücher.example.test', undefined, 'DNS:xn--bcher-kva.example.test')).toBe(true);
    expect(dnsNameCovers('xn--bcher-kva.example.test', 'bücher.example.test')).toBe(true);
    expect(dnsNameCovers('*.example.test', 'bücher.example.test')).toBe(true);
    expect(node('bücher.example.test', undefined, 'DNS:bücher.example.test')).toBe(false);
    expect(dnsNameCovers('bücher.example.test', 'bücher.example.test')).toBe(false);
  });

  it('is the matcher Ingress tls hosts and cert-manager dnsNames are judged with', () => {
    expect(ingressTlsHostCovers('*.example.com', 'a.example.com')).toBe(true);
    expect(ingressTlsHostCovers('a*.example.com', 'ab.example.com')).toBe(false);
    expect(ingressTlsHostCovers('*.example.com', '*.example.com')).toBe(true);
  });
});

describe('certificateNamesHost', () => {
  it('ignores the Common Name, with or without DNS SANs, and says when it alone would have matched', () => {
    expect(node('app.example.test', 'app.example.test', undefined)).toBe(true);
    expect(certificateNamesHost({ dnsNames: [], ipAddresses: [], commonNames: ['app.example.test'] }, 'app.example.test')).toEqual({ matches: false, miss: 'cn-only' });
    // Node takes the CN when the only SAN is an IP address.
    expect(node('app.example.test', 'app.example.test', 'IP Address:10.0.0.1')).toBe(true);
    expect(certificateNamesHost({ dnsNames: [], ipAddresses: ['10.0.0.1'], commonNames: ['app.example.test'] }, 'app.example.test')).toEqual({ matches: false, miss: 'cn-only' });
    expect(certificateNamesHost({ dnsNames: ['other.example.test'], ipAddresses: [], commonNames: ['app.example.test'] }, 'app.example.test')).toEqual({ matches: false, miss: 'cn-only' });
    expect(certificateNamesHost({ dnsNames: [], ipAddresses: [], commonNames: ['other'] }, 'app.example.test')).toEqual({ matches: false });
  });

  it('says when only a partial wildcard would have matched', () => {
    expect(certificateNamesHost({ dnsNames: ['a*.example.test'], ipAddresses: [], commonNames: ['x'] }, 'abc.example.test')).toEqual({ matches: false, miss: 'partial-wildcard' });
    expect(certificateNamesHost({ dnsNames: ['a*.example.test'], ipAddresses: [], commonNames: ['x'] }, 'xbc.example.test')).toEqual({ matches: false });
    expect(certificateNamesHost({ dnsNames: ['a*.example.test', 'abc.example.test'], ipAddresses: [] }, 'abc.example.test')).toEqual({ matches: true });
  });

  it('matches an address against the IP address SANs only, in any spelling', () => {
    expect(certificateNamesHost({ dnsNames: ['10.0.0.1'], ipAddresses: [], commonNames: ['10.0.0.1'] }, '10.0.0.1')).toEqual({ matches: false });
    expect(certificateNamesHost({ dnsNames: [], ipAddresses: ['0:0:0:0:0:0:0:1'] }, '::1')).toEqual({ matches: true });
    expect(certificateNamesHost({ dnsNames: [], ipAddresses: ['2001:DB8:0:0:0:0:0:1'] }, '[2001:db8::1]')).toEqual({ matches: true });
    expect(certificateNamesHost({ dnsNames: [], ipAddresses: ['10.0.0.2'] }, '10.0.0.1')).toEqual({ matches: false });
  });
});
