// A MiddlewareTCP ipAllowList (or ipWhiteList) whose sourceRange holds an entry that is neither an
// IP address nor a CIDR cannot be built: traefik/traefik pkg/middlewares/tcp/ipallowlist/ip_allowlist.go
// New returns "cannot parse CIDRs" when pkg/ip/checker.go NewChecker fails (net.ParseIP, then
// net.ParseCIDR, per entry), BuildChain (pkg/server/middleware/tcp/middlewares.go) fails, and
// pkg/server/router/tcp/manager.go addTCPHandlers logs the error and builds no router: the whole
// route is not served, not only the bad entry skipped. sourceRange: "The sourceRange option sets
// the allowed IPs (or ranges of allowed IPs by using CIDR notation)"
// (https://doc.traefik.io/traefik/reference/routing-configuration/tcp/middlewares/ipallowlist/).
import { describe, expect, it } from 'vitest';
import { exposureNotes } from '../../../src/analysis/netpol/exposure.ts';
import { edgeAuthMissing } from '../../../checks/tls/edge-auth-missing.ts';
import { cluster, ctx, exposure, guard, tcpRoute } from './traefik-tcp.ts';

const scenario = (sourceRange: string, type = 'ipAllowList') => ctx(cluster(['--providers.kubernetescrd'], tcpRoute({ middlewares: '[{name: office}]' }) + `---
apiVersion: traefik.io/v1alpha1
kind: MiddlewareTCP
metadata: {name: office, namespace: db}
spec: {${type}: {sourceRange: ${sourceRange}}}
`));

describe('a MiddlewareTCP allowlist with an entry Traefik cannot parse', () => {
  it('is not built, so Traefik refuses the router: no way in through the route, a note naming the entry', () => {
    for (const [range, bad] of [['[10.0.0.0/8, office-lan]', 'office-lan'], ['[10.0.0.0/33]', '10.0.0.0/33'], ['["010.0.0.1"]', '010.0.0.1'], ['["fe80::1%eth0"]', 'fe80::1%eth0'], ['["", 10.0.0.0/8]', '']]) {
      for (const type of ['ipAllowList', 'ipWhiteList']) {
        const c = scenario(range, type);
        // Before: the route was served, the allowlist named in front of it.
        expect(exposure(c), `${type} ${range}`).toBeUndefined();
        expect(guard(c, edgeAuthMissing), `${type} ${range}`).toEqual([]);
        expect(exposureNotes(c.snapshot)).toContain(`IngressRouteTCP db/postgres: Traefik MiddlewareTCP db/office, which it names, cannot be built (its ${type}.sourceRange entry ${JSON.stringify(bad)} is neither an IP address nor a CIDR), so Traefik refuses the router; it is not served`);
      }
    }
  });

  it('addresses and CIDRs of both families are taken: the route is served, the allowlist named', () => {
    const c = scenario('[10.0.0.0/8, 192.168.1.7, "2001:db8::/32", "::ffff:10.1.2.3"]');
    expect(exposure(c)?.status).toBe('fail');
    expect(exposureNotes(c.snapshot).filter((n) => n.includes('cannot be built'))).toEqual([]);
    expect(guard(c, edgeAuthMissing)[0].message).toContain('Traefik MiddlewareTCP db/office ipAllowList (sourceRange 10.0.0.0/8, 192.168.1.7, 2001:db8::/32, ::ffff:10.1.2.3)');
  });
});
