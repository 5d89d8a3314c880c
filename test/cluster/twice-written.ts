// What ztaudit says of an object written twice in one manifest file (src/collect/manifests.ts
// keepLastCopies), read from its warning, for the cluster tests that hold it against the real
// kube-apiserver's answer to the same two writes.
import fs from 'node:fs';
import path from 'node:path';
import { loadManifests } from '../../src/collect/manifests.ts';
import { scratchDir } from './env.ts';

/** The later copy applied, refused (the first kept), or the kind counted as not read. */
export type Verdict = 'accepted' | 'refused' | 'cannot be told';

/** A fresh directory holding m.yaml: `first`, then `later`, as two documents of one file. */
export function writeTwice(first: unknown, later: unknown): string {
  const dir = scratchDir('twice');
  fs.writeFileSync(path.join(dir, 'm.yaml'), `${JSON.stringify(first)}\n---\n${JSON.stringify(later)}\n`);
  return dir;
}

/** ztaudit's verdict on the object written twice in `dir` (writeTwice), and the warning it is read from. */
export function verdictOf(dir: string): { verdict: Verdict | '?'; note: string } {
  const note = loadManifests([dir], { cwd: dir }).notes.find((n) => n.includes('is defined more than once')) ?? '';
  const verdict = note.endsWith('count as not read') ? 'cannot be told' : /: the last one read, \S+, is audited$/.test(note) ? 'accepted' : /the cluster keeps m\.yaml:1, which is audited$/.test(note) ? 'refused' : '?';
  return { verdict, note };
}
