// Large reports are written by a worker thread behind the thread that encodes them
// (src/base/write-behind.ts). The file must be the same bytes as if this thread wrote it, a
// failed write must reach the writer with its code, and a file thrown away must get no more
// bytes once abort returns (its descriptor number is reused by the next file opened).
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileAppender, WriteBehind } from '../../../src/base/write-behind.ts';
import { writeStreamed } from '../../../src/report/render.ts';

const dir = mkdtempSync(join(tmpdir(), 'write-behind-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Deterministic chunks of 1 byte to 3 slots, with every byte value. */
function chunks(count: number, maxBytes: number, seed = 7): Buffer[] {
  let x = seed;
  const next = () => (x = (x * 1103515245 + 12345) % 2147483648);
  return Array.from({ length: count }, () => {
    const b = Buffer.alloc(1 + (next() % maxBytes));
    for (let i = 0; i < b.length; i++) b[i] = next() & 0xff;
    return b;
  });
}

describe('WriteBehind', () => {
  it('writes the chunks in order, through a ring smaller than many of them', () => {
    const path = join(dir, 'ring.bin');
    const parts = chunks(600, 3 * 4096);
    const fd = openSync(path, 'w');
    const behind = new WriteBehind(fd, { slots: 2, slotBytes: 4096 });
    // The caller reuses its buffer at once: the bytes are copied before write returns.
    const scratch = Buffer.alloc(3 * 4096);
    for (const part of parts) {
      part.copy(scratch);
      behind.write(scratch.subarray(0, part.length));
      scratch.fill(0);
    }
    behind.finish();
    closeSync(fd);
    expect(readFileSync(path).equals(Buffer.concat(parts))).toBe(true);
    expect(behind.writer).toBe('worker');
  });

  it("throws the write's own error, with its code, to the writer (the disk full)", () => {
    const fd = openSync('/dev/full', 'w');
    try {
      const behind = new WriteBehind(fd, { slots: 2, slotBytes: 4096 });
      const write = () => {
        for (const part of chunks(100, 4096)) behind.write(part);
        behind.finish();
      };
      expect(write).toThrow(expect.objectContaining({ code: 'ENOSPC', message: expect.stringContaining('no space left on device') }));
      behind.abort();
    } finally {
      closeSync(fd);
    }
  });

  it('writes nothing more once abort returns, even to a file that reuses the descriptor number', async () => {
    const first = join(dir, 'abandoned.bin');
    const fd = openSync(first, 'w');
    // More chunks than the ring holds, so the worker is running, and 32 MiB still queued when
    // abort is called.
    const behind = new WriteBehind(fd, { slots: 17, slotBytes: 2 << 20 });
    const part = Buffer.alloc(2 << 20, 0x61);
    for (let i = 0; i < 48; i++) behind.write(part);
    behind.abort();
    closeSync(fd);
    const next = join(dir, 'next.bin');
    const reused = openSync(next, 'w');
    await new Promise((resolve) => setTimeout(resolve, 300));
    closeSync(reused);
    expect(reused).toBe(fd);
    expect(statSync(next).size).toBe(0);
  });

  it('sees a close made between its worker\'s look and its wait: abort returns at once', async () => {
    const fd = openSync(join(dir, 'late-close.bin'), 'w');
    const channel = new BroadcastChannel('late-wait-writer');
    try {
      const waiting = new Promise((resolve) => { channel.onmessage = resolve; });
      const behind = new WriteBehind(fd, { workerUrl: new URL('./late-wait-writer.ts', import.meta.url) });
      behind.write(Buffer.alloc(10));
      behind.sync(); // one chunk written
      await waiting; // the worker saw nothing more to do, and is about to wait
      const started = performance.now();
      behind.abort();
      // A close the worker missed kept it asleep for its whole wait (1 s before, for ever now).
      expect(performance.now() - started).toBeLessThan(500);
    } finally {
      channel.close();
      closeSync(fd);
    }
  });

  it('writes everything from this thread when the worker cannot start', () => {
    const path = join(dir, 'no-worker.bin');
    const parts = chunks(50, 8192);
    const fd = openSync(path, 'w');
    const behind = new WriteBehind(fd, { slots: 2, slotBytes: 4096, startTimeoutMs: 50, workerUrl: new URL('./no-such-worker.ts', import.meta.url) });
    for (const part of parts) behind.write(part);
    behind.finish();
    closeSync(fd);
    expect(readFileSync(path).equals(Buffer.concat(parts))).toBe(true);
    expect(behind.writer).toBe('this thread');
  });
});

describe('FileAppender and writeStreamed', () => {
  /** `parts` through a FileAppender that writes 100,000 bytes itself: the file, and who wrote the rest. */
  const appended = (name: string, parts: Buffer[]) => {
    const path = join(dir, name);
    const fd = openSync(path, 'w');
    const file = new FileAppender(fd, 100_000, { slots: 3, slotBytes: 8192 });
    for (const part of parts) file.write(part);
    file.finish();
    file.abort(); // after finish: nothing to do
    closeSync(fd);
    return { bytes: readFileSync(path), behindBy: file.behindBy };
  };

  it('starts a writer thread only past its first bytes, and the file is the same either way', () => {
    const parts = chunks(200, 20000);
    const { bytes, behindBy } = appended('appender.bin', parts);
    expect(bytes.equals(Buffer.concat(parts))).toBe(true);
    expect(behindBy).toBe('worker');
  });

  it('writes a file smaller than its threshold from this thread alone', () => {
    const parts = chunks(20, 2000);
    const { bytes, behindBy } = appended('small.bin', parts);
    expect(bytes.equals(Buffer.concat(parts))).toBe(true);
    expect(behindBy).toBe('none');
  });

  it('writes a report past the write-behind threshold whole, text and spooled bytes in order', async () => {
    const path = join(dir, 'large.json');
    const blob = Buffer.from('"spooled ✓ bytes"'.repeat(200_000)); // > the batch: handed over as is
    const expected: Buffer[] = [];
    await writeStreamed(path, (out) => {
      for (let i = 0; i < 60_000; i++) {
        const text = `{"i":${i},"name":"ns-${i}/pod-ä-${'x'.repeat(i % 300)}"},\n`;
        out.text(text);
        expected.push(Buffer.from(text));
        if (i % 20_000 === 0) {
          out.bytes(blob);
          expected.push(blob);
        }
      }
    });
    const written = readFileSync(path);
    expect(written.length).toBeGreaterThan(16 << 20);
    expect(written.equals(Buffer.concat(expected))).toBe(true);
  });
});
