// A strict reader of the Prometheus text format for the tests: every sample belongs to a
// family declared by HELP and TYPE just before it; label values are unescaped.
import { expect } from 'vitest';

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\["\\n])*"(?:,|(?=\})))*\})? (-?[0-9.e+]+|NaN|[+-]Inf)$/;

export function parseExposition(text: string): Map<string, { type: string; samples: Array<{ labels: Record<string, string>; value: number }> }> {
  expect(text.endsWith('\n')).toBe(true);
  const families = new Map<string, { type: string; samples: Array<{ labels: Record<string, string>; value: number }> }>();
  let current: string | null = null;
  const lines = text.slice(0, -1).split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const help = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .+$/.exec(line);
    if (help) {
      const type = /^# TYPE (\S+) (gauge|counter|histogram|summary|untyped)$/.exec(lines[i + 1] ?? '');
      expect(type?.[1], `TYPE after HELP for ${help[1]}`).toBe(help[1]);
      expect(families.has(help[1]!), `family ${help[1]} declared once`).toBe(false);
      families.set(help[1]!, { type: type![2]!, samples: [] });
      current = help[1]!;
      i++;
      continue;
    }
    const m = SAMPLE.exec(line);
    expect(m, `not a valid sample line: ${line}`).not.toBeNull();
    expect(m![1]).toBe(current);
    const labels: Record<string, string> = {};
    for (const lm of (m![2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      // One pass, left to right: `\\n` is a backslash and an n, not a backslash and a line feed.
      labels[lm[1]!] = lm[2]!.replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    families.get(current!)!.samples.push({ labels, value: Number(m![3]) });
  }
  return families;
}

