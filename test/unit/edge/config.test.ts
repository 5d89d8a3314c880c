// The edge keys of ztaudit.yaml: edge.publicHosts and edge.externalWaf, validated with errors naming the key.
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../../src/config/validate.ts';

const v = (raw: unknown) => validateConfig(raw, { file: 'ztaudit.yaml', checkIds: new Set() });

describe('config: edge', () => {
  it('defaults to no public hosts and no external WAF', () => {
    expect(v(null).config.edge).toEqual({ publicHosts: [] });
  });
  it('accepts exact and wildcard public hosts and a named external WAF', () => {
    const { config, errors } = v({ edge: { publicHosts: ['shop.example.com', '*.example.org'], externalWaf: 'Cloudflare WAF' } });
    expect(errors).toEqual([]);
    expect(config.edge).toEqual({ publicHosts: ['shop.example.com', '*.example.org'], externalWaf: 'Cloudflare WAF' });
  });
  it('names the key for a host that is not a host name, an empty WAF name and an unknown key', () => {
    expect(v({ edge: { publicHosts: ['https://shop.example.com/'] } }).errors).toEqual(['ztaudit.yaml: edge.publicHosts[0]: "https://shop.example.com/" is not a host name or *.DOMAIN']);
    expect(v({ edge: { externalWaf: '' } }).errors).toEqual(['ztaudit.yaml: edge.externalWaf: must not be empty']);
    expect(v({ edge: { externalWaf: true } }).errors).toEqual(['ztaudit.yaml: edge.externalWaf: must be string']);
    expect(v({ edge: { publicHost: [] } }).errors).toEqual(['ztaudit.yaml: edge.publicHost: unknown key (did you mean publicHosts?)']);
  });
});
