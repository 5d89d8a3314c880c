// Text output for `ztaudit who-can` and `ztaudit can` from the RBAC analysis' typed answers
// (explain-access.ts parses the arguments and prints). Exit codes follow `kubectl auth
// can-i`: 0 yes / found, 1 no / nobody, 2 bad input or an answer the source cannot complete
// (an RBAC kind it could not read: a binding not read may grant more, never less).

import { MAX_COLUMN, oneLine } from '../base/plain-text.ts';
import { closest, suggestion } from '../base/did-you-mean.ts';
import type { Snapshot } from '../snapshot/types.ts';
import { buildRbacModel, canI, describeRule, nameDropped, namespaceRequestReaches, formatSubject, identityOf, parseSubject, requestAttributes, resourceCatalog, resourceIsClusterScoped, ruleBindsClusterRoles, ruleNotGivenInScope, servedResourceTypes, subjectBreadth, subjectRules, whoCan, type NonResourceAttributes, type RbacModel, type ResourceAttributes, type RuleGrant } from '../analysis/rbac/index.ts';

export interface CommandResult {
  exitCode: 0 | 1 | 2;
  output: string;
  /** With exit 2: an answer (partial), printed on stdout, not an error. */
  answered?: boolean;
  /** Doubts about the question (a verb, resource type or namespace the source does not know), one line each: the answer stands. */
  warnings?: string[];
}

/** Verbs the authorizer checks on resources: the API's, and those RBAC gives a meaning of its own (the list kubectl auth can-i knows). */
const RESOURCE_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection', 'use', 'bind', 'escalate', 'impersonate', 'approve', 'sign', 'attest', '*'];
/** A non-resource URL is authorized by the request's HTTP method, lowercase. */
const NON_RESOURCE_VERBS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options', '*'];

/** "deployments.apps/scale": a resource type as the commands take it. */
function typeName(group: string, resource: string): string {
  const slash = resource.indexOf('/');
  return slash < 0 ? `${resource}${group ? `.${group}` : ''}` : `${resource.slice(0, slash)}${group ? `.${group}` : ''}${resource.slice(slash)}`;
}

/**
 * The verbs and resource types a source knows: what the API server serves when it has discovery
 * data (`served`), else Kubernetes' built-in types and the kinds ztaudit reads; and what its own
 * RBAC rules name.
 */
function vocabularyOf(snapshot: Snapshot, model: RbacModel): { served: boolean; verbs: Set<string>; types: Set<string> } {
  const served = servedResourceTypes(snapshot);
  const catalog = served ?? resourceCatalog();
  const verbs = new Set([...RESOURCE_VERBS, ...catalog.flatMap((r) => r.verbs)]);
  const types = new Set(catalog.map((r) => typeName(r.group, r.resource)));
  // Bootstrap roles supplied by ztaudit name types long gone (deployments.extensions); the catalog has today's.
  for (const role of model.roles.values()) {
    if (role.origin !== 'input') continue;
    for (const rule of role.rules) {
      rule.verbs.forEach((v) => verbs.add(v));
      for (const g of rule.apiGroups) for (const r of rule.resources) if (!g.includes('*') && !r.includes('*')) types.add(typeName(g, r));
    }
  }
  return { served: served !== undefined, verbs, types };
}

