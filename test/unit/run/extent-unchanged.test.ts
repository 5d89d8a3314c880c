// A later run's diff compares each open finding's extent with the one stored before
// (src/run/extent.ts widenedMembers): most are unchanged, and then nothing was added without a
// member being hashed (in a profiled 150,000-pod bench run, this comparison was 678 of the diff's
// 1,203 ms, 384 ms of it hashing). An extent that differs anywhere is still compared member by
// member.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { hash } from 'node:crypto';
import { extentOf, EXTENT_LISTED, widenedMembers } from '../../../src/run/extent.ts';

vi.mock('node:crypto', async (importOriginal) => {
  const crypto = await importOriginal<typeof import('node:crypto')>();
  return { ...crypto, hash: vi.fn(crypto.hash) };
});

const workloads = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `Deployment shop/w${String(from + i).padStart(3, '0')}`);
/** An extent as a stored run gives it back: equal, not the same objects. */
const stored = (e: unknown) => JSON.parse(JSON.stringify(e)) as unknown;

describe('widenedMembers on an extent the previous run stored', () => {
  beforeEach(() => { vi.mocked(hash).mockClear(); });

  it('unchanged past the listing (30 workloads, 10 known by hash): not widened, and no member hashed', () => {
    const e = extentOf('workloads', workloads(EXTENT_LISTED + 10));
    vi.mocked(hash).mockClear();
    expect(widenedMembers(stored(e), e)).toBeNull();
    expect(hash).not.toHaveBeenCalled();
  });

  it('one workload past the listing replaced by another: the same count, one hash added', () => {
    const before = extentOf('workloads', workloads(EXTENT_LISTED + 10));
    const after = extentOf('workloads', [...workloads(EXTENT_LISTED + 9), 'Deployment shop/w999']);
    expect(widenedMembers(stored(before), after)).toEqual({ named: [], others: 1 });
  });

  it('a listed workload replaced by one sorting first: named', () => {
    const before = extentOf('workloads', workloads(3, 1));
    const after = extentOf('workloads', [...workloads(1), ...workloads(2, 2)]);
    expect(widenedMembers(stored(before), after)).toEqual({ named: ['Deployment shop/w000'], others: 0 });
  });

  it('a run stored before member hashes (a digest past the listing): another digest at the same count widened, the same one did not', () => {
    const legacy = (digest: string) => ({ unit: 'workloads', count: EXTENT_LISTED + 1, members: workloads(EXTENT_LISTED), digest });
    expect(widenedMembers(legacy('aaaa'), legacy('bbbb'))).toEqual({ named: [], others: 0 });
    expect(widenedMembers(legacy('aaaa'), legacy('aaaa'))).toBeNull();
  });
});
