// Spellings per k8s.io/apimachinery pkg/api/resource quantity.go (ParseQuantity, the suffixer:
// binary Ki..Ei, decimal n u m k M G T P E, exponent e/E with an integer; anything after the
// suffix is refused). Upstream's scanner also lets a bare suffix or sign through as zero ("Mi",
// "-"); both readings bound nothing, so they are left out here. Quantity.UnmarshalJSON trims
// surrounding white space (strings.TrimSpace, Go's unicode.IsSpace) before parsing, so a padded
// quantity is the quantity; white space inside one is refused.
import { describe, expect, it } from 'vitest';
import { quantitySign } from '../../../src/analysis/pss/quantity.ts';

describe('quantitySign', () => {
  it.each([['0', 0], ['0m', 0], ['0Mi', 0], ['0.0', 0], ['0e3', 0], ['-0', 0], ['.0', 0], ['00.000E', 0], ['1', 1], ['500m', 1], ['1.5Gi', 1], ['1.', 1], ['.5', 1], ['2e3', 1], ['1E', 1], ['1e-12', 1], ['-1', -1], ['-0.5m', -1], [' 1Gi', 1], ['1Gi ', 1], ['\t500m\n', 1], ['\u00a00 ', 0], ['\u0085-1\u3000', -1]] as const)('%j has sign %d', (s, sign) => {
    expect(quantitySign(s)).toEqual({ sign });
  });

  it.each(['', '1Gb', '1K', '1ki', '1e', '12 Mi', ' ', '\ufeff1', '1\u200b', '1.2.3', '0x10', '1Mi2'])('%j is malformed', (s) => {
    expect(quantitySign(s)).toHaveProperty('malformed');
  });

  it('reads YAML and JSON numbers as their value, and nothing else', () => {
    expect(quantitySign(0)).toEqual({ sign: 0 });
    expect(quantitySign(0.25)).toEqual({ sign: 1 });
    expect(quantitySign(true)).toEqual({ malformed: 'is a boolean, not a quantity' });
    expect(quantitySign(null)).toEqual({ malformed: 'is a null, not a quantity' });
  });
});
