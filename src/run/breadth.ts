// The RBAC breadth table's subjects: the report lists them and the diff carries their breadth
// in the compared run (RunDiff.breadthBefore), so both pick them with this one function.

import type { BreadthEntry } from './types.ts';

/** Subjects the report lists in its RBAC breadth table, the broadest first (RunDiff.breadthBefore carries theirs). */
export const BREADTH_LISTED = 10;

/**
 * The `limit` broadest subjects of a run, broadest first, ties by namespace, name and kind: the
 * rows of the report's RBAC breadth table. One pass keeping the few (150,000 subjects at scale).
 */
export function broadestSubjects(list: readonly BreadthEntry[], limit: number): BreadthEntry[] {
  const cmp = (a: BreadthEntry, b: BreadthEntry) => b.breadth - a.breadth
    || (a.subject.namespace ?? '').localeCompare(b.subject.namespace ?? '', 'en') || a.subject.name.localeCompare(b.subject.name, 'en') || a.subject.kind.localeCompare(b.subject.kind, 'en');
  const out: BreadthEntry[] = [];
  for (const e of list) {
    if (out.length === limit && cmp(e, out[limit - 1]) >= 0) continue;
    let i = out.length;
    while (i > 0 && cmp(e, out[i - 1]) < 0) i--;
    out.splice(i, 0, e);
    if (out.length > limit) out.pop();
  }
  return out;
}
