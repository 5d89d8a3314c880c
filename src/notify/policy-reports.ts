// --policy-reports: a publisher beside the notifiers, run by the pipeline once the run is
// stored. It publishes the findings as wgpolicyk8s.io/v1alpha2 PolicyReport (one per
// namespace) and ClusterPolicyReport (cluster-scoped resources, and checks that could not be
// evaluated) objects, the format Kyverno, trivy-operator and Policy Reporter read. Building
// the objects is pure; applying them (server-side apply, then pruning reports of ours that no
// longer have findings) is the only I/O, through the Kubernetes client. Needs write access to
// those kinds only; a failure is a warning, never a lost run.
import { errorMessage, redactUrlCredentials } from '../base/errors.ts';
import { clip, escaped, oneLine } from '../base/plain-text.ts';
import { KubeApiError, TransportError, type KubeClient, type KubeResponse } from '../kube/client.ts';
import { SEVERITIES, type ResourceRef } from '../base/vocabulary.ts';
import type { CarriedFindings, Finding, RunReport, WaiverRef } from '../run/types.ts';
import { isBlind } from '../run/coverage.ts';
import { carriedWaivers } from '../run/waivers.ts';

export const POLICY_REPORT_API = 'wgpolicyk8s.io/v1alpha2';
export const MANAGED_BY = 'ztaudit';
export const REPORT_NAME = 'ztaudit';
/** Results per object at most; more go into numbered reports (ztaudit-2, ztaudit-3, ...). */
export const MAX_RESULTS_PER_REPORT = 1000;
/**
 * An object's size as the API server stores it (storedBytes) stays within this, whatever the
 * results hold: etcd refuses a write over 1.5 MiB (its default --max-request-bytes), and the
 * object's managed fields come on top of what is sent. A thousand results of long messages
 * and names are past that; so are far fewer whose text the server writes escaped.
 */
export const MAX_REPORT_BYTES = 1024 * 1024;
const MAX_MESSAGE = 1024;
/** A Kubernetes object name's longest (DNS subdomain); subjects (User, Group) may be longer. */
const MAX_NAME = 253;

type PolicyResultValue = 'pass' | 'fail' | 'warn' | 'error' | 'skip';

export interface PolicyReportResult {
  source: 'ztaudit';
  policy: string;
  rule?: string;
  category: string;
  severity: 'critical' | 'high' | 'medium' | 'low' | 'info';
  result: PolicyResultValue;
  scored: boolean;
  message: string;
  /** When the result was found (absent on a carried result whose time is not known). */
  timestamp?: { seconds: number; nanos: number };
  resources?: Array<{ apiVersion?: string; kind: string; name: string; namespace?: string }>;
  properties: Record<string, string>;
}

export interface PolicyReportObject {
  apiVersion: typeof POLICY_REPORT_API;
  kind: 'PolicyReport' | 'ClusterPolicyReport';
  metadata: { name: string; namespace?: string; labels: Record<string, string>; annotations: Record<string, string> };
  summary: Record<PolicyResultValue, number>;
  results: PolicyReportResult[];
}

const API_VERSION_OF: Record<string, string> = {
  Namespace: 'v1', Pod: 'v1', Service: 'v1', ServiceAccount: 'v1', ConfigMap: 'v1', ReplicationController: 'v1', User: 'rbac.authorization.k8s.io/v1', Group: 'rbac.authorization.k8s.io/v1',
  Deployment: 'apps/v1', StatefulSet: 'apps/v1', DaemonSet: 'apps/v1', ReplicaSet: 'apps/v1', Job: 'batch/v1', CronJob: 'batch/v1',
  NetworkPolicy: 'networking.k8s.io/v1', Ingress: 'networking.k8s.io/v1', IngressClass: 'networking.k8s.io/v1',
  Role: 'rbac.authorization.k8s.io/v1', ClusterRole: 'rbac.authorization.k8s.io/v1', RoleBinding: 'rbac.authorization.k8s.io/v1', ClusterRoleBinding: 'rbac.authorization.k8s.io/v1',
};

/** What the API server's YAML decoder refuses (the whole object with it) or changes, besides oneLine's controls. */
const YAML_UNSAFE = /[\u2028\u2029\ufffe\uffff]/g;