/** A warning when the asked resource type is not one `types` holds (wildcards never warn). */
function resourceTypeWarning(text: string, attrs: ResourceAttributes, vocabulary: ReturnType<typeof vocabularyOf>): string | undefined {
  const sub = attrs.subresource ? `/${attrs.subresource}` : '';
  const asked = typeName(attrs.group, `${attrs.resource}${sub}`);
  if (vocabulary.types.has(asked) || [attrs.group, attrs.resource, sub].some((p) => p.includes('*'))) return undefined;
  let near: string | undefined;
  if (attrs.group === '') {
    // Without an API group the question is about the core group; the same name in another group is what was most likely meant.
    const byName = new Map<string, string[]>();
    for (const t of vocabulary.types) {
      const name = t.replace(/\.[^/]*/, '');
      byName.set(name, name === t ? [t, ...(byName.get(name) ?? [])] : [...(byName.get(name) ?? []), t]);
    }
    const elsewhere = byName.get(asked);
    if (elsewhere) return `no core resource type "${text}" (did you mean ${elsewhere.slice(0, 3).join(' or ')}?): a type outside the core group is named with its API group; answered for the core group`;
    near = byName.get(closest(asked, byName.keys()) ?? '')?.[0];
  } else near = closest(asked, vocabulary.types);
  const why = vocabulary.served ? 'the cluster does not serve it and the source\'s RBAC rules do not name it' : 'not a Kubernetes built-in, a kind ztaudit reads or a type the source\'s RBAC rules name';
  return `unknown resource type "${text}"${near ? ` (did you mean ${near}?)` : ''}: ${why}; answered for the name as given`;
}

/**
 * Doubts about a question, one line each: a verb or a resource type the source does not know,
 * a namespace it does not hold. RBAC rules can name anything, so the question is still
 * answered as asked. `namespace` is the one the request carries (requestNamespace), not -n as
 * typed: a warning about a namespace the answer does not use would mislead.
 */
export function questionWarnings(snapshot: Snapshot, model: RbacModel, q: { verb?: string; resource?: string; namespace?: string }): string[] {
  const warnings: string[] = [];
  if (q.verb !== undefined && q.resource !== undefined) {
    const attrs = requestAttributes(q.verb, q.resource);
    if (!('resource' in attrs)) {
      if (!NON_RESOURCE_VERBS.includes(q.verb)) warnings.push(`"${q.verb}" is not a verb for a non-resource URL${suggestion(q.verb, NON_RESOURCE_VERBS)}: its verb is the HTTP method (${NON_RESOURCE_VERBS.join(', ')}); answered for the verb as given`);
    } else {
      const vocabulary = vocabularyOf(snapshot, model);
      if (!vocabulary.verbs.has(q.verb)) warnings.push(`unknown verb "${q.verb}"${suggestion(q.verb, vocabulary.verbs)}: answered for the verb as given`);
      const resource = resourceTypeWarning(q.resource, attrs, vocabulary);
      if (resource) warnings.push(resource);
      else if (q.namespace && resourceIsClusterScoped(snapshot, attrs.group, attrs.resource) === undefined && ![attrs.group, attrs.resource].some((p) => p.includes('*'))) {
        warnings.push(`the source does not say whether "${q.resource}" is namespaced (no discovery data names it): answered as if it were, so RoleBindings in ${q.namespace} count`);
      }
    }
  }
  // A namespace list that could not be read says nothing about which namespaces exist.
  if (q.namespace && snapshot.coverage.namespaces?.status === 'ok' && !model.namespaces.includes(q.namespace)) {
    warnings.push(`namespace "${q.namespace}" is not in the source${suggestion(q.namespace, model.namespaces)}: only cluster-wide grants answer for it`);
  }
  return warnings.map(oneLine);
}

/**
 * The question as the request is made: the verb, the resource and the name the request carries
 * (none for a create or deletecollection, whatever --name said; namespace NS for a request on a
 * core namespace asked with -n NS and no --name).
 */
function questionText(verb: string, resource: string, request: ResourceAttributes | NonResourceAttributes): string {
  const name = 'resource' in request ? request.name : undefined;
  return `${verb} ${resource}${name ? ` ${name}` : ''}`;
}

/** Why --name was left out of the request, for the warnings; undefined when it was kept. */
function droppedNameWarning(verb: string, request: ResourceAttributes | NonResourceAttributes, name: string | undefined): string | undefined {
  if (!('resource' in request) || !nameDropped(verb, request.subresource, name)) return undefined;
  return oneLine(`--name ${name} left out: a ${verb} request carries no name, so a rule limited by resourceNames never allows it (kubernetes.io RBAC docs: "You cannot restrict create or deletecollection requests by their resource name"); answered for any ${verb}`);
}

