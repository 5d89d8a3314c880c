// A finding's identity across runs: check id + resource identity (+ detail key). Never the
// message or evidence, which may change wording while the problem stays the same.
import { createHash } from 'node:crypto';
import type { ResourceRef } from '../base/vocabulary.ts';

export function fingerprintOf(check: string, resource: ResourceRef, detailKey?: string): string {
  const identity = `${check}\u0000${resource.kind}\u0000${resource.namespace ?? ''}\u0000${resource.name}\u0000${detailKey ?? ''}`;
  // The first 10 bytes of the SHA-256, in hex: a flat 20-character string (slicing the
  // 64-character hex digest kept the whole digest alive behind every finding).
  return createHash('sha256').update(identity).digest().toString('hex', 0, 10);
}
