// `npm test`: type-check, check the dependency rules (.dependency-cruiser.mjs, see
// docs/architecture.md), then every vitest tier (unit, conformance, helm, cluster, e2e) in one
// run, then one plain closing line "N passed, N failed[, N skipped]" for CI to read.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';

const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  console.error(`npm test needs Node >= 22 (found ${process.versions.node}): run it through npm (npm test), whose scripts get Node 24 from the \`node\` devDependency`);
  process.exit(2);
}
const run = (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit' }).status ?? 1;

if (run('npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']) !== 0) {
  console.error('type-check failed');
  console.log('0 passed, 1 failed');
  process.exit(1);
}
// A wrong import fails here with the rule it breaks, e.g. "error analysis-must-not-import-engine: …".
if (run('npx', ['depcruise', 'src', 'checks', 'bin', '--config', '.dependency-cruiser.mjs']) !== 0) {
  console.error('dependency rules broken: see the rule named above and docs/architecture.md');
  console.log('0 passed, 1 failed');
  process.exit(1);
}
mkdirSync('test-results', { recursive: true });
const extra = process.argv.slice(2);
const status = run('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', '--outputFile.json=test-results/vitest.json', ...extra]);
try {
  const r = JSON.parse(readFileSync('test-results/vitest.json', 'utf8'));
  const skipped = r.numPendingTests + r.numTodoTests;
  // A suite that failed to load has no failed test but must not read as green.
  const failed = r.numFailedTests + (status !== 0 && r.numFailedTests === 0 ? Math.max(1, r.numFailedTestSuites) : 0);
  console.log(`${r.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
} catch {
  console.log('0 passed, 1 failed');
}
process.exit(status);
