// SARIF 2.1.0 for code-scanning dashboards: rules are the checks of the catalog, results are
// the findings (waived ones carry an accepted external suppression). Each result names its
// resource as a logical location and, since GitHub code scanning refuses a whole file when a
// result has no physical one (its rule GH1001), as a physical location too: the manifest file
// and line the object was read from (--manifests), or else a path that stands for the object
// in the cluster, `cluster/<namespace>/<kind>/<name>.yaml` under the base id CLUSTER, which
// points into no repository (docs/report-formats.md#sarif).
// A partial run lists too the findings of the checks it could not evaluate, as the run that
// last evaluated them had them (properties.carriedFrom), those its waivers waive suppressed as
// its own are: GitHub code scanning closes as fixed an alert whose result is missing from a new
// analysis, and a 403 fixes nothing.
// The log is written a result at a time (at 150,000 pods it is larger than the longest string
// V8 can make), as the text JSON.stringify(log, null, 2) gives.
import { oneLine, withoutControls } from '../base/plain-text.ts';
import { collectText, type TextWriter } from '../base/spool.ts';
import type { Severity } from '../base/vocabulary.ts';
import type { CarriedFindings, Finding, RunReport, WaiverRef } from '../run/types.ts';
import type { ResourceRef } from '../base/vocabulary.ts';
import { isBlind } from '../run/coverage.ts';
import { Cut, rankOf, sarifLeftOutText } from '../run/output-limits.ts';
import { SARIF_MAX_RESULTS } from '../base/output-limits.ts';

/**
 * Where an object was read from (a manifest's file and line), keyed `kind/namespace/name`: the
 * snapshot's `sources`, handed in by the CLI (a report knows nothing of snapshots).
 */
export interface SourceRef { file: string; line?: number }

/**
 * What a SARIF log can say beyond report.json: where each object was read from, and the open
 * findings of the checks the run could not evaluate (RenderOptions.carried).
 */
export interface SarifOptions {
  sources?: Record<string, SourceRef>;
  carried?: readonly CarriedFindings[];
  /** At most this many results (reports.sarifMaxResults; SARIF_MAX_RESULTS unless told); the most severe are kept (output-limits.ts). */
  maxResults?: number;
  /** What set maxResults (--sarif-max-results, reports.sarifMaxResults), named in the notification of a cut log; absent for the default. */
  maxResultsFrom?: string;
}

/** The base id of the paths that stand for objects of a cluster rather than files. */
export const CLUSTER_URI_BASE = 'CLUSTER';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { critical: 'error', high: 'error', medium: 'warning', low: 'note' };
/** GitHub code scanning reads this CVSS-like number to rank security results. */
const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '7.5', medium: '5.0', low: '2.0' };

export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: Array<Record<string, unknown>>;
}

interface Rules {
  rules: Array<Record<string, unknown>>;
  ruleIndex: Map<string, number>;
  ruleIdOf: (f: Finding) => string;
  /** A finding's controls when fewer than its check's (a Pod Security finding names those its failures bear on), else undefined. */
  narrowedControls: (f: Finding) => string[] | undefined;
}

/**
 * GitHub code scanning rejects an upload whose rule has more than 20 tags and keeps only
 * 10 (docs.github.com/en/code-security/code-scanning/troubleshooting-sarif-uploads/results-exceed-limit),
 * so a rule's tags are `security`, `kubernetes` and its first controls; the whole list is
 * `properties.controls`.
 */
const MAX_RULE_TAGS = 10;

/**
 * The rules: a descriptor per check of the catalog, id the check's id, at the check's
 * severity; then one per check and severity that a finding has and its check's descriptor has
 * not, id `<check>/<severity>`. GitHub code scanning ranks an alert by its rule's
 * `security-severity` alone (a result's properties are not read), so a high finding of a check
 * whose default is low needs a rule of its own to be ranked high; a finding at its check's
 * severity keeps the check's id, and so the alert it opened and any dismissal of it.
 */
