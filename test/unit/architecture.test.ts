// The layering stays true: dependency-cruiser's rules (.dependency-cruiser.mjs) reject a
// deliberately wrong import with the rule's name, only src/cli/main.ts touches the process's
// arguments and exit code, and docs/architecture.md is generated from the same table.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cruise, type ICruiseResult } from 'dependency-cruiser';
import { describe, expect, it } from 'vitest';
import config, { PARTS } from '../../.dependency-cruiser.mjs';
import { architectureMarkdown } from '../../scripts/architecture-doc.ts';

const REPO = join(import.meta.dirname, '..', '..');

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'zt-layers-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'));
  writeFileSync(join(root, 'tsconfig.json'), readFileSync(join(REPO, 'tsconfig.json')));
  return root;
}

async function violations(root: string): Promise<string[]> {
  const cwd = process.cwd();
  process.chdir(root);
  try {
    const r = await cruise(['src', 'checks'], { validate: true, ruleSet: config as never, tsPreCompilationDeps: true, doNotFollow: { path: 'node_modules' } });
    return (r.output as ICruiseResult).summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to.replace(/^.*?node_modules\//, 'node_modules/')}`).sort();
  } finally {
    process.chdir(cwd);
  }
}

describe('dependency rules', () => {
  it('reject wrong imports, naming the rule they break', async () => {
    const root = tree({
      'src/engine/types.ts': 'export interface Check { id: string }\n',
      'src/analysis/wrong.ts': "import type { Check } from '../engine/types.ts';\nexport const x: Check | null = null;\n",
      'src/report/also-wrong.ts': "import { x } from '../analysis/wrong.ts';\nexport const y = x;\n",
      'checks/reads-files.ts': "import { readFileSync } from 'node:fs';\nexport const z = readFileSync;\n",
      'src/history/a.ts': "import { b } from './b.ts';\nexport const a = () => b;\n",
      'src/history/b.ts': "import { a } from './a.ts';\nexport const b = () => a;\n",
      'src/collect/client.ts': "import { KubeConfig } from '@kubernetes/client-node';\nexport const k = KubeConfig;\n",
    });
    expect(await violations(root)).toEqual([
      'analysis-must-not-import-engine: src/analysis/wrong.ts -> src/engine/types.ts',
      'client-node-only-in-kube: src/collect/client.ts -> node_modules/@kubernetes/client-node/dist/index.js',
      'no-cycles: src/history/a.ts -> src/history/b.ts',
      'pure-core-does-no-io: checks/reads-files.ts -> fs',
      'report-must-not-import-analysis: src/report/also-wrong.ts -> src/analysis/wrong.ts',
    ]);
  }, 60_000);

  it('hold for the repository as it stands', async () => {
    expect(await violations(REPO)).toEqual([]);
  }, 60_000);

  it('name every part that exists, and only those', () => {
    const dirs = ['src', ...readdirSync(join(REPO, 'src'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => `src/${d.name}`)];
    const parts = new Set(PARTS.map((p) => p.path));
    expect(dirs.filter((d) => d !== 'src' && !parts.has(d))).toEqual([]);
    expect(readdirSync(join(REPO, 'src'), { withFileTypes: true }).filter((d) => d.isFile()).map((d) => d.name)).toEqual([]);
    for (const p of PARTS) expect(readdirSync(join(REPO, p.path)).length, p.path).toBeGreaterThan(0);
  });
});

describe('the process', () => {
  // bin/ztaudit.cjs too: on a Node too old to load the modules it exits 2 before loading them.
  const ENTRIES = new Set(['src/cli/main.ts', 'bin/ztaudit.cjs']);
  it('only src/cli/main.ts (and the launcher bin/ztaudit.cjs) reads process.argv, sets process.exitCode or calls process.exit', () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(join(REPO, dir), { withFileTypes: true })) {
        const rel = `${dir}/${e.name}`;
        if (e.isDirectory()) walk(rel);
        else if (/\.(ts|js|mjs|cjs)$/.test(e.name) && !ENTRIES.has(rel)) {
          const code = readFileSync(join(REPO, rel), 'utf8').replace(/^\s*\/\/.*$/gm, '').replace(/\/\*[\s\S]*?\*\//g, '');
          for (const m of code.matchAll(/process\s*\.\s*(argv|exitCode|exit)\b/g)) offenders.push(`${rel}: process.${m[1]}`);
        }
      }
    };
    for (const dir of ['src', 'checks', 'bin']) walk(dir);
    expect(offenders).toEqual([]);
  });
});

describe('docs/architecture.md', () => {
  it('is what `npm run docs` generates from .dependency-cruiser.mjs', () => {
    expect(readFileSync(join(REPO, 'docs/architecture.md'), 'utf8')).toBe(architectureMarkdown());
  });
});
