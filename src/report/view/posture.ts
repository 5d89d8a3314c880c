// Posture from report.details (typed by the run types, computed by the analyses): the broadest
// RBAC subjects, workloads per mTLS posture, and what is reachable from far away.
import { DETAIL_KINDS, type MtlsPosture, type RunDetails, type RunDiff, type RunReport } from '../../run/types.ts';
import { BREADTH_LISTED, broadestSubjects } from '../../run/breadth.ts';
import { byRef, num, pct, refKey, refOf, resourceText, smallest } from './format.ts';
import type { BreadthRow, CallerRow, EgressDestinationRow, ExposurePathRow, ExposureRow, L4WithoutL7Row, MeshModeBar, MeshRow, PostureView } from './types.ts';

/** Subjects listed in the RBAC breadth table (the diff carries the compared run's breadth of these). */
export const POSTURE_TOP_SUBJECTS = BREADTH_LISTED;
/** Rows in the mTLS and exposure tables; the rest are counted. */
export const POSTURE_MAX_ROWS = 50;
/** External paths listed per exposed workload; the rest are counted on the row. */
const POSTURE_MAX_PATHS = 4;

/** Why a details part is absent: the kinds it needs that were not collected, or that it was not computed. */
function absentBecause(report: RunReport, part: keyof RunDetails, what: string, otherwise: string): string {
  const missing = DETAIL_KINDS[part].flatMap((k) => {
    const c = report.run.coverage[k];
    return c?.status === 'ok' ? [] : [`${k}: ${c?.status ?? 'not collected'}`];
  });
  return missing.length > 0 ? `${what} were not collected (${missing.join(', ')}).` : otherwise;
}

function breadthPosture(report: RunReport): PostureView['rbac'] {
  const list = report.details.rbac?.breadth;
  if (!list) return { omitted: absentBecause(report, 'rbac', 'RBAC kinds', 'RBAC breadth was not computed for this run.'), notCompared: '', rows: [], listed: 0, growthElsewhere: 0 };
  const top = broadestSubjects(list, POSTURE_TOP_SUBJECTS).map((e) => ({ ...refOf(e.subject), breadth: e.breadth }));
  const diff = report.diff;
  const growth = new Map<string, RunDiff['breadthGrowth'][number]>();
  for (const g of diff?.breadthGrowth ?? []) growth.set(refKey(g.subject), g);
  // The compared run's breadth of the listed subjects (RunDiff.breadthBefore); a diff stored
  // before it was recorded has only the growth.
  const before = diff?.breadthBefore ? new Map(diff.breadthBefore.map((b) => [refKey(b.subject), b.before])) : undefined;
  const sinceRun = diff?.breadthBaselineRunId ?? '';
  const notCompared = !diff ? '' : diff.breadthNotCompared ?? (before || growth.size > 0 ? '' : `RBAC breadth not compared: run ${diff.breadthBaselineRunId ?? diff.previousRunId} has none`);
  const max = top.length > 0 ? top[0].breadth : 0;
  const changeOf = (key: string, after: number): BreadthRow['change'] => {
    const b = before?.has(key) ? before.get(key)! : growth.get(key)?.before;
    if (before?.has(key) && b === null) return { state: 'new', before: '', after: '', percent: '', cls: 'down', sinceRun };
    if (b === undefined || b === null) return { state: diff && notCompared ? 'not-compared' : 'none', before: '', after: '', percent: '', cls: 'flat', sinceRun: '' };
    if (b === after) return { state: 'same', before: '', after: '', percent: '', cls: 'flat', sinceRun };
    const percent = b > 0 ? `${after > b ? '+' : '−'}${num(Math.abs(Math.round((1000 * (after - b)) / b) / 10))}%` : '';
    return { state: 'moved', before: b.toLocaleString('en-US'), after: after.toLocaleString('en-US'), percent, cls: after > b ? 'down' : 'up', sinceRun };
  };
  const rows = top.map((e, i): BreadthRow => ({
    rank: i + 1, kind: e.kind, namespace: e.namespace, name: e.name, breadth: e.breadth.toLocaleString('en-US'),
    barPercent: max > 0 ? Math.max(1, Math.round((100 * e.breadth) / max)) : 0,
    change: changeOf(refKey(e), e.breadth),
  }));
  const shown = new Set(top.map(refKey));
  return { omitted: '', notCompared, rows, listed: list.length, growthElsewhere: [...growth.keys()].filter((k) => !shown.has(k)).length };
}

