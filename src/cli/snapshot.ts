// `ztaudit snapshot -o FILE`: collect only, write the versioned gzip JSON snapshot.
import { parseArgs } from 'node:util';
import { ConfigError } from '../errors.ts';
import { writeSnapshot } from '../snapshot/io.ts';
import type { CliIO } from './io.ts';
import { createLogger } from './log.ts';
import { SOURCE_OPTIONS, loadSource } from './source.ts';

export async function snapshotCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { ...SOURCE_OPTIONS, output: { type: 'string', short: 'o' }, quiet: { type: 'boolean', short: 'q' } }, strict: true });
  if (!values.output) throw new ConfigError('snapshot: -o FILE is required');
  const log = createLogger(io, { quiet: values.quiet });
  const snapshot = await loadSource(values, log, { env: io.env, cwd: io.cwd });
  writeSnapshot(values.output, snapshot);
  const counts = Object.values(snapshot.resources).reduce((n, list) => n + (list?.length ?? 0), 0);
  log.info(`wrote ${values.output}: ${counts} objects`);
  return 0;
}