/**
 * Text of the cluster's as a report carries it, at most `max` characters. The apply body is
 * read as YAML, which refuses DEL, C1 controls, U+FFFE, U+FFFF and half a character (a lone
 * surrogate) with the whole object, and turns U+0085, U+2028 and U+2029 into spaces; and
 * `kubectl describe` prints a message to a terminal as it is. So controls, line breaks and bidirectional
 * overrides are written as \uXXXX (oneLine, as on a terminal), and so are those; half a
 * character becomes U+FFFD. Applied twice it changes nothing (a carried result keeps its text).
 */
function text(s: string, max: number): string {
  return clip(oneLine(s.toWellFormed()).replace(YAML_UNSAFE, escaped), max);
}

/**
 * An upper bound of `value`'s size once the API server has stored it: its JSON in UTF-8, with
 * what Go's encoder writes longer than JSON.stringify does counted at its length there (`<`,
 * `>` and `&` become six-byte \u escapes, and so may U+2028, U+2029, backspace and form feed).
 */
export function storedBytes(value: unknown): number {
  const json = JSON.stringify(value);
  let extra = 0;
  for (const m of json.matchAll(/[<>&\u2028\u2029]|\\[bf]/g)) extra += LONGER_IN_GO[m[0]]!;
  return Buffer.byteLength(json, 'utf8') + extra;
}

/** Bytes Go's JSON encoder writes beyond JSON.stringify's UTF-8 (a `\\b` may be a backslash and a b: counted all the same). */
const LONGER_IN_GO: Record<string, number> = { '<': 5, '>': 5, '&': 5, '\u2028': 3, '\u2029': 3, '\\b': 4, '\\f': 4 };

/** The longest `related` property: past it, a result keeps none (a carried one is then matched by its resource alone). */
const MAX_RELATED = 8192;

/**
 * The objects a finding stems from as its result keeps them (properties.related, JSON): a waiver
 * may name them instead of the resource (waiverMatches), and a result carried into a later run is
 * decided by that run's waivers as its counts are (buildPolicyReports). Undefined when none, or
 * past MAX_RELATED (one result always fits an object).
 */
function relatedProperty(related: readonly ResourceRef[] | undefined): string | undefined {
  if (!related?.length) return undefined;
  const json = JSON.stringify(related.map((r) => ({ kind: text(r.kind, MAX_NAME), ...(r.namespace ? { namespace: text(r.namespace, MAX_NAME) } : {}), name: text(r.name, MAX_NAME) })));
  return json.length <= MAX_RELATED ? json : undefined;
}

/** properties.related read back from the cluster; undefined when absent or not as relatedProperty writes it (an edit). */
function relatedOf(value: unknown): ResourceRef[] | undefined {
  if (typeof value !== 'string' || value.length > MAX_RELATED) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed)) return undefined;
  const refs: ResourceRef[] = [];
  for (const r of parsed as unknown[]) {
    const { kind, namespace, name } = (typeof r === 'object' && r !== null ? r : {}) as Record<string, unknown>;
    if (typeof kind !== 'string' || typeof name !== 'string' || (namespace !== undefined && typeof namespace !== 'string')) return undefined;
    refs.push({ kind: text(kind, MAX_NAME), ...(namespace ? { namespace: text(namespace, MAX_NAME) } : {}), name: text(name, MAX_NAME) });
  }
  return refs;
}

const waiverText = (w: WaiverRef) => text(`${w.reason} (owner ${w.owner}, expires ${w.expires})`, 512);

/**
 * A finding's result, waived by `waiver` (its own, or for a carried one the carrying run's:
 * carriedWaivers). A carried one names the run it comes from (carriedFrom) and has no time: a
 * run id is a stored name, not a time to read.
 */
