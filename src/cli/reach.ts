// The text, JSON and CSV renderings `ztaudit reach` prints, and its exit codes: the
// reachability analysis answers typed questions (analysis/netpol/query.ts), this file says
// them to people and scripts.
import type { Snapshot } from '../snapshot/types.ts';
import type { ResourceRef } from '../base/vocabulary.ts';
import { oneLine } from '../base/plain-text.ts';
import { csvCell } from '../report/csv.ts';
import { defaultConfig, type Config } from '../config/types.ts';
import { addressMayBeNode, addressNodeText, NOT_A_KNOWN_POD_ADDRESS, buildReachability, connsToJson, hostNetworkMatrixNotes, formatConns, intersectConns, isEmptyConns, isProtocol, subtractConns, unionConns, queryReach, resolveTarget, streamMatrix, ReachInputError, type ConnSet, type MatrixRow, type Protocol, type ReachAnswer } from '../analysis/netpol/index.ts';
import { networkDecidedBy, type DirectionAnswer, type FamilyAnswer, type ReachTarget } from '../analysis/netpol/query.ts';
import type { ReachModel } from '../analysis/netpol/model.ts';
import { parseIp } from '../base/ip.ts';
import { workloadAliasOf } from '../analysis/workloads.ts';
import { calleeMesh, meshFlowVerdict, meshVerdictOverConns, VERDICT_RANK, workloadRefused, type FlowOptions, type MeshConnsVerdict } from '../analysis/mesh/flow-verdict.ts';
import { nginxDialing } from '../analysis/netpol/exposure.ts';
import type { MeshFlowVerdict, MeshVerdictKind } from '../analysis/mesh/flow.ts';

/**
 * Which policies select the pod and which of them isolate it: "isolated by A, B" when every
 * selecting policy isolates, "selected by A, B; isolated by A" when only some do, "selected by
 * A, B (none isolates)" when none does (Cilium `enableDefaultDeny` false, an AdminNetworkPolicy).
 */
function selectedText(d: DirectionAnswer): string {
  const selected = d.policies.join(', ');
  const by = d.isolatingPolicies.length ? d.isolatingPolicies.join(', ') : d.isolatedBy;
  if (!d.isolated || by === undefined) return `selected by ${selected}${d.isolated ? '' : ' (none isolates)'}`;
  return d.isolatingPolicies.length === d.policies.length && !d.isolatedBy ? `isolated by ${selected}` : `selected by ${selected}; isolated by ${by}`;
}

/** One direction: who governs it, then each part of the asked connections with what decided it. */
function directionLines(name: string, who: string, d: DirectionAnswer): string[] {
  const lines = [d.policies.length === 0
    ? d.isolatedBy ? `  ${name} at ${who}: isolated by ${d.isolatedBy}` : `  ${name} at ${who}: not isolated (no policy selects it for ${name})`
    : `  ${name} at ${who}: ${selectedText(d)}`];
  for (const x of d.decisions) lines.push(`    ${x.family ? `over IPv${x.family}: ` : ''}${x.unknown ? 'UNKNOWN' : x.allowed ? 'ALLOWED' : 'DENIED'}${x.uncertain ? ' (uncertain)' : ''} by ${x.by}: ${x.conns}`);
  return lines;
}

/**
 * Both layers' answer for one flow. `effective`: 'allowed' (every request), 'depends' (some
 * requests: the mesh decides by method, path, JWT, condition or external authorizer), 'denied',
 * or 'unknown' (the mesh's answer could not be judged, or the network's: `network.undetermined`
 * lists why — a policy the model cannot evaluate selects an end while the other end may let the flow through, AdminNetworkPolicies of one priority decide it differently in either order, a CIDR may or may not hold a pod's address (ANP networks, Calico nets/notNets), a namespaceSelector reads labels of a namespace no manifest declares, or Cilium host policies decide a host-network pod's side — and the mesh does not deny it). `allowed` is true for allowed and
 * depends, false for denied, null for unknown (exit 0, 0, 1, 2).
 */
export interface FlowAnswer {
  network: ReachAnswer;
  mesh: MeshFlowVerdict & { port?: number; ports?: MeshConnsVerdict['ports'] };
  effective: 'allowed' | 'depends' | 'denied' | 'unknown';
  allowed: boolean | null;
  /**
   * Connections both layers let through (the network's, minus ports the mesh refuses). When
   * `allowed` is null, only those certain to pass (none unless the network vouches for some and
   * the mesh allows every request): the model's reading stays in `network.ports`.
   */
  ports: ConnSet;
  /** With `allowed` null: the connections that may pass or not (the rest of those the mesh does not refuse). */
  portsInDoubt?: ConnSet;
}

const VERB = { allowed: 'ALLOWED', denied: 'DENIED', depends: 'DEPENDS', unknown: 'UNKNOWN' } as const;

