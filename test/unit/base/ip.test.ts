// parseIp reads a plain dotted quad without ipaddr.js (the form of every pod's status.podIP); every
// other text still goes through ipaddr.js 2.5.0 (lib/ipaddr.js: IPv4.parser, isValidFourPartDecimal).
// These pin what that shortcut must answer: exactly what the long way answers.
import { describe, expect, it, vi } from 'vitest';
import ipaddr from 'ipaddr.js';
import { parseCidr, parseIp } from '../../../src/base/ip.ts';

/** The long way, as parseIp took it for every text before the shortcut. */
function byIpaddr(text: string): { family: 4 | 6; value: bigint } | undefined {
  if (!ipaddr.isValid(text)) return undefined;
  if (ipaddr.IPv4.isValid(text) && !ipaddr.IPv4.isValidFourPartDecimal(text)) return undefined;
  const a = ipaddr.parse(text);
  return { family: a.kind() === 'ipv4' ? 4 : 6, value: a.toByteArray().reduce((v, b) => (v << 8n) | BigInt(b), 0n) };
}

describe('parseIp on dotted quads', () => {
  it('reads each part of an address as its byte', () => {
    expect(parseIp('10.0.0.1')).toEqual({ family: 4, value: 0x0a000001n });
    expect(parseIp('0.0.0.0')).toEqual({ family: 4, value: 0n });
    expect(parseIp('255.255.255.255')).toEqual({ family: 4, value: 0xffffffffn });
    expect(parseIp('192.168.100.7')).toEqual({ family: 4, value: 0xc0a86407n });
    expect(parseIp('1.22.203.4')).toEqual({ family: 4, value: 0x0116cb04n });
  });

  it('refuses a part above 255, a leading zero, a short form, spaces and a trailing newline', () => {
    for (const text of ['256.0.0.1', '1.2.3.256', '999.1.1.1', '1.2.3.4567', '01.2.3.4', '1.2.3.04', '1.2.3.00', '1.2.3', '1.2', '16909060', '0x1.2.3.4', ' 1.2.3.4', '1.2.3.4 ', '1.2.3.4\n', '1.2.3.4.5', '1..2.3', '', '-1.2.3.4', '1.2.3.+4', '１.2.3.4']) {
      expect(parseIp(text), text).toBeUndefined();
    }
  });

  it('answers as ipaddr.js does for every text of a seeded sample around the shortcut', () => {
    let s = 7;
    const rnd = (n: number) => ((s = (s * 1103515245 + 12345) % 2147483648), s % n);
    const parts = ['0', '00', '7', '07', '10', '99', '100', '199', '255', '256', '300', '999', '1000', '0x1f', ''];
    const texts = ['::ffff:10.0.0.1', '::1', 'fd00::10', '2001:db8::1', '10.0.0.1/32'];
    for (let i = 0; i < 3000; i++) {
      const n = 2 + rnd(4);
      texts.push(Array.from({ length: n }, () => parts[rnd(parts.length)]).join('.'));
    }
    for (const text of texts) expect(parseIp(text), text).toEqual(byIpaddr(text));
  });

  it('reads a pod address without ipaddr.js (its three parses per address cost ~0.35 s of CPU for 150,000 pods)', () => {
    const isValid = vi.spyOn(ipaddr, 'isValid');
    const parse = vi.spyOn(ipaddr, 'parse');
    try {
      expect(parseIp('10.0.37.250')).toEqual({ family: 4, value: 0x0a0025fan });
      expect(isValid).not.toHaveBeenCalled();
      expect(parse).not.toHaveBeenCalled();
      // Anything else still takes the long way.
      expect(parseIp('fd00::1')?.family).toBe(6);
      expect(isValid).toHaveBeenCalledWith('fd00::1');
    } finally {
      isValid.mockRestore();
      parse.mockRestore();
    }
  });

  it('places a CIDR by its dotted-quad address', () => {
    expect(parseCidr('10.1.2.3/16')).toEqual({ family: 4, lo: 0x0a010000n, hi: 0x0a01ffffn });
    expect(parseCidr('10.1.2.300/16')).toBeUndefined();
  });
});