const POSTURE_CLS: Record<MtlsPosture, MeshModeBar['cls']> = { authenticated: 'good', permissive: 'warn', plaintext: 'bad', outside: 'none', refused: 'none' };
/** Bar order (secure first) and table order (worst first) per posture; a workload that cannot start takes no traffic, plaintext or not. */
const BAR_ORDER: Record<MtlsPosture, number> = { authenticated: 0, permissive: 1, plaintext: 2, outside: 3, refused: 4 };
const WORST_ORDER: Record<MtlsPosture, number> = { plaintext: 0, outside: 1, refused: 2, permissive: 3, authenticated: 4 };
const MODE_LABEL: Record<string, string> = { none: 'outside the mesh', refused: 'cannot start (refused)' };
/** Istio modes before Linkerd policies within a posture. */
const modeOrder = (mode: string) => (mode.startsWith('linkerd:') ? 1 : 0);

function meshPosture(report: RunReport, maxRows: number): PostureView['mtls'] {
  const leftovers = (report.details.mtls?.leftovers ?? []).map((l) => l.text);
  const list = report.details.mtls?.workloads;
  if (!list || (list.length === 0 && leftovers.length > 0)) {
    const cm = report.run.coverage.configmaps?.status;
    const otherwise = cm === 'forbidden' || cm === 'error'
      ? `Some ConfigMaps could not be read (configmaps: ${cm}): where they hold Istio's mesh config (its root namespace) or Linkerd's linkerd-config (its default inbound policy), workloads' mTLS modes turn on them, so none are shown; otherwise no service mesh was found.`
      : 'No service mesh (Istio, Linkerd or Consul) was found, so no workload has an mTLS mode.';
    return {
      omitted: list ? 'No service mesh runs, so no workload has an mTLS mode.' : absentBecause(report, 'mtls', 'Pods or namespaces', otherwise),
      total: 0, secure: 0, securePercent: '0%', bars: [], rows: [], notStrict: 0, more: 0, callers: [], callersMore: 0, l4: [], l4More: 0, l4Total: 0, l4Omitted: '', leftovers,
    };
  }
  const counts = new Map<string, { count: number; posture: MtlsPosture }>([
    ['STRICT', { count: 0, posture: 'authenticated' }], ['PERMISSIVE', { count: 0, posture: 'permissive' }],
    ['DISABLE', { count: 0, posture: 'plaintext' }], ['none', { count: 0, posture: 'outside' }],
  ]);
  const flagged: Array<MeshRow & { worst: number; ref: ReturnType<typeof refOf> }> = [];
  let secure = 0;
  for (const e of list) {
    const c = counts.get(e.mode) ?? { count: 0, posture: e.posture };
    c.count++;
    counts.set(e.mode, c);
    const weak = Object.entries(e.weakPorts ?? {});
    if (e.posture === 'authenticated' && weak.length === 0) { secure++; continue; }
    const ref = refOf(e.workload);
    flagged.push({
      ...ref, ref, mesh: e.mesh, mode: MODE_LABEL[e.mode] ?? e.mode, cls: POSTURE_CLS[e.posture],
      ports: weak.sort((a, b) => a[0].localeCompare(b[0], 'en', { numeric: true })).map(([p, m]) => `${p}: ${m}`).join(', '),
      note: e.refused === undefined ? '' : e.posture === 'refused' ? `its pods cannot start: ${e.refused}` : `re-created, its pods would be refused: ${e.refused}`,
      worst: WORST_ORDER[e.posture],
    });
  }
  const total = list.length;
  let x = 0;
  const bars = [...counts.entries()]
    .sort((a, b) => BAR_ORDER[a[1].posture] - BAR_ORDER[b[1].posture] || modeOrder(a[0]) - modeOrder(b[0]) || a[0].localeCompare(b[0], 'en'))
    .map(([key, { count, posture }]): MeshModeBar => {
      const width = total > 0 ? Math.round(((1000 * count) / total) * 10) / 10 : 0;
      const bar = { key, label: MODE_LABEL[key] ?? key, count, percent: pct(count, total), cls: POSTURE_CLS[posture], x: Math.round(x * 10) / 10, width };
      x += width;
      return bar;
    });
  const rows = smallest(flagged, maxRows, (a, b) => a.worst - b.worst || byRef(a.ref, b.ref)).map(({ worst: _w, ref: _r, ...r }) => r);
  const callers = callerRows(report, list, maxRows);
  const l4List = report.details.mtls?.l4WithoutL7;
  const l4 = smallest(l4List ?? [], maxRows, (a, b) => byRef(refOf(a.workload), refOf(b.workload))).map((e): L4WithoutL7Row => ({ ...refOf(e.workload), mesh: e.mesh, reason: e.reason }));
  return {
    omitted: '', total, secure, securePercent: pct(secure, total), bars, rows, notStrict: flagged.length, more: flagged.length - rows.length,
    callers: callers.rows, callersMore: callers.more,
    l4, l4Total: l4List?.length ?? 0, l4More: (l4List?.length ?? 0) - l4.length,
    l4Omitted: l4List ? '' : absentBecause(report, 'network', 'Network kinds', 'Reachability from other namespaces was not computed for this run.'),
    leftovers,
  };
}