/** One IP family's path in JSON (ReachAnswer.families). */
function familyJson(x: FamilyAnswer): Record<string, unknown> {
  return { verdict: x.verdict, ports: connsToJson(x.ports), by: x.by, ...(x.undetermined?.length ? { undetermined: x.undetermined } : {}) };
}

/** "over IPv4 ALLOWED (TCP 5432) by …", "over IPv6 UNKNOWN (the model reads it as DENIED by …)". */
function familyText(name: string, x: FamilyAnswer): string {
  const by = x.by.join('; ') || 'nothing';
  if (x.verdict === 'unknown') return `over ${name} UNKNOWN (the model reads it as ${isEmptyConns(x.ports) ? 'DENIED' : `ALLOWED (${formatConns(x.ports)})`} by ${by}, in doubt: see the notes)`;
  return `over ${name} ${x.verdict === 'allowed' ? `ALLOWED (${formatConns(x.ports)})` : 'DENIED'} by ${by}`;
}

/**
 * Where the two IP families' paths between dual-stack ends differ, the headline says which family
 * its answer holds for: " (IPv4 only)" when one path is allowed and the other denied, " (IPv4
 * allowed TCP 5432; IPv6 unknown)" when one is allowed for certain and the other in doubt (an
 * ALLOWED answer where the IPv4 path allows every asked connection), and so on; "" otherwise.
 */
function familyQualifier(f: FlowAnswer): string {
  const fams = f.network.families;
  if (!fams || f.effective === 'denied' && f.mesh.verdict === 'denied') return '';
  const v4 = fams.ipv4.verdict;
  const v6 = fams.ipv6.verdict;
  if (v4 === v6 && (v4 !== 'allowed' || sameConnsText(fams.ipv4.ports, fams.ipv6.ports))) return '';
  if (v4 === 'allowed' && v6 === 'denied') return ' (IPv4 only)';
  if (v6 === 'allowed' && v4 === 'denied') return ' (IPv6 only)';
  const part = (name: string, x: FamilyAnswer) => `${name} ${x.verdict}${x.verdict === 'allowed' ? ` ${formatConns(x.ports)}` : ''}`;
  return ` (${part('IPv4', fams.ipv4)}; ${part('IPv6', fams.ipv6)})`;
}

function sameConnsText(a: ConnSet, b: ConnSet): boolean {
  return formatConns(a) === formatConns(b);
}

function meshText(m: FlowAnswer['mesh']): string {
  if (m.mesh === 'none') return `mesh: ${m.reason}`;
  const verb = m.verdict === 'depends' ? 'DEPENDS (allowed for some requests only)' : VERB[m.verdict];
  return `mesh ${verb}: ${m.reason}`;
}