function rulesOf(report: RunReport, carried: readonly CarriedFindings[]): Rules {
  const ruleIndex = new Map<string, number>();
  const rules: Array<Record<string, unknown>> = [];
  const remediationOf = new Map<string, string>();
  const controlsOf = new Map<string, string[]>();
  const protectsOf = new Map<string, string>();
  const titleOf = new Map<string, string>();
  const severityOf = new Map<string, Severity>();
  for (const c of report.checks) {
    if (c.remediation) remediationOf.set(c.id, c.remediation);
    controlsOf.set(c.id, c.controls);
    if (c.protectsAgainst) protectsOf.set(c.id, c.protectsAgainst);
    titleOf.set(c.id, c.title);
  }
  const addRule = (id: string, check: string, title: string, severity: Severity) => {
    ruleIndex.set(id, rules.length);
    if (!severityOf.has(check)) severityOf.set(check, severity);
    const remediation = remediationOf.get(check);
    const controls = controlsOf.get(check) ?? [];
    rules.push({
      id,
      name: id.replace(/[^A-Za-z0-9]+(.)?/g, (_m, ch: string | undefined) => (ch ? ch.toUpperCase() : '')),
      shortDescription: { text: title },
      ...(protectsOf.has(check) ? { fullDescription: { text: `Protects against: ${protectsOf.get(check)}` } } : {}),
      ...(remediation ? { help: { text: remediation } } : {}),
      defaultConfiguration: { level: LEVEL[severity] },
      properties: { tags: ['security', 'kubernetes', ...controls.slice(0, MAX_RULE_TAGS - 2)], controls, 'security-severity': SECURITY_SEVERITY[severity] },
    });
  };
  const ruleIdOf = (f: Finding) => (severityOf.get(f.check) === f.severity ? f.check : `${f.check}/${f.severity}`);
  for (const c of report.checks) addRule(c.id, c.id, c.title, c.severity);
  const lists = [report.findings, ...carried.flatMap((c) => [c.findings, (c.waived ?? []).map((w) => w.finding)])];
  for (const list of lists) for (const f of list) if (!severityOf.has(f.check)) addRule(f.check, f.check, f.check, f.severity);
  for (const list of lists) {
    for (const f of list) {
      const id = ruleIdOf(f);
      if (!ruleIndex.has(id)) addRule(id, f.check, `${titleOf.get(f.check) ?? f.check} (${f.severity})`, f.severity);
    }
  }
  const narrowedControls = (f: Finding): string[] | undefined => {
    const all = controlsOf.get(f.check);
    if (all === undefined || f.controls === all || (f.controls.length === all.length && f.controls.every((c, i) => c === all[i]))) return undefined;
    return f.controls;
  };
  return { rules, ruleIndex, ruleIdOf, narrowedControls };
}

/**
 * A plain-text message (`message.text`) from text that may hold names from the cluster: each `\`,
 * `[` and `]` of the text escaped with a backslash, so that no name reads as an embedded link, then
 * shown as on the terminal (`oneLine`: every control character, line breaks too, as its \uXXXX
 * escape, a backslash and a `u`, which are two literal characters to the grammar below).
 * SARIF 2.1.0 §3.11.6 "Messages with embedded links"
 * (docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/sarif-v2.1.0-errata01-os-complete.html):
 * within a plain text message an embedded link is `"[", link text, "](", link destination, ")"`,
 * where `escaped link character = "\" | "[" | "]"` and `link character = normal link character |
 * ("\", escaped link character)`; "Literal square brackets ("[" and "]") in the link text of a
 * plain text message SHALL be escaped with a backslash ("\")", and "Literal square brackets and
 * (doubled) backslashes MAY appear anywhere else in a plain text message without being escaped".
 * Code scanning links the text of `[text](n)` in a result's message to its related location n
 * ("SARIF support for code scanning", result object, relatedLocations), and a viewer may follow
 * `[click](https://…)`. Escaped everywhere, a name like `x](https://evil.example)` or
 * `[click](https://e)` can neither open nor close a link: every bracket of the text is escaped,
 * and so is every backslash, so that a name ending in `\` cannot unescape the bracket after it.
 * That is how CodeQL writes its messages and its viewer reads them back (github/vscode-codeql,
 * extensions/ql-vscode/src/common/sarif-utils.ts: unescapeSarifText, "[", "]" and "\\" outside
 * links too), and what the SARIF TC merged into its 2.2 draft says (oasis-tcs/sarif-spec pull
 * request 768: these characters "may be backslash-escaped, even outside link text").
 * Each `{` and `}` is doubled as well: a message string may hold placeholders, `{0}` standing for
 * element 0 of the message's `arguments`, which a consumer "SHALL replace" when it displays the
 * message, and "Within both plain text and formatted message strings, the characters "{" and "}"
 * SHALL be represented by the character sequences "{{" and "}}" respectively" (§3.11.5 "Messages
 * with placeholders"), so a name holding `{0}` is shown as written, not as a substitution. Rule
 * descriptions are no message objects (a reportingDescriptor's multiformatMessageStrings, §3.49.9,
 * with no `arguments`, §3.11.11) and hold ztaudit's own text: they keep their braces.
 */
