import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.ts';
import { validateConfig } from '../../../src/config/validate.ts';
import { ConfigError } from '../../../src/base/errors.ts';

const ids = new Set(['rbac.wildcard-permission', 'network.intent-violation']);
const v = (raw: unknown) => validateConfig(raw, { file: 'ztaudit.yaml', checkIds: ids });

describe('config validation', () => {
  it('fills defaults for an empty file', () => {
    const { config, errors } = v(null);
    expect(errors).toEqual([]);
    expect(config.target.podSecurityLevel).toBe('restricted');
    expect(config.systemNamespaces).toEqual(['kube-system', 'kube-public', 'kube-node-lease']);
  });

  it('merges user values over defaults', () => {
    const { config, errors } = v({ target: { requireMtls: true }, tls: { probe: { timeoutMs: 2000 } } });
    expect(errors).toEqual([]);
    expect(config.target).toEqual({ podSecurityLevel: 'restricted', podSecurityVersion: 'latest', requireMtls: true });
    expect(config.tls.probe).toMatchObject({ timeoutMs: 2000, concurrency: 8, enabled: false });
  });

  it('names file and key for an unknown key', () => {
    expect(v({ target: { podSecurityLevl: 'baseline' } }).errors).toEqual(['ztaudit.yaml: target.podSecurityLevl: unknown key']);
  });

  it('names file and key for a wrong type or value', () => {
    expect(v({ target: { requireMtls: 'yes' } }).errors).toEqual(['ztaudit.yaml: target.requireMtls: must be boolean']);
    expect(v({ target: { podSecurityLevel: 'strict' } }).errors).toEqual(['ztaudit.yaml: target.podSecurityLevel: must be one of baseline, restricted']);
  });

  it('rejects unknown check ids in checks and waivers', () => {
    const { errors } = v({
      checks: { 'rbac.wildcard-permision': { severity: 'low' } },
      waivers: [{ check: 'nope', resource: { name: 'x' }, reason: 'r', owner: 'o', expires: '2027-01-01' }],
    });
    expect(errors).toContain('ztaudit.yaml: checks.rbac.wildcard-permision: unknown check id (see `ztaudit checks`)');
    expect(errors).toContain('ztaudit.yaml: waivers[0].check: unknown check id "nope"');
  });

  it('requires reason and owner on every waiver', () => {
    const { errors } = v({ waivers: [{ check: 'rbac.wildcard-permission', resource: { name: 'x' }, expires: '2027-01-01' }] });
    expect(errors).toEqual(['ztaudit.yaml: waivers[0].reason: is required', 'ztaudit.yaml: waivers[0].owner: is required']);
  });

  it('rejects impossible expiry dates and warns about waivers that name no resource', () => {
    const w = (expires: string, resource: Record<string, string>) => ({ check: 'rbac.wildcard-permission', resource, reason: 'r', owner: 'o', expires });
    expect(v({ waivers: [w('2027-02-30', { name: 'x' })] }).errors).toEqual(['ztaudit.yaml: waivers[0].expires: 2027-02-30 is not a real date']);
    expect(v({ waivers: [w('2028-02-29', { name: 'x' })] }).errors).toEqual([]);
    expect(v({ waivers: [w('2027-03-31', { kind: 'ClusterRole' })] }).warnings).toEqual([
      'ztaudit.yaml: waivers[0].resource: no name: the waiver covers every ClusterRole failing rbac.wildcard-permission in every namespace',
    ]);
  });

  it('warns that username exemptions cannot be judged from cluster state', () => {
    expect(v({ podSecurity: { exemptions: { usernames: ['ci-bot'] } } }).warnings).toEqual([
      'ztaudit.yaml: podSecurity.exemptions.usernames: not used: cluster state does not show which user created a pod, so username exemptions cannot be judged',
    ]);
  });

  it('validates intent rules and ports', () => {
    expect(v({ intent: { deny: [{ name: 'x', from: { namespace: 'a' }, to: { namespace: 'b' }, ports: [5432, '53/UDP'] }] } }).errors).toEqual([]);
    expect(v({ intent: { deny: [{ name: 'x', from: {}, to: {}, ports: ['http'] }] } }).errors).toEqual(['ztaudit.yaml: intent.deny[0].ports[0]: must be integer']);
  });

  it('loads a file and reports YAML syntax errors with the line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zt-cfg-'));
    writeFileSync(join(dir, 'bad.yaml'), 'target:\n  podSecurityLevel: [baseline\n');
    expect(() => loadConfig('bad.yaml', dir, ids)).toThrow(ConfigError);
    expect(() => loadConfig('bad.yaml', dir, ids)).toThrow(/^bad\.yaml:\d+: not valid YAML/);
    expect(() => loadConfig('missing.yaml', dir, ids)).toThrow('missing.yaml: config file not found');
    expect(loadConfig(undefined, dir, ids).errors).toEqual([]); // no ztaudit.yaml: defaults
  });
});