/** Renders an answer as text (for people) or JSON `{ allowed, effective, network, mesh, ports, egress, ingress, … }`. */
export function formatReach(f: FlowAnswer, format: 'text' | 'json'): string {
  const a = f.network;
  if (format === 'json') {
    return JSON.stringify({
      from: a.from,
      to: a.to,
      ...(a.port !== undefined ? { port: a.port } : {}),
      ...(a.portName !== undefined ? { portName: a.portName, portNumbers: a.portNumbers ?? [] } : {}),
      ...(a.protocol ? { protocol: a.protocol } : {}),
      allowed: f.allowed,
      effective: f.effective,
      ports: connsToJson(f.ports),
      ...(f.portsInDoubt ? { portsInDoubt: connsToJson(f.portsInDoubt) } : {}),
      network: {
        allowed: a.allowed,
        ...(a.undetermined?.length ? { undetermined: a.undetermined } : {}),
        ports: connsToJson(a.ports),
        ...(a.certainPorts && a.portsInDoubt ? { certainPorts: connsToJson(a.certainPorts), portsInDoubt: connsToJson(a.portsInDoubt) } : {}),
        ...(a.certainRequestsOnly?.length ? { certainRequestsOnly: a.certainRequestsOnly } : {}),
        ...(a.certainButFor ? { certainButFor: { ports: connsToJson(a.certainButFor.ports), portsInDoubt: connsToJson(a.certainButFor.inDoubt), doubts: a.certainButFor.doubts } } : {}),
        decidedBy: [...a.ingress.decisions.map((d) => ({ direction: 'ingress', ...d })), ...a.egress.decisions.map((d) => ({ direction: 'egress', ...d }))].filter((d) => d.allowed === a.allowed),
        ...(a.families ? { families: { ipv4: familyJson(a.families.ipv4), ipv6: familyJson(a.families.ipv6) } } : {}),
      },
      mesh: f.mesh,
      egress: a.egress,
      ingress: a.ingress,
      notes: a.notes,
    }, null, 2);
  }
  const what = a.portName !== undefined ? ` on ${a.portName}/${a.protocol} (${a.portNumbers?.length ? `port ${a.portNumbers.join(', ')}` : 'no such port'})`
    : a.port !== undefined ? ` on ${a.port}/${a.protocol}` : a.protocol ? ` on ${a.protocol}` : '';
  const headline = `${f.effective === 'depends' ? 'ALLOWED for some requests' : VERB[f.effective]}${familyQualifier(f)}`;
  const m = f.mesh;
  const fams = a.families;
  const lines = [
    `${headline}: ${a.from} -> ${a.to}${what}`,
    fams
      ? `  network ${a.undetermined?.length ? 'UNKNOWN' : a.allowed ? 'ALLOWED' : 'DENIED'} by IP family: ${familyText('IPv4', fams.ipv4)}; ${familyText('IPv6', fams.ipv6)}; ${meshText(m)}`
      : `  network ${a.undetermined?.length ? 'UNKNOWN: the model reads it as ' : ''}${a.allowed ? 'ALLOWED' : 'DENIED'} by ${networkDecidedBy(a).join('; ') || 'nothing'}${a.undetermined?.length ? ', which the notes put in doubt' : ''}; ${meshText(m)}`,
    ...(f.allowed && a.port === undefined ? [`  connections: ${formatConns(f.ports)}`] : []),
    ...(f.effective === 'unknown' && a.certainPorts && a.portsInDoubt ? [`  connections: certain ${formatConns(a.certainPorts)}${a.certainRequestsOnly?.length ? ` (only the requests the L7 rules of ${a.certainRequestsOnly.join(', ')} match)` : ''}; in doubt ${formatConns(a.portsInDoubt)}`] : []),
    // Both kinds of doubt at once: each part named with what puts it in doubt.
    ...(f.effective === 'unknown' && a.certainButFor ? [`  connections: none certain; in doubt ${formatConns(a.certainButFor.inDoubt)} by the uncertain matches, and ${formatConns(a.certainButFor.ports)} by ${a.certainButFor.doubts.length === 1 ? 'a doubt' : `${a.certainButFor.doubts.length} doubts`} of another kind (see the notes)`] : []),
    ...directionLines('egress', a.from, a.egress),
    ...directionLines('ingress', a.to, a.ingress),
    ...(m.mesh === 'none' ? [] : [
      `  mesh (${m.mesh}) at ${m.enforcedBy ?? a.to}${m.port !== undefined && a.port === undefined ? ` (deciding port ${m.port})` : ''}: ${VERB[m.verdict]}${m.policy ? ` by ${m.policy.kind} ${m.policy.namespace}/${m.policy.name}${m.rule !== undefined ? ` rules[${m.rule}]` : ''}` : ''}${m.plaintext ? ' (plaintext call)' : ''}`,
      ...(m.ports && m.ports.length > 1 ? m.ports.map((p) => `    ${p.others ? `other ports (e.g. ${p.port})` : `port ${p.port}`}: ${VERB[p.verdict]}: ${p.reason}`) : []),
      ...(m.notes ?? []).map((n) => `    note: ${n}`),
    ]),
    ...a.notes.map((n) => `  note: ${n}`),
  ];
  // Policy, workload and rule names, reasons and notes built from them come from the cluster:
  // each line stays one line, whatever a name holds.
  return lines.map(oneLine).join('\n');
}

/**
 * The mesh's answer (`judge`) for each way `from` may dial `to`, the more open standing, with why
 * when it is an ingress-nginx way: a controller calling its Ingresses' backend dials what its
 * upstreams hold (nginxDialing: pod addresses unless service-upstream is on), and when some
 * Ingresses dial the pods and others the Service, the more open answer stands (as the check's).
 * Shared by one flow and the effective matrix, so both judge the call the controller makes.
 */
function judgeDialed<T>(snapshot: Snapshot, from: ResourceRef | 'external', to: ResourceRef | undefined, judge: (opts: FlowOptions) => T, verdictOf: (t: T) => MeshVerdictKind): { judged: T; why?: string } {
  const dial = from !== 'external' && to ? nginxDialing(snapshot, from, to) : {};
  const ways: Array<{ opts: FlowOptions; why?: string }> = [
    ...(dial.pods ? [{ opts: { podAddressed: dial.pods }, why: dial.pods }] : []),
    ...(dial.service || !dial.pods ? [{ opts: {}, why: dial.service }] : []),
  ];
  let best: { judged: T; why?: string } | undefined;
  for (const w of ways) {
    const judged = judge(w.opts);
    if (!best || VERDICT_RANK[verdictOf(judged)] < VERDICT_RANK[verdictOf(best.judged)]) best = { judged, ...(w.why ? { why: w.why } : {}) };
  }
  return best!;
}

