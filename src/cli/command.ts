// How a command is declared. Each command file owns one CommandSpec: its arguments and options
// (commander, with defaults and choices), its summary, examples and exit codes, and the function
// that runs it. The program (main.ts), `--help`, the completion scripts and the README's command
// table are all built from these specs, so they cannot drift apart.
import { Command, CommanderError, Option } from 'commander';
import { ConfigError } from '../base/errors.ts';
import { closest } from '../base/did-you-mean.ts';
import { MAX_TIMER_SAYS, MAX_TIMER_SECONDS } from '../base/timer.ts';
import { EXIT_CANNOT_RUN, EXIT_OK, type CliIO } from './io.ts';

export interface CommandSpec<Opts> {
  name: string;
  /** One line, shown in `ztaudit --help` and the README's command table. */
  summary: string;
  /** Longer text for `ztaudit NAME --help` (defaults to the summary). */
  description?: string;
  /** Declares the arguments and options on `cmd`. */
  define(cmd: Command): void;
  /** `ztaudit …` command lines, each optionally followed by `  # what it does`. */
  examples: string[];
  /** Lines for the "Exit codes" section of --help; commands that only succeed or fail with 2 leave it out. */
  exitCodes?: string[];
  /** Values the completion scripts offer for an argument, by argument name (e.g. check ids). */
  complete?: Record<string, () => readonly string[]>;
  /** Commands under this one (`ztaudit history export`); the command itself still runs without one. */
  subcommands?: AnyCommandSpec[];
  /** Runs the command with the parsed options and arguments; returns the exit code. */
  run(opts: Opts, args: string[], io: CliIO, cmd: Command): Promise<number>;
}

/** A spec with its option type erased, for the registry. */
export interface AnyCommandSpec extends Omit<CommandSpec<unknown>, 'run'> {
  run(opts: Record<string, unknown>, args: string[], io: CliIO, cmd: Command): Promise<number>;
}

const SPECS = new WeakMap<Command, AnyCommandSpec>();

/** The spec a command was built from (for the completion scripts and the README table). */
export function specOf(cmd: Command): AnyCommandSpec | undefined {
  return SPECS.get(cmd);
}

export function defineCommand<Opts>(spec: CommandSpec<Opts>): AnyCommandSpec {
  return spec as unknown as AnyCommandSpec;
}

/** A repeatable option's parser: `--manifests a --manifests b` → ['a', 'b']. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** A number of seconds (above 0 unless `zero` is allowed, at most what a timer can wait), as commander's argument parser. */
export function seconds(flag: string, options: { zero?: boolean } = {}): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < 0 || (n === 0 && !options.zero)) throw new ConfigError(`${flag} ${value}: must be a number of seconds`);
    if (n > MAX_TIMER_SECONDS) throw new ConfigError(`${flag} ${value}: must be at most ${MAX_TIMER_SECONDS} seconds (${MAX_TIMER_SAYS})`);
    return n;
  };
}

/** An option with a value and choices (shown in --help, checked by commander). */
export function choiceOption(flags: string, description: string, choices: readonly string[], defaultValue?: string): Option {
  const o = new Option(flags, description).choices(choices);
  return defaultValue === undefined ? o : o.default(defaultValue);
}

/** Applies the settings every command shares; subcommands created with .command() inherit them. */
export function configureCommand(cmd: Command, io: CliIO): Command {
  return cmd
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout(s),
      writeErr: (s) => io.stderr(s),
      getOutHelpWidth: () => 100,
      getErrHelpWidth: () => 100,
      getOutHasColors: () => false,
      getErrHasColors: () => false,
      outputError: (s, write) => write(`ztaudit: ${s.replace(/^error: /, '')}`),
    })
    .showSuggestionAfterError(true);
}

/**
 * Refuses a flag given a blank value (`--history "$HISTORY"` with the variable unset): read as
 * absent it meant the default (./.ztaudit/history.db rather than ZTAUDIT_HISTORY, the current
 * directory for --manifests), and the run went somewhere nobody asked for. Every flag that
 * takes a value (a path, URL, name, list), a repeatable one's every value too.
 */
