// Which temp-file spool (src/base/spool.ts) holds the bulky fields of a stored run's findings,
// when a store read it back with them spooled (parseStoredRun in src/history/gzip-json.ts):
// whoever is done with such a run (the pipeline, once it has diffed) closes the file at once
// instead of waiting for the run to be collected.
import type { Spool } from '../base/spool.ts';

const spools = new WeakMap<object, Spool>();

/** Records that `run`'s findings read their bulky fields from `spool`. */
export function rememberSpool(run: object, spool: Spool): void {
  spools.set(run, spool);
}

/**
 * What closes the spool of `run` (nothing when it has none): reading one of its findings'
 * message, evidence or related objects afterwards throws. It holds the spool, not the run:
 * the run's findings can be collected before it is called.
 */
export function spoolCloserOf(run: object): () => void {
  const spool = spools.get(run);
  return spool ? () => spool.close() : () => {};
}
