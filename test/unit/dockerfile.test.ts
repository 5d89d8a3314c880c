// The Dockerfile's instructions, parsed and held to what the image promises: Node 24 bases,
// the compiled dist/ (Node never strips types under node_modules), production dependencies
// only, the app in /app, a non-root user, `ztaudit` on PATH as ENTRYPOINT, no secrets.
// scripts/build-image.sh (run by .ci/run) builds the image from this file and runs it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helm/helm.ts';
import { describeMalloc, IMAGE_MALLOC_ENV, mallocEnv } from '../../bench/malloc.ts';

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

  it('installs production dependencies only, from the lock file, and compiles in a stage of its own', () => {
    const runs = stages.flatMap((s) => of(s, 'RUN')).map((r) => r.args);
    for (const r of runs.filter((x) => /\bnpm\b/.test(x))) {
      expect(r).not.toMatch(/\bnpm (install|i)\b/);
      if (/\bnpm ci\b/.test(r)) expect(r).toMatch(/--ignore-scripts/);
    }
    // node_modules reach the image only from the dependency stage, never from the build context.
    for (const s of stages) for (const c of contextCopies(s)) {
      for (const src of c.sources) expect(src, `line: COPY ${c.sources.join(' ')}`).not.toMatch(/^(\.|\.\/|\*|node_modules.*|dist.*)$/);
    }
    const fromStages = of(final, 'COPY').filter((c) => /--from=/.test(c.args)).map((c) => /^--from=(\S+) (\S+) (\S+)$/.exec(c.args)!.slice(1));
    const modules = fromStages.filter(([, src]) => /node_modules/.test(src!));
    expect(modules).toEqual([[expect.any(String), '/app/node_modules', './node_modules']]);
    const depsStage = stages.find((s) => s.name === modules[0]![0])!;
    expect(contextCopies(depsStage).flatMap((c) => c.sources).sort()).toEqual(['package-lock.json', 'package.json']);
    expect(of(depsStage, 'RUN').map((r) => r.args).join('\n')).toMatch(/\bnpm ci\b[^&]*--omit=dev/);
    // dist/ comes from a stage that ran the build, never from the context.
    const dist = fromStages.filter(([, , dest]) => dest === './dist');
    expect(dist.length).toBe(1);
    const buildStage = stages.find((s) => s.name === dist[0]![0])!;
    expect(of(buildStage, 'RUN').map((r) => r.args)).toContain('npm run build');
    expect(dist[0]![1]).toBe(`${workdir(buildStage)}/dist`);
  });

  it('puts the app in /app with everything the npm package ships, and nothing under node_modules', () => {
    expect(workdir(final)).toBe('/app');
    const copied = of(final, 'COPY').map((c) => {
      const parts = c.args.replace(/--\S+/g, '').trim().split(/\s+/);
      return { sources: parts.slice(0, -1), dest: resolveDest(final, parts.at(-1)!) };
    });
    for (const c of copied.filter((x) => !x.sources.some((src) => src.endsWith('node_modules')))) expect(c.dest).not.toMatch(/node_modules/);
    const dests = new Set(copied.map((c) => c.dest.replace(/\/$/, '')));
    // package.json `files` is what the app needs at run time, and docs/ and helm/, shipped so the
    // README's and the docs' links resolve in node_modules; the image has no README
    // (.dockerignore leaves docs and helm out).
    const linkedOnly = new Set(['docs', 'helm']);
    for (const f of pkg.files.filter((x) => !linkedOnly.has(x))) expect(dests, f).toContain(`/app/${f}`);
    expect(contextCopies(final).flatMap((c) => c.sources)).toContain('package.json');
  });

  it('ships the Apache-2.0 LICENSE in /app, as the npm package does (section 4(a): every copy carries it)', () => {
    // https://www.apache.org/licenses/LICENSE-2.0#redistribution
    const license = contextCopies(final).find((c) => c.sources.includes('LICENSE'));
    expect(license, 'COPY LICENSE in the runtime stage').toBeDefined();
    expect(resolveDest(final, license!.dest).replace(/\/$/, '')).toBe('/app');
    expect(readFileSync(join(REPO, 'LICENSE'), 'utf8')).toMatch(/Apache License\s+Version 2\.0/);
    // .dockerignore does not leave it out of the build context.
    const ignore = readFileSync(join(REPO, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    expect(ignore.filter((p) => /^(LICENSE|\*|LICEN[SC]E\*?)$/.test(p))).toEqual([]);
  });

  it('runs as a non-root user with `ztaudit` (the compiled launcher) on PATH as ENTRYPOINT and `run` as CMD', () => {
    const user = of(final, 'USER').at(-1)?.args;
    expect(user).toBeDefined();
    const name = user!.split(':')[0]!;
    expect(['root', '0']).not.toContain(name);
    expect(name).toMatch(/^[1-9]\d*$/); // numeric, so Kubernetes' runAsNonRoot can check it
    expect(of(final, 'ENTRYPOINT').at(-1)?.args).toBe('["ztaudit"]');
    expect(of(final, 'CMD').at(-1)?.args).toBe('["run"]');
    expect(pkg.bin.ztaudit).toBe('dist/bin/ztaudit.cjs');
    const link = of(final, 'RUN').map((r) => r.args).find((r) => r.includes(`ln -s /app/${pkg.bin.ztaudit} /usr/local/bin/ztaudit`));
    expect(link).toBeDefined();
    expect(readFileSync(join(REPO, 'bin', 'ztaudit.cjs'), 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
    // USER comes after every RUN of the final stage (nothing runs as root afterwards).
    const userLine = of(final, 'USER').at(-1)!.line;
    for (const r of of(final, 'RUN')) expect(r.line).toBeLessThan(userLine);
  });

  it("sets glibc malloc's mmap threshold, the setting the benches measure the image by", () => {
    const env = new Map(of(final, 'ENV').flatMap((i) => i.args.split(/\s+/).map((kv) => kv.split('=') as [string, string])));
    for (const [k, v] of Object.entries(IMAGE_MALLOC_ENV)) expect(env.get(k), k).toBe(v);
    // The benches' children: the image's setting unless asked for glibc's own; a value set in
    // the environment wins either way.
    expect(mallocEnv({}, false)).toEqual({ MALLOC_MMAP_THRESHOLD_: '131072' });
    expect(mallocEnv({}, true)).toEqual({});
    expect(mallocEnv({ MALLOC_MMAP_THRESHOLD_: '65536', MALLOC_ARENA_MAX: '2' }, true)).toEqual({ MALLOC_MMAP_THRESHOLD_: '65536', MALLOC_ARENA_MAX: '2' });
    expect(describeMalloc(mallocEnv({}, false))).toBe("MALLOC_MMAP_THRESHOLD_=131072 (the image's)");
    expect(describeMalloc({})).toBe("glibc malloc's defaults");
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
});
