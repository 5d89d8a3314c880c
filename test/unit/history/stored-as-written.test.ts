// gzip of report.json in members read through one descriptor: a member that fails stops the
// others before their next read, and the failure is reported once they have stopped.
import { setImmediate } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { FileHandle } from 'node:fs/promises';
import { gzipFrom } from '../../../src/history/gzip-json.ts';

/** Past a tick of the clock that stamps mtime and ctime (coarse on Linux: a few ms). */
const tick = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('gzipFrom, when one member fails', () => {
  it('rejects with its error once the other members have stopped reading, none of them reading on', async () => {
    const size = 64 << 20; // four members of 16 MiB
    const failAt = (16 << 20) + (2 << 20); // the second member's third read
    let failed = false;
    let readsAfter = 0;
    let reading = 0;
    const file = {
      read: async (buffer: Buffer, offset: number, length: number, position: number) => {
        if (failed) readsAfter++;
        reading++;
        try {
          await setImmediate();
          if (position === failAt) {
            failed = true;
            throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
          }
          buffer.fill(0, offset, offset + length);
          return { bytesRead: length, buffer };
        } finally {
          reading--;
        }
      },
    } as unknown as FileHandle;
    await expect(gzipFrom(file, size, 4)).rejects.toThrow('EIO');
    expect(reading).toBe(0); // the caller may close the file and fall back
    await tick();
    expect(readsAfter).toBeLessThanOrEqual(3); // at most one each, begun as it failed (0 here); each has 12 or more to go
  });
});