function messageText(text: string): string {
  return oneLine(text.replace(/[\\[\]]/g, '\\$&').replace(/[{}]/g, '$&$&'));
}

/** A URI path of segments; a lone surrogate (which no URI can carry) becomes U+FFFD. */
const uriPath = (segments: string[]): string => segments.map((s) => encodeURIComponent(s.toWellFormed())).join('/');

/** Where an object was read from: the key src/collect/manifests.ts records it under. */
const sourceOf = (sources: Record<string, SourceRef>, r: ResourceRef): SourceRef | undefined => {
  const key = `${r.kind}/${r.namespace ?? ''}/${r.name}`;
  return Object.hasOwn(sources, key) ? sources[key] : undefined;
};

const isBinding = (r: ResourceRef) => r.kind === 'RoleBinding' || r.kind === 'ClusterRoleBinding';

/**
 * The manifest file and line of the finding's object, or else of the first binding it stems
 * from (a Group has no manifest; the binding that grants it does, and is what a user edits to
 * revoke the grant), or else of the first other object it stems from; else the object's path
 * under CLUSTER.
 */
export function physicalLocationOf(r: ResourceRef, related: ResourceRef[] | undefined, sources: Record<string, SourceRef> | undefined): Record<string, unknown> {
  const stemmed = (s: Record<string, SourceRef>): SourceRef | undefined => {
    const stems = related ?? [];
    for (const x of stems) if (isBinding(x)) { const found = sourceOf(s, x); if (found) return found; }
    for (const x of stems) if (!isBinding(x)) { const found = sourceOf(s, x); if (found) return found; }
    return undefined;
  };
  const source = sources ? (sourceOf(sources, r) ?? stemmed(sources)) : undefined;
  if (source) {
    return {
      artifactLocation: { uri: uriPath(source.file.split(/[\\/]/)) },
      ...(source.line !== undefined && source.line >= 1 ? { region: { startLine: source.line } } : {}),
    };
  }
  return { artifactLocation: { uri: uriPath(['cluster', r.namespace || '_cluster', r.kind, `${r.name}.yaml`]), uriBaseId: CLUSTER_URI_BASE } };
}

/**
 * The result for one finding; its message and evidence (spooled, perhaps) are read once.
 * `waiver`: the one that waives it in this run (a suppression, SARIF 2.1.0 §3.27.23 and §3.35:
 * external, accepted). A carried one (`carriedFrom`: the run it comes from) is waived by this
 * run's waivers, not by the waiver it had then (carriedWaivers).
 */