/** The namespace a request carries: a named namespace's own name, none on a cluster-scoped type or a non-resource URL. */
function requestNamespace(request: ResourceAttributes | NonResourceAttributes): string | undefined {
  return 'resource' in request ? request.namespace : undefined;
}

/** The scope of each resource type as the source knows it, for canI and whoCan. */
function scopeOf(snapshot: Snapshot): (group: string, resource: string) => boolean | undefined {
  return (group, resource) => resourceIsClusterScoped(snapshot, group, resource);
}

/**
 * " in namespace NS" for the namespace the request carries (a named namespace carries its own name,
 * whatever -n says), " cluster-wide" when it carries none (with -n: why NS's RoleBindings cannot
 * answer it), and "" for a non-resource URL.
 */
function whereText(resource: string, namespace: string | undefined, asked: ResourceAttributes | NonResourceAttributes): string {
  if (!('resource' in asked)) return '';
  if (asked.namespace) return namespace && namespace !== asked.namespace ? ` in namespace ${asked.namespace} (a request on namespace ${asked.namespace} carries that name, not -n ${namespace})` : ` in namespace ${asked.namespace}`;
  if (!namespace) return ' cluster-wide';
  const why = asked.group === '' && asked.resource === 'namespaces' ? `${asked.verb} on namespaces carries no namespace` : `${resource} is cluster-scoped`;
  return ` cluster-wide (${why}: RoleBindings in ${namespace} cannot grant it)`;
}

/** A kind of RBAC object the answer depends on that the source could not read (403, a failed list, a broken manifest). */
export interface UnreadRbacKind {
  kind: string;
  status: 'forbidden' | 'error';
  detail?: string;
}

/**
 * The RBAC kinds an answer depends on that were not read: ClusterRoles and ClusterRoleBindings
 * always, Roles and RoleBindings when the request carries a namespace (or `namespaced`: a
 * subject's every rule). A kind absent from the coverage (a snapshot from before it was read) is
 * not taken as unread.
 */
export function unreadRbacKinds(snapshot: Snapshot, namespaced: boolean): UnreadRbacKind[] {
  const kinds = namespaced ? ['clusterrolebindings', 'clusterroles', 'rolebindings', 'roles'] : ['clusterrolebindings', 'clusterroles'];
  const out: UnreadRbacKind[] = [];
  for (const kind of kinds) {
    const c = snapshot.coverage[kind as keyof Snapshot['coverage']];
    if (c?.status === 'forbidden' || c?.status === 'error') out.push({ kind, status: c.status, ...(c.detail ? { detail: c.detail } : {}) });
  }
  return out;
}

/** "partial: clusterrolebindings could not be read (forbidden: …)", a line each, as `run` says them; names and details are cluster or file text. */
function unreadLines(unread: UnreadRbacKind[]): string[] {
  return unread.map((u) => oneLine(`partial: ${u.kind} could not be read (${u.status}${u.detail ? `: ${u.detail}` : ''})`));
}

/** Rows of cells as aligned columns; each cell on one line, its control characters escaped (names come from the cluster). */
function table(rows: string[][]): string {
  const cells = rows.map((r) => r.map(oneLine));
  const widths = cells[0].map((_, i) => Math.min(MAX_COLUMN, Math.max(...cells.map((r) => r[i].length))));
  return cells.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')).join('\n');
}

function bindingText(g: RuleGrant): string {
  const b = g.binding;
  const origin = b.origin === 'default' ? ' (bootstrap default)' : '';
  return `${b.kind} ${b.namespace ? `${b.namespace}/` : ''}${b.name}${origin}`;
}

