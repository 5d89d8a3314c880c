// A finding's identity across runs: check id + resource identity (+ detail key). Never the
// message or evidence, which may change wording while the problem stays the same.
import { hash } from 'node:crypto';
import type { ResourceRef } from '../base/vocabulary.ts';

export function fingerprintOf(check: string, resource: ResourceRef, detailKey?: string): string {
  const identity = `${check}\u0000${resource.kind}\u0000${resource.namespace ?? ''}\u0000${resource.name}\u0000${detailKey ?? ''}`;
  // One-shot hash: a third of the CPU of createHash().update().digest() per finding.
  return hash('sha256', identity, 'hex').slice(0, 20);
}
