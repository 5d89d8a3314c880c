// A snapshot written by a newer ztaudit may carry fields this one does not know. report.json
// copies the snapshot's cluster and coverage, and its schema (schemas/report.schema.json)
// allows no field it does not declare: kept, such a field made report.json fail its own
// schema. Dropped as an API server prunes unknown fields of a structural schema
// (https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#field-pruning),
// and said once, naming the file and the fields.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../../../src/cli/io.ts';
import { main } from '../../../src/cli/main.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { writeSnapshot } from '../../../src/snapshot/io.ts';
import type { Snapshot } from '../../../src/snapshot/types.ts';

const REPO = join(import.meta.dirname, '../../..');
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats(ajv);
const validate = ajv.compile(JSON.parse(readFileSync(join(REPO, 'schemas/report.schema.json'), 'utf8')));

async function runOver(edit: (s: Record<string, unknown> & Snapshot) => void) {
  const dir = mkdtempSync(join(tmpdir(), 'zt-snapio-'));
  const snapshot = snapshotFromObjects([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }], { clusterName: 'c1' });
  edit(snapshot as Record<string, unknown> & Snapshot);
  const file = join(dir, 'newer.json.gz');
  writeSnapshot(file, snapshot);
  const err: string[] = [];
  const io: CliIO = { stdout: () => {}, stderr: (t) => err.push(t), env: {}, isTTY: false, cwd: dir };
  const code = await main(['run', '--snapshot', file, '--history', 'none', '--out', join(dir, 'out'), '--format', 'json', '--no-notify'], io);
  const report = code === 2 ? undefined : JSON.parse(readFileSync(join(dir, 'out/report.json'), 'utf8'));
  return { code, report, err: err.join(''), file };
}

describe('a snapshot with fields this ztaudit does not know', () => {
  it('gives a report.json valid against its schema: the coverage entry and the cluster keep their known fields, and one warning names the file and the fields', async () => {
    const { code, report, err, file } = await runOver((s) => {
      s.coverage.clusterrolebindings = { status: 'forbidden', detail: 'list clusterrolebindings', reason: 'RBAC' } as never;
      s.cluster = { name: 'c1', version: 'v1.36.3', region: 'eu' } as never;
    });
    expect(code).toBe(0);
    expect(report.run.coverage.clusterrolebindings).toEqual({ status: 'forbidden', detail: 'list clusterrolebindings' });
    expect(report.run.cluster).toEqual({ name: 'c1', version: 'v1.36.3' });
    const ok = validate(report);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    const warned = err.split('\n').filter((l) => l.includes('ignored'));
    expect(warned).toHaveLength(1);
    expect(warned[0]).toContain(`--snapshot ${file}: ignored cluster.region, coverage.clusterrolebindings.reason: not fields this ztaudit reads`);
  });

  it('names five fields at most in that line, and counts the rest; a field name with a line break stays on its line', async () => {
    const { code, err } = await runOver((s) => {
      const cluster = s.cluster as unknown as Record<string, string>;
      for (const k of ['evil\nline', 'a', 'b', 'c', 'd', 'e', 'f', 'g']) cluster[k] = 'x';
    });
    expect(code).toBe(0);
    // Not on a terminal, the log is JSON lines: the message is the line a terminal shows.
    const warned = err.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { level: string; msg: string }).filter((l) => l.msg.includes('ignored'));
    expect(warned).toHaveLength(1);
    expect(warned[0]!.level).toBe('warn');
    expect(warned[0]!.msg).toContain('ignored cluster.evil\\u000aline, cluster.a, cluster.b, cluster.c, cluster.d and 3 more: not fields this ztaudit reads');
    expect(warned[0]!.msg).not.toContain('\n');
    const one = await runOver((s) => { (s.cluster as unknown as Record<string, string>).region = 'eu'; });
    expect(one.err).toContain('ignored cluster.region: not a field this ztaudit reads (a snapshot written by a newer version?)');
  });

  it('refuses a known field of the wrong type, naming it, rather than writing a report.json its schema refuses', async () => {
    const server = await runOver((s) => { (s.cluster as unknown as Record<string, unknown>).server = 6443; });
    expect(server.code).toBe(2);
    expect(server.err).toContain(`--snapshot ${server.file}: cluster.server is a number (6443), not a string; re-create it with \`ztaudit snapshot\``);
    const detail = await runOver((s) => { s.coverage.pods = { status: 'error', detail: { code: 500 } } as never; });
    expect(detail.code).toBe(2);
    expect(detail.err).toContain('coverage.pods.detail is');
    const count = await runOver((s) => { s.coverage.clusterroles = { status: 'forbidden', count: -1 } as never; });
    expect(count.code).toBe(2);
    expect(count.err).toContain('coverage.clusterroles.count is -1, not a count');
  });
});
