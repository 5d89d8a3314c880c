// Text output for `ztaudit who-can` and `ztaudit can` from the RBAC analysis' typed answers
// (explain-access.ts parses the arguments and prints). Exit codes follow `kubectl auth
// can-i`: 0 yes / found, 1 no / nobody, 2 bad input.

import { MAX_COLUMN, oneLine } from '../base/plain-text.ts';
import type { Snapshot } from '../snapshot/types.ts';
import { buildRbacModel, canI, describeRule, formatSubject, identityOf, parseSubject, subjectBreadth, subjectRules, whoCan, type RuleGrant } from '../analysis/rbac/index.ts';

export interface CommandResult {
  exitCode: 0 | 1 | 2;
  output: string;
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

function roleText(g: RuleGrant): string {
  return `${g.role.kind} ${g.role.namespace ? `${g.role.namespace}/` : ''}${g.role.name}`;
}

export interface WhoCanArgs {
  verb: string;
  resource: string;
  namespace?: string;
  name?: string;
}

export function whoCanCommandCore(snapshot: Snapshot, args: WhoCanArgs): CommandResult {
  if (!args.verb || !args.resource) return { exitCode: 2, output: 'who-can needs a verb and a resource, e.g. `who-can get secrets -n dev`' };
  const model = buildRbacModel(snapshot);
  const entries = whoCan(model, args.verb, args.resource, args.namespace || undefined, { name: args.name });
  const what = `${args.verb} ${args.resource}${args.name ? ` ${args.name}` : ''}`;
  const where = args.resource.startsWith('/') ? '' : args.namespace ? ` in namespace ${args.namespace}` : ' cluster-wide';
  const lines: string[] = [];
  if (entries.length === 0) {
    lines.push(`No subject can ${what}${where}.`);
  } else {
    lines.push(`Subjects that can ${what}${where}:`);
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
    lines.push(`${entries.length} subject${entries.length === 1 ? '' : 's'}.`);
  }
  lines.push('Members of the group system:masters can do everything; RBAC objects do not show them.');
  return { exitCode: entries.length > 0 ? 0 : 1, output: lines.join('\n') + '\n' };
}

export interface CanArgs {
  /** "User:alice", "Group:dev" or "ServiceAccount:ns/name". */
  subject: string;
  /** With verb and resource: a yes/no question; without: the subject's full list of rules. */
  verb?: string;
  resource?: string;
  namespace?: string;
  name?: string;
}

export function canCommandCore(snapshot: Snapshot, args: CanArgs): CommandResult {
  const subject = parseSubject(args.subject ?? '');
  if (!subject) return { exitCode: 2, output: `not a subject: "${oneLine(args.subject ?? '')}" (use User:NAME, Group:NAME or ServiceAccount:NAMESPACE/NAME)` };
  const model = buildRbacModel(snapshot);
  const id = identityOf(subject);
  const who = oneLine(`${formatSubject(subject)}${id.groups.length ? ` (groups: ${id.groups.join(', ')})` : ''}`);
  if (args.verb || args.resource) {
    if (!args.verb || !args.resource) return { exitCode: 2, output: 'a question needs both a verb and a resource' };
    const d = canI(model, subject, args.verb, args.resource, { namespace: args.namespace, name: args.name });
    const where = args.resource.startsWith('/') ? '' : args.namespace ? ` in namespace ${args.namespace}` : ' cluster-wide';
    const lines = [`${d.allowed ? 'yes' : 'no'}: ${who} ${d.allowed ? 'can' : 'cannot'} ${args.verb} ${args.resource}${args.name ? ` ${args.name}` : ''}${where}`];
    if (d.grants.length) {
      const rows = [['VIA', 'BINDING', 'ROLE', 'RULE']];
      for (const g of d.grants) rows.push([formatSubject(g.via), bindingText(g), roleText(g), describeRule(g.rule)]);
      lines.push(table(rows));
    }
    return { exitCode: d.allowed ? 0 : 1, output: lines.join('\n') + '\n' };
  }
  const rules = subjectRules(model, subject);
  const lines = [`Permissions of ${who}:`];
  const section = (title: string, grants: RuleGrant[]) => {
    lines.push('', `${title}:`);
    const rows = [['RULE', 'VIA', 'BINDING', 'ROLE']];
    for (const g of grants) rows.push([describeRule(g.rule), formatSubject(g.via), bindingText(g), roleText(g)]);
    lines.push(table(rows).split('\n').map((l) => `  ${l}`).join('\n'));
  };
  if (rules.cluster.length) section('Cluster-wide (ClusterRoleBindings)', rules.cluster);
  for (const ns of Object.keys(rules.namespaces).sort()) section(`Namespace ${oneLine(ns)} (RoleBindings)`, rules.namespaces[ns]);
  if (!rules.cluster.length && Object.keys(rules.namespaces).length === 0) lines.push('  none: no binding names this subject or its groups.');
  const breadth = subjectBreadth(model, subject, undefined, snapshot);
  lines.push('', `Breadth: ${breadth.breadth} distinct (verb, resource, namespace) grants.`);
  return { exitCode: 0, output: lines.join('\n') + '\n' };
}
