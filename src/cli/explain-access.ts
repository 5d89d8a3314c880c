// `ztaudit reach`, `ztaudit who-can` and `ztaudit can`: questions answered from the same
// models the checks use, over any source (cluster, --manifests, --snapshot).
import { parseArgs } from 'node:util';
import { reachCommandCore } from './reach.ts';
import { canCommandCore, whoCanCommandCore } from './access-text.ts';
import { ConfigError } from '../base/errors.ts';
import type { CliIO } from './io.ts';
import { createLogger } from './log.ts';
import { SOURCE_OPTIONS, loadSource } from './source.ts';

function outputFlag(value: string | undefined): 'text' | 'json' | 'csv' {
  if (value === undefined || value === 'text' || value === 'json' || value === 'csv') return value ?? 'text';
  throw new ConfigError(`--output ${value}: must be text, json or csv (csv with --matrix)`);
}

function print(io: CliIO, result: { exitCode: number; output: string }): number {
  (result.exitCode === 2 ? io.stderr : io.stdout)(`${result.output.replace(/\n?$/, '\n')}`);
  return result.exitCode;
}

/** ztaudit reach --from NS/WORKLOAD --to NS/WORKLOAD [--port PORT[/PROTO]] [--output json] | --matrix */
export async function reachCommand(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({
    args: argv, strict: true,
    options: { ...SOURCE_OPTIONS, from: { type: 'string' }, to: { type: 'string' }, port: { type: 'string' }, matrix: { type: 'boolean' }, output: { type: 'string' } },
  });
  const output = outputFlag(values.output);
  const snapshot = await loadSource(values, createLogger(io, { quiet: true }), { env: io.env, cwd: io.cwd });
  return print(io, reachCommandCore(snapshot, { from: values.from, to: values.to, port: values.port, matrix: values.matrix, output }));
}

/** ztaudit who-can VERB RESOURCE [-n NS] [--name NAME] */
export async function whoCanCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv, strict: true, allowPositionals: true,
    options: { ...SOURCE_OPTIONS, namespace: { type: 'string', short: 'n' }, name: { type: 'string' } },
  });
  const [verb, resource] = positionals;
  if (!verb || !resource) throw new ConfigError('who-can: usage: ztaudit who-can VERB RESOURCE [-n NAMESPACE]');
  const snapshot = await loadSource(values, createLogger(io, { quiet: true }), { env: io.env, cwd: io.cwd });
  return print(io, whoCanCommandCore(snapshot, { verb, resource, namespace: values.namespace, name: values.name }));
}

/** ztaudit can SUBJECT [VERB RESOURCE] [-n NS]; SUBJECT is User:alice, Group:x or ServiceAccount:ns/name */
export async function canCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv, strict: true, allowPositionals: true,
    options: { ...SOURCE_OPTIONS, namespace: { type: 'string', short: 'n' }, name: { type: 'string' } },
  });
  const [subject, verb, resource] = positionals;
  if (!subject) throw new ConfigError('can: usage: ztaudit can SUBJECT [VERB RESOURCE] [-n NAMESPACE] (SUBJECT: User:alice, Group:devs, ServiceAccount:ns/name)');
  const snapshot = await loadSource(values, createLogger(io, { quiet: true }), { env: io.env, cwd: io.cwd });
  return print(io, canCommandCore(snapshot, { subject, verb, resource, namespace: values.namespace, name: values.name }));
}
