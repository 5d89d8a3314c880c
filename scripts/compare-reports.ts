// Compares reports written before and after a change that must not change behaviour.
//   node scripts/compare-reports.ts BEFORE AFTER     (two files, or two directories of reports)
// Byte-for-byte, except the values that differ on every run: the run id, its start and finish
// times, and the previous run's id and start time in the diff. Those are read from each side's
// report.json and replaced by placeholders everywhere in the file (JSON, HTML, Markdown, JUnit,
// SARIF). Exit 0 when every pair is identical, 1 otherwise, naming the first differing line.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

function volatile(reportJson: string): Array<[string, string]> {
  const r = JSON.parse(readFileSync(reportJson, 'utf8'));
  const pairs: Array<[string, unknown]> = [
    ['run.id', r.run?.id], ['run.startedAt', r.run?.startedAt], ['run.finishedAt', r.run?.finishedAt],
    ['diff.previousRunId', r.diff?.previousRunId], ['diff.previousStartedAt', r.diff?.previousStartedAt],
  ];
  return pairs.filter((p): p is [string, string] => typeof p[1] === 'string' && p[1] !== '').map(([k, v]) => [k, v]);
}

function normalised(file: string): string {
  const json = file.endsWith('.json') ? file : join(dirname(file), 'report.json');
  let text = readFileSync(file, 'utf8');
  for (const [key, value] of volatile(json)) {
    text = text.split(value).join(`<${key}>`);
    // JUnit writes the start without the zone letter, and its testsuites' timestamps to the second
    // without fractions (junitTimestamp, src/report/junit.ts).
    if (value.endsWith('Z')) text = text.split(value.slice(0, -1)).join(`<${key}>`);
    const seconds = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/.exec(value);
    if (key.endsWith('At') && seconds) text = text.split(`"${seconds[0]}"`).join(`"<${key}>"`);
    // The HTML report also prints the instants to the minute; two runs of the same minute
    // print the same text, so these all become one placeholder.
    const short = /^\d{4}-\d\d-\d\dT\d\d:\d\d/.exec(value);
    if (key.endsWith('At') && short) text = text.split(`${short[0].replace('T', ' ')} UTC`).join('<instant>');
  }
  return text;
}

function compare(a: string, b: string): boolean {
  const x = normalised(a);
  const y = normalised(b);
  if (x === y) {
    console.log(`identical: ${basename(a)} (${x.length} bytes after normalising)`);
    return true;
  }
  const xl = x.split('\n');
  const yl = y.split('\n');
  const i = xl.findIndex((l, n) => l !== yl[n]);
  const line = i < 0 ? xl.length : i;
  console.log(`DIFFERENT: ${a} vs ${b}, first at line ${line + 1}:\n  - ${(xl[line] ?? '<end>').slice(0, 300)}\n  + ${(yl[line] ?? '<end>').slice(0, 300)}`);
  return false;
}

const [before, after] = process.argv.slice(2);
if (!before || !after) {
  console.error('usage: node scripts/compare-reports.ts BEFORE AFTER');
  process.exit(2);
}
let ok = true;
if (statSync(before).isDirectory()) {
  for (const f of readdirSync(before).sort()) ok = compare(join(before, f), join(after, f)) && ok;
} else {
  ok = compare(before, after);
}
process.exit(ok ? 0 : 1);