export function refuseBlankValues(cmd: Command): void {
  const blank = (v: unknown) => typeof v === 'string' && v.trim() === '';
  for (const o of cmd.options) {
    if (!o.required && !o.optional) continue; // a switch takes no value
    const key = o.attributeName();
    if (cmd.getOptionValueSource(key) !== 'cli') continue;
    const v: unknown = cmd.getOptionValue(key);
    if (blank(v) || (Array.isArray(v) && v.some(blank))) throw new ConfigError(`${o.long ?? o.short ?? o.flags}: empty value (an unset variable?); give a value or leave the flag out`);
  }
}

/** Adds `spec` to `parent` with its help texts; `action` runs it and reports the exit code. */
export function addCommand(parent: Command, spec: AnyCommandSpec, io: CliIO, onExit: (code: number) => void): Command {
  const cmd = parent.command(spec.name).summary(spec.summary).description(spec.description ?? spec.summary);
  spec.define(cmd);
  const path = parent.parent ? `${parent.name()} ${spec.name}` : spec.name;
  cmd.showHelpAfterError(`(ztaudit ${path} --help shows its arguments and flags)`);
  if (spec.subcommands?.length) {
    // The command's own flags come before a subcommand's name; after it, they are the subcommand's
    // (commander needs this on the parent too, or the parent hands them to this command).
    parent.enablePositionalOptions();
    cmd.enablePositionalOptions();
    for (const sub of spec.subcommands) addCommand(cmd, sub, io, onExit);
    // A misspelt subcommand (`history exprot`) would be read as an operand of this command ("too
    // many arguments"), and a subcommand's flag after it (`history frget --cluster x`) as this
    // command's unknown flag: what follows the first operand is handed over unparsed, and the
    // operand answered as the unknown command it is, with the closest name.
    cmd.passThroughOptions().allowExcessArguments(true);
  }
  cmd.addHelpText('after', helpFooter(spec));
  cmd.action(async () => {
    const stray = spec.subcommands?.length ? cmd.args[0] : undefined;
    if (stray !== undefined) {
      const best = closest(stray, spec.subcommands!.map((s) => s.name));
      cmd.error(`error: unknown command '${stray}' for 'ztaudit ${path}'${best ? `\n(Did you mean ${best}?)` : ''}`, { code: 'commander.unknownCommand' });
    }
    refuseBlankValues(cmd);
    onExit(await spec.run(cmd.opts(), cmd.processedArgs as string[], io, cmd));
  });
  SPECS.set(cmd, spec);
  return cmd;
}

function helpFooter(spec: AnyCommandSpec): string {
  const out: string[] = [];
  if (spec.examples.length > 0) out.push('', 'Examples:', ...spec.examples.map((e) => `  $ ${e}`));
  if (spec.exitCodes?.length) out.push('', 'Exit codes:', ...spec.exitCodes.map((e) => `  ${e}`));
  return out.length > 0 ? `${out.join('\n')}\n` : '';
}

/** CommanderError → exit code: help and --version are 0, every usage error is 2 (it said why). */
export function commanderExitCode(error: CommanderError): number {
  return error.exitCode === 0 ? EXIT_OK : EXIT_CANNOT_RUN;
}

/**
 * Runs one command from its own argv (`ztaudit NAME` stripped), exactly as the program would:
 * what the command modules export for callers that hold a single command.
 */
export async function runSpec(spec: AnyCommandSpec, argv: string[], io: CliIO): Promise<number> {
  let code = EXIT_OK;
  const root = configureCommand(new Command('ztaudit'), io);
  addCommand(root, spec, io, (c) => { code = c; });
  try {
    await root.parseAsync([spec.name, ...argv], { from: 'user' });
  } catch (error: unknown) {
    if (error instanceof CommanderError) return commanderExitCode(error);
    throw error;
  }
  return code;
}

/** Parses argv against one command's definition without running it (tests and serve use it). */
export function parseSpec(spec: AnyCommandSpec, argv: string[]): { opts: Record<string, unknown>; args: string[] } {
  const cmd = new Command(spec.name).exitOverride().configureOutput({ writeOut: () => {}, writeErr: () => {} });
  spec.define(cmd);
  try {
    cmd.parse(argv, { from: 'user' });
  } catch (error: unknown) {
    if (error instanceof CommanderError) throw new ConfigError(error.message.replace(/^error: /, ''));
    throw error;
  }
  refuseBlankValues(cmd);
  return { opts: cmd.opts(), args: cmd.processedArgs as string[] };
}
