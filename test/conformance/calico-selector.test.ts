// Conformance: ztaudit's Calico selector parser and evaluator against the verdicts of
// Calico's own libcalico-go/lib/selector on generated expressions and label sets
// (test/conformance/calico-selector/README.md says how they were produced).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCalicoSelector } from '../../src/analysis/netpol/calico/selector.ts';

interface Case { sel: string; labels: Record<string, string>[]; ok: boolean; err?: string; text?: string; match?: boolean[] }

const CASES: Case[] = readFileSync(join(import.meta.dirname, 'calico-selector/cases.jsonl'), 'utf8')
  .split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as Case);

describe('Calico selector language against libcalico-go', () => {
  const tally = { expressions: 0, parseAgree: 0, textAgree: 0, accepted: 0, rejected: 0, verdicts: 0, verdictAgree: 0 };

  it('holds thousands of upstream verdicts, valid and invalid', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(5000);
    expect(CASES.filter((c) => c.ok).length).toBeGreaterThan(3000);
    expect(CASES.filter((c) => !c.ok).length).toBeGreaterThan(500);
  });

  it('accepts and rejects what Calico accepts and rejects, normalises like it, and matches the same label sets', () => {
    const disagreements: string[] = [];
    for (const c of CASES) {
      tally.expressions++;
      const r = parseCalicoSelector(c.sel);
      if (r.ok !== c.ok) {
        disagreements.push(`${JSON.stringify(c.sel)}: upstream ${c.ok ? 'accepts' : `rejects (${c.err})`}, ztaudit ${r.ok ? 'accepts' : `rejects (${r.error})`}`);
        continue;
      }
      tally.parseAgree++;
      if (!r.ok) {
        tally.rejected++;
        expect(r.error.length).toBeGreaterThan(0);
        continue;
      }
      tally.accepted++;
      if (r.selector.text === c.text) tally.textAgree++;
      else disagreements.push(`${JSON.stringify(c.sel)}: upstream normalises to ${c.text}, ztaudit to ${r.selector.text}`);
      c.labels.forEach((labels, k) => {
        tally.verdicts++;
        const got = r.selector.matches(labels);
        if (got === c.match![k]) tally.verdictAgree++;
        else disagreements.push(`${JSON.stringify(c.sel)} on ${JSON.stringify(labels)}: upstream ${c.match![k]}, ztaudit ${got}`);
      });
    }
    expect(disagreements.slice(0, 20)).toEqual([]);
    expect(tally.parseAgree).toBe(CASES.length);
    expect(tally.verdictAgree).toBe(tally.verdicts);
  });

  afterAll(() => {
    console.log(`calico selector conformance: ${tally.parseAgree}/${tally.expressions} parse verdicts agree (${tally.accepted} accepted, ${tally.rejected} rejected); ${tally.textAgree}/${tally.accepted} normalised texts identical; ${tally.verdictAgree}/${tally.verdicts} match verdicts agree`);
  });
});
