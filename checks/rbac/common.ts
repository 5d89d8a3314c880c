// Shared shape of the RBAC permission checks: one verdict per audited subject, failing when
// the subject's own (non-bootstrap) grants include any of the dangerous permissions.

import type { AuditContext } from '../../src/analysis/context.ts';
import type { Check } from '../../src/engine/types.ts';
import type { Severity, Verdict } from '../../src/base/vocabulary.ts';
import type { KindKey } from '../../src/snapshot/kinds.ts';
import type { Grant, Rule, Subject } from '../../src/analysis/rbac/types.ts';
import { memoize } from '../../src/analysis/memo.ts';
import { distinct, findPermissions, hitEvidence, holdsPermission, rbacAudit, relatedOf, scopeText, sortedDistinct, type Permission, type PermissionHit } from '../../src/analysis/rbac/audit.ts';
import {
  clusterAdminPermissions, csrApprovalPermissions, namespaceModificationPermissions, nodesProxyPermissions, podExecPermissions, privilegeEscalationPermissions,
  p, PV_CREATE, secretsReadPermissions, webhookWritePermissions, workloadWritePermissions,
} from './lib/permissions.ts';
import { accountMissing, listedServiceAccounts } from './lib/accounts.ts';
import { adminServiceAccounts } from './lib/cluster-admin-paths.ts';

/**
 * The action and where it is held, the namespace said once: an action already naming its one
 * namespace ("create or change workloads in kube-system") takes no "in namespace kube-system".
 */
function actionWhere(action: string, scope: string): string {
  const one = /^in namespace (.+)$/.exec(scope)?.[1];
  return one !== undefined && action.endsWith(` in ${one}`) ? action : `${action} ${scope}`;
}

/** A readable message: the first few permissions, the full list stays in the evidence. */
export function listSome(items: readonly string[], max = 5): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

export const RBAC_NEEDS: KindKey[] = ['roles', 'clusterroles', 'rolebindings', 'clusterrolebindings'];
/**
 * Checks that ask powerfulServiceAccounts (or the cluster-admin paths behind it) read
 * ServiceAccounts, only to leave out an account a grant names that does not exist (unreadable,
 * every named account counts), and Namespaces, to know a namespace a live cluster does not hold
 * (unreadable, it may exist: namespaceState 'unknown'). Either can change a severity, so a run
 * without them marks these checks degraded. The other RBAC checks read neither: the grants
 * alone decide them, and a run that cannot read Namespaces judges them as one that can.
 */
export const POWERFUL_SA_BEST_EFFORT: KindKey[] = ['namespaces', 'serviceaccounts'];

const viaTexts = new WeakMap<PermissionHit['binding'], string>();

/** "Binding → Role" of a hit; a (shared) binding reference always names the same role. */
function via(h: PermissionHit): string {
  let text = viaTexts.get(h.binding);
  if (text === undefined) {
    text = `${h.binding.kind} ${h.binding.namespace ? `${h.binding.namespace}/` : ''}${h.binding.name} → ${h.role.kind} ${h.role.namespace ? `${h.role.namespace}/` : ''}${h.role.name}`;
    viaTexts.set(h.binding, text);
  }
  return text;
}

/**
 * Where an extent member applies: "cluster-wide" or "in <namespace>", then " name=<name>" per
 * resourceName a rule is restricted to (none: every object). src/run/extent.ts reads this
 * form: a member held cluster-wide covers it in each namespace, one unrestricted each name.
 */
function scopedMembers(what: string, namespace: string | undefined, resourceNames: readonly string[], into: string[] = []): string[] {
  const at = `${what} ${namespace ? `in ${namespace}` : 'cluster-wide'}`;
  if (resourceNames.length === 0) into.push(at);
  else for (const n of resourceNames) into.push(`${at} name=${n}`);
  return into;
}

/**
 * Hits as the finding's extent counts them, in order: "get secrets in shop", "create pods/exec
 * cluster-wide", "create serviceaccounts/token in kube-system name=ci" (one per resourceName).
 * Into one list, not a list per hit (a million of them at L).
 */
export function permissionScopes(hits: readonly PermissionHit[]): string[] {
  const members: string[] = [];
  for (const h of hits) scopedMembers(h.permission, h.namespace, h.ruleObj.resourceNames, members);
  return members;
}

/**
 * A non-resource URL that matches every path: `*`, or one ending in `*` that is `/` or nothing
 * once its trailing `*`s are trimmed (`/*`, `/**`): NonResourceURLMatches, kubernetes
 * pkg/apis/rbac/v1/evaluation_helpers.go, matches a URL ending in `*` as the prefix left after
 * strings.TrimRight(url, "*"), and every request path starts with `/`.
 */
