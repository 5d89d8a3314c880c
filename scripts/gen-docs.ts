// Writes docs/checks.md from the check registry (never edited by hand).
// Usage: npm run docs   (a unit test fails when the committed file is stale)
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHECKS } from '../checks/index.ts';
import { catalogMarkdown } from '../src/cli/checks.ts';

writeFileSync(join(import.meta.dirname, '..', 'docs', 'checks.md'), catalogMarkdown(CHECKS));
console.log(`docs/checks.md: ${CHECKS.length} checks`);
