// The real PodSecurity admission plugin as the oracle for ztaudit's evaluator: upstream's Pod
// Security fixtures are submitted (server-side dry run) to namespaces enforcing baseline and
// restricted, and every admit/deny must equal evaluatePod's verdict, with the same reasons.

import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { denialDetail, evaluatePod } from '../../src/analysis/pss/index.ts';
import { Admin, describeCluster, uniqueName } from './env.ts';
import { conformanceData } from '../helpers/ci.ts';

const FIXTURES = conformanceData('pod-security') ?? '';

interface FixtureCase {
  path: string;
  level: 'baseline' | 'restricted';
  applies_to_versions: string[];
  expected: 'allowed' | 'denied';
  check_id: string | null;
}

interface Submission {
  fixture: FixtureCase;
  level: 'baseline' | 'restricted';
  server: 'allowed' | 'denied' | 'invalid';
  message: string;
  /** The pod as the server would store it (defaulted, AppArmor annotations synced to fields). */
  stored?: unknown;
}

/** The fixture pod; file names use '_', which object names may not contain. */
function fixturePod(fixture: FixtureCase): any { // eslint-disable-line @typescript-eslint/no-explicit-any
  const pod = parse(fs.readFileSync(path.join(FIXTURES, fixture.path), 'utf8'));
  pod.metadata = { ...pod.metadata, name: String(pod.metadata?.name ?? 'pod').replaceAll('_', '-') };
  return pod;
}

const index = FIXTURES
  ? (JSON.parse(fs.readFileSync(path.join(FIXTURES, 'index.json'), 'utf8')) as { cases: FixtureCase[]; checks: Array<{ check_id: string }> })
  : { cases: [], checks: [] };

/** 'latest' on this server is the server's own minor version. */
function fixturesFor(policyVersion: string, serverVersion: string): FixtureCase[] {
  const v = policyVersion === 'latest' ? /^v1\.\d+/.exec(serverVersion)?.[0] ?? '' : policyVersion;
  return index.cases.filter((c) => c.applies_to_versions.includes(v));
}

// Without the upstream fixtures (outside CI only) the suite is registered as skipped.
const describeWithFixtures = FIXTURES ? describeCluster : (name: string) => describe.skip(`${name} [SKIPPED: no upstream fixtures]`, () => { it('needs ../shared/conformance/pod-security', () => {}); });