/** The mesh layer for an answered network flow, and the combined answer. */
export function judgeFlow(snapshot: Snapshot, config: Config, a: ReachAnswer, src: ReachTarget, dst: ReachTarget): FlowAnswer {
  const from: ResourceRef | 'external' = src.kind === 'ip' ? 'external' : src.node.ref;
  // An address no pod holds is the caller's own: the mesh may judge it (Linkerd's cluster networks, Istio's ipBlocks).
  const sourceAddress = src.kind === 'ip' && src.endpoint.kind === 'ip' ? { family: src.endpoint.family, value: src.endpoint.value, text: src.endpoint.text } : undefined;
  const judgeMesh = (given: FlowOptions): { mesh: FlowAnswer['mesh']; open: ConnSet; meshOpen?: ConnSet } => {
    const opts: FlowOptions = sourceAddress ? { ...given, sourceAddress } : given;
    if (dst.kind === 'ip') return { mesh: { mesh: 'none', verdict: 'allowed', reason: `${dst.label} ${addressMayBeNode(a) ? "is no pod's address (it may be a node's)" : addressNodeText(dst) ? `is ${addressNodeText(dst)}` : a.notes.some((n) => n.startsWith(`destination ${dst.label} is ${NOT_A_KNOWN_POD_ADDRESS}`)) ? `is ${NOT_A_KNOWN_POD_ADDRESS}` : 'is outside the cluster'}: no mesh authorization applies`, plaintext: true }, open: a.ports };
    if (a.port !== undefined) return { mesh: meshFlowVerdict(snapshot, config, from, dst.node.ref, a.port, a.protocol ?? 'TCP', opts), open: a.ports };
    // No one port asked: judge the connections the network allows (or, when it allows none, every
    // one asked — all of them, or the numbers a port's name stands for — for information). When the
    // network's answer is undetermined, the connections it reads as denied may be open in the
    // cluster: the mesh is judged over every asked one, so "mesh denied" settles the whole flow.
    const asked = a.portName !== undefined ? numbersOf(a.portNumbers ?? [], a.protocol) : allOf(a.protocol);
    const over = meshVerdictOverConns(snapshot, config, from, dst.node.ref, a.allowed && !a.undetermined?.length ? a.ports : asked, opts);
    if (!over) return { mesh: { mesh: calleeMesh(snapshot, config, dst.node.ref) === 'none' ? 'none' : 'istio', verdict: 'allowed', reason: 'no connection to judge', plaintext: false }, open: a.ports };
    return { mesh: { ...over.verdict, port: over.port, ports: over.ports }, open: a.allowed ? intersectConns(a.ports, over.open) : a.ports, meshOpen: over.open };
  };
  const best = judgeDialed(snapshot, from, dst.kind === 'ip' ? undefined : dst.node.ref, judgeMesh, (j) => j.mesh.verdict);
  let mesh = best.judged.mesh;
  const open = best.judged.open;
  if (best.why && !mesh.reason.includes(best.why)) mesh = { ...mesh, reason: `${mesh.reason} (${best.why})` };
  // A network answer the model cannot vouch for (see ReachAnswer.undetermined) is unknown, unless the mesh refuses the call anyway.
  const effective: FlowAnswer['effective'] = mesh.verdict === 'denied' ? 'denied' : a.undetermined?.length ? 'unknown' : !a.allowed ? 'denied' : mesh.verdict;
  if (effective === 'unknown') {
    // What may pass: the network's reading where it vouches for it, else its two parts, else
    // every asked connection (a doubt of another kind may open any); cut to what the mesh does
    // not refuse. Certain: the network's certain part, where the mesh allows every request.
    const asked = a.portName !== undefined ? numbersOf(a.portNumbers ?? [], a.protocol) : a.port !== undefined ? numbersOf([a.port], a.protocol) : allOf(a.protocol);
    const may = !a.undetermined?.length ? a.ports : a.certainPorts && a.portsInDoubt ? unionConns(a.certainPorts, a.portsInDoubt) : asked;
    const meshOpen = best.judged.meshOpen;
    const passable = meshOpen ? intersectConns(may, meshOpen) : may;
    const certain = a.certainPorts && mesh.verdict === 'allowed' ? intersectConns(a.certainPorts, passable) : { TCP: [], UDP: [], SCTP: [] };
    return { network: a, mesh, effective, allowed: null, ports: certain, portsInDoubt: subtractConns(passable, certain) };
  }
  return { network: a, mesh, effective, allowed: effective !== 'denied', ports: effective === 'denied' ? { TCP: [], UDP: [], SCTP: [] } : open };
}

function numbersOf(ports: readonly number[], protocol: Protocol | undefined): ConnSet {
  const out: ConnSet = { TCP: [], UDP: [], SCTP: [] };
  out[protocol ?? 'TCP'] = ports.map((p): [number, number] => [p, p]);
  return out;
}

function allOf(protocol: Protocol | undefined): ConnSet {
  const all: Array<[number, number]> = [[1, 65535]];
  return protocol ? { TCP: [], UDP: [], SCTP: [], [protocol]: all } : { TCP: all, UDP: all, SCTP: all };
}

