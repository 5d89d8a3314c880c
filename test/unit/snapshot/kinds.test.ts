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
});
