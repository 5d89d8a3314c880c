// The npm package as a user gets it: `npm pack` (its prepack runs `npm run build`), the
// tarball installed into an empty directory, and `ztaudit` run from node_modules, where Node
// never strips types — so only the compiled dist/ can work there. Built from a copy of the
// working tree, so the repository's own dist/ is never touched.
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, posix } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = join(import.meta.dirname, '../..');
/** What `npm run build` and `npm pack` read; a new top-level input the build needs belongs here. */
const TREE = ['package.json', 'package-lock.json', 'README.md', 'LICENSE', 'tsconfig.json', 'tsconfig.build.json', 'bin', 'src', 'checks', 'templates', 'schemas', 'examples', 'docs', 'helm'];

const work = mkdtempSync(join(tmpdir(), 'zt-pack-'));
const src = join(work, 'src');
const app = join(work, 'app');
// The Node running this test (>= 22.19) runs npm, npx and the installed bin's `#!/usr/bin/env node`.
const env = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };

function sh(cmd: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: 240_000 });
}
function ok(r: SpawnSyncReturns<string>, what: string): string {
  expect(r.status, `${what}\n${r.stdout}\n${r.stderr}`).toBe(0);
  return r.stdout;
}

let tarball: string;
let packed: string[];

beforeAll(() => {
  mkdirSync(src);
  for (const entry of TREE) cpSync(join(REPO, entry), join(src, entry), { recursive: true });
  symlinkSync(join(REPO, 'node_modules'), join(src, 'node_modules'));
  const out = ok(sh('npm', ['pack', '--json', '--pack-destination', work], src), 'npm pack');
  const info = JSON.parse(out.slice(out.indexOf('['))) as Array<{ filename: string; files: Array<{ path: string }> }>;
  tarball = join(work, info[0]!.filename);
  packed = info[0]!.files.map((f) => f.path);
  mkdirSync(app);
  ok(sh('npm', ['install', '--no-save', '--no-package-lock', tarball], app), 'npm install <tarball>');
}, 480_000);

afterAll(() => rmSync(work, { recursive: true, force: true }), 60_000);

