// Reference cases for Cilium's policy semantics, each citing the documentation page (or, where
// the documentation is silent, the Cilium source file) it comes from. The unit tier checks
// ztaudit against the expected verdicts; the conformance tier also runs Cilium's own policy
// repository (test/oracles/cilium) on them and checks it gives the same verdicts.
import type { OracleScenario } from '../../conformance/cilium/scenarios.ts';

const DOCS = 'https://docs.cilium.io/en/stable';
const SRC = 'github.com/cilium/cilium@v1.20.2';

export type Expect = 'allowed' | 'denied';
/** [from, to, "TCP/8080", expected]: "allowed" means every side Cilium judges (egress at a pod source, ingress at a pod destination) allows it. */
export type CaseFlow = [string, string, string, Expect];

export interface ReferenceCase {
  name: string;
  source: string;
  policies: Array<Record<string, unknown>>;
  settings?: Pick<OracleScenario, 'enforcement' | 'allowLocalhost' | 'enableNonDefaultDenyPolicies' | 'enableIPv6'>;
  services?: OracleScenario['services'];
  flows: CaseFlow[];
}

const NAMESPACES = [
  { name: 'shop', labels: { 'kubernetes.io/metadata.name': 'shop', team: 'a' } },
  { name: 'pay', labels: { 'kubernetes.io/metadata.name': 'pay', team: 'b' } },
  { name: 'dev', labels: { 'kubernetes.io/metadata.name': 'dev', team: 'a' } },
];

const PODS: OracleScenario['pods'] = [
  { name: 'web', namespace: 'shop', labels: { app: 'web' }, serviceAccount: 'web', ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] },
  { name: 'db', namespace: 'shop', labels: { app: 'db', 'statefulset.kubernetes.io/pod-name': 'db-0' }, serviceAccount: 'db', ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }] },
  { name: 'api', namespace: 'pay', labels: { app: 'api' }, serviceAccount: 'default', ports: [{ name: 'http', port: 9000, protocol: 'TCP' }] },
  { name: 'cli', namespace: 'dev', labels: { app: 'cli' }, serviceAccount: 'default', ports: [] },
];

const EXTERNALS: OracleScenario['externals'] = [
  { name: 'google', ip: '8.8.8.8', dnsName: 'dns.google' },
  { name: 'corp', ip: '10.1.2.3' },
  { name: 'svc-range', ip: '10.100.0.1' },
  { name: 'sub', ip: '104.198.14.52', dnsName: 'sub.cilium.io' },
  { name: 'deep', ip: '1.2.3.4', dnsName: 'a.b.cilium.io' },
  { name: 'apex', ip: '1.2.3.5', dnsName: 'cilium.io' },
];

const cnp = (name: string, namespace: string, spec: Record<string, unknown>) => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace }, spec });
const np = (name: string, namespace: string, spec: Record<string, unknown>) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec });
const ccnp = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name }, spec });
const web = { matchLabels: { app: 'web' } };
/** Every DNS lookup through Cilium's DNS proxy (the documentation's fqdn.yaml allows kube-dns on 53 with `matchPattern: "*"`). */
const DNS_RULE = { toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }] };
const db = { matchLabels: { app: 'db' } };

