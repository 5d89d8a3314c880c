// The text, JSON and CSV renderings `ztaudit reach` prints, and its exit codes: the
// reachability analysis answers typed questions (analysis/netpol/query.ts), this file says
// them to people and scripts.
import type { Snapshot } from '../snapshot/types.ts';
import { buildReachability, connsToJson, formatConns, isProtocol, queryReach, streamMatrix, ReachInputError, type MatrixRow, type Protocol, type ReachAnswer } from '../analysis/netpol/index.ts';
import type { DirectionAnswer } from '../analysis/netpol/query.ts';
import type { ReachModel } from '../analysis/netpol/model.ts';
import { workloadAliasOf } from '../analysis/workloads.ts';

/** One direction: who governs it, then each part of the asked connections with what decided it. */
function directionText(name: string, who: string, d: DirectionAnswer): string {
  const lines = [d.policies.length === 0
    ? `  ${name} at ${who}: not isolated (no policy selects it for ${name})`
    : `  ${name} at ${who}: ${d.isolated ? 'isolated' : 'selected'} by ${d.policies.join(', ')}`];
  for (const x of d.decisions) lines.push(`    ${x.allowed ? 'ALLOWED' : 'DENIED'} by ${x.by}: ${x.conns}`);
  return lines.join('\n');
}

/** Renders an answer as text (for people) or JSON `{ allowed, ports, egress, ingress, … }`. */
export function formatReach(a: ReachAnswer, format: 'text' | 'json'): string {
  if (format === 'json') {
    return JSON.stringify({
      from: a.from,
      to: a.to,
      ...(a.port !== undefined ? { port: a.port } : {}),
      ...(a.protocol ? { protocol: a.protocol } : {}),
      allowed: a.allowed,
      ports: connsToJson(a.ports),
      egress: a.egress,
      ingress: a.ingress,
      notes: a.notes,
    }, null, 2);
  }
  const what = a.port !== undefined ? ` on ${a.port}/${a.protocol}` : a.protocol ? ` on ${a.protocol}` : '';
  const lines = [
    `${a.allowed ? 'ALLOWED' : 'DENIED'}: ${a.from} -> ${a.to}${what}`,
    ...(a.allowed && a.port === undefined ? [`  connections: ${formatConns(a.ports)}`] : []),
    directionText('egress', a.from, a.egress),
    directionText('ingress', a.to, a.ingress),
    ...a.notes.map((n) => `  note: ${n}`),
  ];
  return lines.join('\n');
}

/** One CSV field (RFC 4180): quoted when it holds a comma, quote or line break. */
function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The matrix as text chunks (about 64 KiB each), for streaming; joined, it is `formatMatrix`. */
export function* formatMatrixChunks(rows: Iterable<MatrixRow>, format: 'text' | 'json' | 'csv'): Generator<string> {
  let buf = format === 'json' ? '[' : format === 'csv' ? 'src,dst,conn' : '';
  let first = true;
  for (const r of rows) {
    const line = format === 'json'
      ? `\n  {\n    "src": ${JSON.stringify(r.from)},\n    "dst": ${JSON.stringify(r.to)},\n    "conn": ${JSON.stringify(formatConns(r.conns))}\n  }`
      : format === 'csv' ? `\n${[r.from, r.to, formatConns(r.conns)].map(csvField).join(',')}` : `${first ? '' : '\n'}${r.from} => ${r.to} : ${formatConns(r.conns)}`;
    buf += format === 'json' && !first ? `,${line}` : line;
    first = false;
    if (buf.length >= 65536) {
      yield buf;
      buf = '';
    }
  }
  if (format === 'json') buf += first ? ']' : '\n]';
  if (buf) yield buf;
}

export function formatMatrix(rows: Iterable<MatrixRow>, format: 'text' | 'json' | 'csv'): string {
  return [...formatMatrixChunks(rows, format)].join('');
}