describe('the npm package', () => {
  it('ships the compiled code with source maps, the templates, schemas, the demo, the docs, the chart and the licence, and nothing else', () => {
    expect(packed).toContain('dist/bin/ztaudit.cjs');
    expect(packed).toContain('dist/src/cli/main.js');
    expect(packed).toContain('dist/src/cli/main.js.map');
    expect(packed).toContain('dist/checks/index.js');
    expect(packed).toContain('templates/report.hbs');
    expect(packed).toContain('schemas/report.schema.json');
    expect(packed).toContain('examples/demo-cluster/10-shop.yaml');
    const top = new Set(packed.map((p) => p.split('/')[0]));
    expect(packed).toContain('docs/deploy.md');
    expect([...top].sort()).toEqual(['LICENSE', 'README.md', 'dist', 'docs', 'examples', 'helm', 'package.json', 'schemas', 'templates']);
    expect(packed).toContain('helm/ztaudit/Chart.yaml');
    // package.json says Apache-2.0: the licence's text is in the package.
    const licence = readFileSync(join(app, 'node_modules/ztaudit/LICENSE'), 'utf8');
    expect(licence).toMatch(/^\s*Apache License\s+Version 2\.0, January 2004/);
    expect(licence).toContain('END OF TERMS AND CONDITIONS');
    expect((JSON.parse(readFileSync(join(app, 'node_modules/ztaudit/package.json'), 'utf8')) as { license: string }).license).toBe('Apache-2.0');
    expect(packed.filter((p) => p.endsWith('.ts'))).toEqual([]);
    const pkg = JSON.parse(readFileSync(join(app, 'node_modules/ztaudit/package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(pkg.bin.ztaudit).toBe('dist/bin/ztaudit.cjs');
    // Installed as a user installs it: runtime dependencies only.
    expect(existsSync(join(app, 'node_modules/@kubernetes/client-node'))).toBe(true);
    expect(existsSync(join(app, 'node_modules/typescript'))).toBe(false);
  });

  it('ships the file behind every relative link and image in every packed Markdown file, so they resolve in node_modules/ztaudit', () => {
    const markdown = packed.filter((p) => p.endsWith('.md'));
    expect(markdown).toEqual(expect.arrayContaining(['README.md', 'docs/deploy.md', 'helm/ztaudit/README.md']));
    const unresolved: string[] = [];
    const seen = new Set<string>();
    for (const file of markdown) {
      // Code blocks and code spans hold no links (docs/hostile-text.md shows `[text](destination)` as text).
      const text = readFileSync(join(app, 'node_modules/ztaudit', file), 'utf8').replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
      // Markdown links and images, [text](target) and ![alt](target), and HTML src/href attributes.
      const targets = [...text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g), ...text.matchAll(/\b(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
      for (const t of targets) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(t) || t.startsWith('#')) continue;
        const target = posix.normalize(posix.join(posix.dirname(file), t.split('#')[0]!));
        seen.add(target);
        if (!packed.includes(target) && !packed.some((p) => p.startsWith(`${target.replace(/\/$/, '')}/`))) unresolved.push(`${file}: ${t}`);
      }
    }
    // Not vacuous: the README's and deploy.md's links into the docs and the chart were followed.
    for (const t of ['docs/deploy.md', 'helm/ztaudit/values.yaml', 'helm/ztaudit/README.md']) expect([...seen]).toContain(t);
    expect(unresolved).toEqual([]);
  });

  it('`npx ztaudit --version` prints the package version', () => {
    const version = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
    expect(ok(sh('npx', ['--no-install', 'ztaudit', '--version'], app), 'npx ztaudit --version')).toBe(`ztaudit ${version}\n`);
  });

  it('`npx ztaudit run --manifests <demo>` audits and writes the HTML and JSON reports', () => {
    const r = sh('npx', ['--no-install', 'ztaudit', 'run', '--manifests', 'node_modules/ztaudit/examples/demo-cluster', '--config', 'node_modules/ztaudit/examples/ztaudit.demo.yaml', '--out', 'reports', '--history', 'none', '--no-notify'], app);
    ok(r, 'npx ztaudit run');
    expect(r.stdout).toMatch(/overall\s+\d+\.\d/);
    const report = JSON.parse(readFileSync(join(app, 'reports/report.json'), 'utf8')) as { findings: unknown[]; run: { source: string } };
    expect(report.run.source).toBe('manifests');
    expect(report.findings.length).toBeGreaterThan(0);
    expect(readFileSync(join(app, 'reports/report.html'), 'utf8')).toMatch(/^<!DOCTYPE html>/i);
  });

  it('writes a large report through its writer thread from node_modules (the compiled worker module is found)', () => {
    // Past the first 8 MiB a report file is written by a worker thread (src/base/write-behind.ts),
    // which loads its own module by URL: from dist/ that is the compiled .js beside it.
    const code = `
      import { closeSync, openSync, readFileSync } from 'node:fs';
      const { FileAppender } = await import('./node_modules/ztaudit/dist/src/base/write-behind.js');
      const chunk = Buffer.alloc(1 << 20);
      for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 31) & 0xff;
      const fd = openSync('large.bin', 'w');
      const file = new FileAppender(fd);
      for (let i = 0; i < 24; i++) file.write(chunk);
      file.finish();
      closeSync(fd);
      const back = readFileSync('large.bin');
      const same = back.length === 24 * chunk.length && back.every((b, i) => b === chunk[i % chunk.length]);
      console.log(file.behindBy, same);
    `;
    expect(ok(sh(process.execPath, ['--input-type=module', '-e', code], app), 'write-behind from dist').trim()).toBe('worker true');
  });

  it('`ztaudit serve` from node_modules answers /healthz, renders a stored run in its worker and stops cleanly on SIGTERM', async () => {
    const child = spawn(join(app, 'node_modules/.bin/ztaudit'), ['serve', '--schedule', '0 2 * * *', '--port', '0', '--manifests', 'node_modules/ztaudit/examples/demo-cluster', '--out', 'serve-reports', '--history', 'serve-history.db', '--no-notify'], { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve did not start:\n${stderr}`)), 60_000);
      child.stderr.on('data', (d: string) => {
        stderr += d;
        // Logs are JSON lines off a terminal; the start event carries the address really bound.
        for (const line of stderr.split('\n')) {
          if (!line.includes('"serve-start"')) continue;
          const e = JSON.parse(line) as { address: string; port: number };
          clearTimeout(timer);
          resolve(`http://${e.address}:${e.port}`);
        }
      });
      child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`serve exited ${code}:\n${stderr}`)); });
    });
    const res = await fetch(`${url}/healthz`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { status: string }).status).toBe('ok');
    // The start-up run, once stored, is rendered again by the worker module (compiled .js here).
    let latest: Response | undefined;
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 250))) {
      latest = await fetch(`${url}/report.json`);
      if (latest.status === 200) break;
    }
    expect(latest?.status).toBe(200);
    const id = ((await latest!.json()) as { run: { id: string } }).run.id;
    const page = await fetch(`${url}/runs/${id}`);
    expect(page.status, stderr).toBe(200);
    expect(await page.text()).toMatch(/^<!DOCTYPE html>/i);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 180_000);
});