export function matchesEveryPath(url: string): boolean {
  return url === '*' || (url.endsWith('*') && ['', '/'].includes(url.replace(/\*+$/, '')));
}

/** A rule rbac.wildcard-permission reports: any verb, any resource, or every non-resource URL. */
export function isWildcardRule(rule: Rule): boolean {
  return rule.verbs.includes('*') || rule.resources.includes('*') || rule.nonResourceURLs.some(matchesEveryPath);
}

/**
 * A granted rule as a finding's extent counts it: one member per verb, API group and resource
 * ("get deployments (apps) cluster-wide"; per URL for a non-resource rule), so RBAC's union of
 * rules (additive: https://kubernetes.io/docs/reference/access-authn-authz/rbac/#role-and-clusterrole)
 * is the same members however it is split among rules or roles, in whatever order, and fewer
 * verbs, groups or resources are fewer. A "*" member covers the specific ones (src/run/extent.ts).
 */
export function ruleMembers(rule: Rule, namespace: string | undefined): string[] {
  const uniq = (l: readonly string[]) => [...new Set(l)];
  if (rule.nonResourceURLs.length > 0) return uniq(rule.verbs).flatMap((v) => uniq(rule.nonResourceURLs).map((u) => `${v} ${u} cluster-wide`));
  const groups = uniq(rule.apiGroups.map((g) => (g === '' ? 'core' : g)));
  return uniq(rule.verbs).flatMap((v) => uniq(rule.resources).flatMap((r) => groups.flatMap((g) => scopedMembers(`${v} ${r} (${g})`, namespace, rule.resourceNames))));
}

export function viaText(hits: readonly PermissionHit[]): string {
  const parts = distinct(hits, via);
  return parts.length > 3 ? `${parts.slice(0, 3).join('; ')}; +${parts.length - 3} more` : parts.join('; ');
}

export interface PermissionCheckSpec extends Omit<Check, 'evaluate' | 'area' | 'needs'> {
  needs?: KindKey[];
  wanted: (ctx: AuditContext) => readonly Permission[];
  /** Only cluster-wide grants count (the resources are cluster-scoped). */
  clusterScoped?: boolean;
  /** Only grants effective in this namespace count (cluster-wide or RoleBindings there). */
  namespace?: string;
  /**
   * With `namespace`: RoleBindings in a namespace holding a powerful service account the subject
   * could act as there, and whose power it lacks (powerfulOthersIn), count too.
   */
  orWherePowerfulServiceAccounts?: boolean;
  /**
   * A subject's hits narrowed to those that count, for a permission dangerous only beside another
   * (creating Secrets with reading them back); an empty list is a pass. `grants`: all its audited grants.
   */
  keepHits?: (hits: PermissionHit[], grants: readonly Grant[], ctx: AuditContext, subject: Subject) => PermissionHit[];
  /**
   * Hits of `wanted` that no one rule gives (a create limited by resourceNames with patch on those
   * names: a server-side apply, its halves perhaps from the subject's groups), found beside
   * findPermissions' before the scope is narrowed.
   */
  moreHits?: (grants: readonly Grant[], ctx: AuditContext, subject: Subject) => readonly PermissionHit[];
  /**
   * Hits of permissions dangerous only where they reach something (creating pods where a
   * cluster-admin-equivalent account can be run as), found beside the subject's kept `hits`.
   */
  addHits?: (hits: readonly PermissionHit[], grants: readonly Grant[], ctx: AuditContext, subject: Subject) => PermissionHit[];
  /**
   * Hits the finding's extent counts beside its own: permissions dangerous where they reach
   * something, held whether or not the message names them, so that a subject narrowed to one of
   * them is not "widened" (its earlier finding held it too).
   */
  extentHits?: (hits: readonly PermissionHit[], grants: readonly Grant[], ctx: AuditContext, subject: Subject) => PermissionHit[];
  /** What the subject can do, for the message, e.g. "read Secrets". */
  action: string;
  /** What a given failing subject can do, when its hits say more than `action`; undefined keeps `action`. */
  actionFor?: (hits: PermissionHit[]) => string | undefined;
  /** Severity for a given failing subject (its hits, all its audited grants, the subject); undefined keeps the check's severity. */
  severityFor?: (hits: PermissionHit[], grants: readonly Grant[], ctx: AuditContext, subject: Subject) => Severity | undefined;
  /** A sentence added to a failing subject's message, e.g. what to verify before acting on it (`grants`: all its audited grants). */
  noteFor?: (hits: PermissionHit[], ctx: AuditContext, subject: Subject, grants: readonly Grant[]) => string | undefined;
}