/** Callers listed per row; the rest are counted. */
const CALLERS_PER_ROW = 4;
const WHO_ORDER = { anyone: 0, listed: 1, nobody: 2 } as const;

/** Istio workloads with who may call them, open ones first, next to what the network admits. */
function callerRows(report: RunReport, list: NonNullable<RunDetails['mtls']>['workloads'], maxRows: number): { rows: CallerRow[]; more: number } {
  const fromAll = new Set((report.details.network?.exposure ?? []).filter((e) => e.fromAllNamespaces).map((e) => refKey(refOf(e.workload))));
  const network = !!report.details.network;
  const withCallers = list.filter((w) => w.callers);
  const top = smallest(withCallers, maxRows, (a, b) => WHO_ORDER[a.callers!.who] - WHO_ORDER[b.callers!.who] || byRef(refOf(a.workload), refOf(b.workload)));
  const rows = top.map((w): CallerRow => {
    const c = w.callers!;
    const ref = refOf(w.workload);
    const open = fromAll.has(refKey(ref));
    return {
      ...ref,
      callers: c.who === 'anyone' ? 'any caller the network lets in (no ALLOW AuthorizationPolicy)' : c.who === 'nobody' ? 'nobody (allow-nothing)' : c.callers.slice(0, CALLERS_PER_ROW).join('; '),
      more: c.who === 'listed' ? Math.max(0, c.callers.length - CALLERS_PER_ROW) : 0,
      cls: c.who === 'anyone' ? 'bad' : c.who === 'nobody' || !c.callers.some((x) => x.startsWith('any ')) ? 'good' : 'warn',
      network: !network ? 'not evaluated' : open ? 'every namespace' : 'restricted',
      networkOpen: open,
    };
  });
  return { rows, more: withCallers.length - rows.length };
}