/**
 * `reach --matrix` as a stream of output chunks (the command writes each as it comes, so a
 * large matrix never sits in memory as one string).
 */
export function reachMatrixChunks(snapshot: Snapshot, format: 'text' | 'json' | 'csv'): Iterable<string> {
  return formatMatrixChunks(streamMatrix(buildReachability(snapshot)), format);
}

export interface ReachCommandOptions {
  from?: string;
  to?: string;
  /** "8080", "53/UDP", "UDP" (a whole protocol). */
  port?: string;
  matrix?: boolean;
  /** csv applies to --matrix only. */
  output?: 'text' | 'json' | 'csv';
}

/** Parses "PORT[/PROTO]" or "PROTO". */
export function parsePortArg(text: string): { port?: number; protocol?: Protocol } {
  const m = /^(?:(\d{1,5})(?:\/([A-Za-z]+))?|([A-Za-z]+))$/.exec(text.trim());
  if (!m) throw new ReachInputError(`--port "${text}": expected PORT, PORT/PROTO or PROTO (TCP, UDP, SCTP)`);
  const protoText = (m[2] ?? m[3])?.toUpperCase();
  if (protoText !== undefined && !isProtocol(protoText)) throw new ReachInputError(`--port "${text}": protocol must be TCP, UDP or SCTP`);
  const port = m[1] !== undefined ? Number(m[1]) : undefined;
  if (port !== undefined && (port < 1 || port > 65535)) throw new ReachInputError(`--port "${text}": port must be 1-65535`);
  return { port, protocol: protoText as Protocol | undefined };
}

/**
 * NAMESPACE/NAME where NAME is a pod, or a ReplicaSet or Job between pods and their workload,
 * becomes that workload (NAMESPACE/KIND/NAME), with a note naming it; anything else as given.
 */
function aliasToWorkload(snapshot: Snapshot, model: ReachModel, text: string): { target: string; note?: string } {
  const parts = text.split('/');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return { target: text };
  const [ns, name] = parts as [string, string];
  if (model.workloads.some((w) => w.ref.namespace === ns && w.ref.name === name)) return { target: text };
  const alias = workloadAliasOf(snapshot, ns, name);
  if (!alias) return { target: text };
  const what = alias.via === 'pod' ? 'a pod' : `a ${alias.via}`;
  return { target: `${ns}/${alias.ref.kind}/${alias.ref.name}`, note: `${text} is ${what} of ${alias.ref.kind} ${ns}/${alias.ref.name}: answered for that workload` };
}

/**
 * The whole `ztaudit reach` command minus argument parsing. Exit codes: 0 allowed (or the
 * matrix was printed), 1 denied, 2 bad input (unknown workload, malformed port, missing flag).
 */
export function reachCommandCore(snapshot: Snapshot, options: ReachCommandOptions): { exitCode: number; output: string } {
  const format = options.output ?? 'text';
  try {
    const model = buildReachability(snapshot);
    if (options.matrix) return { exitCode: 0, output: formatMatrix(streamMatrix(model), format) };
    if (!options.from || !options.to) throw new ReachInputError('reach needs --from and --to (or --matrix)');
    if (format === 'csv') throw new ReachInputError('--output csv applies to --matrix; use text or json for one flow');
    const { port, protocol } = options.port ? parsePortArg(options.port) : {};
    const from = aliasToWorkload(snapshot, model, options.from);
    const to = aliasToWorkload(snapshot, model, options.to);
    const answer = queryReach(model, from.target, to.target, port, protocol);
    answer.notes.unshift(...[from.note, to.note].filter((n): n is string => n !== undefined));
    return { exitCode: answer.allowed ? 0 : 1, output: formatReach(answer, format) };
  } catch (e: unknown) {
    if (e instanceof ReachInputError) return { exitCode: 2, output: `ztaudit reach: ${e.message}` };
    throw e;
  }
}