/**
 * A cluster-wide hit limited by resourceNames, as one hit in each namespace it names: on
 * `namespaces` the names are namespaces (ResourceNameMatches, kubernetes
 * pkg/apis/rbac/v1/evaluation_helpers.go, compares the request's name, and a request on
 * /api/v1/namespaces/NAME names NAME), so it changes those and no other, as a RoleBinding there
 * would: its scope and severity are theirs. For rbac.namespace-modification's hits, and
 * powerfulServiceAccounts' on namespaces.
 */
export function inNamedNamespaces(hits: PermissionHit[]): PermissionHit[] {
  if (!hits.some((h) => !h.namespace && h.ruleObj.resourceNames.length > 0)) return hits;
  return hits.flatMap((h) => (h.namespace || h.ruleObj.resourceNames.length === 0 ? [h] : [...new Set(h.ruleObj.resourceNames)].map((namespace) => ({ ...h, namespace }))));
}

/** Where a powerful service account's dangerous grant is effective. */
type PowerScope = 'cluster-wide' | 'in kube-system';

/** Service accounts with a dangerous grant cluster-wide or in kube-system: by namespace, and those of every namespace. */
export interface PowerfulServiceAccounts {
  /** Namespace -> the accounts there ("ServiceAccount NS/NAME", or all of them through their group). */
  byNamespace: ReadonlyMap<string, readonly string[]>;
  /**
   * Namespace -> the accounts named by a grant that do not exist: the ServiceAccounts of the
   * namespace were read and it is not among them. No pod can run as one until it is created.
   */
  missingByNamespace: ReadonlyMap<string, readonly string[]>;
  /** Granted to the group system:serviceaccounts: the accounts of every namespace. */
  everywhere: readonly string[];
  /** "NS/NAME" of each account of byNamespace or missingByNamespace named as itself. */
  accounts: ReadonlySet<string>;
  /** "NS/NAME" of the accounts of missingByNamespace. */
  missingAccounts: ReadonlySet<string>;
  /** The namespaces of byNamespace whose group system:serviceaccounts:NS holds the grant. */
  groups: ReadonlySet<string>;
  /** Each account text (of byNamespace, missingByNamespace, everywhere) -> where its dangerous grant is effective. */
  scopeOf: ReadonlyMap<string, PowerScope>;
  /** Namespace -> the scopes of its accounts (those of `everywhere` under ''), for a message naming only some. */
  scopesIn: ReadonlyMap<string, ReadonlySet<PowerScope>>;
}

const SA_GROUP = 'system:serviceaccounts';
const KUBE_SYSTEM = 'kube-system';

/**
 * Service accounts granted, by bindings not Kubernetes' own, a permission some RBAC check fails
 * (creating PersistentVolumes alone, what storage provisioners hold, left out), cluster-wide or in
 * kube-system (as much: its workloads run as the control plane's accounts), by namespace: a pod or
 * token of one there is a way to it (kubernetes.io/docs/concepts/security/rbac-good-practices/:
 * who can create pods, exec into them or mint tokens in a namespace acts as its service accounts).
 * Subjects config.rbac.ignoreSubjects leaves out count too: ignoring one stops its own findings,
 * not those of who can act as it.
 * A grant to the group system:serviceaccounts:NS is one to every account of NS, and to
 * system:serviceaccounts one to every account of every namespace
 * (kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-subjects): kept once, not per namespace.
 * An account named by a grant but absent from the ServiceAccounts read of its namespace is kept
 * apart (missingByNamespace): the ServiceAccount admission plugin, on by default, rejects a pod naming
 * an account that does not exist (kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#serviceaccount;
 * the plugin "ensures the ServiceAccount referenced by the pod exists"), and a TokenRequest needs the object.
 * Only a live cluster's complete listing proves an account missing (a namespace is known when it
 * lists any account of it: every namespace has its `default`); manifests seldom declare every
 * account, and an unreadable list proves nothing.
 */
