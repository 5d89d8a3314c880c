// The validated configuration. `ztaudit.yaml` is checked against this shape (see
// validate.ts); defaults fill what the file leaves out. Secrets never live here: they come
// from the environment (see env.ts), the only place process.env is read.

import type { Severity } from '../base/vocabulary.ts';
import type { LinkerdPolicy } from './linkerd-policies.ts';
import { JUNIT_MAX_FINDING_CASES, SARIF_MAX_RESULTS } from '../base/output-limits.ts';

export type PssLevel = 'privileged' | 'baseline' | 'restricted';

export interface LabelSelectorConfig {
  namespace?: string;
  /** matchLabels; omitted = any pod. */
  podSelector?: Record<string, string>;
}

export interface IntentRule {
  name: string;
  from: LabelSelectorConfig;
  to: LabelSelectorConfig;
  /** Destination ports; omitted = any port. Number (TCP) or "53/UDP". */
  ports?: Array<number | string>;
}

export interface WaiverConfig {
  check: string;
  resource: { kind?: string; namespace?: string; name?: string };
  reason: string;
  owner: string;
  expires: string; // YYYY-MM-DD
}

export interface SubjectMatch {
  kind: 'User' | 'Group' | 'ServiceAccount';
  /** Exact name, or a prefix ending in '*'. */
  name: string;
  namespace?: string;
}

/**
 * The subjects that stand for everyone (anyone without credentials, every authenticated identity,
 * every service account): rbac.ignoreSubjects never leaves them out, by name or by a pattern. A
 * grant to them is what CIS Kubernetes Benchmark 5.1.1 and the GKE Benchmark 4.1.8/4.1.9 ("Avoid
 * bindings to system:anonymous", "non-default bindings to system:unauthenticated") ask to find.
 */
export const EVERYONE_SUBJECTS: ReadonlyArray<{ kind: 'User' | 'Group'; name: string }> = [
  { kind: 'User', name: 'system:anonymous' },
  { kind: 'Group', name: 'system:unauthenticated' },
  { kind: 'Group', name: 'system:authenticated' },
  { kind: 'Group', name: 'system:serviceaccounts' },
];

export function isEveryoneSubject(kind: string, name: string): boolean {
  return EVERYONE_SUBJECTS.some((e) => e.kind === kind && e.name === name);
}

export interface Config {
  /**
   * The cluster's name in reports and history (--cluster overrides it), and its Kubernetes
   * version where the source does not tell it (manifests; --cluster-version overrides it).
   */
  cluster: { name?: string; version?: string };
  target: {
    podSecurityLevel: 'baseline' | 'restricted';
    /** PSS version the target level is judged at: 'latest' or 'v1.N'. */
    podSecurityVersion: string;
    requireMtls: boolean;
  };
  systemNamespaces: string[];
  podSecurity: {
    /** The cluster's PodSecurityConfiguration defaults (not visible through the API). */
    defaults?: { enforce?: PssLevel; 'enforce-version'?: string; audit?: PssLevel; 'audit-version'?: string; warn?: PssLevel; 'warn-version'?: string };
    exemptions: { namespaces: string[]; runtimeClasses: string[]; usernames: string[] };
  };
  network: {
    /** Namespaces whose workloads are meant to be reachable from everywhere (e.g. ingress controllers). */
    exposedNamespaces: string[];
  };
  egress: {
    /** Controlled exits: only these may reach the outside (network.egress-not-controlled). */
    gateways: EgressGateway[];
  };
  intent: { deny: IntentRule[] };
  rbac: {
    /** Subjects treated as part of the platform and never reported (added to the built-in list). */
    ignoreSubjects: SubjectMatch[];
  };
  tls: {
    certificateExpiryDays: number;
    probe: {
      enabled: boolean;
      endpoints: Array<{ host: string; port: number; sni?: string }>;
      timeoutMs: number;
      concurrency: number;
      /**
       * Endpoints found in the cluster (Ingresses, LoadBalancer Services) probed at most; the
       * rest are named in a note. tls.probe.endpoints are always probed and not counted.
       */
      maxTargets: number;
      /** The whole probe phase's deadline; endpoints not probed by then make the run partial. */
      deadlineSeconds: number;
      /**
       * A PEM bundle of private CAs whose chains the probe trusts beside Node's default store
       * (tls.certificate-untrusted); absolute once loaded (loadConfig resolves it against the
       * config file's directory and checks it can be read).
       */
      caFile?: string;
    };
  };
  mesh: {
    /** Where ConfigMap istio is read (istio-system is read too); the root namespace unless its meshConfig.rootNamespace names another. */
    istioRootNamespace: string;
    /** Istio trust domain for principals (default: meshConfig.trustDomain from ConfigMap istio, else cluster.local). */
    istioTrustDomain?: string;
    /** Namespaces that must be meshed even without injection labels. */
    meshedNamespaces: string[];
    /** Linkerd install-time proxy.defaultInboundPolicy, when not readable from the cluster. */
    linkerdDefaultInboundPolicy?: LinkerdPolicy;
  };
  edge: {
    /** Hosts meant to be public (a shop's front page): exposed without authentication is not a finding. Exact names or "*.example.com". */
    publicHosts: string[];
    /** A WAF in front of the cluster (CDN, cloud WAF), named; tls.edge-waf-missing then passes and says so. */
    externalWaf?: string;
  };
  /** Per-check overrides: severity, or disable. */
  checks: Record<string, { severity?: Severity; enabled?: boolean }>;
  waivers: WaiverConfig[];
  history: {
    retention: { maxRuns: number; maxAgeDays: number };
    /** A shared store (PostgreSQL) whose connection is lost is retried this long before the run fails. */
    retrySeconds: number;
  };
  /** What report.sarif and report.junit.xml hold at most; the most severe findings are kept (src/run/output-limits.ts). */
  reports: {
    /** Results in report.sarif's run (GitHub code scanning rejects a run of more than 25,000). */
    sarifMaxResults: number;
    /** Testcases of single findings in report.junit.xml; the rest of a check are one summarising testcase. */
    junitMaxFindingCases: number;
    /** What set sarifMaxResults, named where a cut report says why: a flag or this key; absent for the default (src/cli/report-limits.ts). */
    sarifMaxResultsFrom?: string;
    /** What set junitMaxFindingCases, likewise. */
    junitMaxFindingCasesFrom?: string;
  };
  /** The live collection (src/collect/live.ts). */
  collect: {
    /** The whole collection's deadline: kinds not listed by then are not read, and the run is partial. */
    deadlineSeconds: number;
  };
  /** Input size limits: refused with one line (exit 2) rather than a heap crash. */
  limits: {
    /** Largest single --manifests file, in MiB (a YAML parse needs ~50x the file in memory). */
    manifestFileMiB: number;
    /** Largest --snapshot, decompressed, in MiB (V8 cannot hold one string above 512 MiB). */
    snapshotMiB: number;
  };
  regression: {
    /** A new finding of at least this severity is a regression. */
    newFindingSeverity: Severity | 'none';
    areaScoreDrop: number;
    breadthGrowthPercent: number;
    expiredWaiver: boolean;
  };
  /** `serve --watch`: a watch run starts this long after the first change it covers. */
  watch: {
    debounceSeconds: number;
    /**
     * serve --watch: a regression that only repeats new findings alerted by a watch run less
     * than this long ago is held back (flapping: a policy deleted and re-created); 0 alerts every time.
     */
    realertAfterHours: number;
    /**
     * serve --watch: the ConfigMaps read by name (mesh, Cilium, ingress controller settings) are
     * read again this often between full runs, a changed one starting a watch run; 0: only by full runs.
     */
    configMapRefreshSeconds: number;
  };
  notify: {
    policy: 'regression' | 'always' | 'never';
    /** One overall deadline per channel and run (retries, rate limits, slow servers included). */
    deadlineSeconds: number;
    slack?: { channel?: string };
    /**
     * `proxy`: SMTP goes through the proxy in HTTPS_PROXY (a CONNECT tunnel; NO_PROXY applies).
     * Off by default: many proxies refuse CONNECT to mail ports, and HTTPS_PROXY is for HTTPS.
     */
    email?: { to?: string[]; from?: string; proxy?: boolean };
    /** `ztaudit fleet` sends a digest of the whole fleet (regressions of the last windowHours). */
    fleetDigest?: {
      policy?: 'regression' | 'always' | 'never';
      windowHours?: number;
      slack?: { channel?: string };
      email?: { to?: string[] };
    };
  };
}

