// Namespace label parsing as admission does it (pod-security-admission api/helpers.go: invalid levels and versions, warn defaulting).
import { describe, expect, it } from 'vitest';
import { parseNamespaceLevels } from '../../../src/analysis/pss/index.ts';

const L = (labels: Record<string, string>) =>
  Object.fromEntries(Object.entries(labels).map(([k, v]) => [`pod-security.kubernetes.io/${k}`, v]));

describe('parseNamespaceLevels', () => {
  it('12. invalid values: enforce fails closed, audit fails open, a version without "v" means latest; each is flagged', () => {
    const r = parseNamespaceLevels(L({ enforce: 'Restricted', audit: 'foo', 'enforce-version': '1.28' }));
    expect(r.enforce).toMatchObject({ level: 'restricted', version: 'latest' });
    expect(r.audit.level).toBe('privileged');
    expect(r.problems.map((p) => [p.label, p.value])).toEqual([
      ['pod-security.kubernetes.io/enforce', 'Restricted'],
      ['pod-security.kubernetes.io/enforce-version', '1.28'],
      ['pod-security.kubernetes.io/audit', 'foo'],
    ]);
    // An invalid enforce level is not "explicitly set", so warn does not inherit it.
    expect(r.warn.level).toBe('privileged');
    expect(parseNamespaceLevels(L({ warn: 'Baseline' })).warn.level).toBe('privileged');
    expect(parseNamespaceLevels(L({ 'warn-version': 'v1.08' })).warn.version).toBe('latest');
  });

  it('13. an unlabelled warn follows a stricter enforce level and its version', () => {
    const r = parseNamespaceLevels(L({ enforce: 'baseline', 'enforce-version': 'v1.30' }));
    expect(r.warn).toMatchObject({ level: 'baseline', version: 'v1.30', levelSource: 'enforce' });
    expect(r.audit).toMatchObject({ level: 'privileged', version: 'latest', levelSource: 'defaults' });
    expect(r.problems).toEqual([]);
    // ...but not over a labelled warn, nor its labelled version.
    expect(parseNamespaceLevels(L({ enforce: 'restricted', warn: 'baseline' })).warn.level).toBe('baseline');
    expect(parseNamespaceLevels(L({ enforce: 'restricted', 'enforce-version': 'v1.30', 'warn-version': 'v1.25' })).warn)
      .toMatchObject({ level: 'restricted', version: 'v1.25' });
    // A weaker enforce never lowers a stricter default warn.
    expect(parseNamespaceLevels(L({ enforce: 'baseline' }), { warn: 'restricted' }).warn.level).toBe('restricted');
  });

  it('unlabelled modes take the admission defaults; absent defaults are privileged/latest and flagged unknown', () => {
    const none = parseNamespaceLevels({});
    expect(none).toMatchObject({ enforce: { level: 'privileged', version: 'latest' }, defaultsKnown: false, problems: [] });
    const withDefaults = parseNamespaceLevels({ 'kubernetes.io/metadata.name': 'x' }, { enforce: 'baseline', 'enforce-version': 'v1.33', audit: 'restricted' });
    expect(withDefaults).toMatchObject({ enforce: { level: 'baseline', version: 'v1.33', levelSource: 'defaults' }, audit: { level: 'restricted' }, defaultsKnown: true });
    // A label overrides its default; an invalid enforce label still fails closed.
    expect(parseNamespaceLevels(L({ enforce: 'privileged' }), { enforce: 'restricted' }).enforce.level).toBe('privileged');
    expect(parseNamespaceLevels(L({ enforce: '' }), { enforce: 'baseline' }).enforce.level).toBe('restricted');
  });

  it('accepts every valid level and version form', () => {
    for (const level of ['privileged', 'baseline', 'restricted']) expect(parseNamespaceLevels(L({ enforce: level })).enforce.level).toBe(level);
    for (const version of ['latest', 'v1.0', 'v1.9', 'v1.25', 'v1.100']) expect(parseNamespaceLevels(L({ 'enforce-version': version })).enforce.version).toBe(version);
    for (const version of ['v1.025', 'v2.0', 'V1.25', ' v1.25', 'v1.25.0', 'Latest']) {
      expect(parseNamespaceLevels(L({ 'enforce-version': version })).problems, version).toHaveLength(1);
    }
  });

  // Admission reads only pod-security.kubernetes.io/<MODE> and <MODE>-version for MODE enforce,
  // audit, warn (https://kubernetes.io/docs/concepts/security/pod-security-admission/#pod-security-admission-labels-for-namespaces);
  // a misspelt key is ignored, so its mode keeps the admission default.
  it('a misspelt pod-security.kubernetes.io/ key is flagged with the key it likely meant; the mode keeps its default', () => {
    const r = parseNamespaceLevels(L({ enforced: 'restricted', enforce_version: 'latest', 'audit-versions': 'v1.30', colour: 'blue' }));
    expect(r.enforce).toMatchObject({ level: 'privileged', levelSource: 'defaults' });
    expect(r.problems.map((p) => [p.label, p.value, p.message])).toEqual([
      ['pod-security.kubernetes.io/enforced', 'restricted', 'not a Pod Security label, so admission ignores it: did you mean pod-security.kubernetes.io/enforce?'],
      ['pod-security.kubernetes.io/enforce_version', 'latest', 'not a Pod Security label, so admission ignores it: did you mean pod-security.kubernetes.io/enforce-version?'],
      ['pod-security.kubernetes.io/audit-versions', 'v1.30', 'not a Pod Security label, so admission ignores it: did you mean pod-security.kubernetes.io/audit-version?'],
      ['pod-security.kubernetes.io/colour', 'blue', 'not a Pod Security label (admission reads only enforce, audit, warn and their -version forms), so admission ignores it'],
    ]);
    expect(r.problems.every((p) => p.unknownKey)).toBe(true);
    // Other prefixes are not Pod Security's.
    expect(parseNamespaceLevels({ 'kubernetes.io/metadata.name': 'x', 'example.com/enforce': 'y' }).problems).toEqual([]);
  });

  it('never crashes on odd label maps', () => {
    for (const labels of [undefined, null, [], { 'pod-security.kubernetes.io/enforce': 3 as unknown as string }]) {
      expect(() => parseNamespaceLevels(labels as Record<string, string>)).not.toThrow();
    }
    expect(parseNamespaceLevels({ 'pod-security.kubernetes.io/enforce': 3 } as unknown as Record<string, string>).enforce.level).toBe('restricted');
  });
});