export const powerfulServiceAccounts: (ctx: AuditContext) => PowerfulServiceAccounts = memoize((ctx: AuditContext) => {
  const wanted = [
    ...clusterAdminPermissions(), ...secretsReadPermissions(), ...podExecPermissions(ctx), ...privilegeEscalationPermissions().filter((x) => x !== PV_CREATE),
    ...nodesProxyPermissions(), ...csrApprovalPermissions(), ...webhookWritePermissions(), ...workloadWritePermissions(),
  ];
  const namespaceWanted = namespaceModificationPermissions();
  const { existing, knownNamespaces } = listedServiceAccounts(ctx.snapshot);
  const byNamespace = new Map<string, string[]>();
  const missingByNamespace = new Map<string, string[]>();
  const everywhere: string[] = [];
  const accounts = new Set<string>();
  const missingAccounts = new Set<string>();
  const groups = new Set<string>();
  const scopeOf = new Map<string, PowerScope>();
  const scopesIn = new Map<string, Set<PowerScope>>();
  const add = (into: Map<string, string[]>, ns: string, text: string) => {
    const list = into.get(ns);
    if (list) list.push(text);
    else into.set(ns, [text]);
  };
  const audit = rbacAudit(ctx);
  for (const list of [audit.subjects, audit.ignored]) {
    for (const s of list) {
      const { kind, name, namespace } = s.subject;
      const sa = kind === 'ServiceAccount' && !!namespace;
      const group = kind === 'Group' && (name === SA_GROUP || (name.startsWith(`${SA_GROUP}:`) && name.length > SA_GROUP.length + 1));
      if (!sa && !group) continue;
      if (!s.grants.some((g) => !g.namespace || g.namespace === KUBE_SYSTEM)) continue;
      // Patch or update on namespaces limited by resourceNames changes only the namespaces named
      // (inNamedNamespaces): powerful only when kube-system is one of them.
      const hits = [
        ...findPermissions(s.grants, wanted, { namespace: KUBE_SYSTEM }),
        ...inNamedNamespaces(findPermissions(s.grants, namespaceWanted, { namespace: KUBE_SYSTEM })).filter((h) => !h.namespace || h.namespace === KUBE_SYSTEM),
      ];
      if (hits.length === 0) continue;
      const scope: PowerScope = hits.some((h) => !h.namespace) ? 'cluster-wide' : 'in kube-system';
      let text: string;
      let ns = '';
      if (sa) {
        ns = namespace;
        const key = `${namespace}/${name}`;
        text = `ServiceAccount ${key}`;
        accounts.add(key);
        if (knownNamespaces.has(namespace) && !existing.has(key)) {
          missingAccounts.add(key);
          add(missingByNamespace, namespace, text);
        } else add(byNamespace, namespace, text);
      } else if (name === SA_GROUP) everywhere.push((text = `all service accounts of every namespace (group ${SA_GROUP})`));
      else {
        ns = name.slice(SA_GROUP.length + 1);
        add(byNamespace, ns, (text = `all service accounts (group ${name})`));
        groups.add(ns);
      }
      scopeOf.set(text, scope);
      const set = scopesIn.get(ns);
      if (set) set.add(scope);
      else scopesIn.set(ns, new Set([scope]));
    }
  }
  // Accounts and groups of them that are cluster-admin-equivalent through a chain (a token they
  // mint, a user they impersonate, a group they are in: adminServiceAccounts) are as powerful,
  // whatever grant starts the chain: a pod there runs as them.
  const admin = adminServiceAccounts(ctx);
  const addAdmin = (ns: string, text: string) => {
    scopeOf.set(text, 'cluster-wide');
    const set = scopesIn.get(ns);
    if (set) set.add('cluster-wide');
    else scopesIn.set(ns, new Set(['cluster-wide']));
  };
  for (const key of admin.accounts) {
    if (accounts.has(key)) continue;
    const i = key.indexOf('/');
    const ns = key.slice(0, i);
    const text = `ServiceAccount ${key}`;
    accounts.add(key);
    if (knownNamespaces.has(ns) && !existing.has(key)) {
      missingAccounts.add(key);
      add(missingByNamespace, ns, text);
    } else add(byNamespace, ns, text);
    addAdmin(ns, text);
  }
  for (const ns of admin.namespaces) {
    if (groups.has(ns)) continue;
    const text = `all service accounts (group ${SA_GROUP}:${ns})`;
    add(byNamespace, ns, text);
    groups.add(ns);
    addAdmin(ns, text);
  }
  if (admin.everyAccount !== undefined && everywhere.length === 0) {
    const text = `all service accounts of every namespace (group ${admin.everyAccount})`;
    everywhere.push(text);
    addAdmin('', text);
  }
  return { byNamespace, missingByNamespace, everywhere, accounts, missingAccounts, groups, scopeOf, scopesIn };
}, 'rbac');