/** A matrix row; `mesh` (effective matrix only) says which mesh judged the destination and which ports only some requests pass. */
export type EffectiveRow = MatrixRow & { mesh?: string };

/** How a text matrix row marks connections that are not all certain: "[? certain: …; in doubt: …]". */
export const MATRIX_DOUBT_MARK = '[?';

/** The legend after a text matrix holding marked rows. */
export function matrixDoubtLegend(count: number): string {
  return `note: ${count} ${count === 1 ? 'row ends' : 'rows end'} in "${MATRIX_DOUBT_MARK} certain: ...; in doubt: ...]": the connections before it are the model's reading, certain only for those named certain; those in doubt may go either way (a rule matched on an address, node or namespace label the model does not know, or a side it cannot judge); \`ztaudit reach --from SRC --to DST\` says why`;
}

/** How a text matrix row marks a dual-stack pair whose two IP family paths differ: "[by IP family: IPv4 …; IPv6 …]". */
export const MATRIX_FAMILY_MARK = '[by IP family:';

/** The legend after a text matrix holding rows marked by IP family. */
export function matrixFamilyLegend(count: number): string {
  return `note: ${count} ${count === 1 ? 'row ends' : 'rows end'} in "${MATRIX_FAMILY_MARK} IPv4 ...; IPv6 ...]": both ends are dual-stack and a Calico rule of one IP family (ipVersion, or nets of one family) decides part of the row, which Felix applies to that family's packets only; the row lists what either family's path allows (a client may use either), the mark what each allows alone`;
}

/** "IPv4 TCP 5432; IPv6 No Connections". */
function familyCell(f: NonNullable<MatrixRow['families']>): string {
  return `IPv4 ${formatConns(f.ipv4)}; IPv6 ${formatConns(f.ipv6)}`;
}

/** The row's certain connections and those in doubt, when some are in doubt. */
function rowDoubt(r: MatrixRow): { certain: ConnSet; inDoubt: ConnSet } | undefined {
  return r.inDoubt ? { certain: subtractConns(r.conns, r.inDoubt), inDoubt: r.inDoubt } : undefined;
}

/**
 * The matrix as text chunks (about 64 KiB each), for streaming; joined, it is `formatMatrix`. `effective` adds the mesh column.
 * A row some of whose connections are in doubt (MatrixRow.inDoubt) says which: text with a mark
 * and a closing legend, JSON with `certain` and `inDoubt`, CSV in its column `in_doubt`
 * (empty when the row is certain; the certain connections are `conn` without them). A dual-stack
 * row whose two IP family paths differ (MatrixRow.families) says what each allows: text with a
 * mark and a closing legend, JSON with `ipv4` and `ipv6`, CSV in its last two columns `ipv4` and
 * `ipv6` (empty where the paths are not judged apart; `conn` is what either path allows). CSV
 * columns are only ever appended, so a script reading them by position keeps working.
 */
export function* formatMatrixChunks(rows: Iterable<EffectiveRow>, format: 'text' | 'json' | 'csv', effective = false): Generator<string> {
  let buf = format === 'json' ? '[' : format === 'csv' ? `src,dst,conn${effective ? ',mesh' : ''},in_doubt,ipv4,ipv6` : '';
  let first = true;
  let marked = 0;
  let byFamily = 0;
  for (const r of rows) {
    const mesh = r.mesh ?? '';
    const doubt = rowDoubt(r);
    if (doubt) marked++;
    if (r.families) byFamily++;
    const line = format === 'json'
      ? `\n  {\n    "src": ${JSON.stringify(r.from)},\n    "dst": ${JSON.stringify(r.to)},\n    "conn": ${JSON.stringify(formatConns(r.conns))}${doubt ? `,\n    "certain": ${JSON.stringify(formatConns(doubt.certain))},\n    "inDoubt": ${JSON.stringify(formatConns(doubt.inDoubt))}` : ''}${r.families ? `,\n    "ipv4": ${JSON.stringify(formatConns(r.families.ipv4))},\n    "ipv6": ${JSON.stringify(formatConns(r.families.ipv6))}` : ''}${effective ? `,\n    "mesh": ${JSON.stringify(mesh)}` : ''}\n  }`
      : format === 'csv' ? `\n${[r.from, r.to, formatConns(r.conns), ...(effective ? [mesh] : []), doubt ? formatConns(doubt.inDoubt) : '', r.families ? formatConns(r.families.ipv4) : '', r.families ? formatConns(r.families.ipv6) : ''].map(csvCell).join(',')}`
      : `${first ? '' : '\n'}${oneLine(r.from)} => ${oneLine(r.to)} : ${formatConns(r.conns)}${doubt ? ` ${MATRIX_DOUBT_MARK} certain: ${formatConns(doubt.certain)}; in doubt: ${formatConns(doubt.inDoubt)}]` : ''}${r.families ? ` ${MATRIX_FAMILY_MARK} ${familyCell(r.families)}]` : ''}${effective && mesh ? ` [mesh ${oneLine(mesh)}]` : ''}`;
    buf += format === 'json' && !first ? `,${line}` : line;
    first = false;
    if (buf.length >= 65536) {
      yield buf;
      buf = '';
    }
  }
  if (format === 'json') buf += first ? ']' : '\n]';
  if (format === 'text' && marked) buf += `${first ? '' : '\n'}${matrixDoubtLegend(marked)}`;
  if (format === 'text' && byFamily) buf += `${first && !marked ? '' : '\n'}${matrixFamilyLegend(byFamily)}`;
  if (buf) yield buf;
}

