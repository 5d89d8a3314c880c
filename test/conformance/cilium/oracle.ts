// Runs the Cilium policy oracle (test/oracles/cilium, built from github.com/cilium/cilium at
// the version pinned there) over scenarios and returns its verdicts. Outside CI a missing
// binary makes the comparison skip, loudly; under CI=true it is built here (minutes when
// cold) and a failure fails the tier.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OracleScenario } from './scenarios.ts';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const BUILD = join(REPO, 'test', 'oracles', 'cilium', 'build.sh');
export const IN_CI = process.env.CI === 'true';
/** The upstream version the oracle is built from (its go.mod). */
export const CILIUM_VERSION = /github\.com\/cilium\/cilium (v[^\s]+)/.exec(readFileSync(join(REPO, 'test', 'oracles', 'cilium', 'go.mod'), 'utf8'))?.[1] ?? '?';

export function findOracle(): { bin: string | null; reason: string } {
  if (process.env.ZTAUDIT_CILIUM_ORACLE) return { bin: process.env.ZTAUDIT_CILIUM_ORACLE, reason: '' };
  const r = spawnSync('bash', IN_CI ? [BUILD] : [BUILD, '--no-build'], { encoding: 'utf8', timeout: 40 * 60_000, stdio: ['ignore', 'pipe', 'pipe'] });
  const bin = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status === 0 && bin) return { bin, reason: '' };
  const reason = `Cilium oracle not available (${r.stderr.trim().split('\n').pop() ?? `exit ${r.status}`})`;
  if (IN_CI) throw new Error(`CI=true: ${reason}`);
  return { bin: null, reason };
}

export interface OracleFlow { egress: 'allowed' | 'denied' | ''; ingress: 'allowed' | 'denied' | ''; error?: string }
export interface OracleResult { id: string; rejected: Record<string, string>; flows: OracleFlow[] }

export function runOracle(bin: string, clusterName: string, scenarios: OracleScenario[]): OracleResult[] {
  const input = JSON.stringify({ clusterName, scenarios });
  const r = spawnSync(bin, [], { input, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024, timeout: 10 * 60_000 });
  if (r.status !== 0) throw new Error(`cilium oracle exited ${r.status}: ${r.stderr.trim().split('\n').slice(-3).join(' / ')}`);
  return (JSON.parse(r.stdout) as { scenarios: OracleResult[] }).scenarios;
}