/** Creating a ServiceAccount brings a missing one into being; impersonating one needs no object (the username is authorized). */
const ACT_AS_MISSING: readonly Permission[] = [p('create', '', 'serviceaccounts'), p('impersonate', '', 'serviceaccounts')];

/** The powerful service accounts of `ns` a subject with `grants` could act as: those that exist, and the missing ones if it can create or impersonate them there. */
function powerfulIn(powerful: PowerfulServiceAccounts, ns: string, grants: readonly Grant[]): { list: readonly string[] | undefined; withMissing: boolean } {
  const here = powerful.byNamespace.get(ns);
  const missing = powerful.missingByNamespace.get(ns);
  if (!missing || !holdsPermission(grants, ACT_AS_MISSING, { namespace: ns })) return { list: here, withMissing: false };
  return { list: here ? [...here, ...missing] : missing, withMissing: true };
}

const everythingCache = new WeakMap<readonly Grant[], boolean>();
const CLUSTER_ADMIN = clusterAdminPermissions();

/**
 * Whether `grants` hold every verb on every resource cluster-wide: no account has a power such a
 * subject lacks (an account cluster-admin-equivalent through a chain from it least of all).
 */
function holdsEverything(grants: readonly Grant[]): boolean {
  let yes = everythingCache.get(grants);
  if (yes === undefined) everythingCache.set(grants, (yes = holdsPermission(grants, CLUSTER_ADMIN, { clusterScoped: true })));
  return yes;
}

/** The powerful service accounts of one namespace a subject could act as: the first few (for a message) and how many. */
export interface PowerfulOthers {
  names: string[];
  count: number;
}

/**
 * The powerful service accounts of `ns` other than `s` and than those whose grant `s` already
 * holds: as itself, or as a member of system:serviceaccounts[:NS] (a service account is in both
 * groups, and a group of service accounts in system:serviceaccounts). A missing account counts
 * only for a subject whose `grants` can create (or impersonate) it there. undefined when none: a
 * pod `s` creates there, a pod it execs into or a token it mints there acts as an account whose
 * power it already holds, and gives it nothing it does not have. The one answer for every check
 * that rates access to a namespace by its powerful accounts. O(1) but for the few names kept.
 */
export function powerfulOthersIn(ns: string, s: Subject, grants: readonly Grant[], ctx: AuditContext): PowerfulOthers | undefined {
  if (holdsEverything(grants)) return undefined;
  const powerful = powerfulServiceAccounts(ctx);
  const { list: found, withMissing } = powerfulIn(powerful, ns, grants);
  if (!found && powerful.everywhere.length === 0) return undefined;
  const here = found ?? [];
  const { self, everywhere } = selfIn(powerful, ns, s, withMissing);
  const count = here.length - self.size + everywhere.length;
  if (count <= 0) return undefined;
  const names: string[] = [];
  for (const list of [here, everywhere]) {
    for (const text of list) {
      if (names.length === 3) break;
      if (!self.has(text)) names.push(text);
    }
  }
  return { names, count };
}

/**
 * Of the powerful accounts of `ns`, those whose grant `s` already holds (as itself, or through
 * system:serviceaccounts:NS), and the accounts of every namespace that count for it (none for a
 * service account or a group of them: it is in system:serviceaccounts).
 */
function selfIn(powerful: PowerfulServiceAccounts, ns: string, s: Subject, withMissing: boolean): { self: Set<string>; everywhere: readonly string[] } {
  const isSa = s.kind === 'ServiceAccount';
  const isSaGroup = s.kind === 'Group' && (s.name === SA_GROUP || (s.name.startsWith(`${SA_GROUP}:`) && s.name.length > SA_GROUP.length + 1));
  const self = new Set<string>();
  const key = `${ns}/${s.name}`;
  if (isSa && s.namespace === ns && powerful.accounts.has(key) && (withMissing || !powerful.missingAccounts.has(key))) self.add(`ServiceAccount ${key}`);
  if (powerful.groups.has(ns) && ((isSa && s.namespace === ns) || (s.kind === 'Group' && s.name === `${SA_GROUP}:${ns}`))) self.add(`all service accounts (group ${SA_GROUP}:${ns})`);
  return { self, everywhere: isSa || isSaGroup ? [] : powerful.everywhere };
}

