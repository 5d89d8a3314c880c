// The text, JSON and CSV renderings `ztaudit reach` prints, and its exit codes: the
// reachability analysis answers typed questions (analysis/netpol/query.ts), this file says
// them to people and scripts.
import type { Snapshot } from '../snapshot/types.ts';
import { buildReachability, connsToJson, formatConns, isProtocol, queryReach, reachMatrix, ReachInputError, type MatrixRow, type Protocol, type ReachAnswer, type RuleRef } from '../analysis/netpol/index.ts';
import type { DirectionAnswer } from '../analysis/netpol/query.ts';

function ruleText(r: RuleRef): string {
  return `${r.policy} rule ${r.rule}`;
}

function directionText(name: string, who: string, d: DirectionAnswer): string {
  if (!d.isolated) return `  ${name} at ${who}: not isolated (no NetworkPolicy selects it for ${name})`;
  const head = `  ${name} at ${who}: isolated by ${d.policies.join(', ')}`;
  return d.allowed ? `${head}; allowed by ${d.decidedBy.map(ruleText).join(', ')}` : `${head}; no rule allows it`;
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

export function formatMatrix(rows: MatrixRow[], format: 'text' | 'json' | 'csv'): string {
  if (format === 'json') return JSON.stringify(rows.map((r) => ({ src: r.from, dst: r.to, conn: formatConns(r.conns) })), null, 2);
  if (format === 'csv') return ['src,dst,conn', ...rows.map((r) => [r.from, r.to, formatConns(r.conns)].map(csvField).join(','))].join('\n');
  return rows.map((r) => `${r.from} => ${r.to} : ${formatConns(r.conns)}`).join('\n');
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
 * The whole `ztaudit reach` command minus argument parsing. Exit codes: 0 allowed (or the
 * matrix was printed), 1 denied, 2 bad input (unknown workload, malformed port, missing flag).
 */
export function reachCommandCore(snapshot: Snapshot, options: ReachCommandOptions): { exitCode: number; output: string } {
  const format = options.output ?? 'text';
  try {
    const model = buildReachability(snapshot);
    if (options.matrix) return { exitCode: 0, output: formatMatrix(reachMatrix(model), format) };
    if (!options.from || !options.to) throw new ReachInputError('reach needs --from and --to (or --matrix)');
    if (format === 'csv') throw new ReachInputError('--output csv applies to --matrix; use text or json for one flow');
    const { port, protocol } = options.port ? parsePortArg(options.port) : {};
    const answer = queryReach(model, options.from, options.to, port, protocol);
    return { exitCode: answer.allowed ? 0 : 1, output: formatReach(answer, format) };
  } catch (e: unknown) {
    if (e instanceof ReachInputError) return { exitCode: 2, output: `ztaudit reach: ${e.message}` };
    throw e;
  }
}
