// Writes docs/checks.md from the check registry, docs/architecture.md from the layering rules
// and the README's command table from the command definitions (never edited by hand).
// Usage: npm run docs   (unit tests fail when a committed file is stale)
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHECKS } from '../checks/index.ts';
import { catalogMarkdown } from '../src/cli/checks.ts';
import { buildProgram } from '../src/cli/main.ts';
import { commandTable, withCommandTable } from '../src/cli/reference.ts';
import { architectureMarkdown } from './architecture-doc.ts';

const root = join(import.meta.dirname, '..');
writeFileSync(join(root, 'docs', 'checks.md'), catalogMarkdown(CHECKS));
console.log(`docs/checks.md: ${CHECKS.length} checks`);
writeFileSync(join(root, 'docs', 'architecture.md'), architectureMarkdown());
console.log('docs/architecture.md: from .dependency-cruiser.mjs');

const program = buildProgram({ stdout: () => {}, stderr: () => {}, env: {}, isTTY: false, cwd: root });
const readmePath = join(root, 'README.md');
writeFileSync(readmePath, withCommandTable(readFileSync(readmePath, 'utf8'), commandTable(program)));
console.log(`README.md: command table, ${program.commands.length} commands`);
