// What a command gets from the entry point: output streams and the environment, passed in
// so tests run commands in-process. Commands return an exit code; only main.ts exits.
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** The process environment, read only through src/config/env.ts. */
  env: Record<string, string | undefined>;
  isTTY: boolean;
  cwd: string;
}

export type CommandFn = (argv: string[], io: CliIO) => Promise<number>;

export const EXIT_OK = 0;
/** The audit completed and something met --fail-on. */
export const EXIT_FINDINGS = 1;
/** The audit could not run: bad config, unreachable cluster, bad input. */
export const EXIT_CANNOT_RUN = 2;
