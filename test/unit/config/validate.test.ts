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
    expect(config.tls.probe).toMatchObject({ timeoutMs: 2000, concurrency: 8, enabled: false, maxTargets: 200, deadlineSeconds: 300 });
  });

  it('names file and key for an unknown key', () => {
    expect(v({ target: { podSecurityLevl: 'baseline' } }).errors).toEqual(['ztaudit.yaml: target.podSecurityLevl: unknown key (did you mean podSecurityLevel?)']);
  });

  it('suggests the key or check id a misspelt one most likely meant, and none for a stranger', () => {
    expect(v({ targte: {}, Target: {}, waiver: [], frobnicate: 1 }).errors).toEqual([
      'ztaudit.yaml: targte: unknown key (did you mean target?)',
      'ztaudit.yaml: Target: unknown key (did you mean target?)',
      'ztaudit.yaml: waiver: unknown key (did you mean waivers?)',
      'ztaudit.yaml: frobnicate: unknown key',
    ]);
    expect(v({ waivers: [{ check: 'network.intent-violaton', resource: { name: 'x' }, reason: 'r', owner: 'o', expires: '2027-01-01' }] }).errors)
      .toEqual(['ztaudit.yaml: waivers[0].check: unknown check id "network.intent-violaton" (did you mean network.intent-violation?)']);
  });

  it('says what a value of a pattern must look like, quoting it', () => {
    const waiver = (expires: string) => ({ waivers: [{ check: 'rbac.wildcard-permission', resource: { name: 'x' }, reason: 'r', owner: 'o', expires }] });
    expect(v(waiver('tomorrow')).errors).toEqual(['ztaudit.yaml: waivers[0].expires: "tomorrow" is not a date as YYYY-MM-DD']);
    expect(v(waiver('2027-03-31T00:00:00Z')).errors).toEqual(['ztaudit.yaml: waivers[0].expires: "2027-03-31T00:00:00Z" is not a date as YYYY-MM-DD']);
    expect(v({ target: { podSecurityVersion: '1.30' } }).errors).toEqual(['ztaudit.yaml: target.podSecurityVersion: "1.30" is not latest or v1.N (e.g. v1.31)']);
    expect(v({ egress: { gateways: [{ cidr: '10.0.0.1' }] } }).errors).toEqual(['ztaudit.yaml: egress.gateways[0].cidr: "10.0.0.1" is not an address range ADDRESS/BITS (e.g. 203.0.113.10/32)']);
    expect(v({ cluster: { name: '' } }).errors).toEqual(['ztaudit.yaml: cluster.name: must not be empty']);
  });

  // Admission rejects a PodSecurityConfiguration whose defaults carry a version other than
  // "latest" or "v1.N" (pod-security-admission admission/api/validation/validation.go, ParseVersion):
  // "1.22" without the v is no version, not "latest".
  it('rejects a podSecurity.defaults version admission would reject, naming the key', () => {
    const defaults = (d: Record<string, string>) => ({ podSecurity: { defaults: d } });
    expect(v(defaults({ enforce: 'restricted', 'enforce-version': '1.22' })).errors).toEqual(['ztaudit.yaml: podSecurity.defaults.enforce-version: "1.22" is not latest or v1.N (e.g. v1.31)']);
    expect(v(defaults({ 'audit-version': 'v1.x', 'warn-version': 'v2.0' })).errors).toEqual([
      'ztaudit.yaml: podSecurity.defaults.audit-version: "v1.x" is not latest or v1.N (e.g. v1.31)',
      'ztaudit.yaml: podSecurity.defaults.warn-version: "v2.0" is not latest or v1.N (e.g. v1.31)',
    ]);
    expect(v(defaults({ enforce: 'baseline', 'enforce-version': 'v1.22', 'audit-version': 'latest', 'warn-version': 'v1.0' })).errors).toEqual([]);
  });

  it('names file and key for a wrong type or value', () => {
    expect(v({ target: { requireMtls: 'yes' } }).errors).toEqual(['ztaudit.yaml: target.requireMtls: must be boolean']);
    expect(v({ target: { podSecurityLevel: 'strict' } }).errors).toEqual(['ztaudit.yaml: target.podSecurityLevel: must be one of baseline, restricted']);
    expect(v({ tls: { probe: { maxTargets: 50, deadlineSeconds: 120 } } }).config.tls.probe).toMatchObject({ maxTargets: 50, deadlineSeconds: 120 });
    expect(v({ tls: { probe: { maxTargets: -1, deadlineSeconds: 0 } } }).errors).toEqual([
      'ztaudit.yaml: tls.probe.maxTargets: must be >= 0', 'ztaudit.yaml: tls.probe.deadlineSeconds: must be >= 1',
    ]);
  });

  // Linkerd's proxy.defaultInboundPolicy takes all-unauthenticated, all-authenticated,
  // cluster-authenticated, cluster-unauthenticated, deny or audit
  // (https://linkerd.io/2/reference/authorization-policy, "Default policies"). A misspelt one
  // read as a policy made medium mtls.linkerd-unauthenticated-default findings and rc 0.
  it('refuses a mesh.linkerdDefaultInboundPolicy Linkerd does not have, naming the key and the likely meaning', () => {
    expect(v({ mesh: { linkerdDefaultInboundPolicy: 'all-authenticted' } }).errors).toEqual([
      'ztaudit.yaml: mesh.linkerdDefaultInboundPolicy: must be one of all-unauthenticated, all-authenticated, cluster-unauthenticated, cluster-authenticated, deny, audit (did you mean all-authenticated?)',
    ]);
    expect(v({ mesh: { linkerdDefaultInboundPolicy: 'allow' } }).errors).toHaveLength(1);
    for (const policy of ['all-unauthenticated', 'all-authenticated', 'cluster-authenticated', 'cluster-unauthenticated', 'deny', 'audit']) {
      expect(v({ mesh: { linkerdDefaultInboundPolicy: policy } })).toMatchObject({ errors: [], config: { mesh: { linkerdDefaultInboundPolicy: policy } } });
    }
  });

  // A gateway cidr that is no address range was dropped by network.egress-not-controlled ("is
  // not a CIDR (ignored)"), so the declared proxy became a high finding. Address and prefix as
  // the analysis reads an ipBlock: IPv4 at most /32, IPv6 at most /128 (RFC 4632 section 3.1, RFC 4291 section 2.3).
  it('refuses an egress gateway cidr that is no address range, saying why', () => {
    const gw = (...cidrs: string[]) => v({ egress: { gateways: cidrs.map((cidr) => ({ cidr })) } }).errors;
    expect(gw('203.0.113.10/33')).toEqual(['ztaudit.yaml: egress.gateways[0].cidr: "203.0.113.10/33" is not a CIDR: an IPv4 prefix is at most /32, not /33']);
    expect(gw('10.0.0.0/8', '300.1.1.1/32', '::/129', '1.2.3/24')).toEqual([
      'ztaudit.yaml: egress.gateways[1].cidr: "300.1.1.1/32" is not a CIDR: "300.1.1.1" is not an IP address (IPv4 as four numbers 0-255, or IPv6)',
      'ztaudit.yaml: egress.gateways[2].cidr: "::/129" is not a CIDR: an IPv6 prefix is at most /128, not /129',
      'ztaudit.yaml: egress.gateways[3].cidr: "1.2.3/24" is not a CIDR: "1.2.3" is not an IP address (IPv4 as four numbers 0-255, or IPv6)',
    ]);
    expect(gw('203.0.113.10/32', '0.0.0.0/0', '2001:db8::/32', '::/128', '10.1.2.3/8')).toEqual([]);
    // Not ADDRESS/BITS at all: the one line says the form, not both.
    expect(gw('10.0.0.1')).toEqual(['ztaudit.yaml: egress.gateways[0].cidr: "10.0.0.1" is not an address range ADDRESS/BITS (e.g. 203.0.113.10/32)']);
  });

  it('a scalar where a section goes names the section\'s keys; history says where the store is chosen', () => {
    expect(v({ history: 'none' }).errors).toEqual([
      'ztaudit.yaml: history: must be a mapping with keys retention, retrySeconds; the store itself is chosen with --history or ZTAUDIT_HISTORY, not in this file',
    ]);
    expect(v({ regression: true }).errors).toEqual(['ztaudit.yaml: regression: must be a mapping with keys newFindingSeverity, areaScoreDrop, breadthGrowthPercent, expiredWaiver']);
  });

  it('rejects unknown check ids in checks and waivers', () => {
    const { errors } = v({
      checks: { 'rbac.wildcard-permision': { severity: 'low' } },
      waivers: [{ check: 'nope', resource: { name: 'x' }, reason: 'r', owner: 'o', expires: '2027-01-01' }],
    });
    expect(errors).toContain('ztaudit.yaml: checks.rbac.wildcard-permision: unknown check id (did you mean rbac.wildcard-permission?)');
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

  it('warns about a waiver resource written as a regular expression or with a * inside, not about a trailing *', () => {
    const w = (resource: Record<string, string>) => ({ waivers: [{ check: 'rbac.wildcard-permission', resource, reason: 'r', owner: 'o', expires: '2027-03-31' }] });
    expect(v(w({ kind: 'ClusterRole', name: '^ci-deployer$' })).warnings).toEqual([
      'ztaudit.yaml: waivers[0].resource.name: "^ci-deployer$" looks like a regular expression; waivers match a value exactly, or by prefix with one trailing * (e.g. "ci-deployer*")',
    ]);
    expect(v(w({ namespace: 'team-*-prod', name: 'x' })).warnings).toEqual([
      'ztaudit.yaml: waivers[0].resource.namespace: "team-*-prod" looks like a regular expression; waivers match a value exactly, or by prefix with one trailing * (e.g. "team-*")',
    ]);
    expect(v(w({ kind: 'ClusterRole', name: 'system:ci-*' })).warnings).toEqual([]);
    expect(v(w({ kind: 'Ingress', name: 'shop.example.com' })).warnings).toEqual([]);
  });

  it('warns about catch-all waivers: a * for a whole key, a namespaced kind without namespace, an expiry more than a year away', () => {
    const w = (resource: Record<string, string>, expires = '2027-03-31') => ({ waivers: [{ check: 'rbac.wildcard-permission', resource, reason: 'r', owner: 'o', expires }] });
    const opts = { file: 'ztaudit.yaml', checkIds: ids, namespacedKinds: new Set(['Deployment', 'Role']), now: new Date('2026-12-03T12:00:00Z') };
    const warn = (raw: unknown) => validateConfig(raw, opts).warnings;
    expect(warn(w({ kind: 'ClusterRoleBinding', name: '*' }))).toEqual([
      'ztaudit.yaml: waivers[0].resource.name: "*" matches every name: the waiver covers every such object failing rbac.wildcard-permission, a new one too; name it',
    ]);
    expect(warn(w({ kind: '*', name: 'ci' }))).toEqual([
      'ztaudit.yaml: waivers[0].resource.kind: "*" matches every kind: the waiver covers every such resource failing rbac.wildcard-permission, a new one too; name it',
    ]);
    expect(warn(w({ kind: 'Deployment', name: 'web' }))).toEqual([
      'ztaudit.yaml: waivers[0].resource: Deployment is namespaced and no namespace is given: the waiver covers Deployment "web" in every namespace',
    ]);
    expect(warn(w({ kind: 'Deployment', namespace: 'shop', name: 'web' }))).toEqual([]);
    expect(warn(w({ kind: 'ClusterRole', name: 'ci-*' }))).toEqual([]);
    expect(warn(w({ kind: 'ClusterRole', name: 'ci' }, '2099-12-31'))).toEqual([
      'ztaudit.yaml: waivers[0].expires: 2099-12-31 is more than 365 days away (after 2027-12-03): a waiver is a risk to review; set the date of its next review',
    ]);
    expect(warn(w({ kind: 'ClusterRole', name: 'ci' }, '2027-12-03'))).toEqual([]);
  });

  it('loadConfig judges a waiver expiry against today', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zt-cfg-'));
    writeFileSync(join(dir, 'ztaudit.yaml'), 'waivers:\n  - {check: rbac.wildcard-permission, resource: {kind: ClusterRole, name: ci}, reason: r, owner: o, expires: 2999-12-31}\n');
    expect(loadConfig(undefined, dir, ids).warnings).toEqual([expect.stringMatching(/^ztaudit\.yaml: waivers\[0\]\.expires: 2999-12-31 is more than 365 days away/)]);
  });

  it('warns that username exemptions cannot be judged from cluster state', () => {
    expect(v({ podSecurity: { exemptions: { usernames: ['ci-bot'] } } }).warnings).toEqual([
      'ztaudit.yaml: podSecurity.exemptions.usernames: not used: cluster state does not show which user created a pod, so username exemptions cannot be judged',
    ]);
  });

  it('validates intent rules and ports', () => {
    expect(v({ intent: { deny: [{ name: 'x', from: { namespace: 'a' }, to: { namespace: 'b' }, ports: [5432, '53/UDP'] }] } }).errors).toEqual([]);
    expect(v({ intent: { deny: [{ name: 'x', from: {}, to: {}, ports: ['http'] }] } }).errors)
      .toEqual(['ztaudit.yaml: intent.deny[0].ports[0]: "http" is not a port number 1-65535 or PORT/PROTOCOL with TCP, UDP or SCTP (e.g. 5432, "53/UDP")']);
  });

  it('refuses a duration past what a timer can wait, and .inf or .nan anywhere, naming the key', () => {
    expect(v({ tls: { probe: { timeoutMs: 3_000_000_000, deadlineSeconds: 2_147_484 } } }).errors).toEqual([
      'ztaudit.yaml: tls.probe.timeoutMs: 3000000000 is more than 2147483647 (the longest a timer can wait, about 24.8 days)',
      'ztaudit.yaml: tls.probe.deadlineSeconds: 2147484 is more than 2147483 (the longest a timer can wait, about 24.8 days)',
    ]);
    expect(v({ tls: { probe: { timeoutMs: 2_147_483_647, deadlineSeconds: 2_147_483 } } }).errors).toEqual([]);
    // YAML's .inf and .nan: Ajv alone took .inf as an integer.
    expect(v({ tls: { probe: { timeoutMs: Infinity, maxTargets: Number.NaN } }, history: { retention: { maxRuns: Infinity } } }).errors).toEqual([
      'ztaudit.yaml: tls.probe.timeoutMs: must be a finite number (not .inf or .nan)',
      'ztaudit.yaml: tls.probe.maxTargets: must be a finite number (not .inf or .nan)',
      'ztaudit.yaml: history.retention.maxRuns: must be a finite number (not .inf or .nan)',
    ]);
  });

  it('refuses intent ports the check cannot use, instead of a rule that holds over no port', () => {
    const ports = (...p: unknown[]) => v({ intent: { deny: [{ name: 'x', from: {}, to: {}, ports: p }] } }).errors;
    expect(ports(5432, '99999', 0, '0', 70000)).toEqual([
      'ztaudit.yaml: intent.deny[0].ports[1]: 99999 is not a port (1-65535)',
      'ztaudit.yaml: intent.deny[0].ports[2]: 0 is not a port (1-65535)',
      'ztaudit.yaml: intent.deny[0].ports[3]: 0 is not a port (1-65535)',
      'ztaudit.yaml: intent.deny[0].ports[4]: 70000 is not a port (1-65535)',
    ]);
    expect(ports('53/QUIC')).toEqual(['ztaudit.yaml: intent.deny[0].ports[0]: "53/QUIC": QUIC is not a protocol (TCP, UDP or SCTP)']);
    // The check reads the protocol in any case: so does validation.
    expect(ports('5432/tcp', '53/UDP')).toEqual([]);
    // A value of neither form: one line naming both forms, not the first form's "must be integer".
    expect(ports(true)).toEqual(['ztaudit.yaml: intent.deny[0].ports[0]: must be a port number 1-65535 or PORT/PROTOCOL with TCP, UDP or SCTP (e.g. 5432, "53/UDP")']);
  });

  it('loads a file and reports YAML syntax errors with the line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zt-cfg-'));
    writeFileSync(join(dir, 'bad.yaml'), 'target:\n  podSecurityLevel: [baseline\n');
    expect(() => loadConfig('bad.yaml', dir, ids)).toThrow(ConfigError);
    expect(() => loadConfig('bad.yaml', dir, ids)).toThrow(/^bad\.yaml:\d+: not valid YAML/);
    expect(() => loadConfig('missing.yaml', dir, ids)).toThrow('missing.yaml: config file not found');
    expect(loadConfig(undefined, dir, ids).errors).toEqual([]); // no ztaudit.yaml: defaults
  });

  it('keeps a config path with a line break on one error line (no forged second "ztaudit:" line)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zt-cfg-'));
    const path = 'a\nztaudit: all checks passed';
    writeFileSync(join(dir, path), 'target:\n  podSecurityLevel: strict\n');
    const errors = loadConfig(path, dir, ids).errors;
    expect(errors.length).toBeGreaterThan(0);
    for (const e of errors) expect(e).not.toContain('\n');
    expect(errors[0]).toMatch(/^a\\u000aztaudit: all checks passed: target\.podSecurityLevel/);
    expect(() => loadConfig('gone\nztaudit: ok.yaml', dir, ids)).toThrow(/^gone\\u000aztaudit: ok\.yaml: config file not found$/);
  });

  it('merges YAML merge keys (<<: *anchor), as the manifest reader and kubectl do, instead of an unknown key "<<"', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zt-cfg-'));
    writeFileSync(join(dir, 'ztaudit.yaml'), [
      'waivers:',
      '  - &ci',
      '    check: rbac.wildcard-permission',
      '    resource: { kind: ClusterRole, name: ci-deployer }',
      '    reason: CI deploys everywhere',
      '    owner: platform@example.com',
      '    expires: "2027-06-30"',
      '  - <<: *ci',
      '    resource: { kind: ClusterRole, name: ci-reader }',
      '',
    ].join('\n'));
    const loaded = loadConfig(undefined, dir, ids);
    expect(loaded.errors).toEqual([]);
    expect(loaded.config.waivers.map((w) => [w.resource.name, w.owner, w.expires])).toEqual([
      ['ci-deployer', 'platform@example.com', '2027-06-30'],
      ['ci-reader', 'platform@example.com', '2027-06-30'],
    ]);
  });
});