export const REFERENCE_CASES: ReferenceCase[] = [
  {
    name: 'an empty egress rule puts the endpoint in default deny and allows nothing',
    source: `${DOCS}/security/policy/layer3/#ingress-egress-default-deny (egress-default-deny.yaml)`,
    policies: [cnp('deny-all-egress', 'shop', { endpointSelector: web, egress: [{}] })],
    flows: [['shop/web', 'shop/db', 'TCP/5432', 'denied'], ['shop/web', 'external:google', 'UDP/53', 'denied'], ['shop/db', 'shop/web', 'TCP/8080', 'allowed']],
  },
  {
    name: 'an ingress rule with only toPorts admits every peer (other namespaces and the world) on those ports',
    source: `${DOCS}/security/policy/layer4/#limit-ingress-egress-ports ("to any layer 3 destination"); ${SRC}/pkg/policy/l4.go createL4Filter (an empty L3 is the wildcard)`,
    policies: [cnp('port-only', 'shop', { endpointSelector: db, ingress: [{ toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }] }] })],
    flows: [['pay/api', 'shop/db', 'TCP/5432', 'allowed'], ['external:google', 'shop/db', 'TCP/5432', 'allowed'], ['shop/web', 'shop/db', 'TCP/5433', 'denied']],
  },
  {
    name: 'fromEndpoints [{}] in a CiliumNetworkPolicy means every endpoint of the policy\'s namespace',
    source: `${DOCS}/security/policy/layer3/#egress-allow-all-endpoints; ${DOCS}/security/policy/kubernetes/#policies-only-apply-within-the-namespace`,
    policies: [cnp('same-ns', 'shop', { endpointSelector: db, ingress: [{ fromEndpoints: [{}] }] })],
    flows: [['shop/web', 'shop/db', 'TCP/5432', 'allowed'], ['pay/api', 'shop/db', 'TCP/5432', 'denied'], ['external:google', 'shop/db', 'TCP/5432', 'denied']],
  },
  {
    name: 'fromEndpoints written as an empty list selects no peer but still isolates',
    source: `${SRC}/pkg/policy/utils/parserules.go mergeEndpointSelectors ("empty non-nil slices ... should not result in any identity being selected")`,
    policies: [cnp('empty-list', 'shop', { endpointSelector: db, ingress: [{ fromEndpoints: [], toPorts: [{ ports: [{ port: '5432' }] }] }] })],
    flows: [['shop/web', 'shop/db', 'TCP/5432', 'denied'], ['pay/api', 'shop/db', 'TCP/5432', 'denied']],
  },
  {
    name: 'naming the namespace (k8s:io.kubernetes.pod.namespace) reaches into another namespace',
    source: `${DOCS}/security/policy/kubernetes/#specifying-namespace-in-endpointselector-fromendpoints-toendpoints`,
    policies: [cnp('from-pay', 'shop', { endpointSelector: db, ingress: [{ fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'pay', app: 'api' } }] }] })],
    flows: [['pay/api', 'shop/db', 'TCP/5432', 'allowed'], ['shop/web', 'shop/db', 'TCP/5432', 'denied']],
  },
  {
    name: 'a namespace label selector (io.cilium.k8s.namespace.labels.*) is not confined to the policy\'s namespace',
    source: `${DOCS}/security/policy/kubernetes/#namespace-specific-information`,
    policies: [cnp('team-a', 'shop', { endpointSelector: db, ingress: [{ fromEndpoints: [{ matchLabels: { 'io.cilium.k8s.namespace.labels.team': 'a' } }] }] })],
    flows: [['dev/cli', 'shop/db', 'TCP/5432', 'allowed'], ['shop/web', 'shop/db', 'TCP/5432', 'allowed'], ['pay/api', 'shop/db', 'TCP/5432', 'denied']],
  },
  {
    name: 'peers by service account (io.cilium.k8s.policy.serviceaccount)',
    source: `${DOCS}/security/policy/kubernetes/#serviceaccounts`,
    policies: [cnp('sa', 'shop', { endpointSelector: db, ingress: [{ fromEndpoints: [{ matchLabels: { 'io.cilium.k8s.policy.serviceaccount': 'web' } }] }] })],
    flows: [['shop/web', 'shop/db', 'TCP/5432', 'allowed'], ['shop/db', 'shop/db', 'TCP/5432', 'denied']],
  },
  {
    name: 'the endpointSelector of a CiliumNetworkPolicy always applies in the policy\'s own namespace',
    source: `${DOCS}/security/policy/kubernetes/#specifying-namespace-in-endpointselector-fromendpoints-toendpoints ("The endpointSelector always applies to pods in the namespace associated with the CiliumNetworkPolicy")`,
    policies: [cnp('elsewhere', 'shop', { endpointSelector: { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'pay' } }, ingress: [{}] })],
    flows: [['dev/cli', 'shop/web', 'TCP/8080', 'denied'], ['dev/cli', 'pay/api', 'TCP/9000', 'allowed']],
  },
  {
    name: 'fromEndpoints [{}] in a CiliumClusterwideNetworkPolicy means every pod of the cluster, not the world',
    source: `${DOCS}/security/policy/kubernetes/#allow-all-cilium-managed-endpoints-to-communicate-with-kube-dns (wildcard-from-endpoints.yaml)`,
    policies: [ccnp('all-pods', { endpointSelector: db, ingress: [{ fromEndpoints: [{}] }] })],
    flows: [['pay/api', 'shop/db', 'TCP/5432', 'allowed'], ['dev/cli', 'shop/db', 'TCP/5432', 'allowed'], ['external:google', 'shop/db', 'TCP/5432', 'denied']],
  },
  {
    name: 'entities: world is everything outside the cluster, cluster every pod, all both',
    source: `${DOCS}/security/policy/layer3/#entities-based`,
    policies: [
      cnp('to-world', 'shop', { endpointSelector: web, egress: [{ toEntities: ['world'] }] }),
      cnp('from-cluster', 'shop', { endpointSelector: db, ingress: [{ fromEntities: ['cluster'] }] }),
      cnp('from-all', 'pay', { endpointSelector: { matchLabels: { app: 'api' } }, ingress: [{ fromEntities: ['all'] }] }),
    ],
    flows: [
      ['shop/web', 'external:corp', 'TCP/443', 'allowed'], ['shop/web', 'shop/db', 'TCP/5432', 'denied'],
      ['dev/cli', 'shop/db', 'TCP/5432', 'allowed'], ['external:google', 'shop/db', 'TCP/5432', 'denied'],
      ['external:google', 'pay/api', 'TCP/9000', 'allowed'], ['dev/cli', 'pay/api', 'TCP/9000', 'allowed'],
    ],
  },
  {
    name: 'CIDR rules never select pods; except carves addresses out of a CIDRSet',
    source: `${DOCS}/security/policy/layer3/#selecting-pods-or-nodes-with-cidr-ipblock ("CIDR-based selectors do not match in-cluster entities"); ${DOCS}/security/policy/layer3/#allow-to-external-cidr-block (cidr.yaml)`,
    policies: [cnp('cidr-rule', 'shop', { endpointSelector: web, egress: [{ toCIDR: ['0.0.0.0/0'] }, { toCIDRSet: [{ cidr: '10.0.0.0/8', except: ['10.96.0.0/12'] }] }] }), cnp('only-10', 'dev', { endpointSelector: {}, egress: [{ toCIDRSet: [{ cidr: '10.0.0.0/8', except: ['10.96.0.0/12'] }] }] })],
    flows: [['shop/web', 'shop/db', 'TCP/5432', 'denied'], ['shop/web', 'external:google', 'TCP/443', 'allowed'], ['dev/cli', 'external:corp', 'TCP/443', 'allowed'], ['dev/cli', 'external:svc-range', 'TCP/443', 'denied'], ['dev/cli', 'external:google', 'TCP/443', 'denied']],
  },
  {
    name: 'toFQDNs allows the names it matches, not every address: `*` stays within one label, `**.` spans labels',
    // With the DNS rule the documentation's fqdn.yaml has: without one, Cilium's DNS proxy
    // never learns the names' addresses (the "DNS based" note).
    source: `${DOCS}/security/policy/layer3/#dns-based ("*.cilium.io will match sub.cilium.io but not cilium.io or sub.sub.cilium.io"; "**.cilium.io ... app.cilium.io and test.app.cilium.io but not cilium.io")`,
    policies: [cnp('fqdn', 'shop', { endpointSelector: web, egress: [{ toFQDNs: [{ matchPattern: '*.cilium.io' }, { matchName: 'DNS.google' }] }, DNS_RULE] }), cnp('fqdn-deep', 'dev', { endpointSelector: {}, egress: [{ toFQDNs: [{ matchPattern: '**.cilium.io' }] }, DNS_RULE] })],
    flows: [
      ['shop/web', 'external:sub', 'TCP/443', 'allowed'], ['shop/web', 'external:deep', 'TCP/443', 'denied'], ['shop/web', 'external:apex', 'TCP/443', 'denied'],
      ['shop/web', 'external:google', 'TCP/443', 'allowed'], ['shop/web', 'external:corp', 'TCP/443', 'denied'],
      ['dev/cli', 'external:deep', 'TCP/443', 'allowed'], ['dev/cli', 'external:sub', 'TCP/443', 'allowed'], ['dev/cli', 'external:apex', 'TCP/443', 'denied'],
    ],
  },
  {
    name: 'a deny of 0.0.0.0/0 drops the addresses a toFQDNs name resolves to; a narrower deny only those it holds',
    source: `${DOCS}/security/policy/deny/ ("Deny policies take precedence over allow policies"); ${DOCS}/security/policy/language/#dns-based (toFQDNs "shares all limitations of the CIDR based rules")`,
    policies: [
      cnp('fqdn', 'shop', { endpointSelector: web, egress: [{ toFQDNs: [{ matchPattern: '*.cilium.io' }] }, DNS_RULE] }),
      cnp('no-world', 'shop', { endpointSelector: web, egressDeny: [{ toCIDR: ['0.0.0.0/0'] }] }),
      cnp('fqdn', 'dev', { endpointSelector: {}, egress: [{ toFQDNs: [{ matchPattern: '*.cilium.io' }] }, DNS_RULE] }),
      cnp('no-corp', 'dev', { endpointSelector: {}, egressDeny: [{ toCIDR: ['10.0.0.0/8'] }] }),
    ],
    flows: [['shop/web', 'external:sub', 'TCP/443', 'denied'], ['dev/cli', 'external:sub', 'TCP/443', 'allowed']],
  },
  {
    name: 'a deny rule beats every allow, whatever policy or API the allow comes from',
    source: `${DOCS}/security/policy/deny/ ("Deny policies take precedence over allow policies, regardless of whether they are a Cilium Network Policy, a Clusterwide Cilium Network Policy or even a Kubernetes Network Policy")`,
    policies: [
      cnp('allow-web', 'shop', { endpointSelector: db, ingress: [{ fromEndpoints: [web] }] }),
      ccnp('deny-80', { endpointSelector: db, ingressDeny: [{ fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'shop', app: 'web' } }], toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }] }] }),
    ],
    flows: [['shop/web', 'shop/db', 'TCP/5432', 'denied'], ['shop/web', 'shop/db', 'TCP/81', 'allowed']],
  },
  {
    name: 'a policy with only deny rules still puts the pod in default deny',
    source: `${DOCS}/security/policy/deny/ ("Similarly to allow policies, Pods will enter default-deny mode as soon a single policy selects it")`,
    policies: [cnp('deny-world', 'shop', { endpointSelector: db, ingressDeny: [{ fromEntities: ['world'] }] })],
    flows: [['external:google', 'shop/db', 'TCP/5432', 'denied'], ['shop/web', 'shop/db', 'TCP/5432', 'denied']],
  },
  {
    name: 'enableDefaultDeny: false leaves the pod open; its deny rules still deny',
    source: `${DOCS}/security/policy/intro/#endpoint-default-policy ("Rules with EnableDefaultDeny disabled are ignored when determining the default mode")`,
    policies: [cnp('no-dd', 'shop', { endpointSelector: db, enableDefaultDeny: { ingress: false }, ingress: [{ fromEndpoints: [web] }], ingressDeny: [{ fromEntities: ['world'] }] })],
    flows: [['pay/api', 'shop/db', 'TCP/5432', 'allowed'], ['external:google', 'shop/db', 'TCP/5432', 'denied']],
  },
  {
    name: 'enforcement mode always: every endpoint is default deny, even without a policy',
    source: `${DOCS}/security/policy/intro/#policy-enforcement-modes`,
    settings: { enforcement: 'always' },
    policies: [cnp('allow-web', 'shop', { endpointSelector: db, ingress: [{ fromEndpoints: [web] }] })],
    flows: [['shop/web', 'shop/db', 'TCP/5432', 'denied'], ['dev/cli', 'pay/api', 'TCP/9000', 'denied']],
  },
  {
    name: 'enforcement mode never: nothing is enforced, even rules that select the endpoint',
    source: `${DOCS}/security/policy/intro/#policy-enforcement-modes`,
    settings: { enforcement: 'never' },
    policies: [cnp('deny-all', 'shop', { endpointSelector: {}, ingress: [{}], egress: [{}] })],
    flows: [['shop/web', 'shop/db', 'TCP/5432', 'allowed']],
  },
  {
    name: 'ports: endPort ranges, named ports of the receiving pod, a missing protocol means TCP, UDP and SCTP',
    source: `${DOCS}/security/policy/layer4/ (PortProtocol: "Port can be an L4 port number, or a name"; "If omitted or empty, any protocol matches"; Example Port Ranges)`,
    policies: [cnp('ports', 'shop', { endpointSelector: {}, ingress: [{ toPorts: [{ ports: [{ port: '5000', endPort: 5500, protocol: 'TCP' }, { port: 'http' }] }] }] })],
    flows: [['dev/cli', 'shop/db', 'TCP/5432', 'allowed'], ['dev/cli', 'shop/db', 'UDP/5432', 'denied'], ['dev/cli', 'shop/web', 'TCP/8080', 'allowed'], ['dev/cli', 'shop/db', 'TCP/8080', 'denied'], ['dev/cli', 'shop/web', 'TCP/5501', 'denied']],
  },
  {
    name: 'L7 (HTTP) rules narrow requests but the port stays open at L4',
    source: `${DOCS}/security/policy/layer7/ (HTTP rules apply to traffic the L4 rule redirects to the proxy)`,
    policies: [cnp('l7', 'shop', { endpointSelector: web, ingress: [{ toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/public' }] } }] }] })],
    flows: [['dev/cli', 'shop/web', 'TCP/8080', 'allowed'], ['dev/cli', 'shop/web', 'TCP/8081', 'denied']],
  },
  {
    name: 'labels outside the security identity (statefulset.kubernetes.io/pod-name) never match',
    source: `${DOCS}/operations/performance/scalability/identity-relevant-labels/ (default exclusions)`,
    policies: [cnp('by-pod-name', 'shop', { endpointSelector: { matchLabels: { 'statefulset.kubernetes.io/pod-name': 'db-0' } }, ingress: [{}] })],
    flows: [['shop/web', 'shop/db', 'TCP/5432', 'allowed']],
  },
  {
    name: 'a Kubernetes NetworkPolicy podSelector on a label outside the identity selects no pod and names no peer',
    source: `${DOCS}/operations/performance/scalability/identity-relevant-labels/ (default exclusions: statefulset.kubernetes.io/pod-name); ${DOCS}/network/kubernetes/policy/ (Cilium applies the standard NetworkPolicy resource itself); ${SRC}/pkg/k8s/network_policy.go ParseNetworkPolicy (podSelectors become endpoint selectors over identity labels)`,
    policies: [
      np('only-web', 'shop', { podSelector: { matchLabels: { 'statefulset.kubernetes.io/pod-name': 'db-0' } }, ingress: [{ from: [{ podSelector: web }] }] }),
      np('from-db-0', 'shop', { podSelector: web, ingress: [{ from: [{ podSelector: { matchLabels: { 'statefulset.kubernetes.io/pod-name': 'db-0' } } }] }] }),
    ],
    flows: [['pay/api', 'shop/db', 'TCP/5432', 'allowed'], ['shop/db', 'shop/web', 'TCP/8080', 'denied']],
  },
  {
    name: 'a Kubernetes NetworkPolicy podSelector DoesNotExist on a label outside the identity selects every pod',
    source: `${DOCS}/operations/performance/scalability/identity-relevant-labels/ (default exclusions: statefulset.kubernetes.io/pod-name); ${SRC}/pkg/k8s/network_policy.go ParseNetworkPolicy`,
    policies: [np('not-a-statefulset', 'shop', { podSelector: { matchExpressions: [{ key: 'statefulset.kubernetes.io/pod-name', operator: 'DoesNotExist' }] }, ingress: [{ from: [{ podSelector: web }] }] })],
    flows: [['pay/api', 'shop/db', 'TCP/5432', 'denied'], ['shop/web', 'shop/db', 'TCP/5432', 'allowed']],
  },
  {
    name: 'spec with an empty specs list: Cilium enforces spec',
    source: `${SRC}/pkg/k8s/apis/cilium.io/v2/cnp_types.go Parse (an empty Specs adds no rule and no error)`,
    policies: [{ ...cnp('both', 'shop', { endpointSelector: db, ingress: [{}] }), specs: [] }],
    flows: [['shop/web', 'shop/db', 'TCP/5432', 'denied']],
  },
  {
    name: 'toServices naming no existing Service, with toPorts, opens those ports to every destination',
    source: `${SRC}/pkg/policy/k8s/service.go processRule (adds nothing when no Service matches); ${SRC}/pkg/policy/utils/parserules.go (no peer selector is the wildcard)`,
    policies: [cnp('svc', 'shop', { endpointSelector: web, egress: [{ toServices: [{ k8sService: { serviceName: 'missing', namespace: 'shop' } }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }] })],
    flows: [['shop/web', 'external:google', 'TCP/443', 'allowed'], ['shop/web', 'shop/db', 'TCP/443', 'allowed'], ['shop/web', 'shop/db', 'TCP/5432', 'denied']],
  },
  {
    name: 'egressDeny toServices naming an existing Service, with toPorts, denies those ports to every destination (Cilium resolves toServices in allow rules only)',
    source: `${SRC}/pkg/policy/k8s/service.go processRule (translates rule.Egress only, never rule.EgressDeny); ${SRC}/pkg/policy/utils/parserules.go RulesToPolicyEntries (EgressDeny peers: no toServices); ${SRC}/pkg/policy/rule.go mergeL4Filter (no peer selector with ports is the wildcard)`,
    services: [{ name: 'db', namespace: 'shop', selector: { app: 'db' } }],
    policies: [cnp('deny-db', 'shop', { endpointSelector: web, egress: [{ toEntities: ['all'] }], egressDeny: [{ toServices: [{ k8sService: { serviceName: 'db', namespace: 'shop' } }], toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }] }] })],
    flows: [['shop/web', 'shop/db', 'TCP/5432', 'denied'], ['shop/web', 'external:google', 'TCP/5432', 'denied'], ['shop/web', 'pay/api', 'TCP/5432', 'denied'], ['shop/web', 'shop/db', 'TCP/8080', 'allowed']],
  },
  {
    name: 'egressDeny toServices naming an existing Service, without toPorts, denies nothing (the Service is never resolved in a deny rule)',
    source: `${SRC}/pkg/policy/k8s/service.go processRule (translates rule.Egress only); ${SRC}/pkg/policy/rule.go mergeL4Filter (an empty peer list without ports adds no filter)`,
    services: [{ name: 'db', namespace: 'shop', selector: { app: 'db' } }],
    policies: [cnp('deny-db', 'shop', { endpointSelector: web, egress: [{ toEntities: ['all'] }], egressDeny: [{ toServices: [{ k8sService: { serviceName: 'db', namespace: 'shop' } }] }] })],
    flows: [['shop/web', 'shop/db', 'TCP/5432', 'allowed'], ['shop/web', 'external:google', 'TCP/443', 'allowed']],
  },
  {
    name: 'fromEntities cluster admits the remote-node identity (N/S Service traffic another node forwards under native routing) but not the world',
    source: `${DOCS}/security/policy/caveats/ (Security Identity for N/S Service Traffic: "it will have the reserved:remote-node. The latter traffic will match fromEntities: cluster policies"); ${SRC}/pkg/policy/api/entity.go EntitySelectorMapping`,
    policies: [cnp('from-cluster', 'shop', { endpointSelector: web, ingress: [{ fromEntities: ['cluster'] }] })],
    flows: [['remote-node', 'shop/web', 'TCP/8080', 'allowed'], ['world', 'shop/web', 'TCP/8080', 'denied'], ['external:google', 'shop/web', 'TCP/8080', 'denied']],
  },
  {
    name: 'world-ipv4 selects nothing in an IPv4-only cluster (addresses are labelled world there)',
    source: `${SRC}/pkg/labels/cidr.go getWorldLabel; ${SRC}/pkg/policy/api/entity.go EntitySelectorMapping`,
    policies: [cnp('v4', 'shop', { endpointSelector: web, egress: [{ toEntities: ['world-ipv4'] }] })],
    flows: [['shop/web', 'external:google', 'TCP/443', 'denied']],
  },
  {
    name: 'world-ipv4 selects IPv4 addresses in a dual-stack cluster',
    source: `${SRC}/pkg/labels/cidr.go getWorldLabel; ${SRC}/pkg/policy/api/entity.go EntitySelectorMapping`,
    settings: { enforcement: 'default', enableIPv6: true },
    policies: [cnp('v4', 'shop', { endpointSelector: web, egress: [{ toEntities: ['world-ipv4'] }] })],
    flows: [['shop/web', 'external:google', 'TCP/443', 'allowed']],
  },
];

/** A reference case as an oracle scenario. */
export function caseScenario(c: ReferenceCase, index: number): OracleScenario {
  return {
    id: `case-${index}`,
    enforcement: c.settings?.enforcement ?? 'default',
    ...(c.settings?.allowLocalhost ? { allowLocalhost: c.settings.allowLocalhost } : {}),
    ...(c.settings?.enableNonDefaultDenyPolicies !== undefined ? { enableNonDefaultDenyPolicies: c.settings.enableNonDefaultDenyPolicies } : {}),
    ...(c.settings?.enableIPv6 ? { enableIPv6: true } : {}),
    namespaces: NAMESPACES,
    pods: PODS,
    externals: EXTERNALS,
    ...(c.services ? { services: c.services } : {}),
    policies: c.policies,
    flows: c.flows.map(([from, to, pp]) => {
      const [protocol, port] = pp.split('/');
      return { from, to, protocol: protocol as 'TCP' | 'UDP' | 'SCTP', port: Number(port) };
    }),
  };
}

/** Combines per-direction answers: allowed when no judged side denies. */
export function overall(sides: { egress?: string; ingress?: string }): Expect {
  return sides.egress === 'denied' || sides.ingress === 'denied' ? 'denied' : 'allowed';
}
