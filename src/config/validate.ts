// Validates a parsed ztaudit.yaml once, purely: raw value in, { config, errors, warnings }
// out. Errors are one line each and name the file and the key. Reading the file is a thin
// wrapper (load.ts).
import { Ajv, type ErrorObject } from 'ajv';
import { CIDR_FORM, CONFIG_SCHEMA } from './schema.ts';
import { defaultConfig, EVERYONE_SUBJECTS, isEveryoneSubject, type Config } from './types.ts';
import { suggestion } from '../base/did-you-mean.ts';
import { parseIntentPort } from './intent-ports.ts';
import { parseCidr, parseIp } from '../base/ip.ts';
import { clusterNameOf } from '../base/plain-text.ts';
import { GITHUB_SARIF_MAX_RESULTS, sarifAboveGithubText } from '../base/output-limits.ts';

export interface Validation {
  config: Config;
  errors: string[];
  warnings: string[];
}

// verbose: an error carries its schema, whose `properties` give a misspelt key's likely
// meaning and whose `description` says what a pattern wants.
// strictNumbers: YAML's .inf and .nan are numbers to JavaScript, and Ajv would take .inf as an
// integer (then past every maximum-less bound, and a timer fires at once).
const ajv = new Ajv({ allErrors: true, strict: false, verbose: true, strictNumbers: true });
const validateSchema = ajv.compile(CONFIG_SCHEMA);

/** `/waivers/0/owner` -> `waivers[0].owner` */
function keyPath(pointer: string, extra?: string): string {
  const parts = pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) parts.push(extra);
  return parts.reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '') || '(top level)';
}

function describe(e: ErrorObject): string {
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(e.params.additionalProperty);
      const known = Object.keys((e.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {});
      return `${keyPath(e.instancePath, key)}: unknown key${suggestion(key, known)}`;
    }
    case 'required':
      return `${keyPath(e.instancePath, String(e.params.missingProperty))}: is required`;
    case 'enum': {
      const allowed = (e.params.allowedValues as unknown[]).map(String);
      return `${keyPath(e.instancePath)}: must be one of ${allowed.join(', ')}${typeof e.data === 'string' ? suggestion(e.data, allowed) : ''}`;
    }
    case 'type':
      if (typeof e.data === 'number' && !Number.isFinite(e.data)) return `${keyPath(e.instancePath)}: must be a finite number (not .inf or .nan)`;
      if (e.params.type === 'object' && !isPlainObject(e.data)) {
        // A scalar where a section goes: name the section's keys, and where the history store itself is chosen.
        const keys = Object.keys((e.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {});
        const store = e.instancePath === '/history' ? '; the store itself is chosen with --history or ZTAUDIT_HISTORY, not in this file' : '';
        return `${keyPath(e.instancePath)}: must be a mapping${keys.length > 0 ? ` with keys ${keys.join(', ')}` : ''}${store}`;
      }
      return `${keyPath(e.instancePath)}: must be ${e.params.type}`;
    case 'maximum': {
      const says = (e.parentSchema as { description?: string } | undefined)?.description;
      return `${keyPath(e.instancePath)}: ${String(e.data)} is more than ${String(e.params.limit)}${says ? ` (${says})` : ''}`;
    }
    case 'pattern': {
      const says = (e.parentSchema as { description?: string } | undefined)?.description;
      return `${keyPath(e.instancePath)}: ${JSON.stringify(String(e.data).slice(0, 80))} is not ${says ?? 'in the expected format'}`;
    }
    case 'anyOf': {
      // None of the forms fit: name them all, not the first form's complaint ("must be integer").
      const says = (e.parentSchema as { description?: string } | undefined)?.description;
      return `${keyPath(e.instancePath)}: ${says ? `must be ${says}` : e.message ?? 'is invalid'}`;
    }
    case 'minLength':
      if (e.params.limit === 1) return `${keyPath(e.instancePath)}: must not be empty`;
      return `${keyPath(e.instancePath)}: ${e.message ?? 'is invalid'}`;
    default:
      return `${keyPath(e.instancePath)}: ${e.message ?? 'is invalid'}`;
  }
}

/**
 * Why an ADDRESS/BITS the schema let through is no address range, as the analysis reads one
 * (parseCidr: no "10.1" shorthand, at most /32 or /128), or undefined when it is one.
 */
function cidrProblem(text: string): string | undefined {
  if (parseCidr(text)) return undefined;
  const [address = '', bits = ''] = text.split('/');
  const ip = parseIp(address);
  if (!ip) return `${JSON.stringify(address.slice(0, 80))} is not an IP address (IPv4 as four numbers 0-255, or IPv6)`;
  return `an IPv${ip.family} prefix is at most /${ip.family === 4 ? 32 : 128}, not /${bits}`;
}