/**
 * powerfulOthersIn for a subject that can act only as the accounts of `ns` named `names`: a token
 * it may mint, or an impersonation it may make, limited by resourceNames (which there are names of
 * ServiceAccounts: kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-resources),
 * or the accounts of the pods an exec limited by resourceNames names.
 * Those named accounts that are powerful, as themselves or through system:serviceaccounts[:NS],
 * with powerfulOthersIn's exclusions (the subject itself, a grant it holds through its groups, a
 * missing account it cannot create or impersonate). O(names).
 */
function powerfulNamedIn(ns: string, names: ReadonlySet<string>, s: Subject, grants: readonly Grant[], ctx: AuditContext): PowerfulOthers | undefined {
  // No account (exec limited to pods that do not exist): not a member of any group either.
  if (names.size === 0 || holdsEverything(grants)) return undefined;
  const powerful = powerfulServiceAccounts(ctx);
  const { withMissing } = powerfulIn(powerful, ns, grants);
  const { self, everywhere } = selfIn(powerful, ns, s, withMissing);
  const found: string[] = [];
  for (const n of names) {
    const key = `${ns}/${n}`;
    if (!powerful.accounts.has(key) || (!withMissing && powerful.missingAccounts.has(key))) continue;
    const text = `ServiceAccount ${key}`;
    if (!self.has(text)) found.push(text);
  }
  // A named account is a member of system:serviceaccounts:NS and system:serviceaccounts.
  const group = `all service accounts (group ${SA_GROUP}:${ns})`;
  if (powerful.groups.has(ns) && !self.has(group)) found.push(group);
  found.push(...everywhere);
  return found.length > 0 ? { names: found.slice(0, 3), count: found.length } : undefined;
}

/**
 * "Namespace NS (and N more namespaces like it) holds A, B, C and N more, which have dangerous
 * permissions cluster-wide" (or "in kube-system", or "cluster-wide or in kube-system" when the
 * named accounts differ, or some are not named).
 */
function powerfulText(ns: string, names: readonly string[], count: number, moreNamespaces: number, powerful: PowerfulServiceAccounts): { text: string; plural: boolean } {
  const list = names.slice(0, 3).join(', ') + (count > 3 ? ` and ${count - 3} more` : '');
  const plural = count > 1 || names[0].startsWith('all ');
  const more = moreNamespaces > 0 ? ` (and ${moreNamespaces} more namespace${moreNamespaces > 1 ? 's' : ''} like it)` : '';
  const scopes = new Set(names.slice(0, 3).map((t) => powerful.scopeOf.get(t) ?? 'cluster-wide'));
  if (count > 3 || count > names.length) for (const k of [ns, '']) for (const x of powerful.scopesIn.get(k) ?? []) scopes.add(x);
  const where = scopes.size === 1 ? [...scopes][0] : 'cluster-wide or in kube-system';
  return { text: `Namespace ${ns}${more} holds ${list}, which ${plural ? 'have' : 'has'} dangerous permissions ${where}`, plural };
}

/**
 * The namespaces of `hits` (but `except`), sorted, holding powerful service accounts `s` could act
 * as and whose power it lacks (powerfulOthersIn), with those accounts. With `actsAs`, only the hits
 * it accepts count, and a namespace whose accepted hits all name their accounts (resourceNames)
 * holds only those of them that are powerful (powerfulNamedIn).
 */
function powerfulNamespaces(hits: readonly PermissionHit[], s: Subject, grants: readonly Grant[], ctx: AuditContext, opts: { except?: string; actsAs?: ActsAsServiceAccounts } = {}): Array<[string, PowerfulOthers]> {
  const { except, actsAs } = opts;
  // A check's severity and note ask the same of one subject's hits list (namespaceOnlySeverity,
  // powerfulNamespaceNote): answered once per list, as clusterAdminPaths is.
  const cached = actsAs && except === undefined ? powerfulCache.get(hits)?.get(actsAs) : undefined;
  if (cached) return cached;
  const out = findPowerfulNamespaces(hits, s, grants, ctx, except, actsAs);
  if (actsAs && except === undefined) {
    let byActsAs = powerfulCache.get(hits);
    if (!byActsAs) powerfulCache.set(hits, (byActsAs = new Map()));
    byActsAs.set(actsAs, out);
  }
  return out;
}

/** powerfulNamespaces with `actsAs` (and no `except`), per hits list: hits are one subject's, so `s` and `grants` are the same on every call. */
const powerfulCache = new WeakMap<readonly PermissionHit[], Map<ActsAsServiceAccounts, Array<[string, PowerfulOthers]>>>();

