// Runs the registered checks over one context. Coverage gates each check, here and nowhere
// else: a check whose declared inputs (`needs`, `reads`) could not be read is not-evaluated
// (never a pass). A check that throws becomes an 'error' outcome for that check alone; the
// run goes on.
import { fingerprintOf } from './fingerprint.ts';
import type { AuditContext } from '../analysis/context.ts';
import type { Check, CheckOutcome, Result } from './types.ts';
import { POD_VIEW_KINDS, type KindKey } from '../snapshot/kinds.ts';
import { DISABLED_IN_CONFIG } from '../run/coverage.ts';

/**
 * Every check's outcome with its results. The caller holds them (serve --watch re-uses them
 * run after run), so each message is made one contiguous string (flatText).
 */
export function runChecks(checks: readonly Check[], ctx: AuditContext): CheckOutcome[] {
  return checks.map((check) => {
    const results: Result[] = [];
    const outcome = runStreamed(check, ctx, true, (r) => { results.push(r); });
    return outcome.status === 'error' ? outcome : { ...outcome, results };
  });
}

/**
 * Runs one check, handing each result to `each` as the check makes it (a check written as a
 * generator has its evidence garbage once `each` returns); the outcome's `results` is empty.
 * When the check throws, the outcome is 'error' and `each` has seen the results made before:
 * the caller drops them. `kept`: the caller holds the results, so each message is made one
 * contiguous string (flatText); the audit, which spools a finding's message at once (or
 * flattens it when it keeps it), passes false.
 */
export function runStreamed(check: Check, ctx: AuditContext, kept: boolean, each: (r: Result) => void): CheckOutcome {
  const override = ctx.config.checks[check.id];
  const severity = override?.severity ?? check.severity;
  if (override?.enabled === false) return { check, status: 'not-applicable', severity, results: [], reason: DISABLED_IN_CONFIG };
  // The caller's own failure (while it takes a result) is not the check's: it propagates.
  let taking = false;
  const take = (r: Result) => { taking = true; each(r); taking = false; };
  const notApplicable = (): CheckOutcome => ({ check, status: 'not-applicable', severity, results: [], reason: check.appliesWhen ? `applies only ${check.appliesWhen}` : 'does not apply to this cluster' });
  try {
    // A feature the configuration leaves off: nothing of the cluster can make the check apply.
    if (check.appliesByConfig && !check.appliesByConfig(ctx.config)) return notApplicable();
    // Applicability first: a mesh check on a cluster without a mesh is not-applicable, not
    // "not evaluated for lack of Istio CRDs". But a check whose declared inputs could not be
    // read (forbidden, failed) cannot be told it does not apply: the answer may hang on what is
    // missing (mesh presence on namespace labels, a certificate's status), and not-applicable
    // would hide its findings as surely as a pass. Only the inputs the answer reads count
    // (Check.appliesReads; by default every declared input).
    const missing = unreadableInputsFor(check, ctx);
    if (check.appliesTo && !check.appliesTo(ctx) && !missing.some(({ kind }) => unreadableStatus(ctx, kind) && appliesReadsKind(check, kind))) {
      return notApplicable();
    }
    if (missing.length > 0) {
      const why = missing.map(({ kind: k, holds }) => `${k}: ${ctx.snapshot.coverage[k]?.status ?? 'not collected'}${ctx.snapshot.coverage[k]?.detail ? ` (${ctx.snapshot.coverage[k]?.detail})` : ''}${holds ? ` for ${holds}` : ''}`);
      // Named apart from the reason: an input that exists but could not be read is a gap in
      // the audit (a CI gate cannot pass over it); one that is absent holds nothing to judge.
      const unreadable = [...new Set(missing.map((m) => m.kind).filter((k) => ctx.snapshot.coverage[k]?.status !== 'absent'))];
      return { check, status: 'not-evaluated', severity, results: [], reason: `needs ${why.join(', ')}`, ...(unreadable.length > 0 ? { unreadable } : {}) };
    }
    let failed = false;
    let judged = false;
    for (const v of check.evaluate(ctx)) {
      judged = true;
      // A per-result severity is a variant of the check (e.g. a warning); a config override wins.
      const sev = override?.severity ?? v.severity ?? check.severity;
      // A pass is only counted and scored, never listed or diffed: keep it small (a large
      // cluster yields hundreds of thousands), without message, evidence or fingerprint.
      if (v.status === 'pass') take({ status: 'pass', resource: v.resource, message: '', check: check.id, area: check.area, severity: sev, fingerprint: '' });
      else {
        failed = true;
        const fingerprint = fingerprintOf(check.id, v.resource, v.detailKey);
        // The audit reads a result's fields once, as it takes it: one layout for every check's
        // results, a quarter of the CPU of a spread of each verdict's own.
        if (!kept) take({ status: v.status, resource: v.resource, message: v.message, evidence: v.evidence, related: v.related, detailKey: v.detailKey, extent: v.extent, controls: v.controls, check: check.id, area: check.area, severity: sev, fingerprint });
        else take({ ...v, message: flatText(v.message), check: check.id, area: check.area, severity: sev, fingerprint });
      }
    }
    const excluded = check.excluded?.(ctx);
    const warnings = check.warnings?.(ctx) ?? [];
    const unjudged = check.unjudgedNamespaces?.(ctx) ?? [];
    // Everything it could have judged is in namespaces it could not judge (Check.judgesEachWorkload):
    // its silence is no pass (missing data is not a fix), so it is not evaluated, and the score and the grade
    // count it so; the diff carries its earlier findings as for any check not evaluated.
    if (check.judgesEachWorkload && !judged && unjudged.length > 0) {
      const names = `${unjudged.slice(0, 5).join(', ')}${unjudged.length > 5 ? ` and ${unjudged.length - 5} more` : ''}`;
      return { check, status: 'not-evaluated', severity, results: [], reason: `judged nothing: all it would judge is in namespace${unjudged.length > 1 ? 's' : ''} ${names}, not in the input${excluded ? ` (${excluded})` : ''}`, unjudgedNamespaces: unjudged, ...(warnings.length > 0 ? { warnings } : {}) };
    }
    const degraded = degradedInputs(check, ctx);
    return { check, status: failed ? 'fail' : 'pass', severity, results: [], ...(degraded.length > 0 ? { degraded } : {}), ...(excluded ? { excluded } : {}), ...(unjudged.length > 0 ? { unjudgedNamespaces: unjudged } : {}), ...(warnings.length > 0 ? { warnings } : {}) };
  } catch (error: unknown) {
    if (taking) throw error;
    const message = error instanceof Error ? error.message : String(error);
    return { check, status: 'error', severity, results: [], reason: `check failed: ${message}` };
  }
}