/**
 * What a RoleBinding's rule, or a part of it, grants nothing there (the same test as
 * `can SUBJECT VERB RESOURCE -n NS`), a note each ("not granted: cluster-scoped"); none for a
 * rule that grants all it names. Text shows each as " [note]" after the rule, JSON as `notes`.
 */
function notGrantedNotes(g: RuleGrant, snapshot: Snapshot): string[] {
  const not = ruleNotGivenInScope(g.rule, g, snapshot);
  if (not.nonResourceURLs.length > 0) return ['not granted: non-resource URL'];
  if (not.resources.length === g.rule.resources.length) return ['not granted: cluster-scoped'];
  const notes: string[] = [];
  if (not.resources.length > 0) notes.push(`not granted for ${not.resources.join(',')}: cluster-scoped`);
  // `*` reaches every resource of its groups, but through a RoleBinding only the namespaced ones (`can … get nodes -n NS` answers no).
  if (g.rule.resources.includes('*') && !not.resources.includes('*')) notes.push('not granted for cluster-scoped resources: * here is namespaced ones only');
  const core = g.rule.apiGroups.includes('') || g.rule.apiGroups.includes('*');
  const namespaces = core ? g.rule.resources.filter((r) => r.split('/')[0] === 'namespaces' && !not.resources.includes(r)) : [];
  // bind on clusterroles is asked in the binding's namespace; every other verb on them carries none.
  if (g.namespace && ruleBindsClusterRoles(g.rule) && !(g.rule.verbs.length === 1 && g.rule.verbs[0] === 'bind')) {
    const others = g.rule.verbs.filter((v) => v !== 'bind' && v !== '*');
    notes.push(`clusterroles: ${g.rule.verbs.includes('*') ? '* grants ' : ''}bind only, in RoleBindings of ${g.namespace}${others.length > 0 ? `; ${others.join(',')} not granted` : ''}`);
  }
  if (namespaces.length > 0 && g.namespace) notes.push(namespaceNote(g.rule, namespaces, g.namespace, snapshot));
  return notes;
}

/**
 * "namespaces: get of namespace NS only; list not granted": which verbs of a RoleBinding's rule on
 * `namespaces` (or its subresources) reach namespace NS itself. A request naming namespace NAME
 * carries NAME as its namespace, one that lists, watches or creates carries none
 * (namespaceRequestCarriesName), so the same answer as `can SUBJECT VERB namespaces --name NS`.
 * A wildcard verb is spelled out as the verbs the API serves on those resources.
 */
function namespaceNote(rule: RuleGrant['rule'], resources: string[], namespace: string, snapshot: Snapshot): string {
  const wildcard = rule.verbs.includes('*');
  let verbs = rule.verbs;
  if (wildcard) {
    // Discovery that omits namespaces (or lists no verbs for it) says nothing about them: the built-in catalog does.
    const find = (catalog: ReturnType<typeof resourceCatalog>, r: string) => catalog.find((t) => t.group === '' && t.resource === r && t.verbs.length > 0)?.verbs;
    const served = (r: string) => find(servedResourceTypes(snapshot) ?? [], r) ?? find(resourceCatalog(), r);
    verbs = [...new Set(resources.flatMap((r) => served(r) ?? served('namespaces') ?? []))];
  }
  const granted = [...new Set(verbs.filter((v) => namespaceRequestReaches(rule, v, namespace)))];
  const not = [...new Set(verbs.filter((v) => !namespaceRequestReaches(rule, v, namespace)))];
  const grants = `${wildcard ? '* grants ' : ''}${granted.join(',')} of namespace ${namespace} only`;
  return `${resources.join(',')}: ${grants}${not.length > 0 ? `; ${not.join(',')} not granted` : ''}`;
}

function roleText(g: RuleGrant): string {
  return `${g.role.kind} ${g.role.namespace ? `${g.role.namespace}/` : ''}${g.role.name}`;
}

export interface WhoCanArgs {
  verb: string;
  resource: string;
  namespace?: string;
  name?: string;
  output?: 'text' | 'json';
}

