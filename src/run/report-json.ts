// report.json's text, written a piece at a time (src/report/render.ts writes it to a file,
// serve's /report.json to its answer): findings are serialised one at a time, so a
// 150,000-pod cluster's report never exists as one giant string (longer than V8 can make, and
// the memory it would take is larger than the whole audit's); a spooled finding's message and
// evidence are copied from its spool as they are. The output is the JSON document
// JSON.stringify(report) is, indented as with 2 spaces but for each finding, on a line of its own.
import type { Writable } from 'node:stream';
import { ByteBatch, type TextWriter } from '../base/spool.ts';
import { writeFindingJson } from './spooled-finding.ts';
import type { RunReport } from './types.ts';

/** Findings written between two steps: ~1 MiB of JSON, about a batch. */
const FINDINGS_PER_STEP = 1_000;

/**
 * Writes report.json into `out`, pausing (a yield) every FINDINGS_PER_STEP findings, so a
 * caller writing to a slow reader can wait for it; run to its end, it writes the whole document.
 */
export function* reportJsonSteps(report: RunReport, out: ByteBatch): Generator<void, void, void> {
  const keys = Object.keys(report) as Array<keyof RunReport>;
  out.text('{\n');
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    out.text(`  ${JSON.stringify(key)}: `);
    if (key === 'findings') {
      const findings = report.findings;
      out.text(findings.length === 0 ? '[]' : '[\n');
      for (let j = 0; j < findings.length; j++) {
        out.text('    ');
        writeFindingJson(findings[j], out);
        out.text(j < findings.length - 1 ? ',\n' : '\n');
        if ((j + 1) % FINDINGS_PER_STEP === 0) yield;
      }
      if (findings.length > 0) out.text('  ]');
    } else {
      writeIndentedJson(out, report[key], '  ', SECTION_LEVELS);
    }
    out.text(i < keys.length - 1 ? ',\n' : '\n');
  }
  out.text('}\n');
}

/** Writes report.json into `out` whole. */
export function writeReportJsonTo(report: RunReport, out: ByteBatch): void {
  const steps = reportJsonSteps(report, out);
  while (!steps.next().done); // each step writes
}

/**
 * Streams report.json to `to` (an HTTP answer), waiting for it to drain between steps; never
 * more than a step and a batch ahead of the reader. Stops when `to` is destroyed (the reader
 * went away). Does not end `to`.
 */
export async function streamReportJson(report: RunReport, to: Writable): Promise<void> {
  // The batch's buffer is reused after each flush: each chunk is copied for the stream.
  const out = new ByteBatch((chunk) => { to.write(Buffer.from(chunk)); });
  const steps = reportJsonSteps(report, out);
  while (!steps.next().done) {
    out.flush(); // drops the writer's memo too, before other code runs
    if (to.destroyed) return;
    if (to.writableNeedDrain) {
      await new Promise<void>((resolve) => {
        const done = () => { to.off('drain', done); to.off('close', done); resolve(); };
        to.on('drain', done);
        to.on('close', done);
      });
      if (to.destroyed) return;
    }
  }
  out.flush();
}

/**
 * Levels of a report section written a member at a time: details -> mtls -> workloads -> one
 * workload. At 150,000 pods the details section is ~20 MiB of JSON (50,000 mesh workloads);
 * written whole, it was one string, its indented copy and their UTF-8 buffer, ~60 MiB held
 * at once at the end of report.json, where the run reaches its peak RSS.
 */
const SECTION_LEVELS = 3;

/**
 * Writes JSON.stringify(value, null, 2) with `indent` after each of its line breaks (the
 * text of a member nested that deep), taking arrays and plain objects apart `levels` deep
 * and each value below as JSON.stringify's own text. Members are left out, array holes
 * written as null and toJSON handed the member's key exactly as JSON.stringify does.
 */
function writeIndentedJson(out: TextWriter, value: unknown, indent: string, levels: number): void {
  if (!takenApart(value, levels)) {
    out.text(JSON.stringify(value, null, 2).replace(/\n/g, `\n${indent}`));
    return;
  }
  const inner = `${indent}  `;
  // A member's text; null when JSON.stringify leaves it out, undefined when it is taken apart.
  const member = (key: string, v: unknown): string | null | undefined => {
    if (takenApart(v, levels - 1)) return undefined;
    const json = hasToJson(v) ? memberJson(key, v) : JSON.stringify(v, null, 2) as string | undefined;
    return json === undefined ? null : json.replace(/\n/g, `\n${inner}`);
  };
  let members = 0;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      const json = member(String(i), v);
      out.text(members++ === 0 ? `[\n${inner}` : `,\n${inner}`);
      if (json === undefined) writeIndentedJson(out, v, inner, levels - 1);
      else out.text(json ?? 'null');
    }
    out.text(members === 0 ? '[]' : `\n${indent}]`);
    return;
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const v = record[key];
    const json = member(key, v);
    if (json === null) continue;
    out.text(`${members++ === 0 ? '{' : ','}\n${inner}${JSON.stringify(key)}: `);
    if (json === undefined) writeIndentedJson(out, v, inner, levels - 1);
    else out.text(json);
  }
  out.text(members === 0 ? '{}' : `\n${indent}}`);
}

/** Whether writeIndentedJson takes `value` apart: an array or plain object without toJSON, `levels` > 0. */
function takenApart(value: unknown, levels: number): value is object {
  if (levels <= 0 || typeof value !== 'object' || value === null || hasToJson(value)) return false;
  if (Array.isArray(value)) return true;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

const hasToJson = (v: unknown): boolean =>
  ((typeof v === 'object' && v !== null) || typeof v === 'bigint') && typeof (v as { toJSON?: unknown }).toJSON === 'function';

/**
 * JSON.stringify(v, null, 2) of a value with a toJSON method as the member `key` of an
 * object: toJSON is handed that key (a Date ignores it, another toJSON may not). Undefined
 * when JSON.stringify leaves the member out.
 */
function memberJson(key: string, v: unknown): string | undefined {
  const wrapped = JSON.stringify({ [key]: v }, null, 2);
  if (wrapped === '{}') return undefined;
  // '{\n  "key": ' + the value, each of its lines after the first indented two more + '\n}'
  return wrapped.slice(`{\n  ${JSON.stringify(key)}: `.length, -2).replace(/\n {2}/g, '\n');
}

