// Large and hostile input: line numbers stay exact deep into a many-document file (the
// loader is linear; its speed is measured in bench/manifests.ts), a 200 MB manifest file and
// a snapshot above the limit are refused with exit 2 and one line (never a heap crash), and
// a broken YAML document leaves the run partial, naming file and line (one whose kind cannot be
// told blinds every kind: test/unit/collect/broken-documents.test.ts).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliIO } from '../../../src/cli/io.ts';
import { main } from '../../../src/cli/main.ts';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { readSnapshot, writeSnapshot } from '../../../src/snapshot/io.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'ztaudit-large-')); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function cli() {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIO = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env: {}, isTTY: false, cwd: dir };
  return { io, out: () => out.join(''), err: () => err.join('') };
}

const deployment = (i: number) => [
  `# deployment ${i}`, '---', 'apiVersion: apps/v1', 'kind: Deployment', `metadata: {name: app-${i}, namespace: ns-${i % 7}}`,
  'spec:', '  template:', '    spec:', '      containers: [{name: c, image: "x:1"}]',
].join('\n');

describe('many documents in one file', () => {
  it('names the exact line of every object and of a broken document deep into the file', () => {
    const docs = Array.from({ length: 2000 }, (_, i) => deployment(i));
    docs[1500] = ['# broken', '---', 'apiVersion: apps/v1', 'kind: Deployment', 'metadata:', '  name: [broken', '  labels:', '    a: b', 'spec: {}'].join('\n');
    const text = `${docs.join('\n')}\n`;
    const r = parseManifestText(text, 'many.yaml');
    expect(r.objects).toHaveLength(1999);
    // Each deployment takes 9 lines; its apiVersion line is the 3rd.
    expect(r.sources['Deployment/ns-4/app-1999']).toEqual({ file: 'many.yaml', line: 1999 * 9 + 3 });
    expect(r.sources['Deployment/ns-0/app-0']).toEqual({ file: 'many.yaml', line: 3 });
    expect(r.broken).toEqual([{ where: `many.yaml:${1500 * 9 + 3}`, why: expect.stringMatching(/^broken YAML document: /), kind: 'deployments' }]);
  });
});

describe('size limits', () => {
  it('refuses a 200 MB manifest file with exit 2 and one line, before reading it', async () => {
    mkdirSync(join(dir, 'm'));
    writeFileSync(join(dir, 'm', 'ok.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n');
    const huge = join(dir, 'm', 'huge.yaml');
    writeFileSync(huge, '');
    truncateSync(huge, 200 * 1024 * 1024); // sparse: costs no disk, stat says 200 MiB
    const c = cli();
    expect(await main(['run', '--manifests', 'm', '--history', 'none', '--out', 'out', '-q'], c.io)).toBe(2);
    expect(c.err()).toBe('ztaudit: --manifests: m/huge.yaml is 200.0 MiB, above the 32 MiB limit for one file (limits.manifestFileMiB); split it or raise the limit\n');
  });

  it('refuses a file that is not a regular file (/dev/zero: no size, no end) at the same limit, with exit 2 and one line', async () => {
    writeFileSync(join(dir, 'small.yaml'), 'limits: {manifestFileMiB: 1}\n');
    const c = cli();
    expect(await main(['run', '--manifests', '/dev/zero', '--config', 'small.yaml', '--history', 'none', '--out', 'out', '-q'], c.io)).toBe(2);
    expect(c.err()).toMatch(/^ztaudit: --manifests: (\.\.\/)+dev\/zero is above the 1 MiB limit for one file \(limits\.manifestFileMiB\); split it or raise the limit\n$/);
  });

  it('refuses a snapshot above limits.snapshotMiB (decompressed) with exit 2 and one line', async () => {
    const big = snapshotFromObjects(Array.from({ length: 3000 }, (_, i) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `ns-${i}`, annotations: { pad: 'x'.repeat(400) } } })), { clusterName: 'c' });
    writeSnapshot(join(dir, 'big.snap.gz'), big);
    writeFileSync(join(dir, 'small.yaml'), 'limits: {snapshotMiB: 1}\n');
    const c = cli();
    expect(await main(['run', '--snapshot', 'big.snap.gz', '--config', 'small.yaml', '--history', 'none', '--out', 'out', '-q'], c.io)).toBe(2);
    expect(c.err()).toBe(`ztaudit: --snapshot ${join(dir, 'big.snap.gz')}: larger than 1 MiB decompressed (limits.snapshotMiB); it was not loaded\n`);
    // Under the default limit the same file is fine.
    expect((await readSnapshot(join(dir, 'big.snap.gz'))).resources.namespaces).toHaveLength(3000);
  });

  it('cuts a small gzip that would inflate to 600 MiB off at the limit, instead of exhausting the heap', async () => {
    // 600 gzip members of 1 MiB of zeros each: a 600 KB file that inflates to 600 MiB.
    const member = gzipSync(Buffer.alloc(1024 * 1024));
    writeFileSync(join(dir, 'bomb.gz'), Buffer.concat(Array.from({ length: 600 }, () => member)));
    const before = process.memoryUsage().rss;
    await expect(readSnapshot(join(dir, 'bomb.gz'), 8)).rejects.toThrow(/larger than 8 MiB decompressed/);
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
  });
});

describe('a broken YAML document', () => {
  it('still loads the rest, makes the run partial and says which file and line', async () => {
    mkdirSync(join(dir, 'm'));
    writeFileSync(join(dir, 'm', 'apps.yaml'), [
      'apiVersion: v1', 'kind: Namespace', 'metadata: {name: shop, labels: {pod-security.kubernetes.io/enforce: restricted}}',
      '---', 'apiVersion: apps/v1', 'kind: Deployment', 'metadata:', '  name: api', '  namespace: shop', 'spec: {template: {spec: {containers: [{name: c, image: x}]}}}',
      '---', '# a merge went wrong', 'apiVersion: apps/v1', 'kind: Deployment', 'metadata:', '  name: [oops', '  namespace: shop',
      '---', 'apiVersion: v1', 'kind: ServiceAccount', 'metadata: {name: deployer, namespace: shop}', '',
    ].join('\n'));
    const c = cli();
    expect(await main(['run', '--manifests', 'm', '--history', 'none', '--out', 'out', '--format', 'json'], c.io)).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, 'out', 'report.json'), 'utf8'));
    expect(report.run.partial).toHaveLength(2);
    expect(report.run.partial).toEqual(expect.arrayContaining([
      expect.stringMatching(/^deployments could not be read \(error: m\/apps\.yaml:13: broken YAML document: /),
      expect.stringMatching(/^pods could not be read \(error: m\/apps\.yaml:13: broken YAML document: /),
    ]));
    // The rest loaded and was audited; what needs pods is not evaluated, never passed.
    expect(report.checks.find((c: { id: string }) => c.id === 'pod-security.enforce-missing').status).not.toBe('not-evaluated');
    const podChecks = report.checks.filter((c: { id: string }) => c.id === 'network.namespace-default-deny-ingress' || c.id === 'pod-security.pod-violates-target');
    expect(podChecks.map((c: { status: string }) => c.status)).toEqual(['not-evaluated', 'not-evaluated']);
    expect(c.out()).toContain('partial: deployments could not be read');
  });
});