describeWithFixtures('Pod Security admission as the oracle for evaluatePod', (cluster) => {
  const admin = new Admin(cluster);

  async function submitAll(policyVersion: string): Promise<Submission[]> {
    const cases = fixturesFor(policyVersion, cluster.version);
    const nsByLevel = { baseline: uniqueName('pss-baseline'), restricted: uniqueName('pss-restricted'), privileged: uniqueName('pss-privileged') };
    for (const level of ['baseline', 'restricted', 'privileged'] as const) {
      await admin.namespace(nsByLevel[level], {
        'pod-security.kubernetes.io/enforce': level,
        'pod-security.kubernetes.io/enforce-version': policyVersion,
      });
    }
    const jobs = cases.flatMap((fixture) => (['baseline', 'restricted'] as const).map((level) => ({ fixture, level })));
    const out: Submission[] = [];
    let next = 0;
    const worker = async () => {
      while (next < jobs.length) {
        const { fixture, level } = jobs[next++];
        const pod = fixturePod(fixture);
        const r = await admin.request('POST', `/api/v1/namespaces/${nsByLevel[level]}/pods?dryRun=All`, pod);
        const message = String(r.body?.message ?? '');
        if (r.status === 201) out.push({ fixture, level, server: 'allowed', message, stored: r.body });
        else if (r.status === 403 && message.includes('violates PodSecurity')) {
          const stored = await admin.request('POST', `/api/v1/namespaces/${nsByLevel.privileged}/pods?dryRun=All`, pod);
          if (stored.status !== 201) throw new Error(`${fixture.path} in a privileged namespace: HTTP ${stored.status}`);
          out.push({ fixture, level, server: 'denied', message, stored: stored.body });
        }
        else if (r.status === 422) out.push({ fixture, level, server: 'invalid', message });
        else throw new Error(`${fixture.path} in ${level}: unexpected HTTP ${r.status}: ${message}`);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    return out;
  }

  function compare(subs: Submission[], policyVersion: string) {
    const verdictMismatches: string[] = [];
    const reasonMismatches: string[] = [];
    let compared = 0;
    for (const s of subs) {
      if (s.server === 'invalid') continue;
      compared++;
      const options = { maxVersion: cluster.version };
      // The verdict on the pod as written (what --manifests audits) and on the pod as stored (what a live audit reads).
      for (const [form, pod] of [['manifest', fixturePod(s.fixture)], ['stored', s.stored]] as const) {
        const ev = evaluatePod(pod, s.level, policyVersion, options);
        if (ev.allowed !== (s.server === 'allowed')) {
          verdictMismatches.push(`${s.fixture.path} (${form}) at ${s.level}:${policyVersion}: server ${s.server}, evaluatePod ${ev.allowed ? 'allowed' : `denied (${denialDetail(ev)})`}${s.message ? ` — ${s.message}` : ''}`);
        }
      }
      if (s.server === 'denied') {
        // The server judges the pod after defaulting (e.g. AppArmor annotations copied into fields), so compare reasons on that form.
        const ev = evaluatePod(s.stored, s.level, policyVersion, options);
        const detail = s.message.slice(s.message.indexOf('": ') + 3);
        if (detail !== denialDetail(ev)) reasonMismatches.push(`${s.fixture.path} at ${s.level}: server "${detail}" vs "${denialDetail(ev)}"`);
      }
    }
    return { compared, verdictMismatches, reasonMismatches };
  }

  describe.each(['latest', 'v1.32', 'v1.27'])('enforce-version %s', (policyVersion) => {
    let subs: Submission[];
    beforeAll(async () => {
      subs = await submitAll(policyVersion);
    });

    it('the server agrees with the upstream fixtures at their own level', () => {
      const disagreements = subs
        .filter((s) => s.level === s.fixture.level && s.server !== (s.fixture.expected === 'allowed' ? 'allowed' : 'denied'))
        // Pods that API validation rejects (procMount Unmasked with hostUsers) never reach admission.
        .filter((s) => !(s.server === 'invalid' && s.fixture.expected === 'denied'));
      expect(disagreements.map((s) => `${s.fixture.path}: ${s.server} ${s.message}`)).toEqual([]);
    });

    it('evaluatePod admits and denies exactly what the apiserver does, for the same reasons', () => {
      const { compared, verdictMismatches, reasonMismatches } = compare(subs, policyVersion);
      const invalid = subs.filter((s) => s.server === 'invalid');
      console.log(`pss oracle ${policyVersion}: ${subs.length} submissions, ${compared} compared, ${invalid.length} rejected by API validation, ` +
        `${verdictMismatches.length} verdict and ${reasonMismatches.length} reason mismatches`);
      if (policyVersion === 'latest') expect(compared).toBeGreaterThanOrEqual(200);
      expect(verdictMismatches).toEqual([]);
      expect(reasonMismatches).toEqual([]);
      // Pods rejected by validation must still be flagged by the evaluator: the policy forbids them too.
      for (const s of invalid) {
        const pod = fixturePod(s.fixture);
        expect(s.fixture.expected, s.fixture.path).toBe('denied');
        if (s.level === s.fixture.level) expect(evaluatePod(pod, s.level, policyVersion, { maxVersion: cluster.version }).allowed, s.fixture.path).toBe(false);
      }
    });

    it('covers every check of the version with at least one pod the server denied', () => {
      const denied = new Set(subs.filter((s) => s.server === 'denied').map((s) => s.fixture.check_id));
      const checksHere = new Set(subs.filter((s) => s.fixture.expected === 'denied').map((s) => s.fixture.check_id));
      if (policyVersion === 'latest') expect([...checksHere].sort()).toEqual(index.checks.map((c) => c.check_id).sort());
      expect(checksHere.size).toBeGreaterThanOrEqual(15);
      expect([...checksHere].filter((id) => !denied.has(id))).toEqual([]);
    });
  });
});
