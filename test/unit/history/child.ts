// Spawns store-child.ts and reads its progress lines (shared by the SQLite and k8s tests).
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CHILD_SCRIPT = fileURLToPath(new URL('./store-child.ts', import.meta.url));

export interface StoreChild {
  proc: ChildProcess;
  lines: string[];
  stderr: () => string;
  /** Resolves once the child holds the store ("ready"); rejects if it exits first. */
  ready: Promise<number>;
  exited: Promise<void>;
  kill(): Promise<void>;
}

export function spawnStoreChild(url: string, mode: 'save' | 'hold', extra: { kubeconfigPath?: string; env?: Record<string, string> } = {}): StoreChild {
  const args = [CHILD_SCRIPT, url, mode, ...(extra.kubeconfigPath ? [extra.kubeconfigPath] : [])];
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...extra.env } });
  const lines: string[] = [];
  let err = '';
  let buffered = '';
  let onReady: (pid: number) => void = () => {};
  let onFail: (e: Error) => void = () => {};
  const ready = new Promise<number>((res, rej) => { onReady = res; onFail = rej; });
  proc.stdout!.setEncoding('utf8');
  proc.stdout!.on('data', (chunk: string) => {
    buffered += chunk;
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      const m = /^ready (\d+)$/.exec(line);
      if (m) onReady(Number(m[1]));
    }
  });
  proc.stderr!.setEncoding('utf8');
  proc.stderr!.on('data', (c: string) => { err += c; });
  const exited = new Promise<void>((res) => proc.on('exit', () => { onFail(new Error(`child exited before ready: ${err}`)); res(); }));
  return {
    proc, lines, ready, exited, stderr: () => err,
    async kill() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
    },
  };
}

/** The run the child was writing when it died, if it died mid-save. */
export function interruptedRun(lines: string[]): string | null {
  const last = [...lines].reverse().find((l) => l.startsWith('saving ') || l.startsWith('saved '));
  return last?.startsWith('saving ') ? last.slice('saving '.length) : null;
}

export function savedRuns(lines: string[]): string[] {
  return lines.filter((l) => l.startsWith('saved ')).map((l) => l.slice('saved '.length));
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
