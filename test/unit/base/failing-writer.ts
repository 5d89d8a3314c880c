// A stand-in for the write-behind worker (src/base/write-behind-worker.ts) on a disk that fills
// up: the real worker's loop (serveWrites), whose third write fails with ENOSPC as the kernel
// fails a write to a full disk.
import { workerData } from 'node:worker_threads';
import { serveWrites, writeWhole, type WriteBehindLayout } from '../../../src/base/write-behind.ts';

const layout = workerData as WriteBehindLayout;
let writes = 0;
serveWrites(layout, (bytes, at) => {
  if (++writes > 2) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  writeWhole(layout.fd, bytes, at);
});
