import { describe, expect, it } from 'vitest';
import { footerText } from '../../../src/report/pdf.ts';

describe('the PDF footer', () => {
  it('cuts a long name without leaving half an emoji', () => {
    expect(footerText(`${'a'.repeat(78)}😀😀`)).toBe(`${'a'.repeat(78)}…`);
    expect(footerText(`${'a'.repeat(77)}😀😀`)).toBe(`${'a'.repeat(77)}😀…`);
    expect(footerText('<b>eu</b>')).toBe('&lt;b&gt;eu&lt;/b&gt;');
  });
});