function resultOf(f: Finding, ts: { seconds: number; nanos: number } | undefined, waiver: WaiverRef | undefined, carriedFrom?: string): PolicyReportResult {
  const apiVersion = f.resource.apiVersion ?? API_VERSION_OF[f.resource.kind];
  const related = relatedProperty(f.related);
  return {
    source: 'ztaudit',
    policy: f.check,
    category: f.area,
    severity: f.severity,
    result: waiver ? 'skip' : 'fail',
    scored: !waiver,
    message: text(f.message, MAX_MESSAGE),
    ...(ts ? { timestamp: ts } : {}),
    resources: [{
      ...(apiVersion ? { apiVersion: text(apiVersion, MAX_NAME) } : {}), kind: text(f.resource.kind, MAX_NAME), name: text(f.resource.name, MAX_NAME),
      ...(f.resource.namespace ? { namespace: text(f.resource.namespace, MAX_NAME) } : {}),
    }],
    properties: {
      fingerprint: f.fingerprint,
      ...(f.controls.length ? { controls: text(f.controls.join(', '), 512) } : {}),
      ...(waiver ? { waiver: waiverText(waiver) } : {}),
      ...(related !== undefined ? { related } : {}),
      ...(carriedFrom !== undefined ? { carriedFrom: text(carriedFrom, MAX_NAME) } : {}),
    },
  };
}

const BY_SEVERITY = { critical: 0, high: 1, medium: 2, low: 3, info: 4 } as const;
const RESULT_VALUES: ReadonlySet<string> = new Set(['pass', 'fail', 'warn', 'error', 'skip']);
const str = (v: unknown, max = MAX_NAME) => (typeof v === 'string' ? text(v, max) : undefined);

/**
 * A result read back from the cluster, to be carried over, rebuilt from the fields ztaudit
 * writes and held to resultOf's bounds (an object of ours may have been edited since); null
 * when it is not one a report could hold. Whether it is waived (its result, scored and waiver)
 * is decided afterwards by the carrying run's waivers (buildPolicyReports), not kept from then.
 */
function carriedOf(r: PolicyReportResult, from: string): { result: PolicyReportResult; related?: ResourceRef[] } | null {
  const res = r.resources?.[0];
  const [apiVersion, kind, name, namespace] = [str(res?.apiVersion), str(res?.kind), str(res?.name), str(res?.namespace)];
  if (typeof r.policy !== 'string' || !Object.hasOwn(BY_SEVERITY, r.severity) || !RESULT_VALUES.has(r.result) || !name || !kind) return null;
  const p: Record<string, unknown> = r.properties ?? {};
  const ts: Partial<Record<string, unknown>> = r.timestamp ?? {};
  const seconds = Number.isSafeInteger(ts.seconds) ? ts.seconds as number : undefined;
  const nanos = Number.isInteger(ts.nanos) && (ts.nanos as number) >= 0 && (ts.nanos as number) < 1e9 ? ts.nanos as number : 0;
  const properties: Record<string, string> = {};
  for (const [key, max] of [['fingerprint', MAX_NAME], ['controls', 512], ['carriedFrom', MAX_NAME]] as const) {
    const v = str(p[key], max);
    if (v !== undefined) properties[key] = v;
  }
  properties.carriedFrom ??= text(from, MAX_NAME);
  const related = relatedOf(p.related);
  const relatedText = relatedProperty(related);
  if (relatedText !== undefined) properties.related = relatedText;
  return {
    result: {
      source: 'ztaudit',
      policy: text(r.policy, MAX_NAME),
      category: str(r.category) ?? '',
      severity: r.severity,
      result: 'fail',
      scored: true,
      message: str(r.message, MAX_MESSAGE) ?? '',
      ...(seconds !== undefined ? { timestamp: { seconds, nanos } } : {}),
      resources: [{ ...(apiVersion ? { apiVersion } : {}), kind, name, ...(namespace ? { namespace } : {}) }],
      properties,
    },
    ...(related ? { related } : {}),
  };
}

function summaryOf(results: PolicyReportResult[]): PolicyReportObject['summary'] {
  const s = { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 };
  for (const r of results) s[r.result]++;
  return s;
}

/** By UTF-16 code units: the same order on every machine, whatever its locale. */
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The objects of one namespace (or of the cluster), numbered ztaudit, ztaudit-2, ...: results in
 * a fixed order (severity, check, resource, fingerprint), a new object begun when one holds
 * MAX_RESULTS_PER_REPORT results or the next would take it past MAX_REPORT_BYTES. The same
 * results make the same objects, and one result always fits (each is clipped, resultOf).
 */
