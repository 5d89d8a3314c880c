// Go's strconv.ParseInt(s, 10, bits) as Kubernetes-side Go code reads an annotation or flag: no
// spaces trimmed, one leading sign ("+5000", "-1") accepted, ASCII digits only (no underscores in
// base 10), the result within the signed range of `bits`.

/** Go strconv.ParseInt(s, 10, bits) (Atoi: 64 bits), or undefined where Go returns an error. */
export function goParseInt(s: string, bits: 32 | 64): number | undefined {
  if (!/^[-+]?[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  const max = 2n ** BigInt(bits - 1);
  return n >= -max && n < max ? Number(n) : undefined;
}
