// Shared by the workload-identity checks: which service account a workload runs as, whether its
// pods get that account's API token mounted, and what the account may do beyond discovery.
import type { AuditContext } from '../../../src/analysis/context.ts';
import { memoize } from '../../../src/analysis/memo.ts';
import { judgedPodsOf, workloadsOf, type Workload } from '../../../src/analysis/workloads.ts';
import { isSystemNamespace } from '../../../src/analysis/netpol/rules.ts';
import { isBuiltinGrant } from '../../../src/analysis/rbac/audit.ts';
import { isDiscoveryOnly } from '../anonymous-access.ts';
import { ruleGivesInScope } from '../../../src/analysis/rbac/scope.ts';
import { buildRbacModel, grantsFor, identityOf, type RbacModel } from '../../../src/analysis/rbac/model.ts';
import type { Grant, Subject } from '../../../src/analysis/rbac/types.ts';
import type { Snapshot } from '../../../src/snapshot/types.ts';

/** Requests every authenticated identity may make to learn about the API and itself. */
const DISCOVERY_RESOURCES = new Set(['selfsubjectaccessreviews', 'selfsubjectrulesreviews', 'selfsubjectreviews']);

const EVERYONE = new Set(['system:authenticated', 'system:serviceaccounts', 'system:unauthenticated']);

export interface WorkloadIdentity {
  workload: Workload;
  namespace: string;
  serviceAccount: string;
  /**
   * Whether the pods get an API token of the account mounted, and what decided it: the
   * automountServiceAccountToken settings, or (automount off) a projected token volume the pods
   * mount themselves whose audience is the API server's (projected).
   */
  automount: boolean;
  decidedBy: 'pod' | 'serviceaccount' | 'default' | 'projected';
  /** With automount off: the first projected serviceAccountToken a container mounts, API token or not. */
  projectedToken?: ProjectedToken;
  /** The account's grants from the input (bootstrap defaults left out) that reach beyond discovery. */
  grants: Grant[];
}

export interface ProjectedToken {
  volume: string;
  /** As the pod spec gives it; undefined when none (the API server's identifier). */
  audience?: string;
  /** Valid against the API server: no audience, or the in-cluster API server's name. */
  apiToken: boolean;
}

/**
 * The API server's default identifier is its --service-account-issuer, which kubeadm and most
 * distributions set to https://kubernetes.default.svc[.cluster.local]; other audiences are for
 * other services (Vault, a cloud's workload identity).
 */
const API_SERVER_AUDIENCE = /^(https:\/\/)?kubernetes\.default\.svc(\.[a-z0-9.-]+)?\/?$/;

/**
 * The first projected serviceAccountToken source of a volume some container mounts. Without an
 * audience the kubelet requests a token for the API server's identifier, valid against the API
 * like the automounted one ("Configure Service Accounts for Pods", kubernetes.io, "Launch a Pod
 * using service account token projection": audience defaults to the identifier of the API server).
 */
function projectedTokenOf(spec: Record<string, unknown>): ProjectedToken | undefined {
  const mounted = new Set<string>();
  for (const list of [spec.containers, spec.initContainers]) {
    if (!Array.isArray(list)) continue;
    for (const c of list) {
      const mounts = (c as Record<string, unknown> | null)?.volumeMounts;
      if (Array.isArray(mounts)) for (const m of mounts) if (typeof m?.name === 'string') mounted.add(m.name);
    }
  }
  if (!Array.isArray(spec.volumes)) return undefined;
  let other: ProjectedToken | undefined;
  for (const v of spec.volumes) {
    const vol = v as Record<string, unknown> | null;
    if (typeof vol?.name !== 'string' || !mounted.has(vol.name)) continue;
    const sources = (vol.projected as Record<string, unknown> | undefined)?.sources;
    if (!Array.isArray(sources)) continue;
    for (const src of sources) {
      const t = (src as Record<string, unknown> | null)?.serviceAccountToken as Record<string, unknown> | undefined;
      if (!t || typeof t !== 'object') continue;
      const audience = typeof t.audience === 'string' && t.audience !== '' ? t.audience : undefined;
      const token = { volume: vol.name, audience, apiToken: audience === undefined || API_SERVER_AUDIENCE.test(audience) };
      if (token.apiToken) return token;
      other ??= token;
    }
  }
  return other;
}