function chunked(kind: PolicyReportObject['kind'], namespace: string | undefined, results: PolicyReportResult[], report: RunReport): PolicyReportObject[] {
  const nameOf = (r: PolicyReportResult) => r.resources?.[0]?.name ?? '';
  results.sort((a, b) => (BY_SEVERITY[a.severity] - BY_SEVERITY[b.severity]) || byText(a.policy, b.policy) || byText(nameOf(a), nameOf(b))
    || byText(a.properties.fingerprint ?? '', b.properties.fingerprint ?? ''));
  const objectOf = (name: string, part: PolicyReportResult[]): PolicyReportObject => ({
    apiVersion: POLICY_REPORT_API,
    kind,
    metadata: {
      name,
      ...(namespace ? { namespace } : {}),
      labels: { 'app.kubernetes.io/managed-by': MANAGED_BY, 'app.kubernetes.io/name': 'ztaudit' },
      annotations: { 'ztaudit.dev/run-id': report.run.id, 'ztaudit.dev/started-at': report.run.startedAt },
    },
    summary: summaryOf(part),
    results: part,
  });
  // Everything but the results, at its largest (the longest name, four-digit counts).
  const envelope = storedBytes({ ...objectOf(`${REPORT_NAME}-${results.length + 1}`, []), summary: { pass: 1000, fail: 1000, warn: 1000, error: 1000, skip: 1000 } });
  const parts: PolicyReportResult[][] = [[]];
  let bytes = envelope;
  for (const r of results) {
    const size = storedBytes(r) + 1; // and its comma
    let part = parts[parts.length - 1]!;
    if (part.length > 0 && (part.length >= MAX_RESULTS_PER_REPORT || bytes + size > MAX_REPORT_BYTES)) {
      parts.push((part = []));
      bytes = envelope;
    }
    part.push(r);
    bytes += size;
  }
  return parts.map((part, n) => objectOf(n === 0 ? REPORT_NAME : `${REPORT_NAME}-${n + 1}`, part));
}

/**
 * The checks `report` could not evaluate whose results its history decides: run.lastEvaluatedOpen
 * names the run that last evaluated each, and either that run found nothing there (all zero) or
 * `carried` holds its findings; or, the run diffed against a stored one, it states nothing for
 * the check (nothing to carry). The others (no history, its run no longer readable) can only be
 * carried from the reports in the cluster.
 */
function decidedByHistory(report: RunReport, carried: readonly CarriedFindings[]): Set<string> {
  const listed = new Set<string>();
  for (const c of carried) {
    for (const f of c.findings) listed.add(f.check);
    for (const w of c.waived ?? []) listed.add(w.finding.check);
  }
  const out = new Set<string>();
  for (const e of report.run.lastEvaluatedOpen ?? []) {
    if (listed.has(e.check) || (!e.waived && SEVERITIES.every((s) => e.open[s] === 0))) out.add(e.check);
  }
  // Diffed against a stored run, the run states every check with something to carry: one it
  // states nothing for has nothing (its search ended at a run that found it not applicable).
  if (report.diff) {
    const stated = new Set((report.run.lastEvaluatedOpen ?? []).map((e) => e.check));
    for (const c of report.checks) if (isBlind(c.status) && !stated.has(c.id)) out.add(c.id);
  }
  return out;
}

/**
 * The objects for a run, purely: one PolicyReport per namespace with findings, one
 * ClusterPolicyReport. Missing data is not a fix: results of a check that this run could not
 * evaluate are carried over, marked with the run they come from, instead of disappearing as if
 * resolved: from the findings of the run that last evaluated it (`carried`, Baseline.carried, as
 * report.sarif lists them), whichever process stored that run and whether it published or not;
 * else (no history: decidedByHistory) from the reports currently in the cluster (`existing`).
 */