function resultOf(f: Finding, { ruleIndex, ruleIdOf, narrowedControls }: Rules, sources: Record<string, SourceRef> | undefined, waiver: WaiverRef | undefined, carriedFrom?: string): Record<string, unknown> {
  const { message, evidence } = f;
  const ruleId = ruleIdOf(f);
  const narrowed = narrowedControls(f);
  const fq = [f.resource.namespace, f.resource.kind, f.resource.name].filter((x) => x !== undefined && x !== '').join('/');
  return {
    ruleId,
    ruleIndex: ruleIndex.get(ruleId)!,
    level: LEVEL[f.severity],
    // Shown text as on the terminal (docs/hostile-text.md): a message and a location name on one line, every
    // control (ESC, BEL, CR, LF) and invisible character as its \uXXXX escape, the message's brackets and
    // backslashes escaped (messageText); properties keep the data exact.
    message: { text: messageText(message) },
    locations: [{ physicalLocation: physicalLocationOf(f.resource, f.related, sources), logicalLocations: [{ name: oneLine(f.resource.name), fullyQualifiedName: oneLine(fq), kind: 'resource' }] }],
    partialFingerprints: { 'ztaudit/v1': f.fingerprint },
    properties: {
      severity: f.severity, area: f.area, resource: f.resource, ...(evidence ? { evidence } : {}), ...(carriedFrom !== undefined ? { carriedFrom } : {}),
      ...(narrowed !== undefined ? { controls: narrowed } : {}),
    },
    ...(waiver
      ? { suppressions: [{ kind: 'external', status: 'accepted', justification: withoutControls(`${waiver.reason} (owner ${waiver.owner}, expires ${waiver.expires})`) }] }
      : {}),
  };
}

/** The log without its results (`results: []`, the last member of its one run). */
function logWithoutResults(report: RunReport, { rules, ruleIndex }: Rules, cut: Cut, from: string | undefined): SarifLog {
  const notEvaluated = report.checks.filter((c) => isBlind(c.status));
  const leftOut = cut.leftOut === 0 ? [] : [{ level: 'warning', message: { text: messageText(sarifLeftOutText({ total: cut.total, leftOut: cut.leftOut, limit: cut.limit, from })) } }];
  // SARIF 2.1.0 (errata01) §3.58.6: a notification's level "error" is "A serious problem was found.
  // The condition encountered by the tool resulted in the analysis being halted or caused the results
  // to be incorrect or incomplete": a check that crashed. "warning" is "such that the analysis might be
  // incomplete but the results that were generated are probably valid": a check not evaluated because
  // a kind it needs could not be read (forbidden, failed to list), whose earlier findings are carried,
  // and a log cut to its size limit.
  const notifications = [...notEvaluated.map((c) => ({
    level: c.status === 'error' ? 'error' : 'warning',
    message: { text: messageText(`${c.id} ${c.status}: ${c.reason ?? ''}`) },
    // SARIF 2.1.0's notification: associatedRule names a rule; descriptor would name one of driver.notifications.
    associatedRule: { id: c.id, index: ruleIndex.get(c.id) },
  })), ...leftOut];
  // executionSuccessful is "true if the engineering system that started the process knows that the
  // analysis tool succeeded, and false if the engineering system knows that the tool failed"
  // (§3.20.14); a toolExecutionNotification of level "error" "SHALL mean that the run failed"
  // (§3.20.21), and tools "SHOULD treat notifications whose level property is "error" as failures and
  // treat the entire run as having failed" (§3.58.6). So a run with a crashed check failed; a full
  // run, or a partial one that said what it could not read, succeeded.
  // GitHub code scanning answers the upload of a log whose execution was not successful as an
  // "unsuccessful execution": processing status `failed`, with that one error (github/codeql-action
  // src/upload-lib.ts, waitForProcessing and handleProcessingResultForUnsuccessfulExecution, which the
  // CodeQL Action's uploads of its own failed runs expect; its pull request 1732), and
  // github/codeql-action/upload-sarif fails the step on a `failed` status ("Code Scanning could not
  // process the submitted SARIF file"). GitHub's page "SARIF support for code scanning" does not say
  // so: of an invocation it lists only workingDirectory.uri among the properties it reads. So a partial
  // run's upload is taken, its carried results keeping their alerts open, and only a crash makes it a
  // failed analysis.
  const executionSuccessful = !notifications.some((n) => n.level === 'error');
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: 'ztaudit', version: report.run.toolVersion, semanticVersion: report.run.toolVersion, rules } },
      automationDetails: { id: `ztaudit/${report.run.cluster.name}/${report.run.id}` },
      invocations: [{
        executionSuccessful,
        startTimeUtc: report.run.startedAt,
        endTimeUtc: report.run.finishedAt,
        toolExecutionNotifications: notifications,
      }],
      originalUriBaseIds: { [CLUSTER_URI_BASE]: { description: { text: 'Not a directory: cluster/<namespace>/<kind>/<name>.yaml stands for an object of the audited cluster (_cluster: cluster-scoped).' } } },
      properties: { cluster: report.run.cluster, score: report.score, checkCatalogVersion: report.run.checkCatalogVersion },
      results: [],
    }],
  };
}

