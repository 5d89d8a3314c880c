// What the postgres tier's globalSetup hands to tests, and helpers to make a fresh database
// with its own login role for each test.
import { randomBytes } from 'node:crypto';
import { describe, inject } from 'vitest';
import pg from 'pg';

export interface PgContext {
  skip?: string;
  host?: string;
  port?: number;
  adminPassword?: string;
  caFile?: string;
  dir?: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    postgres: PgContext;
  }
}

export interface LivePg {
  host: string;
  port: number;
  adminPassword: string;
  caFile: string;
  dir: string;
}

export function pgContext(): PgContext {
  return inject('postgres') ?? { skip: 'SKIPPED: globalSetup provided no PostgreSQL' };
}

/** describe() that runs only when the server is up; otherwise a visible skip with the reason. */
export function describePg(name: string, body: (server: LivePg) => void): void {
  const ctx = pgContext();
  if (ctx.skip) {
    describe.skip(`${name} [${ctx.skip}]`, () => body(ctx as LivePg));
    return;
  }
  describe(name, () => body(ctx as LivePg));
}

export async function adminQuery(server: LivePg, sql: string, params: unknown[] = [], database = 'postgres'): Promise<pg.QueryResult> {
  const c = new pg.Client({ host: server.host, port: server.port, user: 'postgres', password: server.adminPassword, database, ssl: false });
  await c.connect();
  try {
    return await c.query(sql, params);
  } finally {
    await c.end();
  }
}

export interface TestDb {
  name: string;
  user: string;
  password: string;
  /** postgres://USER@127.0.0.1:PORT/NAME?sslmode=disable (no password: it comes from the environment). */
  url: string;
  /** The same with the password inside the URL. */
  urlWithPassword: string;
}

/** A fresh database owned by a fresh login role with a password. */
export async function createDb(server: LivePg, prefix = 'zt'): Promise<TestDb> {
  const suffix = randomBytes(4).toString('hex');
  const name = `${prefix}_${suffix}`;
  const user = `u_${suffix}`;
  const password = `secret-${randomBytes(6).toString('hex')}`;
  await adminQuery(server, `CREATE ROLE ${user} LOGIN PASSWORD '${password}'`);
  await adminQuery(server, `CREATE DATABASE ${name} OWNER ${user}`);
  const base = `127.0.0.1:${server.port}/${name}?sslmode=disable`;
  return { name, user, password, url: `postgres://${user}@${base}`, urlWithPassword: `postgres://${user}:${password}@${base}` };
}