/**
 * The same text as one contiguous string. A message built from a template of many parts is
 * a tree of string pieces (about twice the memory of the text); hundreds of thousands of
 * findings are held until the report is written (unless they are spooled: copying the text
 * first would only cost CPU). UTF-8 round-trips only well-formed text, so anything else (a
 * lone surrogate in a hostile name) is kept exactly as it was.
 */
export function flatText(text: string): string {
  return text.length > 32 && text.isWellFormed() ? Buffer.from(text, 'utf8').toString('utf8') : text;
}

/** Whether `appliesTo` reads the kind (Check.appliesReads; undefined: every declared input does). */
function appliesReadsKind(check: Pick<Check, 'appliesReads'>, kind: KindKey): boolean {
  const kinds = check.appliesReads;
  if (kinds === undefined) return true;
  return kinds.includes(kind) || (kinds.includes('pods') && (POD_VIEW_KINDS as readonly KindKey[]).includes(kind));
}

/** A kind that exists but could not be read (absent or not collected holds nothing to judge). */
function unreadableStatus(ctx: AuditContext, kind: KindKey): boolean {
  const status = ctx.snapshot.coverage[kind]?.status;
  return status === 'forbidden' || status === 'error';
}

/**
 * The best-effort inputs (Check.readsBestEffort; `pods` with the owner kinds of the pod view)
 * that exist but could not be read (forbidden, failed): the check was judged without them, so
 * a verdict they refine (a severity lowered, a finding a LimitRange would supply limits for) may
 * differ from a run that read them. Absent kinds hold nothing and are not listed.
 */
export function degradedInputs(check: Pick<Check, 'readsBestEffort'>, ctx: AuditContext): KindKey[] {
  return bestEffortKinds(check).filter((k) => unreadableStatus(ctx, k));
}

/** Check id -> its best-effort inputs (bestEffortKinds), for the checks that have some: what a stored run's coverage is read against (src/diff/baseline.ts). */
export function bestEffortByCheck(checks: readonly Pick<Check, 'id' | 'readsBestEffort'>[]): Map<string, KindKey[]> {
  return new Map(checks.map((c) => [c.id, bestEffortKinds(c)] as const).filter(([, kinds]) => kinds.length > 0));
}

/** A check's best-effort inputs (readsBestEffort; `pods` with the owner kinds of the pod view), once each. */
export function bestEffortKinds(check: Pick<Check, 'readsBestEffort'>): KindKey[] {
  const kinds = check.readsBestEffort ?? [];
  if (kinds.length === 0) return [];
  return [...new Set(kinds.includes('pods') ? [...kinds, ...POD_VIEW_KINDS] : kinds)];
}

/** The declared inputs that keep a check from being judged: needs not 'ok', reads forbidden or failed. */
export function unreadableInputs(check: Pick<Check, 'needs' | 'reads' | 'readsWhen'>, ctx: AuditContext): KindKey[] {
  return unreadableInputsFor(check, ctx).map((m) => m.kind);
}

/** The same, each with what it holds for the check when it was a conditional read (named in the reason). */
function unreadableInputsFor(check: Pick<Check, 'needs' | 'reads' | 'readsWhen'>, ctx: AuditContext): Array<{ kind: KindKey; holds?: string }> {
  const status = (k: KindKey) => ctx.snapshot.coverage[k]?.status;
  const out: Array<{ kind: KindKey; holds?: string }> = check.needs.filter((k) => status(k) !== 'ok').map((kind) => ({ kind }));
  const unreadable = (k: KindKey) => (status(k) === 'forbidden' || status(k) === 'error') && !out.some((m) => m.kind === k);
  // A check that needs pods reads the whole pod view: a forbidden owner kind would otherwise
  // re-attribute findings to other objects (new fingerprints: false "resolved" and "new").
  const reads = check.needs.includes('pods') ? [...(check.reads ?? []), ...POD_VIEW_KINDS] : check.reads ?? [];
  for (const k of reads) if (unreadable(k)) out.push({ kind: k });
  for (const cond of check.readsWhen ?? []) {
    if (!cond.kinds.some(unreadable)) continue;
    const holds = cond.holds(ctx);
    if (holds !== undefined) for (const k of cond.kinds) if (unreadable(k)) out.push({ kind: k, holds });
  }
  return out;
}
