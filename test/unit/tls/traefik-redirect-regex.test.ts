// A Traefik redirectRegex Middleware that rewrites every http:// URL to https:// on the same host
// answers every plaintext request with a redirect, as a redirectScheme to https does. Traefik
// matches the regex against "http://" + Host + request URI when the connection has no TLS
// (traefik/traefik pkg/middlewares/redirect/redirect_regex.go@v3.1.2 lines 23-48, rawURL: scheme
// "http" unless req.TLS != nil) and redirects when the rewritten URL differs
// (pkg/middlewares/redirect/redirect.go@v3.1.2 lines 53-70, ServeHTTP: MatchString, then
// ReplaceAllString, then moveHandler). Only exact, provable forms pass (^http://(.*) to https://${1},
// ^http://([^/]+)(.*) to https://${1}${2}); any other regex or replacement cannot be confirmed: a
// medium finding, never a pass.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { ingressWithoutTls } from '../../../checks/tls/ingress-without-tls.ts';
import { traefikRegexRedirectsToHttps } from '../../../src/analysis/tls/traefik.ts';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/traefik-redirect/${name}`, import.meta.url), 'utf8');
/** The fixture with its redirectScheme Middleware replaced by a redirectRegex. */
const withRegex = (name: string, regex: string, replacement: string) => fixture(name).replace('redirectScheme: {scheme: https, permanent: true}', `redirectRegex: {regex: ${JSON.stringify(regex)}, replacement: ${JSON.stringify(replacement)}, permanent: true}`);
function verdicts(yaml: string, name: string) {
  const { objects } = parseManifestText(yaml, 'case.yaml');
  return [...ingressWithoutTls.evaluate({ snapshot: snapshotFromObjects(objects), config: defaultConfig(), now: new Date('2026-12-01T00:00:00Z') })]
    .filter((v) => v.resource.name === name).map((v) => ({ status: v.status, severity: v.severity ?? 'high', message: v.message }));
}

describe('Traefik redirectRegex from http to https', () => {
  it('IngressRoute on entryPoint web with redirectRegex ^http://(.*) to https://${1}: passes (it failed high, "may answer the request itself")', () => {
    const [v, ...more] = verdicts(withRegex('ingressroute.yaml', '^http://(.*)', 'https://${1}'), 'app-http');
    expect(more).toEqual([]);
    expect(v.status).toBe('pass');
    expect(v.message).toBe('IngressRoute web/app-http has no spec.tls, but every route of it answers host a.example.com with a redirect to https (Traefik Middleware web/to-https (redirectRegex "^http://(.*)" to "https://${1}", permanent)): nothing is served over plaintext HTTP.');
  });

  it('Ingress naming it in router.middlewares, with ^http://([^/]+)(.*) to https://$1$2: passes', () => {
    const vs = verdicts(withRegex('ingress.yaml', '^http://([^/]+)(.*)$', 'https://$1$2'), 'app-http');
    expect(vs.map((v) => v.status)).toEqual(['pass']);
    expect(vs[0].message).toContain('answers every plaintext request with a redirect to https (Traefik Middleware web/to-https (redirectRegex');
  });

  it('a regex or replacement that is not provably http to https on the same host: medium, cannot be confirmed, never a pass', () => {
    for (const [regex, replacement] of [['^http://(.*)', 'https://www.example.com/${1}'], ['^http://a\\.example\\.com/(.*)', 'https://a.example.com/${1}'], ['^http://(.*)', 'https://$1x'], ['(?i)^http://(.*)', 'https://${1}']]) {
      const ir = verdicts(withRegex('ingressroute.yaml', regex, replacement), 'app-http');
      expect(ir.map((v) => [v.status, v.severity])).toEqual([['fail', 'medium']]);
      expect(ir[0].message).toContain('cannot be confirmed');
      const ing = verdicts(withRegex('ingress.yaml', regex, replacement), 'app-http');
      expect(ing.map((v) => [v.status, v.severity])).toEqual([['fail', 'medium']]);
    }
  });

  it('a route without the Middleware beside one with it still fails high', () => {
    const base = withRegex('ingressroute.yaml', '^http://(.*)', 'https://${1}');
    const half = base.replace("  - match: Host(`a.example.com`)\n    kind: Rule\n    middlewares", "  - match: Host(`b.example.com`)\n    kind: Rule\n    services: [{name: app, port: 80}]\n  - match: Host(`a.example.com`)\n    kind: Rule\n    middlewares");
    expect(half).not.toBe(base);
    expect(verdicts(half, 'app-http').map((v) => [v.status, v.severity])).toEqual([['fail', 'high']]);
  });

  it('the proven forms only', () => {
    expect(traefikRegexRedirectsToHttps('^http://(.*)', 'https://${1}')).toBe(true);
    expect(traefikRegexRedirectsToHttps('^http:\\/\\/(.*)$', 'https://$1')).toBe(true);
    expect(traefikRegexRedirectsToHttps('^http://([^/]+)(.*)', 'https://${1}${2}')).toBe(true);
    // $1x is the group named "1x" in Go's Expand: not the host.
    expect(traefikRegexRedirectsToHttps('^http://(.*)', 'https://$1x')).toBe(false);
    expect(traefikRegexRedirectsToHttps('^http://(.*)', 'http://${1}')).toBe(false);
    expect(traefikRegexRedirectsToHttps('http://(.*)', 'https://${1}')).toBe(false);
    expect(traefikRegexRedirectsToHttps('^http://([^/]+)(.*)', 'https://${1}')).toBe(false);
    expect(traefikRegexRedirectsToHttps(undefined, 'https://${1}')).toBe(false);
  });
});