export function buildPolicyReports(report: RunReport, existing: ReadonlyArray<Pick<PolicyReportObject, 'kind' | 'metadata' | 'results'>> = [], missingNamespaces: ReadonlySet<string> = new Set(), carried: readonly CarriedFindings[] = []): PolicyReportObject[] {
  const t = Date.parse(report.run.startedAt);
  const ts = { seconds: Math.floor(t / 1000), nanos: (t % 1000) * 1_000_000 };
  const byNamespace = new Map<string, PolicyReportResult[]>();
  const cluster: PolicyReportResult[] = [];
  // A namespace that does not exist holds no PolicyReport: its results (a binding's subject in a
  // deleted namespace, which whoever recreates it inherits) go to the ClusterPolicyReport.
  const file = (ns: string | undefined, r: PolicyReportResult) => {
    if (!ns || missingNamespaces.has(ns)) {
      cluster.push(r);
      return;
    }
    const list = byNamespace.get(ns);
    if (list) list.push(r); else byNamespace.set(ns, [r]);
  };
  for (const f of report.findings) file(f.resource.namespace, resultOf(f, ts, f.waived ? f.waiver : undefined));
  const unevaluated = new Set(report.checks.filter((c) => isBlind(c.status)).map((c) => c.id));
  // And those of namespaces this run could not judge (RunDiff.notJudged: their Namespace object
  // is not in the input), carried too (notJudgedCarried): an input gap resolves nothing.
  const notJudged = new Set(report.diff?.notJudged ?? []);
  const carries = (f: Finding) => unevaluated.has(f.check) || notJudged.has(f.fingerprint);
  // Already open or waived by this run's waivers at its start (splitCarried), as its counts take them.
  for (const { runId, findings, waived } of carried) {
    for (const f of findings) if (carries(f)) file(f.resource.namespace, resultOf(f, undefined, undefined, runId));
    for (const { finding, waiver } of waived ?? []) if (carries(finding)) file(finding.resource.namespace, resultOf(finding, undefined, waiver, runId));
  }
  const decided = decidedByHistory(report, carried);
  const fromCluster: Array<{ namespace: string | undefined; result: PolicyReportResult; related?: ResourceRef[] }> = [];
  for (const o of existing) {
    const from = (o.metadata as { annotations?: Record<string, string> }).annotations?.['ztaudit.dev/run-id'] ?? 'an earlier run';
    for (const r of Array.isArray(o.results) ? o.results : []) {
      if (!unevaluated.has(r.policy) || decided.has(r.policy) || !r.resources?.length) continue;
      const c = carriedOf(r, from);
      if (c) fromCluster.push({ namespace: o.kind === 'PolicyReport' ? o.metadata.namespace : undefined, ...c });
    }
  }
  // Open or waived as the run's counts and /metrics count a carried finding: by this run's waivers
  // at its start (carriedWaivers, openCarried's rule), matched on the resource and the related
  // objects the result kept. A waiver that has expired since, or was removed, leaves it open.
  const waived = carriedWaivers(report.waivers ?? [], fromCluster.map((c, i) => ({ check: c.result.policy, resource: c.result.resources![0]!, related: c.related, fingerprint: String(i) })), new Date(report.run.startedAt));
  for (const [i, c] of fromCluster.entries()) {
    const w = waived.get(String(i));
    if (w) Object.assign(c.result, { result: 'skip', scored: false, properties: { ...c.result.properties, waiver: waiverText(w) } });
    file(c.namespace, c.result);
  }
  // A check that could not run is visible where dashboards look, not silently absent.
  for (const c of report.checks) {
    if (c.status !== 'not-evaluated' && c.status !== 'error') continue;
    cluster.push({
      source: 'ztaudit', policy: c.id, category: c.area, severity: c.severity, result: c.status === 'error' ? 'error' : 'skip', scored: false,
      message: text(`${c.status}: ${c.reason ?? ''}`, MAX_MESSAGE), timestamp: ts, properties: { status: c.status },
    });
  }
  const objects: PolicyReportObject[] = [];
  for (const ns of [...byNamespace.keys()].sort()) objects.push(...chunked('PolicyReport', ns, byNamespace.get(ns)!, report));
  objects.push(...chunked('ClusterPolicyReport', undefined, cluster, report));
  return objects;
}

export interface PolicyReportsOutcome {
  applied: string[];
  deleted: string[];
  errors: string[];
  /** Said once per run, not a failure (results filed elsewhere than their namespace). */
  notes: string[];
}

/**
 * Reports asked for per list page. A report is up to a MiB (MAX_REPORT_BYTES), so a page of 100
 * is at most some 100 MiB in flight and the client's time allowance for it (0.2 s per object) 20 s.
 */
const LIST_PAGE_SIZE = 100;
const PLURAL = { PolicyReport: 'policyreports', ClusterPolicyReport: 'clusterpolicyreports' } as const;

type Kind = keyof typeof PLURAL;
const PUBLISHED: readonly Kind[] = ['PolicyReport', 'ClusterPolicyReport'];
type Ref = { kind: Kind; metadata: { namespace?: string; name?: string } };

