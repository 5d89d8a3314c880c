// Stored runs rendered for `serve`'s /runs/:id, off the main thread: reading a large run from
// the history (gunzip + JSON.parse of hundreds of MB) and rendering it would otherwise block
// the event loop, and with it /healthz. One worker thread opens the history read-only and
// renders one run at a time; the daemon caches the pages and bounds the queue. Nothing is
// written to disk (no temporary directories to leave behind).
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { errorMessage } from '../base/errors.ts';
import type { FleetQuery } from '../run/fleet.ts';

export interface RunPagesSource {
  /** The --history URL. */
  history: string;
  kubeconfigPath?: string;
  context?: string;
  cwd: string;
  env: Record<string, string | undefined>;
}

/** A stored run's page: its HTML, null when no such run is stored, or why the stored run cannot be read (one line). */
export type StoredRunPage = string | null | { unreadable: string };

export interface RunPageRenderer {
  render(id: string): Promise<StoredRunPage>;
  /** Whether run `id` is still stored (RunStore.has): a cached page of a forgotten or evicted run is not served. */
  stored(id: string): Promise<boolean>;
  /**
   * The fleet report over the store, or null while it holds at most one cluster. A stored run it
   * cannot read is left out of it and named to `warn` (one line each), as `ztaudit fleet` names it.
   */
  renderFleet(query: FleetQuery, warn?: (line: string) => void): Promise<string | null>;
  close(): Promise<void>;
}

type Reply = { reqId: number; html?: string | null; unreadable?: string; stored?: boolean; error?: string; warnings?: string[] };

// The worker beside this module: .ts when the sources run, .js in the compiled dist/ (the
// compiler rewrites import specifiers, not URLs).
const WORKER_URL = new URL(`./serve-pages-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

/**
 * Loaded in the worker before any of its modules: the worker opens the history, and on Node 22
 * loading node:sqlite prints an ExperimentalWarning from the worker's own `process`, which the
 * launcher's filter does not reach. bin/ sits two levels up from src/cli/ and from dist/src/cli/.
 */
export const WORKER_PRELOAD = fileURLToPath(new URL('../../bin/drop-sqlite-warning.cjs', import.meta.url));

/** The worker's Node options: the parent's, and the warning filter preloaded. */
export function workerExecArgv(): string[] {
  return [...process.execArgv, '--require', WORKER_PRELOAD];
}

/** A lazily started worker; a render taking longer than `timeoutMs` restarts it. */
export function startRunPageRenderer(source: RunPagesSource, timeoutMs = 60_000): RunPageRenderer {
  let worker: Worker | null = null;
  let nextId = 0;
  const pending = new Map<number, { resolve(reply: Reply): void; reject(error: Error): void; timer: NodeJS.Timeout; warn?: (line: string) => void }>();

  const failAll = (why: string) => {
    for (const [reqId, p] of pending) {
      clearTimeout(p.timer);
      p.reject(new Error(why));
      pending.delete(reqId);
    }
  };
  const spawn = (): Worker => {
    const w = new Worker(WORKER_URL, { workerData: source, execArgv: workerExecArgv() });
    w.unref();
    w.on('message', (m: Reply) => {
      const p = pending.get(m.reqId);
      if (!p) return;
      pending.delete(m.reqId);
      clearTimeout(p.timer);
      for (const line of m.warnings ?? []) p.warn?.(line);
      if (m.error !== undefined) p.reject(new Error(m.error));
      else p.resolve(m);
    });
    w.on('error', (error: unknown) => { if (worker === w) worker = null; failAll(`rendering stored runs failed: ${errorMessage(error)}`); });
    w.on('exit', () => { if (worker === w) worker = null; failAll('the renderer of stored runs stopped'); });
    return w;
  };

  const ask = (what: string, message: Record<string, unknown>, warn?: (line: string) => void): Promise<Reply> => {
    worker ??= spawn();
    const w = worker;
    const reqId = nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(reqId);
        reject(new Error(`rendering ${what} took longer than ${Math.round(timeoutMs / 1000)} s`));
        if (worker === w) worker = null;
        void w.terminate();
      }, timeoutMs);
      timer.unref();
      pending.set(reqId, { resolve, reject, timer, ...(warn ? { warn } : {}) });
      w.postMessage({ reqId, ...message });
    });
  };

  return {
    render: async (id) => {
      const reply = await ask(`run ${id}`, { id });
      return reply.unreadable !== undefined ? { unreadable: reply.unreadable } : reply.html ?? null;
    },
    stored: async (id) => (await ask(`whether run ${id} is stored`, { has: id })).stored === true,
    renderFleet: async (query, warn) => (await ask('the fleet report', { fleet: { ...query, now: query.now.toISOString() } }, warn)).html ?? null,
    async close() {
      const w = worker;
      worker = null;
      failAll('ztaudit is shutting down');
      if (w) await w.terminate();
    },
  };
}
