// The worker thread behind write-behind.ts: writes each chunk the producer hands over, in
// order, and stops when the producer has closed and every chunk is written, or at the first
// failure (recorded for the producer to throw).
import { workerData } from 'node:worker_threads';
import { CLOSING, CONTROL, STATE, recordFailure, regionsOf, writeWhole, type WriteBehindLayout } from './write-behind.ts';

const layout = workerData as WriteBehindLayout;
const { control, lengths, slots } = regionsOf(layout);

// The producer may have given up waiting for this thread and written the chunks itself.
if (Atomics.compareExchange(control, CONTROL.state, STATE.starting, STATE.running) === STATE.starting) {
  Atomics.notify(control, CONTROL.written);
  let state: number = STATE.stopped;
  let at = layout.position;
  try {
    for (let written = 0; ;) {
      const closing = Atomics.load(control, CONTROL.closing);
      if (closing === CLOSING.abort) break;
      const queued = Atomics.load(control, CONTROL.queued);
      if (written === queued) {
        // The producer stores its last count before it closes.
        if (closing === CLOSING.finish) break;
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
  } catch (error: unknown) {
    recordFailure(layout, error);
    state = STATE.failed;
  }
  Atomics.store(control, CONTROL.state, state);
  Atomics.notify(control, CONTROL.state);
  Atomics.notify(control, CONTROL.written);
}
