// `ztaudit run` gives the audit's freed heap back before it reads the history, renders and
// stores (edges.afterAudit = releaseFreedHeap; test/unit/pipeline/after-audit.test.ts has when
// the pipeline calls it, test/unit/base/heap.test.ts what it releases).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { releaseFreedHeap } from '../../../src/base/heap.ts';
import { captureIO } from '../../helpers/cli.ts';

vi.mock('../../../src/base/heap.ts', async (original) => ({ ...await original<typeof import('../../../src/base/heap.ts')>(), releaseFreedHeap: vi.fn(() => false) }));

const REPO = join(import.meta.dirname, '../../..');

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'ztaudit-release-')); vi.mocked(releaseFreedHeap).mockClear(); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('ztaudit run', () => {
  it('releases the freed heap once per run, with or without a history', async () => {
    const io = captureIO(REPO);
    expect(await main(['run', '--manifests', 'examples/demo-cluster', '--history', join(dir, 'h.db'), '--out', join(dir, 'out'), '--format', 'json', '--no-notify', '-q', '--fail-on', 'never'], io.cli)).toBe(0);
    expect(releaseFreedHeap).toHaveBeenCalledTimes(1);
    expect(await main(['run', '--manifests', 'examples/demo-cluster', '--history', 'none', '--out', join(dir, 'out2'), '--format', 'json', '--no-notify', '-q', '--fail-on', 'never'], io.cli)).toBe(0);
    expect(releaseFreedHeap).toHaveBeenCalledTimes(2);
  }, 60_000);
});
