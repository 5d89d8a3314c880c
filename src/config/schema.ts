// JSON Schema of ztaudit.yaml. Every object is closed (additionalProperties: false) so an
// unknown or misspelt key is an error that names it, never silently ignored.
import { INTENT_PORT_FORMS } from './intent-ports.ts';
import { LINKERD_POLICIES } from './linkerd-policies.ts';
import { MAX_TIMER_MS, MAX_TIMER_SAYS, MAX_TIMER_SECONDS } from '../base/timer.ts';
import { MAX_REPORT_CAP, MAX_REPORT_CAP_SAYS } from '../base/output-limits.ts';

const str = { type: 'string' } as const;
const reportCap = { type: 'integer', minimum: 1, maximum: MAX_REPORT_CAP, description: MAX_REPORT_CAP_SAYS } as const;
const strArray = { type: 'array', items: str } as const;
const severity = { enum: ['critical', 'high', 'medium', 'low'] } as const;
const level = { enum: ['privileged', 'baseline', 'restricted'] } as const;
const labels = { type: 'object', additionalProperties: str } as const;
const selector = { type: 'object', additionalProperties: false, properties: { namespace: str, podSelector: labels } } as const;
/** A string of a pattern; `says` is what a value must be, quoted in the error (validate.ts). */
const matching = (pattern: string, says: string) => ({ type: 'string', pattern, description: says }) as const;
/** A duration that reaches a timer: at most what a timer can wait (validate.ts quotes `description`). */
const duration = (unit: 'ms' | 's', minimum: number) => ({ type: 'integer', minimum, maximum: unit === 'ms' ? MAX_TIMER_MS : MAX_TIMER_SECONDS, description: MAX_TIMER_SAYS }) as const;
const closed = (properties: Record<string, unknown>, required: string[] = []) => ({ type: 'object', additionalProperties: false, properties, required });

/**
 * A Pod Security policy version as the admission configuration takes it: "latest" or "v1.N"
 * (kubernetes/pod-security-admission api/helpers.go ParseVersion, which
 * admission/api/validation/validation.go applies to defaults.*-version; the same form the
 * namespace labels take, https://kubernetes.io/docs/concepts/security/pod-security-admission/).
 */
const policyVersion = matching('^(latest|v1\\.(0|[1-9][0-9]*))$', 'latest or v1.N (e.g. v1.31)');

/**
 * The cluster's Kubernetes version as its API server's /version gitVersion gives it ("v1.34.2",
 * "v1.30.4-eks-a737599"; "v1.34" and "1.34" too): manifests carry none, and Pod Security judges at it.
 */
export const CLUSTER_VERSION_FORM = '^v?1\\.(0|[1-9][0-9]*)(\\.[0-9]+)?([-+][0-9A-Za-z.+-]*)?$';
export const CLUSTER_VERSION_SAYS = 'the Kubernetes version v1.N or v1.N.P (e.g. v1.34.2, or as `kubectl version` shows it: v1.30.4-eks-a737599)';

/** The form of an address range; whether it is one (a real address, a prefix that fits) is validate.ts's to say, with parseCidr. */
export const CIDR_FORM = '^[0-9a-fA-F:.]+/[0-9]{1,3}$';

