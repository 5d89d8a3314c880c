// `ztaudit snapshot -o FILE`: collect only, write the versioned gzip JSON snapshot. The config
// matters here too: it says which mesh ConfigMaps to read (mesh.istioRootNamespace) and, with
// --probe-tls, which endpoints to probe.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, InputError } from '../base/errors.ts';
import { writeSnapshot } from '../snapshot/io.ts';
import type { CliIO } from './io.ts';
import { createLogger } from './log.ts';
import { loadValidConfig } from './run.ts';
import { SOURCE_OPTIONS, loadSource } from './source.ts';

export async function snapshotCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({
    args: argv, strict: true,
    options: { ...SOURCE_OPTIONS, output: { type: 'string', short: 'o' }, config: { type: 'string' }, 'probe-tls': { type: 'boolean' }, quiet: { type: 'boolean', short: 'q' } },
  });
  if (!values.output) throw new ConfigError('snapshot: -o FILE is required');
  const log = createLogger(io, { quiet: values.quiet });
  const config = loadValidConfig(values.config, io, log);
  if (values['probe-tls']) config.tls.probe.enabled = true;
  const snapshot = await loadSource(values, log, { config, env: io.env, cwd: io.cwd });
  const file = resolve(io.cwd, values.output);
  try {
    writeSnapshot(file, snapshot);
  } catch (error: unknown) {
    throw new InputError(`-o ${values.output}: cannot write the snapshot (${(error as { code?: string }).code ?? String(error)})`);
  }
  const counts = Object.values(snapshot.resources).reduce((n, list) => n + (list?.length ?? 0), 0);
  log.info(`wrote ${values.output}: ${counts} objects`);
  return 0;
}
