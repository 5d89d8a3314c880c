// A finding's identity across runs: check id + resource identity (+ detail key). Never the
// message or evidence, which may change wording while the problem stays the same.
import { createHash } from 'node:crypto';
import type { ResourceRef } from '../base/vocabulary.ts';

export function fingerprintOf(check: string, resource: ResourceRef, detailKey?: string): string {
  const identity = [check, resource.kind, resource.namespace ?? '', resource.name, detailKey ?? ''].join('\u0000');
  return createHash('sha256').update(identity).digest('hex').slice(0, 20);
}