/** An egress gateway's pods (namespace, optional pod labels), or an egress proxy's address range outside the cluster. */
export interface EgressGateway {
  namespace?: string;
  podSelector?: Record<string, string>;
  cidr?: string;
}

/**
 * The collection's default deadline. bench/live.ts measured a live collection of the M cluster
 * (46,169 objects) at 3.07–5.25 s, `kubectl get -A -o json` at 20.79–25.37 s
 * (docs/performance.md); L (150,000 pods, 461,407 objects) is ten times M, so about 30–50 s for
 * the collector and 4 min for kubectl at that rate. Thirty minutes is well past both, slow API
 * servers and retried outages included, and still ends a run that would otherwise never end.
 */
export const DEFAULT_COLLECTION_DEADLINE_SECONDS = 30 * 60;

/** limits.manifestFileMiB when the configuration gives none. */
export const DEFAULT_MANIFEST_FILE_MIB = 32;

export const DEFAULT_SYSTEM_NAMESPACES = ['kube-system', 'kube-public', 'kube-node-lease'];

export function defaultConfig(): Config {
  return {
    cluster: {},
    target: { podSecurityLevel: 'restricted', podSecurityVersion: 'latest', requireMtls: false },
    systemNamespaces: [...DEFAULT_SYSTEM_NAMESPACES],
    podSecurity: { exemptions: { namespaces: [], runtimeClasses: [], usernames: [] } },
    network: { exposedNamespaces: [] },
    egress: { gateways: [] },
    intent: { deny: [] },
    rbac: { ignoreSubjects: [] },
    tls: { certificateExpiryDays: 30, probe: { enabled: false, endpoints: [], timeoutMs: 5000, concurrency: 8, maxTargets: 200, deadlineSeconds: 300 } },
    mesh: { istioRootNamespace: 'istio-system', meshedNamespaces: [] },
    edge: { publicHosts: [] },
    checks: {},
    waivers: [],
    history: { retention: { maxRuns: 90, maxAgeDays: 180 }, retrySeconds: 60 },
    reports: { sarifMaxResults: SARIF_MAX_RESULTS, junitMaxFindingCases: JUNIT_MAX_FINDING_CASES },
    collect: { deadlineSeconds: DEFAULT_COLLECTION_DEADLINE_SECONDS },
    limits: { manifestFileMiB: DEFAULT_MANIFEST_FILE_MIB, snapshotMiB: 1024 },
    regression: { newFindingSeverity: 'high', areaScoreDrop: 5, breadthGrowthPercent: 20, expiredWaiver: true },
    notify: { policy: 'regression', deadlineSeconds: 60 },
    watch: { debounceSeconds: 3, realertAfterHours: 4, configMapRefreshSeconds: 60 },
  };
}
