// The Dockerfile cannot be built here (no Docker engine), so its instructions are parsed and
// held to what the image promises: Node 24 bases, production dependencies only, the app in
// /app (not node_modules), a non-root user, `ztaudit` on PATH as ENTRYPOINT, no secrets.
// Then the /app tree those COPY lines would produce is assembled and actually run.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO } from '../helm/helm.ts';

interface Instruction { op: string; args: string; line: number }

/** Dockerfile syntax enough for this file: comments, parser directives, `\` continuations. */
function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i]!;
    if (/^\s*(#|$)/.test(line)) continue;
    while (/\\\s*$/.test(line) && i + 1 < lines.length) {
      line = line.replace(/\\\s*$/, ' ');
      i++;
      if (!/^\s*#/.test(lines[i]!)) line += lines[i]!.trim();
    }
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!m) throw new Error(`line ${start + 1}: not an instruction: ${line}`);
    out.push({ op: m[1]!.toUpperCase(), args: m[2]!.trim(), line: start + 1 });
  }
  return out;
}

interface Stage { name: string; image: string; instructions: Instruction[] }

function stagesOf(instructions: Instruction[]): Stage[] {
  const globalArgs = new Map<string, string>();
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.op === 'ARG' && stages.length === 0) {
      const [k, v = ''] = ins.args.split('=');
      globalArgs.set(k!, v);
    } else if (ins.op === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args)!;
      const image = m[1]!.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a: string | undefined, b: string | undefined) => globalArgs.get((a ?? b)!) ?? '');
      stages.push({ name: m[2] ?? String(stages.length), image, instructions: [] });
    } else {
      stages.at(-1)?.instructions.push(ins);
    }
  }
  return stages;
}

const dockerfile = readFileSync(join(REPO, 'Dockerfile'), 'utf8');
const instructions = parseDockerfile(dockerfile);
const stages = stagesOf(instructions);
const final = stages.at(-1)!;
const of = (stage: Stage, op: string) => stage.instructions.filter((i) => i.op === op);
const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { files: string[]; bin: Record<string, string> };

/** COPY sources and destination, for copies from the build context (not --from). */
function contextCopies(stage: Stage): Array<{ sources: string[]; dest: string }> {
  return of(stage, 'COPY').filter((c) => !/--from=/.test(c.args)).map((c) => {
    const parts = c.args.replace(/--\S+/g, '').trim().split(/\s+/);
    return { sources: parts.slice(0, -1), dest: parts.at(-1)! };
  });
}

const workdir = (stage: Stage) => of(stage, 'WORKDIR').at(-1)?.args ?? '/';
const resolveDest = (stage: Stage, dest: string) => (dest.startsWith('/') ? dest : join(workdir(stage), dest));

