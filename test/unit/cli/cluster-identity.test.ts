// One cluster, one name, one history: manifests are named by their absolute path (not the
// path typed relative to wherever ztaudit started), --cluster and cluster.name override it,
// and a run with no source at all points at the sources that need no cluster.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../../../src/cli/io.ts';
import { main } from '../../../src/cli/main.ts';

const REPO = join(import.meta.dirname, '../../..');
const DEMO = join(REPO, 'examples/demo-cluster');

function io(cwd: string, env: Record<string, string | undefined> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const cli: CliIO = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env, isTTY: false, cwd };
  return { cli, out: () => out.join(''), err: () => err.join('') };
}

const report = (dir: string) => JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as { run: { id: string; cluster: { name: string } }; diff: { previousRunId: string; new: string[]; resolved: string[] } | null };
const quiet = ['--format', 'json', '--no-notify', '-q'];

describe('cluster identity', () => {
  it('the same manifests from two working directories are one cluster: the second run diffs against the first', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zt-identity-'));
    const history = join(dir, 'history.db');
    const a = io(REPO);
    expect(await main(['run', '--manifests', 'examples/demo-cluster', '--history', history, '--out', join(dir, 'a'), ...quiet], a.cli)).toBe(0);
    const b = io(join(REPO, 'examples'));
    expect(await main(['run', '--manifests', './demo-cluster/', '--history', history, '--out', join(dir, 'b'), ...quiet], b.cli)).toBe(0);
    const first = report(join(dir, 'a'));
    const second = report(join(dir, 'b'));
    expect(first.run.cluster.name).toBe(DEMO);
    expect(second.run.cluster.name).toBe(DEMO);
    expect(second.diff?.previousRunId).toBe(first.run.id);
    expect(second.diff?.new).toEqual([]);
    expect(second.diff?.resolved).toEqual([]);
    const d = io(dir);
    expect(await main(['diff', '--last', '--history', history], d.cli)).toBe(0);
    expect(d.out()).toContain(`${first.run.id} (`);
    expect(d.out()).toContain('new findings: 0');
  });

  it('several --manifests directories are one cluster in whatever order (and however often) they are given: the second run diffs against the first', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zt-identity-'));
    const extra = join(dir, 'extra');
    mkdirSync(extra);
    writeFileSync(join(extra, 'ns.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata: {name: batch}\n');
    const history = join(dir, 'history.db');
    expect(await main(['run', '--manifests', extra, '--manifests', 'examples/demo-cluster', '--history', history, '--out', join(dir, 'a'), ...quiet], io(REPO).cli)).toBe(0);
    expect(await main(['run', '--manifests', DEMO, '--manifests', './extra', '--manifests', 'extra/', '--history', history, '--out', join(dir, 'b'), ...quiet], io(dir).cli)).toBe(0);
    const first = report(join(dir, 'a'));
    const second = report(join(dir, 'b'));
    expect(first.run.cluster.name).toBe([DEMO, extra].sort().join(','));
    expect(second.run.cluster.name).toBe(first.run.cluster.name);
    expect(second.diff?.previousRunId).toBe(first.run.id);
    expect(second.diff?.new).toEqual([]);
    const h = io(dir);
    expect(await main(['history', '--history', history, '--output', 'json'], h.cli)).toBe(0);
    expect(new Set(JSON.parse(h.out()).map((r: { cluster: string }) => r.cluster))).toEqual(new Set([first.run.cluster.name]));
  });

  it('--cluster names the cluster, over cluster.name in the config, over the path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zt-identity-'));
    writeFileSync(join(dir, 'ztaudit.yaml'), 'cluster:\n  name: shop-staging\n');
    expect(await main(['run', '--manifests', DEMO, '--history', 'none', '--out', join(dir, 'c'), ...quiet], io(dir).cli)).toBe(0);
    expect(report(join(dir, 'c')).run.cluster.name).toBe('shop-staging');
    expect(await main(['run', '--manifests', DEMO, '--cluster', 'shop-prod', '--history', 'none', '--out', join(dir, 'f'), ...quiet], io(dir).cli)).toBe(0);
    expect(report(join(dir, 'f')).run.cluster.name).toBe('shop-prod');
    // A snapshot keeps the name it was taken under unless told otherwise.
    const snap = join(dir, 's.json.gz');
    expect(await main(['snapshot', '--manifests', DEMO, '--cluster', 'shop-prod', '-o', snap, '-q', '--config', join(REPO, 'examples/ztaudit.demo.yaml')], io(dir).cli)).toBe(0);
    expect(await main(['run', '--snapshot', snap, '--history', 'none', '--out', join(dir, 's'), '--config', join(REPO, 'examples/ztaudit.demo.yaml'), ...quiet], io(dir).cli)).toBe(0);
    expect(report(join(dir, 's')).run.cluster.name).toBe('shop-prod');
  });

  // "café" typed with é (U+00E9) or with e + U+0301 is canonically equal text (UAX #15,
  // https://www.unicode.org/reports/tr15/): shown alike, it is one cluster, kept in NFC.
  it('--cluster and cluster.name in a decomposed spelling (NFD) name the cluster in NFC, the same cluster as the composed one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zt-identity-'));
    const nfd = 'cafe\u0301', nfc = 'caf\u00e9';
    writeFileSync(join(dir, 'ztaudit.yaml'), `cluster:\n  name: "${nfd}"\n`);
    expect(await main(['run', '--manifests', DEMO, '--history', 'none', '--out', join(dir, 'c'), ...quiet], io(dir).cli)).toBe(0);
    expect(report(join(dir, 'c')).run.cluster.name).toBe(nfc);
    expect(await main(['run', '--manifests', DEMO, '--cluster', nfd, '--history', 'none', '--out', join(dir, 'f'), ...quiet], io(dir).cli)).toBe(0);
    expect(report(join(dir, 'f')).run.cluster.name).toBe(nfc);
  });

  // The same rule for a name ztaudit derives: a manifests directory a file system hands back
  // decomposed (macOS HFS+ keeps names in NFD) and one typed composed are one cluster, and a
  // snapshot taken by a version that kept its name as it was read is audited under the NFC one.
  it('a manifests path and a snapshot\'s name in the decomposed spelling (NFD) name the cluster in NFC', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zt-identity-'));
    const nfd = join(dir, 'cafe\u0301');
    cpSync(DEMO, nfd, { recursive: true });
    expect(await main(['run', '--manifests', nfd, '--history', 'none', '--out', join(dir, 'm'), ...quiet], io(dir).cli)).toBe(0);
    expect(report(join(dir, 'm')).run.cluster.name).toBe(join(dir, 'caf\u00e9'));
    const snap = join(dir, 's.json.gz');
    expect(await main(['snapshot', '--manifests', DEMO, '--cluster', 'shop', '-o', snap, '-q'], io(dir).cli)).toBe(0);
    const taken = JSON.parse(gunzipSync(readFileSync(snap)).toString('utf8')) as { cluster: { name: string } };
    taken.cluster.name = 'cafe\u0301';
    writeFileSync(snap, gzipSync(JSON.stringify(taken)));
    expect(await main(['run', '--snapshot', snap, '--history', 'none', '--out', join(dir, 's'), ...quiet], io(dir).cli)).toBe(0);
    expect(report(join(dir, 's')).run.cluster.name).toBe('caf\u00e9');
  });

  it('rejects an empty cluster.name, naming the key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zt-identity-'));
    writeFileSync(join(dir, 'ztaudit.yaml'), 'cluster:\n  name: ""\n');
    const t = io(dir);
    expect(await main(['run', '--manifests', DEMO, '--history', 'none', '--out', join(dir, 'o'), ...quiet], t.cli)).toBe(2);
    expect(t.err()).toContain('ztaudit.yaml: cluster.name:');
  });

  it('run without any source and no kubeconfig: says where it looked and mentions --manifests and --snapshot', async () => {
    const home = mkdtempSync(join(tmpdir(), 'zt-home-'));
    mkdirSync(join(home, 'work'));
    const t = io(join(home, 'work'), { HOME: home });
    expect(await main(['run', '--history', 'none', '--no-notify', '--out', join(home, 'out')], t.cli)).toBe(2);
    const line = t.err().trim().split('\n').at(-1)!;
    expect(line).toContain('no kubeconfig found');
    expect(line).toContain('--kubeconfig');
    expect(line).toContain('--manifests DIR');
    expect(line).toContain('--snapshot FILE');
  });
});