/** A namespace's name as the API server allows it (RFC 1123 label). */
const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

const idOf = (o: Ref) => `${o.kind}/${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;

function pathOf(o: Ref): string {
  const ns = o.metadata.namespace ? `/namespaces/${encodeURIComponent(o.metadata.namespace)}` : '';
  return `/apis/${POLICY_REPORT_API}${ns}/${PLURAL[o.kind]}/${encodeURIComponent(o.metadata.name ?? '')}`;
}

function ok(r: KubeResponse): unknown {
  if (r.status < 200 || r.status >= 300) throw new KubeApiError(r);
  return r.body;
}

/**
 * Applies the run's reports (server-side apply, field manager "ztaudit") and deletes the
 * reports ztaudit wrote earlier that this run no longer produces (only when they could all be
 * listed). When a kind could not be listed and some check was not evaluated this run, no report
 * of that kind is written: the results it would carry over are unknown, and writing without
 * them would show them resolved. Errors are collected per object (e.g. a namespace that exists
 * only in a manifests directory), one line each; once a request gets no answer, nothing more is
 * sent. Nothing throws. `carried`: the findings of the checks the run could not evaluate, as
 * the run that last evaluated each had them (buildPolicyReports).
 */
export async function writePolicyReports(report: RunReport, client: KubeClient, carried: readonly CarriedFindings[] = []): Promise<PolicyReportsOutcome> {
  const out: PolicyReportsOutcome = { applied: [], deleted: [], errors: [], notes: [] };
  // What ztaudit published before: needed to prune, and to carry over unevaluated checks' results.
  const existing: PolicyReportObject[] = [];
  const listed = new Set<Kind>();
  // Set when a request got no answer at all, after the client's retries: each further request
  // would wait as long again (a timeout per object of a thousand namespaces), so none is sent.
  let silent: string | null = null;
  let unsent = 0;
  const answered = (error: unknown) => {
    // A list refused for an object past the client's limit was answered (a broken stream, not silence).
    const refusedTooLarge = error instanceof TransportError && error.code === 'ETOOLARGE';
    if (!(error instanceof KubeApiError) && !refusedTooLarge) silent ??= errorMessage(error);
    return errorMessage(error);
  };
  for (const kind of PUBLISHED) {
    if (silent) break;
    try {
      let cont = '';
      do {
        const query = `?labelSelector=${encodeURIComponent(`app.kubernetes.io/managed-by=${MANAGED_BY}`)}&limit=${LIST_PAGE_SIZE}${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`;
        // Item by item (each object bounded as the collector's lists are): a page of reports of
        // up to a MiB each is never held as one text, and a broken stream fails this list alone.
        const list = ok(await client.request('GET', `/apis/${POLICY_REPORT_API}/${PLURAL[kind]}${query}`, `list ${PLURAL[kind]}`, { items: (item) => item })) as { items?: PolicyReportObject[]; metadata?: { continue?: string } };
        for (const item of list?.items ?? []) existing.push({ ...item, kind });
        cont = list?.metadata?.continue ?? '';
      } while (cont);
      listed.add(kind);
    } catch (error: unknown) {
      out.errors.push(`list ${kind}: ${answered(error)}`);
    }
  }
  let wanted = buildPolicyReports(report, existing, new Set(), carried);
  const blind = report.checks.filter((c) => isBlind(c.status)).map((c) => c.id);
  const held = new Set<Kind>();
  for (const kind of PUBLISHED) {
    if (listed.has(kind) || blind.length === 0 || silent) continue;
    held.add(kind);
    const shown = blind.slice(0, 5).join(', ') + (blind.length > 5 ? `, and ${blind.length - 5} more` : '');
    out.errors.push(`${kind}s not written: they could not be listed, and ${blind.length} check(s) were not evaluated this run (${shown}); written without the results those checks had, the reports would show them resolved`);
  }
  // Namespaced reports first: one refused because its namespace does not exist moves its results
  // into the ClusterPolicyReport, written after them.
  const missing = new Set<string>();
  const apply = async (o: PolicyReportObject) => {
    if (silent) {
      unsent++;
      return;
    }
    if (held.has(o.kind)) return;
    // Only from input no API server wrote (a hand-made snapshot file): no report can be
    // written there, and its name is not sent to the API server as part of a path.
    if (o.metadata.namespace !== undefined && !NAMESPACE_NAME.test(o.metadata.namespace)) {
      out.errors.push(`${o.kind} ${o.metadata.name} in namespace ${JSON.stringify(text(o.metadata.namespace, 100))}: not written: not a namespace name (a DNS label: at most 63 lowercase letters, digits and '-'); its ${o.results.length} result(s) are in the run's own reports`);
      return;
    }
    try {
      ok(await client.request('PATCH', `${pathOf(o)}?fieldManager=${MANAGED_BY}&force=true`, `apply ${idOf(o)}`, { body: o, contentType: 'application/apply-patch+yaml' }));
      out.applied.push(idOf(o));
    } catch (error: unknown) {
      const ns = o.metadata.namespace;
      if (ns !== undefined && error instanceof KubeApiError && error.status === 404 && error.message.includes(`namespaces "${ns}" not found`)) {
        missing.add(ns);
        return;
      }
      out.errors.push(`${idOf(o)}: ${answered(error)}`);
    }
  };
  for (const o of wanted) if (o.kind === 'PolicyReport') await apply(o);
  if (missing.size > 0) {
    wanted = buildPolicyReports(report, existing, missing, carried);
    out.notes.push(`namespace(s) ${[...missing].sort().map((n) => text(n, 100)).join(', ')} do not exist: their results are in the ClusterPolicyReport`);
  }
  for (const o of wanted) if (o.kind === 'ClusterPolicyReport') await apply(o);
  if (silent) {
    if (unsent > 0) out.errors.push(`${unsent} report(s) not sent and none removed: the API server did not answer (${silent})`);
    return out;
  }
  // Prune only with a complete picture of what exists.
  if (listed.size < PUBLISHED.length) return out;
  const keep = new Set(wanted.map(idOf));
  for (const item of existing) {
    const id = idOf(item);
    if (keep.has(id)) continue;
    try {
      ok(await client.request('DELETE', pathOf(item), `delete ${id}`));
      out.deleted.push(id);
    } catch (error: unknown) {
      out.errors.push(`delete ${id}: ${answered(error)}`);
      if (silent) break;
    }
  }
  return out;
}

