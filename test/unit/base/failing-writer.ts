// A stand-in for the write-behind worker (src/base/write-behind-worker.ts) on a disk that fills
// up: it writes the first two chunks handed to it, as the real one does, then fails the third
// with ENOSPC, recorded as the real worker records a failed write.
import { workerData } from 'node:worker_threads';
import { CONTROL, STATE, recordFailure, regionsOf, writeWhole, type WriteBehindLayout } from '../../../src/base/write-behind.ts';

const layout = workerData as WriteBehindLayout;
const { control, lengths, slots } = regionsOf(layout);

if (Atomics.compareExchange(control, CONTROL.state, STATE.starting, STATE.running) === STATE.starting) {
  Atomics.notify(control, CONTROL.written);
  let at = layout.position;
  for (let written = 0; written < 2;) {
    const queued = Atomics.load(control, CONTROL.queued);
    if (written === queued) {
      Atomics.wait(control, CONTROL.queued, queued, 1000);
      continue;
    }
    const i = written % layout.slots;
    writeWhole(layout.fd, slots[i].subarray(0, lengths[i]), at);
    if (at >= 0) at += lengths[i];
    written++;
    Atomics.store(control, CONTROL.written, written);
    Atomics.notify(control, CONTROL.written);
  }
  recordFailure(layout, Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }));
  Atomics.store(control, CONTROL.state, STATE.failed);
  Atomics.notify(control, CONTROL.state);
  Atomics.notify(control, CONTROL.written);
}