/** A waiver's resource value written as a regular expression or a glob: matched literally, it would waive nothing. */
function looksLikePattern(value: string): boolean {
  return /[\^$()[\]{}+?|\\]|\.\*/.test(value) || value.slice(0, -1).includes('*');
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep-merges user values over defaults (arrays replace). */
function merge<T>(base: T, over: unknown): T {
  if (!isPlainObject(over) || !isPlainObject(base)) return (over === undefined ? base : over) as T;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = merge((base as Record<string, unknown>)[k], v);
  return out as T;
}

/** How far ahead a waiver's expiry may lie before it is a warning: a waiver is a risk to review, not to forget. */
export const WAIVER_MAX_DAYS = 365;

export interface ValidateOptions {
  file: string;
  checkIds: ReadonlySet<string>;
  /** Kinds that live in a namespace: a waiver naming one without a namespace is a warning. */
  namespacedKinds?: ReadonlySet<string>;
  /** Today: a waiver expiring more than WAIVER_MAX_DAYS after it is a warning. */
  now?: Date;
}

export function validateConfig(raw: unknown, options: ValidateOptions): Validation {
  const errors: string[] = [];
  const warnings: string[] = [];
  const at = (msg: string) => `${options.file}: ${msg}`;
  if (raw === null || raw === undefined) return { config: defaultConfig(), errors, warnings };
  if (!isPlainObject(raw)) return { config: defaultConfig(), errors: [at('(top level): must be a mapping of keys')], warnings };

  if (!validateSchema(raw)) {
    // anyOf reports every branch, then itself: a described anyOf speaks for its branches;
    // otherwise keep the first message per key, so each problem is one line.
    const all = validateSchema.errors ?? [];
    const described = new Set(all.filter((e) => e.keyword === 'anyOf' && (e.parentSchema as { description?: string } | undefined)?.description).map((e) => e.instancePath));
    const seen = new Set<string>();
    for (const e of all) {
      if (described.has(e.instancePath) && e.keyword !== 'anyOf') continue;
      const line = describe(e);
      const key = line.slice(0, line.indexOf(':'));
      if (seen.has(key)) continue;
      seen.add(key);
      errors.push(at(line));
    }
  }
  const r = raw as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- schema-checked above
  if (isPlainObject(r.checks)) {
    for (const id of Object.keys(r.checks)) if (!options.checkIds.has(id)) errors.push(at(`checks.${id}: unknown check id${suggestion(id, options.checkIds) || ' (see `ztaudit checks`)'}`));
  }
  if (isPlainObject(r.intent) && Array.isArray(r.intent.deny)) {
    r.intent.deny.forEach((rule: unknown, i: number) => {
      if (!isPlainObject(rule) || !Array.isArray(rule.ports)) return;
      rule.ports.forEach((p: unknown, j: number) => {
        // Wrong types are the schema's (one line each already); the values are the parser's.
        if (typeof p !== 'number' && typeof p !== 'string') return;
        const parsed = parseIntentPort(p);
        if ('error' in parsed) errors.push(at(`intent.deny[${i}].ports[${j}]: ${parsed.error}`));
      });
    });
  }
  if (isPlainObject(r.egress) && Array.isArray(r.egress.gateways)) {
    r.egress.gateways.forEach((gw: unknown, i: number) => {
      // A value not of the form ADDRESS/BITS is the schema's (one line already).
      if (!isPlainObject(gw) || typeof gw.cidr !== 'string' || !new RegExp(CIDR_FORM).test(gw.cidr)) return;
      const problem = cidrProblem(gw.cidr);
      if (problem) errors.push(at(`egress.gateways[${i}].cidr: ${JSON.stringify(gw.cidr)} is not a CIDR: ${problem}`));
    });
  }
  // Reports, the fleet and `ztaudit history` show the name as it is: "prod" and "prod " would be
  // two clusters that read alike.
  const cluster = isPlainObject(r.cluster) ? r.cluster.name : undefined;
  if (typeof cluster === 'string' && cluster !== cluster.trim()) errors.push(at(`cluster.name: ${JSON.stringify(cluster)} begins or ends with white space, which no report shows: give the name without it`));
  if (Array.isArray(r.waivers)) {
    r.waivers.forEach((w: unknown, i: number) => {
      if (!isPlainObject(w)) return;
      if (typeof w.check === 'string' && !options.checkIds.has(w.check)) errors.push(at(`waivers[${i}].check: unknown check id "${w.check}"${suggestion(w.check, options.checkIds)}`));
      if (typeof w.expires === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(w.expires)) {
        // Date.parse accepts 2027-02-30 (and rolls it over): round-trip to reject it.
        const t = Date.parse(`${w.expires}T00:00:00Z`);
        if (Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== w.expires) errors.push(at(`waivers[${i}].expires: ${w.expires} is not a real date`));
      }
      if (typeof w.expires === 'string' && options.now) {
        const limit = new Date(options.now.getTime() + WAIVER_MAX_DAYS * 86_400_000).toISOString().slice(0, 10);
        if (w.expires > limit) warnings.push(at(`waivers[${i}].expires: ${w.expires} is more than ${WAIVER_MAX_DAYS} days away (after ${limit}): a waiver is a risk to review; set the date of its next review`));
      }
      const res = isPlainObject(w.resource) ? w.resource : undefined;
      for (const key of ['kind', 'namespace', 'name']) {
        if (res?.[key] === '*') warnings.push(at(`waivers[${i}].resource.${key}: "*" matches every ${key}: the waiver covers every such ${key === 'kind' ? 'resource' : 'object'} failing ${String(w.check)}, a new one too; name it`));
      }
      const kind = res?.kind;
      if (res && typeof res.name === 'string' && res.name !== '*' && res.namespace === undefined && typeof kind === 'string' && options.namespacedKinds?.has(kind)) {
        warnings.push(at(`waivers[${i}].resource: ${kind} is namespaced and no namespace is given: the waiver covers ${kind} "${res.name}" in every namespace`));
      }
      if (res && res.name === undefined) warnings.push(at(`waivers[${i}].resource: no name: the waiver covers every ${typeof res.kind === 'string' ? res.kind : 'resource'} failing ${String(w.check)}${res.namespace === undefined ? ' in every namespace' : ''}`));
      for (const key of ['kind', 'namespace', 'name']) {
        const value = res?.[key];
        if (typeof value !== 'string' || !looksLikePattern(value)) continue;
        const prefix = value.replace(/^\^/, '').split(/[*.+?()[\]{}|\\$^]/)[0];
        warnings.push(at(`waivers[${i}].resource.${key}: "${value}" looks like a regular expression; waivers match a value exactly, or by prefix with one trailing * (e.g. "${prefix}*")`));
      }
    });
  }
  if (isPlainObject(r.rbac) && Array.isArray(r.rbac.ignoreSubjects)) {
    r.rbac.ignoreSubjects.forEach((m: unknown, i: number) => {
      if (!isPlainObject(m) || typeof m.kind !== 'string' || typeof m.name !== 'string') return;
      const name = m.name;
      if (isEveryoneSubject(m.kind, name)) {
        errors.push(at(`rbac.ignoreSubjects[${i}]: ${m.kind} ${name} stands for everyone of its kind and cannot be ignored: a grant to it is a finding (remove the entry, or waive one finding with a waiver)`));
        return;
      }
      // A pattern is a prefix (src/analysis/rbac/audit.ts matchName): say how far it reaches.
      const wild = name.endsWith('*') ? 'name' : typeof m.namespace === 'string' && m.namespace.endsWith('*') ? 'namespace' : undefined;
      if (!wild) return;
      const value = String(m[wild]);
      const spared = EVERYONE_SUBJECTS.filter((e) => e.kind === m.kind && wild === 'name' && e.name.startsWith(name.slice(0, -1))).map((e) => e.name);
      const reach = value === '*' ? `every ${m.kind}` : `every ${m.kind} whose ${wild} starts with "${value.slice(0, -1)}"`;
      warnings.push(at(`rbac.ignoreSubjects[${i}].${wild}: "${value}" matches ${reach}, a new one too, and none of them is reported; name them${spared.length > 0 ? ` (still judged: ${spared.join(', ')})` : ''}`));
    });
  }
  if (errors.length > 0) return { config: defaultConfig(), errors, warnings };
  const config = merge(defaultConfig(), r);
  // One cluster for canonically equal spellings, as --cluster keeps it (NFC, UAX #15: https://www.unicode.org/reports/tr15/).
  if (config.cluster.name !== undefined) config.cluster.name = clusterNameOf(config.cluster.name);
  if (config.reports.sarifMaxResults > GITHUB_SARIF_MAX_RESULTS) warnings.push(at(`reports.sarifMaxResults: ${sarifAboveGithubText(config.reports.sarifMaxResults)}`));
  if (config.podSecurity.exemptions.usernames.length > 0) {
    warnings.push(at('podSecurity.exemptions.usernames: not used: cluster state does not show which user created a pod, so username exemptions cannot be judged'));
  }
  if (config.intent.deny.length > 0 && new Set(config.intent.deny.map((d) => d.name)).size !== config.intent.deny.length) {
    warnings.push(at('intent.deny: two rules share a name; findings will be hard to tell apart'));
  }
  return { config, errors, warnings };
}
