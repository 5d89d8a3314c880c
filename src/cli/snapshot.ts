// `ztaudit snapshot -o FILE`: collect only, write the versioned gzip JSON snapshot. The config
// matters here too: it says which mesh ConfigMaps to read (mesh.istioRootNamespace) and, with
// --probe-tls, which endpoints to probe.
import { accessSync, constants, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { InputError } from '../base/errors.ts';
import { writeSnapshot } from '../snapshot/io.ts';
import type { CliIO } from './io.ts';
import { createLogger } from './log.ts';
import { loadValidConfig } from './run.ts';
import { addSourceOptions, loadSource, type SourceFlags } from './source.ts';
import { defineCommand } from './command.ts';

interface SnapshotOptions extends SourceFlags {
  output: string;
  config?: string;
  probeTls?: boolean;
  quiet?: boolean;
}

async function takeSnapshot(values: SnapshotOptions, io: CliIO): Promise<number> {
  const log = createLogger(io, { quiet: values.quiet });
  const config = loadValidConfig(values.config, io, log);
  if (values.probeTls) config.tls.probe.enabled = true;
  const file = resolve(io.cwd, values.output);
  refuseUnwritable(file, values.output);
  const snapshot = await loadSource(values, log, { config, env: io.env, cwd: io.cwd });
  try {
    writeSnapshot(file, snapshot);
  } catch (error: unknown) {
    throw new InputError(`-o ${values.output}: cannot write the snapshot (${(error as { code?: string }).code ?? String(error)})`);
  }
  const counts = Object.values(snapshot.resources).reduce((n, list) => n + (list?.length ?? 0), 0);
  log.info(`wrote ${values.output}: ${counts} objects`);
  return 0;
}

/**
 * Refuses, before collecting (minutes on a large cluster), a -o that cannot be written: a
 * directory, or a file in a directory that does not exist or cannot be written to.
 */
function refuseUnwritable(file: string, given: string): void {
  const isDirectory = (path: string) => { try { return statSync(path).isDirectory(); } catch { return undefined; } };
  if (isDirectory(file) === true) throw new InputError(`-o ${given}: is a directory; name the snapshot file to write (e.g. ${join(given, 'cluster.snap.json.gz')})`);
  const parent = dirname(file);
  if (isDirectory(parent) !== true) throw new InputError(`-o ${given}: the directory ${parent} does not exist`);
  try {
    accessSync(parent, constants.W_OK);
  } catch {
    throw new InputError(`-o ${given}: the directory ${parent} cannot be written to`);
  }
}

export const SNAPSHOT = defineCommand<SnapshotOptions>({
  name: 'snapshot',
  summary: 'collect only, into a versioned gzip JSON snapshot file to audit later with --snapshot',
  define: (cmd) => {
    cmd.requiredOption('-o, --output <file>', 'the snapshot file to write (gzip JSON)');
    addSourceOptions(cmd);
    cmd
      .option('--config <file>', 'configuration file: which mesh ConfigMaps to read, which endpoints --probe-tls probes')
      .option('--probe-tls', 'also probe exposed TLS endpoints (as run --probe-tls does) and keep the results in the snapshot')
      .option('-q, --quiet', 'print no progress and no info logs');
  },
  examples: [
    'ztaudit snapshot --context prod-eu-1 -o prod.snap.json.gz',
    'ztaudit run --snapshot prod.snap.json.gz      # audit it later, offline',
  ],
  run: (opts, _args, io) => takeSnapshot(opts, io),
});