export function formatMatrix(rows: Iterable<EffectiveRow>, format: 'text' | 'json' | 'csv', effective = false): string {
  return [...formatMatrixChunks(rows, format, effective)].join('');
}

/** "ns/name[Kind]" back to the workload; "[External]" rows are addresses. */
function labelRef(label: string): ResourceRef | 'external' {
  const m = /^(.*)\/([^/]*)\[([^\]]*)\]$/.exec(label);
  if (!m || m[3] === 'External') return 'external';
  return { kind: m[3], namespace: m[1], name: m[2] };
}

/**
 * The network matrix with each row cut to what the destination's mesh also lets through: rows
 * the mesh refuses entirely disappear. One row at a time (streamed like the network matrix).
 */
export function* effectiveMatrix(snapshot: Snapshot, config: Config, rows: Iterable<MatrixRow>): Generator<EffectiveRow> {
  for (const r of rows) {
    const to = labelRef(r.to);
    if (to === 'external' || calleeMesh(snapshot, config, to) === 'none') {
      // No pod of it can start: said in the mesh column, the network's reading kept.
      yield to !== 'external' && workloadRefused(snapshot, config, to) !== undefined ? { ...r, mesh: 'none: its pods cannot start (refused)' } : r;
      continue;
    }
    const from = labelRef(r.from);
    // An ingress-nginx controller's row to a backend of its Ingresses: the call it makes, as `reach` judges it.
    const over = judgeDialed(snapshot, from, to, (opts) => meshVerdictOverConns(snapshot, config, from, to, r.conns, opts), (o) => o?.verdict.verdict ?? 'allowed').judged;
    if (!over) {
      yield r;
      continue;
    }
    if (over.open.TCP.length === 0 && over.open.UDP.length === 0 && over.open.SCTP.length === 0) continue;
    const partial = over.ports.filter((p) => p.verdict === 'depends' || p.verdict === 'unknown').map((p) => `${p.others ? 'other TCP ports' : `TCP ${p.port}`} ${p.verdict}`);
    // What the network puts in doubt stays so where the mesh lets it through, and where the model reads it denied (the mesh was not asked).
    const inDoubt = r.inDoubt ? unionConns(intersectConns(r.inDoubt, over.open), subtractConns(r.inDoubt, r.conns)) : undefined;
    // Each family's path cut the same way: the mesh does not look at the packet's family.
    const families = r.families ? { ipv4: intersectConns(r.families.ipv4, over.open), ipv6: intersectConns(r.families.ipv6, over.open) } : undefined;
    yield { from: r.from, to: r.to, conns: over.open, ...(inDoubt && !isEmptyConns(inDoubt) ? { inDoubt } : {}), ...(families && formatConns(families.ipv4) !== formatConns(families.ipv6) ? { families } : {}), mesh: `${over.verdict.mesh}${partial.length ? `: ${partial.join(', ')}` : ''}` };
  }
}

/**
 * `reach --matrix` as a stream of output chunks (the command writes each as it comes, so a
 * large matrix never sits in memory as one string). With `config`, the effective matrix.
 */
export function reachMatrixChunks(snapshot: Snapshot, format: 'text' | 'json' | 'csv', effectiveConfig?: Config): Iterable<string> {
  const rows = streamMatrix(buildReachability(snapshot));
  const chunks = effectiveConfig ? formatMatrixChunks(effectiveMatrix(snapshot, effectiveConfig, rows), format, true) : formatMatrixChunks(rows, format);
  const header = format === 'text' ? matrixWarnings(snapshot).map((w) => `note: ${oneLine(w)}\n`).join('') : '';
  return header ? (function* () { yield header; yield* chunks; })() : chunks;
}

/**
 * What the matrix cannot vouch for, for all its rows: a policy kind that was not read. The text
 * matrix opens with them as notes; JSON and CSV, whose shape tools read, get them on stderr.
 */
export function matrixWarnings(snapshot: Snapshot): string[] {
  const model = buildReachability(snapshot);
  return [...model.unread.map((u) => `every row is the model's reading, not a verdict: ${u}`), ...hostNetworkMatrixNotes(model)];
}