export const CONFIG_SCHEMA = closed({
  cluster: closed({ name: { type: 'string', minLength: 1 }, version: matching(CLUSTER_VERSION_FORM, CLUSTER_VERSION_SAYS) }),
  target: closed({
    podSecurityLevel: { enum: ['baseline', 'restricted'] },
    podSecurityVersion: policyVersion,
    requireMtls: { type: 'boolean' },
  }),
  systemNamespaces: strArray,
  podSecurity: closed({
    defaults: closed({ enforce: level, 'enforce-version': policyVersion, audit: level, 'audit-version': policyVersion, warn: level, 'warn-version': policyVersion }),
    exemptions: closed({ namespaces: strArray, runtimeClasses: strArray, usernames: strArray }),
  }),
  network: closed({ exposedNamespaces: strArray }),
  egress: closed({
    // The controlled exits: gateway pods (namespace + optional podSelector) or a proxy address outside the cluster (cidr).
    gateways: { type: 'array', items: { ...closed({ namespace: str, podSelector: labels, cidr: matching(CIDR_FORM, 'an address range ADDRESS/BITS (e.g. 203.0.113.10/32)') }), anyOf: [{ required: ['namespace'] }, { required: ['cidr'] }] } },
  }),
  intent: closed({
    deny: {
      type: 'array',
      items: closed({
        name: str,
        from: selector,
        to: selector,
        // Number or string here; which ones are ports is parseIntentPort's to say (validate.ts), as the check reads them.
        ports: { type: 'array', items: { anyOf: [{ type: 'integer' }, { type: 'string' }], description: INTENT_PORT_FORMS } },
      }, ['name', 'from', 'to']),
    },
  }),
  rbac: closed({
    ignoreSubjects: { type: 'array', items: closed({ kind: { enum: ['User', 'Group', 'ServiceAccount'] }, name: str, namespace: str }, ['kind', 'name']) },
  }),
  tls: closed({
    certificateExpiryDays: { type: 'integer', minimum: 0 },
    probe: closed({
      enabled: { type: 'boolean' },
      endpoints: { type: 'array', items: closed({ host: str, port: { type: 'integer', minimum: 1, maximum: 65535 }, sni: str }, ['host', 'port']) },
      timeoutMs: duration('ms', 100),
      concurrency: { type: 'integer', minimum: 1, maximum: 256 },
      maxTargets: { type: 'integer', minimum: 0 },
      deadlineSeconds: duration('s', 1),
      caFile: { type: 'string', minLength: 1 },
    }),
  }),
  mesh: closed({ istioRootNamespace: str, istioTrustDomain: str, meshedNamespaces: strArray, linkerdDefaultInboundPolicy: { enum: LINKERD_POLICIES } }),
  edge: closed({
    publicHosts: { type: 'array', items: matching('^(\\*\\.)?[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?$', 'a host name or *.DOMAIN') },
    externalWaf: { type: 'string', minLength: 1 },
  }),
  checks: { type: 'object', additionalProperties: closed({ severity, enabled: { type: 'boolean' } }) },
  waivers: {
    type: 'array',
    items: closed({
      check: str,
      resource: closed({ kind: str, namespace: str, name: str }),
      reason: { type: 'string', minLength: 1 },
      owner: { type: 'string', minLength: 1 },
      expires: matching('^\\d{4}-\\d{2}-\\d{2}$', 'a date as YYYY-MM-DD'),
    }, ['check', 'resource', 'reason', 'owner', 'expires']),
  },
  history: closed({
    retention: closed({ maxRuns: { type: 'integer', minimum: 1 }, maxAgeDays: { type: 'integer', minimum: 1 } }),
    retrySeconds: { type: 'integer', minimum: 0, maximum: 3600 },
  }),
  // report.sarif's and report.junit.xml's caps (src/base/output-limits.ts); above GitHub's limit is a warning (validate.ts),
  // above MAX_REPORT_CAP an error, as for --sarif-max-results and --junit-max-finding-cases (src/cli/report-limits.ts).
  reports: closed({ sarifMaxResults: reportCap, junitMaxFindingCases: reportCap }),
  collect: closed({ deadlineSeconds: { type: 'integer', minimum: 1, maximum: 86400 } }),
  limits: closed({ manifestFileMiB: { type: 'number', exclusiveMinimum: 0, maximum: 256 }, snapshotMiB: { type: 'number', exclusiveMinimum: 0, maximum: 16384 } }),
  regression: closed({
    newFindingSeverity: { enum: ['critical', 'high', 'medium', 'low', 'none'] },
    areaScoreDrop: { type: 'number', minimum: 0 },
    breadthGrowthPercent: { type: 'number', minimum: 0 },
    expiredWaiver: { type: 'boolean' },
  }),
  watch: closed({ debounceSeconds: { type: 'number', minimum: 0.1, maximum: 3600 }, realertAfterHours: { type: 'number', minimum: 0, maximum: 720 }, configMapRefreshSeconds: { type: 'number', minimum: 0, maximum: 86400 } }),
  notify: closed({
    policy: { enum: ['regression', 'always', 'never'] },
    deadlineSeconds: { type: 'integer', minimum: 1, maximum: 3600 },
    slack: closed({ channel: str }),
    email: closed({ to: strArray, from: str, proxy: { type: 'boolean' } }),
    fleetDigest: closed({
      policy: { enum: ['regression', 'always', 'never'] },
      windowHours: { type: 'integer', minimum: 1, maximum: 8760 },
      slack: closed({ channel: str }),
      email: closed({ to: strArray }),
    }),
  }),
});