function findPowerfulNamespaces(hits: readonly PermissionHit[], s: Subject, grants: readonly Grant[], ctx: AuditContext, except: string | undefined, actsAs: ActsAsServiceAccounts | undefined): Array<[string, PowerfulOthers]> {
  let accepted: readonly PermissionHit[] = hits;
  // Namespace -> the accounts its named hits act as; and the namespaces where a hit acts as every account.
  let named: Map<string, Set<string>> | undefined;
  let everyIn: Set<string> | undefined;
  if (actsAs) {
    const kept: PermissionHit[] = [];
    for (const h of hits) {
      const reach = actsAs(h, ctx, grants);
      if (reach === false) continue;
      kept.push(h);
      if (!h.namespace) continue;
      if (reach === true) (everyIn ??= new Set()).add(h.namespace);
      else {
        let set = (named ??= new Map()).get(h.namespace);
        if (!set) named.set(h.namespace, (set = new Set<string>()));
        for (const n of reach) set.add(n);
      }
    }
    accepted = kept;
  }
  const out: Array<[string, PowerfulOthers]> = [];
  for (const ns of sortedDistinct(accepted, (h) => h.namespace ?? '')) {
    if (!ns || ns === except) continue;
    const names = everyIn?.has(ns) ? undefined : named?.get(ns);
    const others = names ? powerfulNamedIn(ns, names, s, grants, ctx) : powerfulOthersIn(ns, s, grants, ctx);
    if (others) out.push([ns, others]);
  }
  return out;
}

/** "Namespace NS holds …" for the first namespace of `found`, naming the accounts it rests on. */
function powerfulNamespacesText(found: Array<[string, PowerfulOthers]>, ctx: AuditContext): { text: string; plural: boolean } {
  const [ns, { names, count }] = found[0];
  return powerfulText(ns, names, count, found.length - 1, powerfulServiceAccounts(ctx));
}

/**
 * Which service accounts of its namespace a permission hit gives a way to act as: every one (true:
 * exec into their pods, mint their tokens, impersonate them), only some (their names: a token or
 * an impersonation limited by resourceNames, the accounts of the pods an exec limited by
 * resourceNames names), or none (false). `grants` are the subject's (escalate on a Role it is bound to
 * acts as more than escalate on another).
 */
export type ActsAsServiceAccounts = (h: PermissionHit, ctx: AuditContext, grants: readonly Grant[]) => boolean | readonly string[];

const reachesEverything = (hits: readonly PermissionHit[]) => hits.some((h) => !h.namespace || h.namespace === 'kube-system');

/**
 * Failing subjects whose reach is one namespace get this lower severity, unless the namespace is
 * kube-system, or, when `actsAs` is given, a hit it accepts is in a namespace holding a service
 * account with a dangerous grant cluster-wide or in kube-system (powerfulServiceAccounts) whose
 * power the subject lacks (powerfulOthersIn), and which the hit reaches (one it names, if it names
 * its accounts: powerfulNamedIn): there that permission is a way to the account's
 * permissions, as kube-system is to the control plane's. Exec into a pod of an account, or a
 * token minted for it, acts as that account: an account the subject is, or whose grant it holds
 * through its groups, gives it nothing. Without `actsAs` (a permission that gives no way to act
 * as an account, e.g. relabelling the namespace) the plain rule.
 */
export function namespaceOnlySeverity(lower: Severity, actsAs?: ActsAsServiceAccounts): (hits: PermissionHit[], grants: readonly Grant[], ctx: AuditContext, subject: Subject) => Severity | undefined {
  return (hits, grants, ctx, subject) => (reachesEverything(hits) || (actsAs !== undefined && powerfulNamespaces(hits, subject, grants, ctx, { actsAs }).length > 0) ? undefined : lower);
}

/** For a subject of namespaceOnlySeverity(lower, actsAs) kept at the check's severity by a powerful service account: which, and why. */
export function powerfulNamespaceNote(actsAs: ActsAsServiceAccounts): (hits: PermissionHit[], ctx: AuditContext, subject: Subject, grants: readonly Grant[]) => string | undefined {
  return (hits, ctx, subject, grants) => {
    if (reachesEverything(hits)) return undefined;
    const found = powerfulNamespaces(hits, subject, grants, ctx, { actsAs });
    if (found.length === 0) return undefined;
    const { text, plural } = powerfulNamespacesText(found, ctx);
    return `${text}: this access there is a way to act as ${plural ? 'them' : 'it'}, so it is rated as in kube-system`;
  };
}

/**
 * For a check with orWherePowerfulServiceAccounts: the first namespace of `hits` (other than
 * `namespace`) holding powerful service accounts the subject could act as, which, and `why` that
 * access there is a way to their permissions.
 */