/** A server URL as compared: scheme, host, port and path, without credentials or a trailing slash. */
function serverKey(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
  } catch {
    return url;
  }
}

/**
 * Why `report` must not be published to the API server at `server`, or null. A snapshot's
 * findings go only to the cluster it was taken from (its API server's URL): written into
 * another, they would replace that cluster's reports with a different cluster's findings and
 * prune the reports of every namespace the snapshot does not hold.
 */
export function notPublishable(report: RunReport, server: string): string | null {
  if (report.run.source !== 'snapshot') return null;
  const from = report.run.cluster.server;
  if (from === undefined || from === '') return `the snapshot names no API server, so it cannot be told whether it was taken from ${text(server, MAX_NAME)}, where the reports would go`;
  if (serverKey(from) === serverKey(server)) return null;
  return `the snapshot was taken from ${text(redactUrlCredentials(from), MAX_NAME)}, but the reports would go to ${text(server, MAX_NAME)} (the kubeconfig's cluster): choose that cluster's context, or leave --policy-reports out`;
}

/**
 * The publisher the pipeline runs: opens the client when it publishes (a kubeconfig problem
 * is then a warning of this run, not a reason not to audit). A snapshot's findings are
 * published only to the cluster the snapshot was taken from (notPublishable).
 */
export function policyReportPublisher(openClient: () => KubeClient) {
  return {
    name: 'policy reports',
    async publish(report: RunReport, carried: readonly CarriedFindings[] = []): Promise<{ info: string[]; warnings: string[] }> {
      const client = openClient();
      try {
        const refused = notPublishable(report, redactUrlCredentials(client.server));
        if (refused !== null) return { info: [], warnings: [`policy reports: none written or removed: ${refused}`] };
        const outcome = await writePolicyReports(report, client, carried);
        return {
          info: [`policy reports: ${outcome.applied.length} written, ${outcome.deleted.length} removed`, ...outcome.notes.map((n) => `policy reports: ${n}`)],
          warnings: outcome.errors.map((e) => `policy reports: ${e}`),
        };
      } finally {
        client.close();
      }
    },
  };
}
