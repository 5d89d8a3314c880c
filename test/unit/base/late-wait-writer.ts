// A stand-in for the write-behind worker whose producer closes at the worst moment: the real
// loop (serveWrites), but the first time it is about to wait after writing a chunk (it has
// looked at the counters and seen nothing to do), it says so on the BroadcastChannel
// 'late-wait-writer', lets the producer close, and only then waits as the loop would, on what
// it looked at before. A close not seen then leaves the producer's abort waiting on a worker
// asleep.
import { workerData } from 'node:worker_threads';
import { CONTROL, regionsOf, serveWrites, type WriteBehindLayout } from '../../../src/base/write-behind.ts';

const layout = workerData as WriteBehindLayout;
const { control } = regionsOf(layout);
const realWait = Atomics.wait as (array: Int32Array, index: number, value: number, timeout?: number) => string;
const wait = (array: Int32Array, index: number, value: number, timeout?: number) => realWait.call(Atomics, array, index, value, timeout);
const scratch = new Int32Array(new SharedArrayBuffer(4));
const channel = new BroadcastChannel('late-wait-writer');
let forced = false;
(Atomics as { wait: typeof wait }).wait = (array, index, value, timeout) => {
  if (!forced && array.buffer === control.buffer && Atomics.load(control, CONTROL.written) >= 1) {
    forced = true;
    channel.postMessage('waiting');
    while (Atomics.load(control, CONTROL.closing) === 0) wait(scratch, 0, 0, 1);
  }
  return wait(array, index, value, timeout);
};
serveWrites(layout);
channel.close();