export interface ReachCommandOptions {
  /** Mesh settings (Istio root namespace, trust domain); default config when omitted. */
  config?: Config;
  /** --matrix: the effective (network and mesh) matrix instead of the network one. */
  effective?: boolean;
  from?: string;
  to?: string;
  /** "8080", "53/UDP", "UDP" (a whole protocol), "http" or "dns/UDP" (a container port's name). */
  port?: string;
  matrix?: boolean;
  /** csv applies to --matrix only. */
  output?: 'text' | 'json' | 'csv';
}

/** What --port takes, said whenever it refuses a value. */
const PORT_FORMS = 'give a port number 1-65535 or a container port\'s name, optionally with /TCP, /UDP or /SCTP (5432, 53/UDP, http), or a protocol alone (TCP, UDP or SCTP)';

/** A container port's name (Kubernetes' IANA_SVC_NAME): lowercase letters, digits and dashes, a letter at least, no dash at either end or twice in a row, at most 15. */
function isPortName(text: string): boolean {
  return text.length <= 15 && /^[a-z0-9]+(-[a-z0-9]+)*$/.test(text) && /[a-z]/.test(text);
}

/**
 * Parses "PORT[/PROTO]", "NAME[/PROTO]" or "PROTO". A name is kept as given: it stands for the
 * container port of that name on each destination pod (pods may number it differently). A
 * protocol's name alone (tcp, udp, sctp) is the protocol.
 */
export function parsePortArg(text: string): { port?: number | string; protocol?: Protocol } {
  const t = text.trim();
  const slash = t.indexOf('/');
  const head = slash < 0 ? t : t.slice(0, slash);
  const protocol = slash < 0 ? undefined : t.slice(slash + 1).toUpperCase();
  if (slash < 0 && isProtocol(head.toUpperCase())) return { protocol: head.toUpperCase() as Protocol };
  if (protocol === undefined || isProtocol(protocol)) {
    if (/^\d{1,5}$/.test(head) && Number(head) >= 1 && Number(head) <= 65535) return { port: Number(head), protocol };
    if (isPortName(head)) return { port: head, protocol };
    if (/[A-Za-z]/.test(head)) return refuse(`--port "${text}": "${head}" is not a port's name (at most 15 lowercase letters, digits and dashes, a letter at least, no dash at either end or twice in a row); ${PORT_FORMS}`);
  }
  return refuse(`--port "${text}": ${PORT_FORMS}`);
}

