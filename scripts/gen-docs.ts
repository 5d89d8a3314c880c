// Writes docs/checks.md from the check registry and docs/architecture.md from the layering
// rules (never edited by hand).
// Usage: npm run docs   (unit tests fail when a committed file is stale)
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHECKS } from '../checks/index.ts';
import { catalogMarkdown } from '../src/cli/checks.ts';
import { architectureMarkdown } from './architecture-doc.ts';

writeFileSync(join(import.meta.dirname, '..', 'docs', 'checks.md'), catalogMarkdown(CHECKS));
console.log(`docs/checks.md: ${CHECKS.length} checks`);
writeFileSync(join(import.meta.dirname, '..', 'docs', 'architecture.md'), architectureMarkdown());
console.log('docs/architecture.md: from .dependency-cruiser.mjs');
