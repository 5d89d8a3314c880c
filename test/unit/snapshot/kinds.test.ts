import { describe, expect, it } from 'vitest';
import { KINDS } from '../../../src/snapshot/kinds.ts';

// A kind declared twice is listed twice: twice the requests, a progress line twice, and two
// coverage entries racing for one key.
describe('collected kinds', () => {
  it('declares each kind once, by key and by API group and resource', () => {
    const keys = KINDS.map((k) => k.key);
    expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
    const resources = KINDS.map((k) => `${k.group}/${k.resource}`);
    expect(resources.filter((r, i) => resources.indexOf(r) !== i)).toEqual([]);
  });

  // A live pod naming a ReplicaSet or Job the listing lacks is its own workload
  // (src/analysis/workloads.ts): the collection's pool starts lists in this order, each list one
  // consistent read, so a pod a rollout makes while the lists run is never listed without its
  // ReplicaSet, made before it.
  it('lists pods before the ReplicaSets and Jobs their owner references name', () => {
    const at = (key: string) => KINDS.findIndex((k) => k.key === key);
    expect(at('pods')).toBeGreaterThanOrEqual(0);
    expect(at('pods')).toBeLessThan(at('replicasets'));
    expect(at('pods')).toBeLessThan(at('jobs'));
  });
});
