// A finding's identity across runs: check id + resource identity (+ detail key). Never the
// message or evidence, which may change wording while the problem stays the same.
import { hash } from 'node:crypto';
import type { ResourceRef } from '../base/vocabulary.ts';

export function fingerprintOf(check: string, resource: ResourceRef, detailKey?: string): string {
  // A kind two API groups use (a Calico NetworkPolicy beside Kubernetes' one of the same name) is
  // told apart by its group, the same whichever version was read (crd.projectcalico.org/v1 is
  // projectcalico.org/v3's storage form).
  const group = resource.apiVersion ? `.${resource.apiVersion.split('/')[0]!.replace(/^crd\./, '')}` : '';
  const identity = `${check}\u0000${resource.kind}${group}\u0000${resource.namespace ?? ''}\u0000${resource.name}\u0000${detailKey ?? ''}`;
  // One-shot hash: a third of the CPU of createHash().update().digest() per finding.
  const hex = hash('sha256', identity, 'hex');
  // Its first 20 characters as a string of their own: V8 makes a slice of 13 or more
  // characters a view that keeps all 64 alive, ~70 bytes more for each of the hundreds of
  // thousands of findings a large run holds. Slices shorter than that are copies, and join
  // makes one flat string of them, for the CPU of the one slice.
  return [hex.slice(0, 10), hex.slice(10, 20)].join('');
}