/** What follows runs[0].results in JSON.stringify(log, null, 2): the ends of the run, of runs and of the log. */
const RUN_END = '\n    }\n  ]\n}';
const EMPTY_RESULTS_END = `[]${RUN_END}`;
/** A result's indentation in the log: runs[0].results[i]. */
const RESULT_INDENT = '        ';

/** report.sarif into `out`: JSON.stringify(log, null, 2) and a newline, a result at a time. */
export function writeSarif(report: RunReport, out: TextWriter, opts: SarifOptions = {}): void {
  const carried = opts.carried ?? [];
  const rules = rulesOf(report, carried);
  const fresh = new Set(report.diff?.new ?? []);
  const cut = new Cut(ranksOf(report, carried, fresh), opts.maxResults ?? SARIF_MAX_RESULTS);
  const head = JSON.stringify(logWithoutResults(report, rules, cut, opts.maxResultsFrom), null, 2);
  if (!head.endsWith(EMPTY_RESULTS_END)) throw new Error('SARIF log: results is not the last member of its run');
  out.text(head.slice(0, -EMPTY_RESULTS_END.length));
  let first = true;
  const write = (result: Record<string, unknown>) => {
    const json = JSON.stringify(result, null, 2);
    out.text(`${first ? '[\n' : ',\n'}${RESULT_INDENT}${json.replace(/\n/g, `\n${RESULT_INDENT}`)}`);
    first = false;
  };
  // In the order ranksOf counted them.
  for (const f of report.findings) if (cut.keeps(rankOf({ severity: f.severity, waived: f.waived }, fresh.has(f.fingerprint)))) write(resultOf(f, rules, opts.sources, f.waived ? f.waiver : undefined));
  for (const { runId, findings, waived } of carried) {
    for (const f of findings) if (cut.keeps(rankOf({ severity: f.severity }, false))) write(resultOf(f, rules, opts.sources, undefined, runId));
    for (const { finding, waiver } of waived ?? []) if (cut.keeps(rankOf({ severity: finding.severity, waived: true }, false))) write(resultOf(finding, rules, opts.sources, waiver, runId));
  }
  out.text(first ? '[]' : '\n      ]');
  out.text(`${RUN_END}\n`);
}

/** The rank (limits.ts rankOf) of each result writeSarif may write, in its order: this run's findings, then the carried open and waived. */
function* ranksOf(report: RunReport, carried: readonly CarriedFindings[], fresh: ReadonlySet<string>): Generator<number> {
  for (const f of report.findings) yield rankOf({ severity: f.severity, waived: f.waived }, fresh.has(f.fingerprint));
  for (const { findings, waived } of carried) {
    for (const f of findings) yield rankOf({ severity: f.severity }, false);
    for (const { finding } of waived ?? []) yield rankOf({ severity: finding.severity, waived: true }, false);
  }
}

/** report.sarif as one string, for small reports (the CLI writes it with writeSarif). */
export function renderSarif(report: RunReport, opts: SarifOptions = {}): string {
  return collectText((out) => writeSarif(report, out, opts));
}
