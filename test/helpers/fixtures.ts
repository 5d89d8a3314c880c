// Loads a check fixture (a small manifests file) into a snapshot. A fixture may carry
// synthetic TLS probe results as documents of apiVersion ztaudit.test/v1, kind TlsProbeResult
// (field `result`), and its check directory may hold a config.yaml applied to every fixture.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { snapshotFromObjects } from '../../src/collect/from-objects.ts';
import { parseManifestText } from '../../src/collect/manifests.ts';
import { validateConfig } from '../../src/config/validate.ts';
import type { Config } from '../../src/config/types.ts';
import type { Snapshot, TlsProbeResult } from '../../src/snapshot/types.ts';

export function loadFixture(path: string, label = path): Snapshot {
  const { objects, notes } = parseManifestText(readFileSync(path, 'utf8'), label);
  const probes: TlsProbeResult[] = [];
  const kube = objects.filter((o) => {
    if (o.apiVersion !== 'ztaudit.test/v1') return true;
    if (o.kind === 'TlsProbeResult') probes.push(o.result as TlsProbeResult);
    return false;
  });
  const snapshot = snapshotFromObjects(kube, { notes, clusterVersion: 'v1.36.3' });
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
