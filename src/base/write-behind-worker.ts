// The worker thread behind write-behind.ts: writes each chunk the producer hands over
// (serveWrites), in order, until the producer has closed and every chunk is written, or the
// first failure (recorded for the producer to throw).
import { workerData } from 'node:worker_threads';
import { serveWrites, type WriteBehindLayout } from './write-behind.ts';

serveWrites(workerData as WriteBehindLayout);
