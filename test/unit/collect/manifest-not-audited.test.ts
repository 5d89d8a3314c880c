// Objects of kinds ztaudit does not audit are said once per kind, at the first one's file and
// line, with its namespace: every other manifest warning starts with file:line:, and one line
// per object was 20,000 lines on stderr (even with -q) for a file of 20,000 Secrets.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadManifests } from '../../../src/collect/manifests.ts';

const secret = (i: number) => `apiVersion: v1\nkind: Secret\nmetadata: {name: s${i}, namespace: shop}\nstringData: {k: v}\n`;

function notes(files: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'zt-not-audited-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return loadManifests([dir], { cwd: dir }).notes.filter((n) => n.includes('not a kind ztaudit audits'));
}

describe('objects of a kind ztaudit does not audit', () => {
  it('30 Secrets in one file: one line naming the file, the first one\'s line, the count and the first one with its namespace', () => {
    const docs = Array.from({ length: 30 }, (_, i) => secret(i)).join('---\n');
    expect(notes({ 'a.yaml': `apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\n${docs}` })).toEqual([
      'a.yaml:5: skipped 30 v1 Secret objects (first: shop/s0): not a kind ztaudit audits',
    ]);
  });

  it('2,000 Secrets in two files and one other kind: one line per kind, whatever the count', () => {
    const many = Array.from({ length: 1_999 }, (_, i) => secret(i)).join('---\n');
    expect(notes({ 'a.yaml': many, 'b.yaml': `${secret(2_000)}---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n` })).toEqual([
      'a.yaml:1: skipped 2000 v1 Secret objects (first: shop/s0; in 2 files): not a kind ztaudit audits',
      'b.yaml:6: skipped example.com/v1 Widget w: not a kind ztaudit audits',
    ]);
  });

  it('a name with a line break stays on its one line', () => {
    const [line] = notes({ 'a.yaml': 'apiVersion: v1\nkind: Secret\nmetadata: {name: "x\\nztaudit: forged", namespace: shop}\n' });
    expect(line).not.toContain('\n');
    expect(line).toMatch(/^a\.yaml:1: skipped v1 Secret shop\/x.*forged: not a kind ztaudit audits$/);
  });
});
