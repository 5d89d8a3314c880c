// network.unrestricted-egress judges ipBlocks by the public address space they reach, not only by
// whether they spell 0.0.0.0/0: CIDRs that together cover every IPv4 address but RFC 1918 (and the
// other internal space egress.ts sets apart) reach the whole Internet, as 0.0.0.0/0 except the
// private ranges does, and network.egress-not-controlled already says so of the same policy
// ("can reach every public IPv4 address directly"). An ipBlock is "a particular IP CIDR range"
// with `except` ranges left out of it, and the peers of one `to` are ORed
// (https://kubernetes.io/docs/concepts/services-networking/network-policies/#networkpolicy-resource).
import { describe, expect, it } from 'vitest';
import { unrestrictedEgress } from '../../../checks/network/unrestricted-egress.ts';
import { externalEgress } from '../../../src/analysis/netpol/egress.ts';
import { ctxOf, pod, policy } from './helpers.ts';

/** Every IPv4 address outside 10/8, 172.16/12 and 192.168/16, in 31 CIDRs. */
const PUBLIC_PIECES = ['0.0.0.0/5', '8.0.0.0/7', '11.0.0.0/8', '12.0.0.0/6', '16.0.0.0/4', '32.0.0.0/3', '64.0.0.0/2', '128.0.0.0/3', '160.0.0.0/5', '168.0.0.0/6',
  '172.0.0.0/12', '172.32.0.0/11', '172.64.0.0/10', '172.128.0.0/9', '173.0.0.0/8', '174.0.0.0/7', '176.0.0.0/4', '192.0.0.0/9', '192.128.0.0/11', '192.160.0.0/13',
  '192.169.0.0/16', '192.170.0.0/15', '192.172.0.0/14', '192.176.0.0/12', '192.192.0.0/10', '193.0.0.0/8', '194.0.0.0/7', '196.0.0.0/6', '200.0.0.0/5', '208.0.0.0/4', '224.0.0.0/3'];

function verdict(to: string[], ports = '') {
  const peers = to.map((c) => `{ipBlock: {cidr: "${c}"}}`).join(', ');
  const yaml = pod('app', 'web', { app: 'web' }) + policy('app', 'p', `{podSelector: {matchLabels: {app: web}}, policyTypes: [Egress], egress: [{to: [${peers}]${ports}}]}`);
  return [...unrestrictedEgress.evaluate(ctxOf(yaml))][0];
}

describe('network.unrestricted-egress: ipBlocks covering every public address', () => {
  it('31 CIDRs adding up to every IPv4 address but RFC 1918 fail, the message naming the public space', () => {
    const v = verdict(PUBLIC_PIECES);
    expect(v.status).toBe('fail');
    expect(v.message).toBe('app/p allows egress to every public IPv4 address (ipBlocks cover all of 0.0.0.0/0 outside private (RFC 1918), CGNAT, loopback, link-local, this-network, multicast and reserved space) on every port');
  });

  it('the same pieces in any order fail alike; restricted to a port they are no longer unrestricted', () => {
    expect(verdict([...PUBLIC_PIECES].reverse()).status).toBe('fail');
    expect(verdict(PUBLIC_PIECES, ', ports: [{port: 443}]').status).toBe('pass');
  });

  it('a part of the public space is not every public address: 0.0.0.0/1 alone, or the pieces less one, pass', () => {
    expect(verdict(['0.0.0.0/1']).status).toBe('pass');
    expect(verdict(PUBLIC_PIECES.filter((c) => c !== '193.0.0.0/8')).status).toBe('pass');
  });

  // Multicast 224.0.0.0/4 (RFC 5771) and reserved 240.0.0.0/4 (RFC 1112 §4; IANA IPv4
  // Special-Purpose Address Registry, RFC 6890) are no Internet a pod reaches: leaving them out
  // still reaches every public address.
  it('every public unicast IPv4 address (0.0.0.0/1, 128.0.0.0/2, 192.0.0.0/3: all but 224.0.0.0/3) fails', () => {
    const v = verdict(['0.0.0.0/1', '128.0.0.0/2', '192.0.0.0/3']);
    expect(v.status).toBe('fail');
    expect(v.message).toContain('every public IPv4 address');
    expect(verdict(['0.0.0.0/1', '128.0.0.0/2', '192.0.0.0/4']).status).toBe('pass');
  });

  // IANA allocates only global unicast 2000::/3 (IANA IPv6 Address Space registry; RFC 4291 §2.4);
  // documentation 2001:db8::/32 (RFC 3849) and 3fff::/20 (RFC 9637) are not globally reachable.
  it('IPv6: global unicast 2000::/3, with or without the documentation ranges, is every public IPv6 address; half of it is not', () => {
    const v = verdict(['2000::/3']);
    expect(v.status).toBe('fail');
    expect(v.message).toBe('app/p allows egress to every public IPv6 address (ipBlocks cover all of ::/0 outside non-global space (ULA, link-local, loopback, multicast, reserved: all but 2000::/3), NAT64 (IPv4 addresses), documentation and benchmarking space) on every port');
    expect(verdict(['2000::/4', '3000::/5', '3800::/6', '3c00::/7', '3e00::/8', '3f00::/9', '3f80::/10', '3fc0::/11', '3fe0::/12', '3ff0::/13', '3ff8::/14', '3ffc::/15', '3ffe::/16', '3fff:1000::/20', '3fff:2000::/19', '3fff:4000::/18', '3fff:8000::/17']).status).toBe('fail');
    expect(verdict(['2000::/4']).status).toBe('pass');
  });
});

// Through a NAT64 gateway a pod reaches the IPv4 Internet at the well-known prefix 64:ff9b::/96
// (RFC 6052) or a local-use one inside 64:ff9b:1::/48 (RFC 8215): an allowance to it reaches public
// addresses, although it lies outside global unicast 2000::/3.
describe('NAT64 prefixes are public addresses', () => {
  it('an egress allowance to 64:ff9b::/96 alone is egress to public addresses (it was left out as non-global space)', () => {
    const yaml = pod('app', 'web', { app: 'web' }) + policy('app', 'p', '{podSelector: {matchLabels: {app: web}}, policyTypes: [Egress], egress: [{to: [{ipBlock: {cidr: "64:ff9b::/96"}}]}]}');
    const web = [...externalEgress(ctxOf(yaml).snapshot).values()].find((w) => w.workload.ref.name === 'web');
    expect(web?.ranges).toEqual(['64:ff9b::-64:ff9b::ffff:ffff']);
    // Not every public address: the rule reaches IPv4 ones only through the gateway.
    expect(verdict(['64:ff9b::/96']).status).toBe('pass');
  });
});