export function whoCanCommandCore(snapshot: Snapshot, args: WhoCanArgs): CommandResult {
  if (!args.verb || !args.resource) return { exitCode: 2, output: 'who-can needs a verb and a resource, e.g. `who-can get secrets -n dev`' };
  const model = buildRbacModel(snapshot);
  const clusterScoped = scopeOf(snapshot);
  const request = requestAttributes(args.verb, args.resource, { namespace: args.namespace || undefined, name: args.name, clusterScoped });
  const warnings = questionWarnings(snapshot, model, { verb: args.verb, resource: args.resource, namespace: requestNamespace(request) });
  const dropped = droppedNameWarning(args.verb, request, args.name);
  if (dropped) warnings.push(dropped);
  const entries = whoCan(model, args.verb, args.resource, args.namespace || undefined, { name: args.name, clusterScoped });
  // A binding not read may name more subjects: the list is a floor, never the answer (exit 2).
  const unread = unreadRbacKinds(snapshot, requestNamespace(request) !== undefined);
  const exitCode = unread.length > 0 ? 2 : entries.length > 0 ? 0 : 1;
  if (args.output === 'json') return { exitCode, answered: true, output: whoCanJson(args, request, entries, unread), warnings };
  // The question may hold names a script took from the cluster: it stays on its line.
  const what = oneLine(questionText(args.verb, args.resource, request));
  const where = oneLine(whereText(args.resource, args.namespace || undefined, request));
  const lines: string[] = unreadLines(unread);
  const partly = unread.length > 0 ? ` (partial: ${unread.map((u) => u.kind).join(', ')} could not be read, so others may)` : '';
  if (entries.length === 0) {
    lines.push(unread.length > 0 ? `No subject the source's readable bindings name can ${what}${where}${partly}.` : `No subject can ${what}${where}.`);
  } else {
    lines.push(unread.length > 0 ? `At least these subjects can ${what}${where}${partly}:` : `Subjects that can ${what}${where}:`);
    const rows = [['SUBJECT', 'SCOPE', 'BINDING', 'ROLE', 'RULE']];
    for (const e of entries) {
      const seen = new Set<string>();
      for (const g of e.grants) {
        const row = [formatSubject(e.subject), g.namespace ?? 'cluster-wide', bindingText(g), roleText(g), describeRule(g.rule)];
        const k = row.join('|');
        if (seen.has(k)) continue;
        seen.add(k);
        rows.push(row);
      }
    }
    lines.push(table(rows));
    lines.push(`${unread.length > 0 ? 'at least ' : ''}${entries.length} subject${entries.length === 1 ? '' : 's'}.`);
  }
  lines.push('Members of the group system:masters can do everything; RBAC objects do not show them.');
  return { exitCode, ...(unread.length > 0 ? { answered: true } : {}), output: lines.join('\n') + '\n', warnings };
}

/** A grant as the JSON outputs give it: where it applies, the binding, the role and the rule. */
function grantJson(g: RuleGrant) {
  return {
    scope: g.namespace ?? 'cluster-wide',
    binding: { kind: g.binding.kind, ...(g.binding.namespace ? { namespace: g.binding.namespace } : {}), name: g.binding.name, ...(g.binding.origin === 'default' ? { bootstrapDefault: true } : {}) },
    role: { kind: g.role.kind, ...(g.role.namespace ? { namespace: g.role.namespace } : {}), name: g.role.name },
    rule: describeRule(g.rule),
  };
}

/** The question as the request carries it (its namespace and name, not -n and --name as typed). */
function questionJson(verb: string, resource: string, request: ResourceAttributes | NonResourceAttributes) {
  return { verb, resource, ...('resource' in request && request.namespace ? { namespace: request.namespace } : {}), ...('resource' in request && request.name ? { name: request.name } : {}) };
}

