// vitest globalSetup for the postgres tier: starts one real PostgreSQL server (Debian's
// `postgresql` package; see server.ts) on loopback for the whole tier and stops it after,
// whatever the tests did. Each test file creates its own databases. Without the package the
// tier is skipped loudly; under CI=true that is a failure instead.
import type { TestProject } from 'vitest/node';
import { findPgBin, startPg, type PgServer } from './server.ts';
import type { PgContext } from './env.ts';
import { inCI, skipOrFail } from '../helpers/ci.ts';

function skip(project: TestProject, why: string): void {
  skipOrFail('postgres test tier', why);
  project.provide('postgres', { skip: `SKIPPED: ${why}` } satisfies PgContext);
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const found = findPgBin();
  if (!found.bin) {
    skip(project, found.why ?? 'PostgreSQL not installed');
    return undefined;
  }
  let server: PgServer;
  const t0 = Date.now();
  try {
    server = await startPg();
  } catch (error: unknown) {
    if (inCI()) throw error;
    skip(project, `PostgreSQL did not start: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
  const onExit = () => server.stop();
  process.once('exit', onExit);
  process.stderr.write(`postgres tier: ${server.version} up at ${server.host}:${server.port} in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  project.provide('postgres', { host: server.host, port: server.port, adminPassword: server.adminPassword, caFile: server.caFile, dir: server.dir } satisfies PgContext);
  return async () => {
    server.stop();
    process.removeListener('exit', onExit);
  };
}