describe('Dockerfile', () => {
  it('is multi-stage and every stage builds on Node 24', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const s of stages) expect(s.image, `stage ${s.name}`).toMatch(/^(docker\.io\/(library\/)?)?node:24(\.\d+)*(-[a-z0-9.-]+)?(@sha256:[0-9a-f]{64})?$|^gcr\.io\/distroless\/nodejs24/);
  });

  it('installs production dependencies only, from the lock file', () => {
    const runs = stages.flatMap((s) => of(s, 'RUN')).map((r) => r.args);
    const npm = runs.filter((r) => /\bnpm\b/.test(r));
    expect(npm.some((r) => /\bnpm ci\b[^&]*--omit=dev/.test(r))).toBe(true);
    for (const r of npm) {
      expect(r).not.toMatch(/\bnpm (install|i)\b/);
      if (/\bnpm ci\b/.test(r)) expect(r).toMatch(/--omit=dev/);
    }
    // node_modules reach the image only from the dependency stage, never from the build context.
    for (const s of stages) for (const c of contextCopies(s)) {
      for (const src of c.sources) expect(src, `line: COPY ${c.sources.join(' ')}`).not.toMatch(/^(\.|\.\/|\*|node_modules.*)$/);
    }
    const fromDeps = of(final, 'COPY').filter((c) => /--from=/.test(c.args));
    expect(fromDeps.map((c) => c.args)).toEqual([expect.stringMatching(/^--from=\S+ \/app\/node_modules \.\/node_modules$/)]);
    const depsStage = stages.find((s) => /--from=(\S+)/.exec(fromDeps[0]!.args)![1] === s.name)!;
    expect(contextCopies(depsStage).flatMap((c) => c.sources).sort()).toEqual(['package-lock.json', 'package.json']);
  });

  it('puts the app in /app, outside node_modules (type stripping skips node_modules), with everything it ships', () => {
    expect(workdir(final)).toBe('/app');
    const copied = contextCopies(final).map((c) => ({ ...c, dest: resolveDest(final, c.dest) }));
    for (const c of copied) expect(c.dest).not.toMatch(/node_modules/);
    const shipped = new Set(copied.flatMap((c) => c.sources));
    // package.json `files` is what the app needs at run time; the chart is not part of the image.
    for (const f of pkg.files.filter((f) => f !== 'helm')) expect(shipped, f).toContain(f);
    expect(shipped).toContain('package.json');
  });

  it('runs as a non-root user with `ztaudit` on PATH as ENTRYPOINT and `run` as CMD', () => {
    const user = of(final, 'USER').at(-1)?.args;
    expect(user).toBeDefined();
    const name = user!.split(':')[0]!;
    expect(['root', '0']).not.toContain(name);
    expect(name).toMatch(/^[1-9]\d*$/); // numeric, so Kubernetes' runAsNonRoot can check it
    expect(of(final, 'ENTRYPOINT').at(-1)?.args).toBe('["ztaudit"]');
    expect(of(final, 'CMD').at(-1)?.args).toBe('["run"]');
    const link = of(final, 'RUN').map((r) => r.args).find((r) => /ln -s \/app\/bin\/ztaudit\.js \/usr\/local\/bin\/ztaudit\b/.test(r));
    expect(link).toBeDefined();
    expect(pkg.bin.ztaudit).toBe('bin/ztaudit.js');
    expect(readFileSync(join(REPO, 'bin', 'ztaudit.js'), 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
    // USER comes after every RUN of the final stage (nothing runs as root afterwards).
    const userLine = of(final, 'USER').at(-1)!.line;
    for (const r of of(final, 'RUN')) expect(r.line).toBeLessThan(userLine);
  });

  it('carries no secrets: no credential-like ENV/ARG, no credential files in the build context', () => {
    for (const s of stages) for (const i of [...of(s, 'ENV'), ...of(s, 'ARG')]) {
      expect(i.args, `line ${i.line}`).not.toMatch(/(TOKEN|PASSWORD|SECRET|SMTP_URL|API_KEY|PRIVATE_KEY)/i);
    }
    for (const s of stages) for (const c of contextCopies(s)) for (const src of c.sources) {
      expect(src).not.toMatch(/\.env|\.pem$|\.key$|kubeconfig|\.npmrc|\.kube/);
    }
    const ignore = readFileSync(join(REPO, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    for (const p of ['**/node_modules', '.git', '.env', '.env.*', '*.pem', '*.key', '.npmrc', 'kubeconfig*', 'test']) expect(ignore, p).toContain(p);
  });

  describe('the /app tree its COPY lines produce', () => {
    const root = mkdtempSync(join(tmpdir(), 'ztaudit-image-'));
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    it('runs an audit of the demo cluster writing only to --out (what the read-only image allows)', () => {
      const app = join(root, 'app');
      for (const c of contextCopies(final)) {
        const dest = resolveDest(final, c.dest);
        expect(dest.startsWith('/app')).toBe(true);
        const rel = dest.slice('/app'.length).replace(/^\/|\/$/g, '');
        const intoDir = c.dest.endsWith('/') || c.sources.length > 1 || rel === '';
        for (const src of c.sources) cpSync(join(REPO, src), join(app, intoDir ? join(rel, basename(src)) : rel), { recursive: true });
      }
      symlinkSync(join(REPO, 'node_modules'), join(app, 'node_modules'));
      expect(existsSync(join(app, 'bin', 'ztaudit.js'))).toBe(true);
      const out = join(root, 'tmp', 'reports');
      const r = spawnSync(process.execPath, [join(app, 'bin', 'ztaudit.js'), 'run', '--manifests', join(app, 'examples', 'demo-cluster'), '--history', 'none', '--no-notify', '--out', out, '--format', 'html,json', '--quiet'], {
        cwd: app, encoding: 'utf8', timeout: 60_000, env: { PATH: process.env.PATH ?? '', HOME: join(root, 'nohome') },
      });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
      expect(report.findings.length).toBeGreaterThan(0);
      // Nothing was written into the app tree itself.
      expect(existsSync(join(app, 'reports'))).toBe(false);
      expect(existsSync(join(app, '.ztaudit'))).toBe(false);
    });
  });
});