/** `who-can -o json`: the question as the request carries it, whether the list is complete, and each subject's grants. */
function whoCanJson(args: WhoCanArgs, request: ResourceAttributes | NonResourceAttributes, entries: ReturnType<typeof whoCan>, unread: UnreadRbacKind[]): string {
  const body = {
    question: questionJson(args.verb, args.resource, request),
    // false: a kind the answer depends on was not read; `subjects` is who can at least.
    complete: unread.length === 0,
    unread,
    subjects: entries.map((e) => ({ subject: formatSubject(e.subject), grants: e.grants.map(grantJson) })),
  };
  return JSON.stringify(body, null, 2);
}

export interface CanArgs {
  /** "User:alice", "Group:dev" or "ServiceAccount:ns/name". */
  subject: string;
  /** With verb and resource: a yes/no question; without: the subject's full list of rules. */
  verb?: string;
  resource?: string;
  namespace?: string;
  name?: string;
  output?: 'text' | 'json';
}

export function canCommandCore(snapshot: Snapshot, args: CanArgs): CommandResult {
  const subject = parseSubject(args.subject ?? '');
  if (!subject) return { exitCode: 2, output: `not a subject: "${oneLine(args.subject ?? '')}" (use User:NAME, Group:NAME or ServiceAccount:NAMESPACE/NAME)` };
  const model = buildRbacModel(snapshot);
  const id = identityOf(subject);
  const who = oneLine(`${formatSubject(subject)}${id.groups.length ? ` (groups: ${id.groups.join(', ')})` : ''}`);
  if (args.verb || args.resource) {
    if (!args.verb || !args.resource) return { exitCode: 2, output: 'a question needs both a verb and a resource' };
    const d = canI(model, subject, args.verb, args.resource, { namespace: args.namespace, name: args.name, clusterScoped: scopeOf(snapshot) });
    const warnings = questionWarnings(snapshot, model, { verb: args.verb, resource: args.resource, namespace: requestNamespace(d.request) });
    const dropped = droppedNameWarning(args.verb, d.request, args.name);
    if (dropped) warnings.push(dropped);
    const where = whereText(args.resource, args.namespace || undefined, d.request);
    // RBAC only adds: a yes stands whatever was not read; a no does not.
    const unread = unreadRbacKinds(snapshot, requestNamespace(d.request) !== undefined);
    const unknown = !d.allowed && unread.length > 0;
    if (args.output === 'json') {
      const body = {
        subject: formatSubject(subject),
        groups: id.groups,
        question: questionJson(args.verb, args.resource, d.request),
        // null: no binding read allows it, but a kind the answer depends on was not read (exit 2).
        allowed: unknown ? null : d.allowed,
        complete: unread.length === 0,
        unread,
        grants: d.grants.map((g) => ({ via: formatSubject(g.via), ...grantJson(g) })),
      };
      return { exitCode: unknown ? 2 : d.allowed ? 0 : 1, ...(unknown ? { answered: true } : {}), output: JSON.stringify(body, null, 2), warnings };
    }
    const lines = unreadLines(unread);
    if (unknown) lines.push(oneLine(`unknown: no binding read lets ${who} ${questionText(args.verb, args.resource, d.request)}${where}, but ${unread.map((u) => u.kind).join(', ')} could not be read`));
    else lines.push(oneLine(`${d.allowed ? 'yes' : 'no'}: ${who} ${d.allowed ? 'can' : 'cannot'} ${questionText(args.verb, args.resource, d.request)}${where}`));
    if (d.grants.length) {
      const rows = [['VIA', 'BINDING', 'ROLE', 'RULE']];
      for (const g of d.grants) rows.push([formatSubject(g.via), bindingText(g), roleText(g), describeRule(g.rule)]);
      lines.push(table(rows));
    }
    if (unknown) return { exitCode: 2, answered: true, output: lines.join('\n') + '\n', warnings };
    return { exitCode: d.allowed ? 0 : 1, output: lines.join('\n') + '\n', warnings };
  }
  const rules = subjectRules(model, subject);
  // In a namespace a subject holds its cluster-wide grants and that namespace's RoleBindings, no others.
  const ns = args.namespace || undefined;
  const namespaces = ns === undefined ? [...rules.namespaces.keys()].sort() : rules.namespaces.has(ns) ? [ns] : [];
  const unread = unreadRbacKinds(snapshot, true);
  const listed = unread.length > 0 ? ({ exitCode: 2, answered: true } as const) : ({ exitCode: 0 } as const);
  if (args.output === 'json') {
    const ruleJson = (g: RuleGrant, namespace?: string) => {
      const notes = namespace === undefined ? [] : notGrantedNotes(g, snapshot);
      return { via: formatSubject(g.via), ...grantJson(g), ...(notes.length > 0 ? { notes } : {}) };
    };
    const body = {
      subject: formatSubject(subject),
      groups: id.groups,
      ...(ns === undefined ? {} : { namespace: ns }),
      // false: a kind the rules come from was not read; the rules listed are what it holds at least.
      complete: unread.length === 0,
      unread,
      cluster: rules.cluster.map((g) => ruleJson(g)),
      namespaces: namespaces.map((n) => ({ namespace: n, rules: rules.namespaces.get(n)!.map((g) => ruleJson(g, n)) })),
      // Breadth counts every namespace: it says nothing about one.
      ...(ns === undefined ? { breadth: subjectBreadth(model, subject, undefined, snapshot).breadth } : {}),
    };
    return { ...listed, output: JSON.stringify(body, null, 2), ...(ns !== undefined ? { warnings: questionWarnings(snapshot, model, { namespace: ns }) } : {}) };
  }
  const lines = [...unreadLines(unread), oneLine(`${unread.length > 0 ? 'At least the permissions' : 'Permissions'} of ${who}${ns === undefined ? '' : ` in namespace ${ns}`}${unread.length > 0 ? ` (partial: ${unread.map((u) => u.kind).join(', ')} could not be read)` : ''}:`)];
  const section = (title: string, grants: RuleGrant[], namespace?: string) => {
    lines.push('', `${title}:`);
    const rows = [['RULE', 'VIA', 'BINDING', 'ROLE']];
    let marked = false;
    for (const g of grants) {
      const mark = namespace === undefined ? '' : notGrantedNotes(g, snapshot).map((n) => ` [${n}]`).join('');
      marked ||= mark.includes('[not granted');
      rows.push([`${describeRule(g.rule)}${mark}`, formatSubject(g.via), bindingText(g), roleText(g)]);
    }
    lines.push(table(rows).split('\n').map((l) => `  ${l}`).join('\n'));
    // Marked, not left out: the reviewer sees every rule the subject's bindings carry, and why `can … -n` answers no for some.
    if (marked) lines.push(oneLine(`  [not granted]: requests on cluster-scoped resources and non-resource URLs carry no namespace, so RoleBindings in ${namespace} cannot grant them.`));
  };
  if (rules.cluster.length) section('Cluster-wide (ClusterRoleBindings)', rules.cluster);
  for (const n of namespaces) section(`Namespace ${oneLine(n)} (RoleBindings)`, rules.namespaces.get(n)!, n);
  if (!rules.cluster.length && namespaces.length === 0) lines.push(ns === undefined ? '  none: no binding names this subject or its groups.' : oneLine(`  none: no ClusterRoleBinding, and no RoleBinding in namespace ${ns}, names this subject or its groups.`));
  if (ns !== undefined) return { ...listed, output: lines.join('\n') + '\n', warnings: questionWarnings(snapshot, model, { namespace: ns }) };
  // Breadth counts every namespace: it says nothing about one.
  const breadth = subjectBreadth(model, subject, undefined, snapshot);
  lines.push('', `Breadth: ${unread.length > 0 ? 'at least ' : ''}${breadth.breadth} distinct (verb, resource, namespace) grants.`);
  return { ...listed, output: lines.join('\n') + '\n' };
}