/** ServiceAccount objects by namespace/name. */
const serviceAccounts = memoize((snapshot: Snapshot) => {
  const m = new Map<string, Record<string, unknown>>();
  for (const sa of snapshot.resources.serviceaccounts ?? []) {
    if (sa.metadata?.name) m.set(`${sa.metadata.namespace ?? 'default'}/${sa.metadata.name}`, sa as unknown as Record<string, unknown>);
  }
  return m;
}, 'rbac');

/**
 * A grant the workload may use its token for: a resource rule beyond the self-reviews, or a
 * non-resource path beyond the discovery ones everyone gets (e.g. GET /metrics), that the grant
 * gives in its scope (a RoleBinding gives neither non-resource paths nor cluster-scoped resources).
 */
function beyondDiscovery(g: Grant, snapshot: Snapshot): boolean {
  return g.role.rules.some((r) => r.verbs.length > 0 && ruleGivesInScope(r, g, snapshot) && (r.nonResourceURLs.length > 0
    ? !isDiscoveryOnly(r)
    : r.resources.some((res) => !DISCOVERY_RESOURCES.has(res))));
}

/**
 * The account's grants that are a reason for its token: grants to every authenticated identity
 * or every service account are no reason for this workload to carry a token (any token has
 * them); those to the account (as itself or as its user name) or to its namespace's group are.
 * The identity asked about leaves the everyone-groups out rather than filtering their grants
 * afterwards: at 50,000 workloads their few bindings were 190,000 grants made to be dropped.
 */
function accountGrants(model: RbacModel, subject: Subject, snapshot: Snapshot): Grant[] {
  const id = identityOf(subject);
  return grantsFor(model, { user: id.user, groups: id.groups.filter((g) => !EVERYONE.has(g)) })
    .filter((g) => g.binding.origin === 'input' && !isBuiltinGrant(g.binding, g.via) && beyondDiscovery(g, snapshot));
}

/** Every workload outside the system namespaces with its identity and token mounting (once per audit). */
export const workloadIdentities: (ctx: AuditContext) => WorkloadIdentity[] = memoize(identitiesOf, 'rbac');

function identitiesOf(ctx: AuditContext): WorkloadIdentity[] {
  const model = buildRbacModel(ctx.snapshot);
  const sas = serviceAccounts(ctx.snapshot);
  const grantsBySa = new Map<string, Grant[]>();
  const out: WorkloadIdentity[] = [];
  for (const w of workloadsOf(ctx.snapshot)) {
    // Its pods, or the template its next pods come from (none for a finished Job).
    const pod = judgedPodsOf(w)[0];
    const spec = pod?.spec;
    if (!spec) continue;
    const namespace = w.ref.namespace ?? pod?.namespace ?? 'default';
    if (isSystemNamespace(namespace, ctx.config.systemNamespaces)) continue;
    const named = typeof spec.serviceAccountName === 'string' && spec.serviceAccountName ? spec.serviceAccountName
      : typeof spec.serviceAccount === 'string' && spec.serviceAccount ? spec.serviceAccount : 'default';
    const key = `${namespace}/${named}`;
    const saObj = sas.get(key);
    let automount = true;
    let decidedBy: WorkloadIdentity['decidedBy'] = 'default';
    if (typeof spec.automountServiceAccountToken === 'boolean') {
      automount = spec.automountServiceAccountToken;
      decidedBy = 'pod';
    } else if (typeof saObj?.automountServiceAccountToken === 'boolean') {
      automount = saObj.automountServiceAccountToken as boolean;
      decidedBy = 'serviceaccount';
    }
    let projectedToken: ProjectedToken | undefined;
    if (!automount) {
      projectedToken = projectedTokenOf(spec as Record<string, unknown>);
      if (projectedToken?.apiToken) {
        automount = true;
        decidedBy = 'projected';
      }
    }
    let grants = grantsBySa.get(key);
    if (!grants) {
      grants = accountGrants(model, { kind: 'ServiceAccount', namespace, name: named }, ctx.snapshot);
      grantsBySa.set(key, grants);
    }
    out.push({ workload: w, namespace, serviceAccount: named, automount, decidedBy, grants, ...(projectedToken ? { projectedToken } : {}) });
  }
  return out;
}
