// Builds the pipeline's edges from flags, config and environment: which store, which
// renderer, which notifiers. The only place the CLI decides what is real.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Config } from '../config/types.ts';
import type { EnvSettings } from '../config/env.ts';
import type { PipelineEdges } from '../pipeline.ts';
import type { Snapshot } from '../snapshot/types.ts';
import type { CliIO } from './io.ts';
import type { Logger } from './log.ts';
import { reportDetails } from '../report/details.ts';

export const FORMATS = ['html', 'json', 'junit', 'md', 'sarif'];

export interface WiringInput {
  flags: { out: string; formats: string[]; history?: string; notify?: boolean; 'no-notify'?: boolean; kubeconfig?: string; context?: string };
  config: Config;
  env: EnvSettings;
  log: Logger;
  io: CliIO;
  collect(): Promise<Snapshot>;
}

export async function buildEdges(input: WiringInput): Promise<PipelineEdges> {
  const outDir = resolve(input.io.cwd, input.flags.out);
  return {
    collect: input.collect,
    store: null,
    diff: () => { throw new Error('history is not wired yet'); },
    render: async (report) => {
      mkdirSync(outDir, { recursive: true });
      const path = join(outDir, 'report.json');
      writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
      return [path];
    },
    notifiers: [],
    details: reportDetails,
    log: input.log,
    now: () => new Date(),
  };
}