export function powerfulOthersNote(namespace: string, why: (plural: boolean) => string): (hits: PermissionHit[], ctx: AuditContext, subject: Subject, grants: readonly Grant[]) => string | undefined {
  return (hits, ctx, subject, grants) => {
    const found = powerfulNamespaces(hits, subject, grants, ctx, { except: namespace });
    if (found.length === 0) return undefined;
    const { text, plural } = powerfulNamespacesText(found, ctx);
    return `${text}: ${why(plural)}`;
  };
}

/**
 * For a check with orWherePowerfulServiceAccounts: whether a namespace's grants count, `namespace`
 * itself or one holding powerful service accounts `s` could act as (powerfulOthersIn), each
 * namespace asked once.
 */
function powerfulElsewhere(namespace: string, s: Subject, grants: readonly Grant[], ctx: AuditContext): (ns: string) => boolean {
  let known: Map<string, boolean> | undefined;
  return (ns) => {
    if (ns === namespace) return true;
    let yes = known?.get(ns);
    if (yes === undefined) (known ??= new Map()).set(ns, (yes = powerfulOthersIn(ns, s, grants, ctx) !== undefined));
    return yes;
  };
}

/** The extent's members: the hits' permission scopes, then those of `more` not among them. */
function extentMembers(hits: readonly PermissionHit[], more: readonly PermissionHit[] | undefined): string[] {
  const members = permissionScopes(hits);
  if (!more?.length) return members;
  const seen = new Set(members);
  for (const m of permissionScopes(more)) if (!seen.has(m)) { seen.add(m); members.push(m); }
  return members;
}

export function permissionCheck(spec: PermissionCheckSpec): Check {
  const { wanted, clusterScoped, namespace, orWherePowerfulServiceAccounts, keepHits, moreHits, addHits, extentHits, action, actionFor, severityFor, noteFor, needs, readsBestEffort, ...meta } = spec;
  const orPowerful = orWherePowerfulServiceAccounts && namespace !== undefined;
  return {
    ...meta,
    area: 'rbac',
    needs: needs ?? RBAC_NEEDS,
    ...(readsBestEffort ? { readsBestEffort } : {}),
    *evaluate(ctx) {
      const audit = rbacAudit(ctx);
      const perms = wanted(ctx);
      for (const s of audit.subjects) {
        // With orPowerful, the grants of a RoleBinding elsewhere count only in a namespace holding
        // powerful accounts the subject could act as: asked once per namespace, before the hits are
        // built (at L, rbac.workload-create-kube-system built some 970,000 hits to keep those of 432 subjects).
        const reaches = orPowerful ? powerfulElsewhere(namespace, s.subject, s.grants, ctx) : undefined;
        let hits = findPermissions(s.grants, perms, { clusterScoped, namespace: orPowerful ? undefined : namespace, reaches });
        if (moreHits) {
          const more = moreHits(s.grants, ctx, s.subject).filter((h) => !(h.namespace && clusterScoped) && (orPowerful || !namespace || !h.namespace || h.namespace === namespace) && (!reaches || !h.namespace || reaches(h.namespace)));
          if (more.length > 0) hits = [...hits, ...more];
        }
        if (keepHits && hits.length > 0) hits = keepHits(hits, s.grants, ctx, s.subject);
        if (addHits) {
          const more = addHits(hits, s.grants, ctx, s.subject);
          if (more.length > 0) hits = [...hits, ...more];
        }
        const { who, resource } = s;
        if (hits.length === 0) {
          yield { status: 'pass', resource, message: `${who} cannot ${action}` };
          continue;
        }
        const evidence = hitEvidence(hits);
        const note = noteFor?.(hits, ctx, s.subject, s.grants);
        const v: Verdict = {
          status: 'fail', resource,
          message: `${who} can ${actionWhere(actionFor?.(hits) ?? action, scopeText(hits))} (${listSome(evidence.permissions)}) via ${viaText(hits)}${note ? `. ${note}` : ''}`,
          evidence: { subject: s.subject, ...evidence },
          related: relatedOf(hits),
          // One more dangerous permission, or one more namespace it holds one in, widens the finding.
          extent: { unit: 'permissions', members: extentMembers(hits, extentHits?.(hits, s.grants, ctx, s.subject)) },
        };
        const sev = severityFor?.(hits, s.grants, ctx, s.subject);
        if (sev) v.severity = sev;
        yield v;
      }
    },
  };
}

export { each, p } from './lib/permissions.ts';
export { accountMissing, listedServiceAccounts };
