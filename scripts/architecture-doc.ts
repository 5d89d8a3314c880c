// docs/architecture.md, generated from the layering table in .dependency-cruiser.mjs (the same
// data dependency-cruiser enforces), so the page cannot drift from the rules.
import { OTHER_RULES, PARTS, type Part } from '../.dependency-cruiser.mjs';


/** The allowed arrows without those implied by a longer allowed path (what a reader needs). */
function reducedArrows(parts: readonly Part[]): Array<[string, string]> {
  const may = new Map(parts.map((p) => [p.name, new Set(p.may)]));
  const reach = (from: string, seen = new Set<string>()): Set<string> => {
    for (const next of may.get(from) ?? []) if (!seen.has(next)) { seen.add(next); reach(next, seen); }
    return seen;
  };
  const out: Array<[string, string]> = [];
  for (const p of parts) {
    for (const to of p.may) {
      const viaOther = p.may.some((other) => other !== to && reach(other).has(to));
      if (!viaOther) out.push([p.name, to]);
    }
  }
  return out;
}

export function architectureMarkdown(): string {
  const parts: readonly Part[] = PARTS;
  const lines = [
    '# Architecture',
    '',
    'Generated from `.dependency-cruiser.mjs` by `npm run docs`; do not edit by hand. `npm test` runs',
    'dependency-cruiser with these rules before the test tiers: an import that crosses a line not',
    'drawn here fails with the rule it breaks, and a unit test fails when this page is stale.',
    '',
    'The data flows one way: collect → snapshot → analysis → checks → engine → diff → render →',
    'notify and publish. The pipeline runs one audit over the edges it is handed; the CLI and the',
    'daemon build those edges and start it.',
    '',
    '## Parts, bottom first',
    '',
    '| part | path | holds | may import |',
    '|---|---|---|---|',
    ...parts.map((p) => `| ${p.name} | \`${p.path}/\` | ${p.holds} | ${p.may.join(', ') || '(no other part)'} |`),
    '',
    '## Arrows',
    '',
    'Each arrow is an allowed import; arrows implied by a longer path are left out (the table lists',
    'them all). Every import not allowed is a rule named `<part>-must-not-import-<part>`.',
    '',
    '```mermaid',
    'flowchart TD',
    ...reducedArrows(parts).map(([a, b]) => `  ${a} --> ${b}`),
    '```',
    '',
    '## Other rules',
    '',
    ...OTHER_RULES.map((r) => `- \`${r.name}\`: ${r.comment}`),
    '- Only `src/cli/main.ts` reads `process.argv`, sets `process.exitCode` or calls `process.exit`',
    '  (test/unit/architecture.test.ts scans the sources; dependency-cruiser sees imports only).',
    '',
    '## A wrong import fails',
    '',
    '```sh',
    'printf "import \'../engine/types.ts\';\\n" > src/analysis/zz-wrong.ts',
    'npx depcruise src checks bin --config .dependency-cruiser.mjs; rm src/analysis/zz-wrong.ts',
    '#   error analysis-must-not-import-engine: src/analysis/zz-wrong.ts → src/engine/types.ts',
    '#   x 1 dependency violations (1 errors, 0 warnings). …   (exit code 1)',
    '```',
    '',
    'test/unit/architecture.test.ts does the same in a temporary tree, for a wrong arrow, a cycle,',
    'file I/O in a check and client-node outside `src/kube/`.',
    '',
    '## Moving code without changing behaviour',
    '',
    'A change that only moves code must leave the reports byte-identical apart from run ids and',
    'timestamps. Write them with the commit before and with the commit after, from the same inputs',
    'and on the same day (certificate expiry is judged against the run\'s start): the demo with',
    '`npm start` (reports/report.json), the bench S snapshot with `node bench/run.ts --size S`',
    '(bench/out/report.json; copy bench/out/cluster-S.snap.json.gz across so both read the same',
    'file). Then compare:',
    '',
    '```sh',
    'node scripts/compare-reports.ts BEFORE/report.json AFTER/report.json   # or two directories',
    '```',
    '',
    'It prints `identical: <file>` per report, or the first differing line, and exits 1 on any',
    'difference.',
    '',
  ];
  return lines.join('\n');
}
