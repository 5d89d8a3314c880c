// The entry point: dispatches to one command, turns known errors into one line on stderr
// and exit code 2. Nothing below this file calls process.exit.
import { ZtauditError, errorMessage, redactUrlCredentials } from '../base/errors.ts';
import { TOOL_VERSION } from '../base/version.ts';
import { EXIT_CANNOT_RUN, type CliIO, type CommandFn } from './io.ts';
import { runCommand } from './run.ts';
import { snapshotCommand } from './snapshot.ts';
import { checksCommand, explainCommand } from './checks.ts';
import { canCommand, reachCommand, whoCanCommand } from './explain-access.ts';
import { historyCommand } from './history.ts';
import { diffCommand } from './diff.ts';
import { reportCommand } from './report.ts';
import { serveCommand } from './serve.ts';
import { fleetCommand } from './fleet.ts';
import { historyExportCommand, historyImportCommand } from './history-transfer.ts';

const COMMANDS: Record<string, { fn: CommandFn; summary: string }> = {
  run: { fn: runCommand, summary: 'audit a cluster, manifests or snapshot; write reports; store and diff; notify' },
  snapshot: { fn: snapshotCommand, summary: 'collect only, into a gzip JSON snapshot file (-o FILE)' },
  history: {
    fn: (argv, io) => (argv[0] === 'export' ? historyExportCommand(argv.slice(1), io) : argv[0] === 'import' ? historyImportCommand(argv.slice(1), io) : historyCommand(argv, io)),
    summary: 'list stored runs with scores [--limit N] [--history URL]; export | import (JSON lines) between stores',
  },
  fleet: { fn: fleetCommand, summary: 'one report over every cluster in a store [--history URL] [--format html,json,md] [--out DIR]' },
  diff: { fn: diffCommand, summary: 'compare two stored runs: RUN_A RUN_B | --last' },
  report: { fn: reportCommand, summary: 'render a stored run again: RUN [--format …] [--out DIR]' },
  serve: { fn: serveCommand, summary: 'long-running mode: scheduled audits (--schedule CRON), latest report and /metrics over HTTP' },
  checks: { fn: checksCommand, summary: 'list the check catalog [--area A] [--output json|md]' },
  explain: { fn: explainCommand, summary: 'explain one check: what it protects against, controls, remediation' },
  reach: { fn: reachCommand, summary: 'is traffic allowed? --from NS/WORKLOAD --to NS/WORKLOAD [--port P[/PROTO]] | --matrix' },
  'who-can': { fn: whoCanCommand, summary: 'which subjects can VERB RESOURCE [-n NS], and through which bindings' },
  can: { fn: canCommand, summary: "a subject's effective rules, or whether it can VERB RESOURCE" },
};

function usage(): string {
  const rows = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `usage: ztaudit <command> [flags]\n\n${rows.join('\n')}\n\nSee README.md for every flag.\n`;
}

export async function main(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(usage());
    return name ? 0 : EXIT_CANNOT_RUN;
  }
  if (name === '--version') {
    io.stdout(`ztaudit ${TOOL_VERSION}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr(`ztaudit: unknown command "${name}"\n${usage()}`);
    return EXIT_CANNOT_RUN;
  }
  try {
    return await command.fn(rest, io);
  } catch (error: unknown) {
    if (error instanceof ZtauditError) {
      io.stderr(`ztaudit: ${error.message}\n`);
      return EXIT_CANNOT_RUN;
    }
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      io.stderr(`ztaudit ${name}: ${error.message}\n`);
      return EXIT_CANNOT_RUN;
    }
    io.stderr(`ztaudit: internal error: ${errorMessage(error)}\n${error instanceof Error && error.stack ? `${redactUrlCredentials(error.stack)}\n` : ''}`);
    return EXIT_CANNOT_RUN;
  }
}

const isEntry = process.argv[1] && /ztaudit(\.js)?$|main\.ts$/.test(process.argv[1]);
if (isEntry) {
  const io: CliIO = {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
    isTTY: Boolean(process.stderr.isTTY),
    cwd: process.cwd(),
  };
  main(process.argv.slice(2), io).then((code) => { process.exitCode = code; });
}
