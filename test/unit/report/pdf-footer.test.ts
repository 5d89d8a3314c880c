import { describe, expect, it } from 'vitest';
import { footerText } from '../../../src/report/pdf.ts';

describe('the PDF footer', () => {
  it('cuts a long name without leaving half an emoji', () => {
    expect(footerText(`${'a'.repeat(78)}😀😀`)).toBe(`${'a'.repeat(78)}…`);
    expect(footerText(`${'a'.repeat(77)}😀😀`)).toBe(`${'a'.repeat(77)}😀…`);
    expect(footerText('<b>eu</b>')).toBe('&lt;b&gt;eu&lt;/b&gt;');
  });

  it('shows a bidirectional control as its escape, not reversing the cluster name or run id', () => {
    const shown = footerText('prod\u202e01-32 \u2066x');
    expect(shown).toBe('prod\\u202e01-32 \\u2066x');
    expect(shown).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
  });

  it('shows a zero-width space and a BOM as escapes: "prod" and "prod\\u200b" read apart on every page', () => {
    const shown = footerText('prod\u200b \ufeffrun-1');
    expect(shown).toBe('prod\\u200b \\ufeffrun-1');
    expect(shown).not.toMatch(/[\u200b\ufeff]/);
  });
});