function refuse(message: string): never {
  throw new ReachInputError(message);
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

/** `queryReach`, its refusal (a port's name toward an address) naming the flag. */
function queryReachFlag(model: ReachModel, src: ReachTarget, dst: ReachTarget, port: number | string | undefined, protocol: Protocol | undefined): ReachAnswer {
  try {
    return queryReach(model, src, dst, port, protocol);
  } catch (e: unknown) {
    if (e instanceof ReachInputError) throw new ReachInputError(`--port: ${e.message}`);
    throw e;
  }
}

/** Said when --port comes with --matrix, which lists every port. */
export const MATRIX_PORT = '--port applies to one flow (--from, --to): the matrix lists every port each pair may use';

/** Why --matrix refuses the flags of one flow, if any was given: a matrix that dropped them answered another question. */
export function matrixRefusal(options: { from?: string | undefined; to?: string | undefined; port?: string | undefined }): string | undefined {
  if (options.port !== undefined) return MATRIX_PORT;
  const flags = [options.from !== undefined ? '--from' : '', options.to !== undefined ? '--to' : ''].filter((f) => f !== '');
  if (flags.length === 0) return undefined;
  return `${flags.join(' and ')} ${flags.length > 1 ? 'apply' : 'applies'} to one flow: the matrix lists every workload pair; drop --matrix to ask about one flow`;
}

/** What --to takes, said whenever it refuses a DNS name. */
const TO_FORMS = 'give NAMESPACE/WORKLOAD, NAMESPACE/KIND/WORKLOAD, an IP address or a DNS name such as api.example.com';

/**
 * A DNS name given to --to, lower-cased without its trailing dot, or undefined when the text is
 * not meant as one (it holds a slash, or is an IP address). A name that breaks RFC 1123 (labels
 * of letters, digits and dashes, 1-63 long, no dash at either end; 253 at most; Cilium's toFQDNs
 * also takes `_`), a single label, a last label of digits only (no IP address either), a
 * wildcard, or a cluster Service name (NAME.NS.svc[.DOMAIN]) is refused naming what is wrong.
 */
export function parseDnsName(text: string): string | undefined {
  const t = text.trim();
  if (t.includes('/') || parseIp(t)) return undefined;
  const name = t.toLowerCase().replace(/\.$/, '');
  const bad = (why: string): never => refuse(`--to "${text}": ${why}; ${TO_FORMS}`);
  if (name.includes('*')) bad('reach answers for one DNS name, not a pattern: give a name the pattern matches');
  if (name.length === 0 || name.length > 253) bad('a DNS name is 1 to 253 characters long');
  const labels = name.split('.');
  if (labels.length < 2) bad('not a workload (NAMESPACE/WORKLOAD), an IP address nor a DNS name of two labels or more');
  const wrong = labels.find((l) => !/^[a-z0-9_]([-a-z0-9_]{0,61}[a-z0-9_])?$/.test(l));
  if (wrong !== undefined) bad(`"${wrong}" is not a DNS label (1-63 letters, digits, dashes or underscores, no dash at either end)`);
  if (/^\d+$/.test(labels[labels.length - 1])) bad('not an IP address, and a DNS name does not end in a label of digits');
  // A Service's cluster name is NAME.NS.svc[.CLUSTER-DOMAIN] (https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/):
  // svc is its third label; svc.example.com or api.svc.example.com are names like any other.
  if (labels[2] === 'svc') bad(`${name} is a Service's cluster DNS name: policy applies to the pods behind it; give the workload behind it (NAMESPACE/WORKLOAD) and the target port`);
  return name;
}

/**
 * A DNS name as a destination outside the cluster, answered as the matrix's name rows are: by
 * the rules that name it (Cilium toFQDNs, AdminNetworkPolicy domainNames), by CIDR rules covering
 * every address it may resolve to, and in doubt under narrower CIDRs (engine.ts ruleMatchDoubt).
 * An outside end of query.ts's ReachTarget is an address or a name endpoint.
 */
function nameTarget(name: string): ReachTarget {
  return { kind: 'ip', endpoint: { kind: 'fqdn', name }, label: name };
}

/** `resolveTarget`, its refusal naming the flag; --to also takes a DNS name. */
function resolveFlag(flag: '--from' | '--to', model: ReachModel, text: string): ReachTarget {
  if (flag === '--to') {
    const name = parseDnsName(text);
    if (name !== undefined) return nameTarget(name);
  }
  try {
    return resolveTarget(model, text);
  } catch (e: unknown) {
    if (e instanceof ReachInputError) throw new ReachInputError(`${flag}: ${e.message}`);
    throw e;
  }
}

/**
 * The whole `ztaudit reach` command minus argument parsing. Exit codes follow the effective
 * answer of both layers: 0 allowed (also when the mesh allows only some requests), 1 denied,
 * 2 could not answer (bad input: unknown workload, malformed port, missing flag; or the network's
 * or the mesh's answer is unknown). The matrix exits 0.
 */
export function reachCommandCore(snapshot: Snapshot, options: ReachCommandOptions): { exitCode: number; output: string; answered?: boolean; warnings?: string[] } {
  const format = options.output ?? 'text';
  try {
    const model = buildReachability(snapshot);
    const refused = options.matrix ? matrixRefusal(options) : undefined;
    if (refused) throw new ReachInputError(refused);
    if (options.matrix) {
      const warnings = format === 'text' ? [] : matrixWarnings(snapshot).map(oneLine);
      return { exitCode: 0, output: [...reachMatrixChunks(snapshot, format, options.effective ? options.config ?? defaultConfig() : undefined)].join(''), ...(warnings.length ? { warnings } : {}) };
    }
    if (!options.from || !options.to) throw new ReachInputError('reach needs --from and --to (or --matrix)');
    if (format === 'csv') throw new ReachInputError('--output csv applies to --matrix; use text or json for one flow');
    const from = aliasToWorkload(snapshot, model, options.from);
    const to = aliasToWorkload(snapshot, model, options.to);
    const src = resolveFlag('--from', model, from.target);
    const dst = resolveFlag('--to', model, to.target);
    const { port, protocol } = options.port ? parsePortArg(options.port) : {};
    const toName = dst.kind === 'ip' && dst.endpoint.kind === 'fqdn';
    if (toName && typeof port === 'string') throw new ReachInputError(`--port "${options.port}" is a container port's name, which resolves on a destination pod; ${dst.label} is a DNS name outside the cluster: give the port's number`);
    const answer = queryReachFlag(model, src, dst, port, protocol);
    if (toName) answer.notes.unshift(`${dst.label} is a DNS name: its addresses are not known offline, so it is answered by the rules that name it (Cilium toFQDNs, AdminNetworkPolicy domainNames) and by CIDR rules covering every address; a narrower CIDR may hold its addresses`);
    answer.notes.unshift(...[from.note, to.note].filter((n): n is string => n !== undefined));
    const flow = judgeFlow(snapshot, options.config ?? defaultConfig(), answer, src, dst);
    return { exitCode: flow.allowed === null ? 2 : flow.allowed ? 0 : 1, output: formatReach(flow, format), answered: true };
  } catch (e: unknown) {
    // The message may quote the input and the workloads of a namespace (names from the cluster).
    if (e instanceof ReachInputError) return { exitCode: 2, output: `ztaudit reach: ${oneLine(e.message)}` };
    throw e;
  }
}