function exposurePosture(report: RunReport, maxRows: number): PostureView['exposure'] {
  const list = report.details.network?.exposure;
  if (!list) {
    return {
      omitted: absentBecause(report, 'network', 'Network kinds', 'Network exposure was not computed for this run.'),
      total: 0, external: 0, fromAllNamespaces: 0, via: [], rows: [], more: 0,
    };
  }
  const viaCount = new Map<string, number>();
  let external = 0, fromAll = 0;
  const all = list.map((e) => {
    const paths = e.external.map((p): ExposurePathRow & { uncertain: boolean } => {
      const network = p.controller !== undefined
        ? (p.allowedByPolicy === true ? `${p.controller} may connect` : p.allowedByPolicy === false ? `NetworkPolicy blocks ${p.controller}` : `pods of ${p.controller} not found${p.attachmentUnknown !== undefined ? '' : '; counted as open'}`)
        : p.allowedByPolicy === true ? (p.forwarded ? `admitted by NetworkPolicy: ${p.forwarded}` : 'admitted by NetworkPolicy') : p.allowedByPolicy === false ? 'blocked by NetworkPolicy'
          : p.via === 'Ingress' ? 'through the ingress controller' : 'NetworkPolicy not evaluated';
      const meshDenied = p.allowedByPolicy !== false && p.mesh?.verdict === 'denied';
      const judged = p.blockedBy !== undefined ? `no client gets through: ${p.blockedBy}` : p.inDoubt !== undefined ? `${network}; cannot be confirmed: ${p.inDoubt}` : network;
      const policy = meshDenied ? `${judged}; the mesh refuses: ${p.mesh!.reason}` : p.mesh && p.allowedByPolicy !== false ? `${judged}; mesh ${p.mesh.verdict}` : judged;
      return {
        via: p.via, through: p.route ?? resourceText(p.through), ports: p.ports,
        // A route whose listener may not admit it is shown, but opens nothing in the totals (the
        // checks give it no verdict either).
        policy: p.attachmentUnknown !== undefined ? `${policy}; may not be attached: ${p.attachmentUnknown}` : policy,
        blocked: p.allowedByPolicy === false || meshDenied || p.blockedBy !== undefined,
        uncertain: p.attachmentUnknown !== undefined,
      };
    });
    const open = paths.filter((p) => !p.blocked && !p.uncertain);
    if (open.length > 0) external++;
    for (const v of new Set(open.map((p) => p.via))) viaCount.set(v, (viaCount.get(v) ?? 0) + 1);
    if (e.fromAllNamespaces) fromAll++;
    paths.sort((a, b) => Number(a.blocked) - Number(b.blocked) || Number(a.uncertain) - Number(b.uncertain) || a.via.localeCompare(b.via, 'en') || a.through.localeCompare(b.through, 'en'));
    const ref = refOf(e.workload);
    return { ...ref, ref, podCount: e.podCount.toLocaleString('en-US'), paths, fromAllNamespaces: e.fromAllNamespaces, rank: open.length > 0 ? 0 : e.fromAllNamespaces ? 1 : 2 };
  });
  const top = smallest(all, maxRows, (a, b) => a.rank - b.rank || byRef(a.ref, b.ref));
  const rows = top.map(({ rank: _r, ref: _f, paths, ...r }): ExposureRow => ({ ...r, paths: paths.slice(0, POSTURE_MAX_PATHS).map(({ uncertain: _u, ...p }) => p), pathsMore: Math.max(0, paths.length - POSTURE_MAX_PATHS) }));
  const known = ['LoadBalancer', 'NodePort', 'Ingress'];
  const via = [...known, ...[...viaCount.keys()].filter((v) => !known.includes(v)).sort()].map((v) => ({ via: v, count: viaCount.get(v) ?? 0 }));
  return { omitted: '', total: all.length, external, fromAllNamespaces: fromAll, via, rows, more: all.length - rows.length };
}

const EGRESS_KIND_LABEL = { world: 'any address', ipBlock: 'address range', fqdn: 'DNS name', ServiceEntry: 'ServiceEntry host' } as const;

/** The external destinations the cluster's policies and ServiceEntries allow by name. */
function egressPosture(report: RunReport, maxRows: number): PostureView['egress'] {
  const network = report.details.network;
  if (!network) return { omitted: absentBecause(report, 'network', 'Network kinds', 'External destinations were not computed for this run.'), rows: [], counts: [], more: 0 };
  if (!network.egress) return { omitted: 'External destinations were not computed for this run.', rows: [], counts: [], more: 0 };
  const all = network.egress.map((d): EgressDestinationRow => ({ kind: EGRESS_KIND_LABEL[d.kind] ?? d.kind, value: d.value, source: resourceText(d.source) }));
  const counts = (Object.keys(EGRESS_KIND_LABEL) as Array<keyof typeof EGRESS_KIND_LABEL>).map((k) => ({ kind: EGRESS_KIND_LABEL[k], count: network.egress!.filter((d) => d.kind === k).length }));
  const rows = all.slice(0, maxRows);
  return { omitted: '', rows, counts, more: all.length - rows.length };
}

export function postureOf(report: RunReport, maxRows: number): PostureView {
  return { rbac: breadthPosture(report), mtls: meshPosture(report, maxRows), exposure: exposurePosture(report, maxRows), egress: egressPosture(report, maxRows) };
}
