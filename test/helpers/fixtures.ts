// Loads a check fixture (a small manifests file) into a snapshot. A fixture may carry
// synthetic TLS probe results as documents of apiVersion ztaudit.test/v1, kind TlsProbeResult
// (field `result`), and its check directory may hold a config.yaml applied to every fixture.
// A fixture standing for objects read from a live cluster says so with `# origin: "live"`.
// A fail fixture states what it must produce in leading `# expect: SEVERITY KIND
// [NAMESPACE/]NAME` lines, one per failing resource and severity.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { snapshotFromObjects } from '../../src/collect/from-objects.ts';
import { parseManifestText } from '../../src/collect/manifests.ts';
import { validateConfig } from '../../src/config/validate.ts';
import type { Config } from '../../src/config/types.ts';
import type { Snapshot, TlsProbeResult } from '../../src/snapshot/types.ts';

/** Directives in a fixture's leading comments: `# probes: [json]`, `# config: {json}` and `# origin: "live"`. */
function directive(text: string, name: string): unknown {
  for (const line of text.split('\n')) {
    if (!line.startsWith('#')) break;
    const m = new RegExp(`^#\\s*${name}:\\s*(.+)$`).exec(line);
    if (m) return JSON.parse(m[1]);
  }
  return undefined;
}

export interface ExpectedFailure {
  severity: string;
  kind: string;
  /** "namespace/name", or "name" for a cluster-scoped resource. */
  resource: string;
}

/** The `# expect:` lines among a fixture's leading comments; a malformed one throws, naming it. */
export function fixtureExpectations(text: string, label: string): ExpectedFailure[] {
  const out: ExpectedFailure[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('#')) break;
    const m = /^#\s*expect:\s*(.*)$/.exec(line);
    if (!m) continue;
    const parts = /^(critical|high|medium|low)\s+(\S+)\s+(.+?)\s*$/.exec(m[1]);
    if (!parts) throw new Error(`${label}: "${line}" is not "# expect: SEVERITY KIND [NAMESPACE/]NAME"`);
    out.push({ severity: parts[1], kind: parts[2], resource: parts[3] });
  }
  return out;
}

/** The `# config: {json}` directive, shallow-merged per top-level key over a base config. */
export function fixtureConfig(path: string, base: Config): Config {
  const patch = directive(readFileSync(path, 'utf8'), 'config') as Record<string, Record<string, unknown>> | undefined;
  if (!patch) return base;
  const out = structuredClone(base) as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(patch)) {
    const cur = out[k];
    out[k] = cur && typeof cur === 'object' && !Array.isArray(cur) && v && typeof v === 'object' && !Array.isArray(v) ? { ...cur, ...v } : v;
  }
  return out as unknown as Config;
}

export function loadFixture(path: string, label = path): Snapshot {
  const text = readFileSync(path, 'utf8');
  const { objects, notes } = parseManifestText(text, label);
  const probes: TlsProbeResult[] = [];
  const kube = objects.filter((o) => {
    if (o.apiVersion !== 'ztaudit.test/v1') return true;
    if (o.kind === 'TlsProbeResult') probes.push(o.result as TlsProbeResult);
    return false;
  });
  const origin = directive(text, 'origin');
  if (origin !== undefined && origin !== 'live' && origin !== 'manifests') throw new Error(`${label}: "# origin:" must be "live" or "manifests", not ${JSON.stringify(origin)}`);
  const snapshot = snapshotFromObjects(kube, { notes, clusterVersion: 'v1.36.3', ...(origin ? { origin } : {}) });
  const directed = directive(text, 'probes') as TlsProbeResult[] | undefined;
  if (directed) probes.push(...directed);
  if (probes.length > 0) snapshot.probes = probes;
  return snapshot;
}

export function loadFixtureConfig(dir: string, checkIds: ReadonlySet<string>): Config | undefined {
  const file = join(dir, 'config.yaml');
  if (!existsSync(file)) return undefined;
  const { config, errors } = validateConfig(parse(readFileSync(file, 'utf8')), { file, checkIds });
  if (errors.length > 0) throw new Error(errors.join('\n'));
  return config;
}
