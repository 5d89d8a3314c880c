// Files that ship beside the code (templates/, schemas/, package.json) are found from the
// package root, which is one directory up from src/ when the TypeScript sources run and two
// up from dist/src/ when the compiled JavaScript runs (from the repository, from
// node_modules after `npm install`, or from /app in the image).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'ztaudit') return dir;
    if (dirname(dir) === dir) throw new Error(`ztaudit's package.json not found above ${from}`);
  }
}

export const PACKAGE_ROOT = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

/** A file or directory shipped with the package (`files` in package.json). */
export function packagePath(...parts: string[]): string {
  return join(PACKAGE_ROOT, ...parts);
}

export const PACKAGE_VERSION: string = (JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string }).version;
