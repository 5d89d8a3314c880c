// The entry point: builds the program from every command's spec, turns known errors into one
// line on stderr and exit code 2. Nothing below this file calls process.exit.
import { Command, CommanderError } from 'commander';
import { ZtauditError, errorMessage, redactUrlCredentials } from '../base/errors.ts';
import { withoutControls } from '../base/plain-text.ts';
import { TOOL_VERSION } from '../base/version.ts';
import { heapGrowthPercent, setHeapGrowth } from '../base/heap.ts';
import { EXIT_CANNOT_RUN, type CliIO } from './io.ts';
import { addCommand, commanderExitCode, configureCommand, type AnyCommandSpec } from './command.ts';
import { RUN } from './run.ts';
import { SNAPSHOT } from './snapshot.ts';
import { CHECKS_COMMAND, EXPLAIN } from './checks.ts';
import { CAN, REACH, WHO_CAN } from './explain-access.ts';
import { HISTORY } from './history.ts';
import { DIFF } from './diff.ts';
import { REPORT } from './report.ts';
import { SERVE } from './serve.ts';
import { COMPLETION } from './completion.ts';
import { FLEET } from './fleet.ts';
import { HISTORY_EXPORT, HISTORY_IMPORT } from './history-transfer.ts';
import { HISTORY_FORGET } from './history-forget.ts';

/** `history` lists runs; `history export|import` move them between stores; `history forget` removes a cluster's. */
const HISTORY_COMMAND: AnyCommandSpec = { ...HISTORY, subcommands: [HISTORY_EXPORT, HISTORY_IMPORT, HISTORY_FORGET] };

/** Every command, in the order `ztaudit --help` and the README list them. */
export const COMMANDS: readonly AnyCommandSpec[] = [RUN, SNAPSHOT, HISTORY_COMMAND, FLEET, DIFF, REPORT, SERVE, REACH, WHO_CAN, CAN, CHECKS_COMMAND, EXPLAIN, COMPLETION];

/** The whole command line as commander sees it; `onExit` receives the command's exit code. */
export function buildProgram(io: CliIO, onExit: (code: number) => void = () => {}): Command {
  const program = configureCommand(new Command('ztaudit'), io)
    .description('Continuous zero-trust compliance auditor for Kubernetes: network segmentation, TLS at the edge, RBAC breadth, Pod Security Admission and mesh mTLS, scored and diffed run to run.')
    .version(`ztaudit ${TOOL_VERSION}`, '-V, --version', 'print the version')
    .helpCommand('help [command]', 'help for a command');
  for (const spec of COMMANDS) addCommand(program, spec, io, onExit);
  program.addHelpText('after', '\n`ztaudit COMMAND --help` shows a command\'s arguments, flags, defaults and examples.\n');
  return program;
}

export async function main(argv: string[], cli: CliIO): Promise<number> {
  // Everything printed may hold names from the cluster: no control character reaches the
  // terminal as it is (the commands keep each name on its line where they print it).
  const io: CliIO = { ...cli, stdout: (t) => cli.stdout(withoutControls(t)), stderr: (t) => cli.stderr(withoutControls(t)) };
  let code = EXIT_CANNOT_RUN;
  const program = buildProgram(io, (c) => { code = c; });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (error: unknown) {
    // Commander has already printed the help, the version or the usage error.
    if (error instanceof CommanderError) return commanderExitCode(error);
    if (error instanceof ZtauditError) {
      // Several problems (a config with three wrong keys) are a line each, each said by ztaudit.
      io.stderr(error.message.split('\n').map((line) => `ztaudit: ${line}\n`).join(''));
      return EXIT_CANNOT_RUN;
    }
    io.stderr(`ztaudit: internal error: ${errorMessage(error)}\n${error instanceof Error && error.stack ? `${redactUrlCredentials(error.stack)}\n` : ''}`);
    return EXIT_CANNOT_RUN;
  }
}

/** The process entry (bin/ztaudit.cjs): real streams and environment, exit code on the process. */
export function runCli(): void {
  // A reader that goes away (`ztaudit reach --matrix | head`) ends the output, not the process with a stack trace.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  const heap = heapGrowthPercent(process.env);
  if ('error' in heap) {
    process.stderr.write(`ztaudit: ${heap.error}\n`);
    process.exitCode = EXIT_CANNOT_RUN;
    return;
  }
  setHeapGrowth(heap.percent);
  const io: CliIO = {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
    isTTY: Boolean(process.stderr.isTTY),
    cwd: process.cwd(),
  };
  main(process.argv.slice(2), io).then((code) => { process.exitCode = code; });
}
