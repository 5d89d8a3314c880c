// The model evaluates one pod per class (src/analysis/pss/pod-class.ts): pods whose class keys
// are equal must get the same verdict and the same failures from the evaluator. Checked over
// every upstream pod-security-admission fixture, each also with the fields the key leaves out
// changed (image, service account, a configMap's name, an unrelated annotation), at both
// levels and every policy version.

import { describe, expect, it } from 'vitest';
import { evaluatePod, LATEST_MINOR } from '../../src/analysis/pss/index.ts';
import { PodClassKeys } from '../../src/analysis/pss/pod-class.ts';
import { loadPssConformance, PSS_CONFORMANCE_DIR } from './pss-cases.ts';

const data = PSS_CONFORMANCE_DIR ? loadPssConformance(PSS_CONFORMANCE_DIR) : null;

type Pod = { metadata?: { annotations?: Record<string, string> }; spec?: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The pod with every field the class key leaves out changed. */
function retouched(pod: Pod): Pod {
  const p = structuredClone(pod);
  p.metadata = { ...(p.metadata ?? {}), annotations: { ...(p.metadata?.annotations ?? {}), 'checksum/config': 'abc' } };
  const spec = p.spec ?? {};
  spec.serviceAccountName = 'other';
  for (const key of ['initContainers', 'containers', 'ephemeralContainers']) {
    for (const c of Array.isArray(spec[key]) ? spec[key] : []) {
      if (c && typeof c === 'object') Object.assign(c, { image: 'example.com/other:2', env: [{ name: 'A', value: '1' }], resources: { limits: { memory: '1Gi' } } });
    }
  }
  for (const v of Array.isArray(spec.volumes) ? spec.volumes : []) {
    if (v && typeof v === 'object' && v.configMap && typeof v.configMap === 'object') v.configMap = { name: 'other-config' };
  }
  return p;
}

describe.skipIf(!data)('pods of one Pod Security class get one verdict (upstream pod-security-admission fixtures)', () => {
  it('every fixture and its retouched copy, at both levels and every version', () => {
    const keys = new PodClassKeys();
    const keyOf = (pod: Pod) => {
      const s = keys.spec(pod.spec ?? {});
      const a = keys.annotations(pod.metadata?.annotations ?? {});
      return s === undefined || a === undefined ? undefined : `${s}|${a}`;
    };
    const said = (pod: Pod) => {
      const out: string[] = [];
      for (const level of ['baseline', 'restricted']) {
        for (let minor = 0; minor <= LATEST_MINOR; minor++) out.push(JSON.stringify(evaluatePod(pod, level, `v1.${minor}`)));
      }
      return out.join('\n');
    };
    const byKey = new Map<string, { path: string; said: string }>();
    let pods = 0;
    for (const c of data!.cases) {
      const pod = data!.pod(c) as Pod;
      for (const p of [pod, retouched(pod)]) {
        const key = keyOf(p);
        expect(key, c.path).toBeDefined();
        const s = said(p);
        const first = byKey.get(key!);
        if (first) expect(s, `${c.path} shares a class with ${first.path}`).toBe(first.said);
        else byKey.set(key!, { path: c.path, said: s });
        pods++;
      }
      expect(keyOf(retouched(pod)), c.path).toBe(keyOf(pod));
    }
    expect(pods).toBe(2 * 1286);
  });
});
