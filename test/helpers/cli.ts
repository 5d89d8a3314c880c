// Runs the CLI in-process as a user would from a shell: streams captured, the environment and
// working directory given.
import type { CliIO } from '../../src/cli/io.ts';

export interface CapturedIO {
  cli: CliIO;
  out(): string;
  err(): string;
  /** stderr's lines, without the last empty one. */
  errLines(): string[];
}

export function captureIO(cwd: string, env: Record<string, string | undefined> = {}): CapturedIO {
  const out: string[] = [];
  const err: string[] = [];
  const cli: CliIO = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env, isTTY: false, cwd };
  return { cli, out: () => out.join(''), err: () => err.join(''), errLines: () => err.join('').split('\n').filter((l) => l !== '') };
}
