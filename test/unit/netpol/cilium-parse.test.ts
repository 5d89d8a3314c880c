// Cilium policies as ztaudit reads them: what Cilium refuses (and so never enforces), what it
// accepts with a surprise (noted, naming the object), the agent settings from cilium-config,
// and the translation into the combined model's layers.
import { describe, expect, it } from 'vitest';
import type { KubeObject, Snapshot } from '../../../src/snapshot/types.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { parseCiliumPolicy } from '../../../src/analysis/netpol/cilium/parse.ts';
import { ciliumConfigMapRefs, readCiliumSettings } from '../../../src/analysis/netpol/cilium/config.ts';
import { ciliumAdapter } from '../../../src/analysis/netpol/cilium/adapter.ts';
import { isIdentityLabel, podIdentity } from '../../../src/analysis/netpol/cilium/labels.ts';
import { fqdnMatches, fqdnRegex } from '../../../src/analysis/netpol/cilium/fqdn.ts';
import { buildReachability } from '../../../src/analysis/netpol/model.ts';
import { queryReach, reachMatrix } from '../../../src/analysis/netpol/query.ts';
import { formatConns } from '../../../src/analysis/netpol/conns.ts';
import { admits, buildCiliumModelFrom, ciliumDirection } from '../../../src/analysis/netpol/cilium/evaluate.ts';
import { DEFAULT_SETTINGS } from '../../../src/analysis/netpol/cilium/config.ts';
import { detectCni } from '../../../src/analysis/netpol/cni.ts';
import { liveConfigMapRefs } from '../../../src/cli/source.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { CILIUM_SETTINGS_READ } from '../../../checks/network/lib/cilium-settings.ts';

const cnp = (spec: unknown, extra: Record<string, unknown> = {}): KubeObject => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'p', namespace: 'shop' }, spec, ...extra }) as KubeObject;
const ccnp = (spec: unknown): KubeObject => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'c' }, spec }) as KubeObject;
const db = { matchLabels: { app: 'db' } };

describe('Cilium policy parsing', () => {
  it('spec with an empty specs list: accepted (Cilium enforces spec), with a note naming the object', () => {
    const p = parseCiliumPolicy(cnp({ endpointSelector: db, ingress: [{}] }, { specs: [] }));
    expect(p.errors).toEqual([]);
    expect(p.rules.map((r) => r.path)).toEqual(['spec']);
    expect(p.notes).toEqual(['has both spec and an empty specs list: Cilium enforces spec alone']);
    expect(p.id).toBe('CiliumNetworkPolicy shop/p');
  });

  it('an empty specs list alone has no effect; neither spec nor specs is refused', () => {
    const empty = parseCiliumPolicy({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'e', namespace: 'shop' }, specs: [] } as KubeObject);
    expect(empty.errors).toEqual([]);
    expect(empty.rules).toEqual([]);
    expect(empty.notes).toEqual(['specs is an empty list: the policy has no rules and no effect']);
    expect(parseCiliumPolicy({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'n', namespace: 'shop' } } as KubeObject).errors).toEqual(['spec or specs must be provided (empty policy)']);
  });

  it.each([
    ['combining two peer kinds in one rule', { endpointSelector: db, ingress: [{ fromEndpoints: [{}], fromCIDR: ['10.0.0.0/8'] }] }, 'spec.ingress[0]: combining fromEndpoints and fromCIDR is not supported'],
    ['a numeric port (the CRD wants a string)', { endpointSelector: db, ingress: [{ toPorts: [{ ports: [{ port: 80 }] }] }] }, 'spec.ingress[0].toPorts[0].ports[0].port: 80 must be a string ("80"); the CRD schema rejects a number'],
    ['an unknown entity', { endpointSelector: db, egress: [{ toEntities: ['internet'] }] }, 'spec.egress[0].toEntities[0]: unsupported entity: internet'],
    ['a rule with no direction', { endpointSelector: db }, 'spec: must have at least one of ingress, ingressDeny, egress, egressDeny'],
    ['no endpointSelector', { ingress: [{}] }, 'spec: must have one of endpointSelector or nodeSelector'],
    ['a nodeSelector in a namespaced policy', { nodeSelector: {}, ingress: [{}] }, 'spec.nodeSelector: a CiliumNetworkPolicy cannot have a nodeSelector (host policies are clusterwide)'],
    ['DNS rules on ingress', { endpointSelector: db, ingress: [{ toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }], rules: { dns: [{ matchPattern: '*' }] } }] }] }, 'spec.ingress[0].toPorts[0].rules: DNS rules are not allowed on ingress'],
    ['HTTP rules on a port without protocol TCP', { endpointSelector: db, ingress: [{ toPorts: [{ ports: [{ port: '80' }], rules: { http: [{}] } }] }] }, 'spec.ingress[0].toPorts[0].ports[0]: L7 rules can only apply to TCP (not ANY) except for DNS rules'],
    ['an except outside its CIDR', { endpointSelector: db, egress: [{ toCIDRSet: [{ cidr: '10.0.0.0/8', except: ['192.168.0.0/16'] }] }] }, 'spec.egress[0].toCIDRSet[0].except[0]: allow CIDR prefix 10.0.0.0/8 does not contain exclude CIDR prefix 192.168.0.0/16'],
    ['matchName and matchPattern together', { endpointSelector: db, egress: [{ toFQDNs: [{ matchName: 'a.com', matchPattern: '*.a.com' }] }] }, 'spec.egress[0].toFQDNs[0]: only one of matchName or matchPattern is allowed'],
    ['a selector with a bad operator', { endpointSelector: { matchExpressions: [{ key: 'app', operator: 'Equals', values: ['x'] }] }, ingress: [{}] }, 'spec.endpointSelector.matchExpressions[0].operator: "Equals" is not In, NotIn, Exists or DoesNotExist'],
    ['toFQDNs in a deny rule', { endpointSelector: db, egressDeny: [{ toFQDNs: [{ matchName: 'a.com' }] }] }, 'spec.egressDeny[0].toFQDNs: deny rules do not support toFQDNs'],
  ])('refuses %s, naming the field', (_what, spec, error) => {
    const p = parseCiliumPolicy(cnp(spec));
    expect(p.errors).toContain(error);
  });

  it('host policies (nodeSelector) are accepted in a clusterwide policy, noted, and not evaluated', () => {
    const p = parseCiliumPolicy(ccnp({ nodeSelector: { matchLabels: { role: 'worker' } }, ingress: [{ fromEntities: ['cluster'] }] }));
    expect(p.errors).toEqual([]);
    expect(p.notes).toEqual(['spec: nodeSelector makes this a host policy (nodes, not pods); not evaluated']);
    expect(p.rules[0].hostPolicy).toBe(true);
  });

  it('notes what Cilium accepts but ignores: labels outside the identity, a subject named into another namespace (fromRequires is kept: whether it is ignored depends on the release, cilium-requires.test.ts)', () => {
    const p = parseCiliumPolicy(cnp({
      endpointSelector: { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'pay', 'pod-template-hash': 'abc' } },
      ingress: [{ fromEndpoints: [{ matchLabels: { 'statefulset.kubernetes.io/pod-name': 'db-0' } }], fromRequires: [{ matchLabels: { env: 'prod' } }] }],
    }));
    expect(p.errors).toEqual([]);
    expect(p.notes).toEqual([
      "spec.endpointSelector: label pod-template-hash is not part of Cilium's security identity (default identity-relevant labels), so no endpoint carries it (this selector matches nothing)",
      'spec.endpointSelector: names namespace pay; Cilium always applies a CiliumNetworkPolicy in its own namespace (shop)',
      "spec.ingress[0].fromEndpoints[0]: label statefulset.kubernetes.io/pod-name is not part of Cilium's security identity (default identity-relevant labels), so no endpoint carries it (this selector matches nothing)",
    ]);
    expect(p.rules[0].ingress[0].requires?.map((r) => r.written)).toEqual(['any:env=prod']);
  });

  it('label keys: with or without the k8s: source, any:, reserved: selectors kept as written', () => {
    const p = parseCiliumPolicy(cnp({ endpointSelector: { matchLabels: { 'k8s:app': 'db' } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }, { matchLabels: { 'any:io.kubernetes.pod.namespace': 'pay' } }, { matchLabels: { 'reserved:host': '' } }] }] }));
    const peers = p.rules[0].ingress[0].peers;
    if (peers === 'nothing') throw new Error('peers');
    expect(peers.map((x) => (x.kind === 'endpoints' ? x.selector.text : x.kind))).toEqual([
      // No namespace named: confined to the policy's namespace (and the local cluster).
      'any:app=web,k8s:io.cilium.k8s.policy.cluster=default,k8s:io.kubernetes.pod.namespace=shop',
      // any:io.kubernetes.pod.namespace names one: not confined.
      'any:io.kubernetes.pod.namespace=pay,k8s:io.cilium.k8s.policy.cluster=default',
      'reserved:host=',
    ]);
    expect(p.rules[0].subject?.text).toBe('k8s:app=db,k8s:io.kubernetes.pod.namespace=shop');
  });
});

describe('Cilium identity labels and FQDN patterns', () => {
  it('the default identity-label filter (identity-relevant-labels page)', () => {
    expect(['app', 'app.kubernetes.io/name', 'io.kubernetes.pod.namespace', 'io.cilium.k8s.namespace.labels.team', 'team'].map(isIdentityLabel)).toEqual([true, true, true, true, true]);
    expect(['pod-template-hash', 'controller-revision-hash', 'statefulset.kubernetes.io/pod-name', 'kubernetes.io/hostname', 'topology.kubernetes.io/zone', 'k8s.io/x', 'node.beta.kubernetes.io/x'].map(isIdentityLabel)).toEqual([false, false, false, false, false, false, false]);
  });

  it('a pod identity: its labels, namespace labels, namespace, service account, cluster; source k8s', () => {
    const id = podIdentity({ namespace: 'shop', labels: { app: 'web', 'pod-template-hash': 'x', 'io.cilium.k8s.policy.serviceaccount': 'forged' }, namespaceLabels: { team: 'a' }, serviceAccount: 'web', clusterName: 'c1' });
    expect(id.map((l) => `${l.source}:${l.key}=${l.value}`)).toEqual([
      'k8s:app=web', 'k8s:io.cilium.k8s.namespace.labels.team=a', 'k8s:io.cilium.k8s.policy.cluster=c1', 'k8s:io.cilium.k8s.policy.serviceaccount=web', 'k8s:io.kubernetes.pod.namespace=shop',
    ]);
  });

  it('matchName is exact and case-insensitive; * stays in one label; **. spans labels; a lone * is every name', () => {
    const m = (name: string | undefined, pattern: string | undefined, host: string) => fqdnMatches(fqdnRegex(name, pattern), host);
    expect([m('API.example.com', undefined, 'api.example.com'), m('api.example.com', undefined, 'x.api.example.com')]).toEqual([true, false]);
    expect([m(undefined, '*.cilium.io', 'sub.cilium.io'), m(undefined, '*.cilium.io', 'cilium.io'), m(undefined, '*.cilium.io', 'a.b.cilium.io')]).toEqual([true, false, false]);
    expect([m(undefined, '**.cilium.io', 'a.b.cilium.io'), m(undefined, '**.cilium.io', 'cilium.io'), m(undefined, 'part*ial.com', 'part-extra-ial.com')]).toEqual([true, false, true]);
    expect(m(undefined, '*', 'anything.example')).toBe(true);
  });
});

function snapshotOf(objects: unknown[]): Snapshot {
  return snapshotFromObjects(objects as KubeObject[]);
}

const ciliumDs = { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'cilium', namespace: 'cilium' }, spec: { selector: { matchLabels: { app: 'cilium' } }, template: { metadata: { labels: { app: 'cilium' } }, spec: { containers: [{ name: 'agent', image: 'quay.io/cilium/cilium:v1.20.2' }] } } } };

describe('cilium-config', () => {
  it('is asked for by name in the namespace Cilium runs in, only when Cilium runs or its policies exist', () => {
    expect(ciliumConfigMapRefs(snapshotOf([ciliumDs]))).toEqual([{ namespace: 'cilium', name: 'cilium-config' }]);
    expect(ciliumConfigMapRefs(snapshotOf([ccnp({ endpointSelector: {}, ingress: [{}] })]))).toEqual([{ namespace: 'kube-system', name: 'cilium-config' }]);
    expect(ciliumConfigMapRefs(snapshotOf([]))).toEqual([]);
  });

  // GKE Dataplane V2 runs Cilium as the `anetd` DaemonSet in kube-system, its pods labelled
  // k8s-app=cilium (https://cloud.google.com/kubernetes-engine/docs/how-to/dataplane-v2,
  // "Troubleshooting": "If GKE Dataplane V2 is running, the output includes Pods with the prefix
  // anetd-. anetd is the networking controller for GKE Dataplane V2"). The image here is a
  // placeholder: the DaemonSet's name is what GKE documents. The network verdicts take Cilium's
  // semantics from it, so its settings must be asked for too, not Cilium's defaults assumed.
  it('is asked for on GKE Dataplane V2 (anetd), where the network verdicts already take Cilium as the CNI', () => {
    const anetd = {
      apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'anetd', namespace: 'kube-system', labels: { 'k8s-app': 'cilium' } },
      spec: { selector: { matchLabels: { 'k8s-app': 'cilium' } }, template: { metadata: { labels: { 'k8s-app': 'cilium' } }, spec: { containers: [{ name: 'cilium-agent', image: 'gke.gcr.io/anetd-placeholder:v1.0.0' }] } } },
    };
    const gke = snapshotOf([anetd]);
    expect(detectCni(gke).plugins.map((p) => [p.name, p.seenIn])).toEqual([['cilium', 'DaemonSet kube-system/anetd']]);
    expect(ciliumConfigMapRefs(gke)).toEqual([{ namespace: 'kube-system', name: 'cilium-config' }]);
    expect(liveConfigMapRefs(defaultConfig())(gke)).toContainEqual({ namespace: 'kube-system', name: 'cilium-config' });
    // An input of the checks only when it may be the ConfigMap refused: missing while a read was refused.
    expect(CILIUM_SETTINGS_READ.holds({ snapshot: gke, config: defaultConfig(), now: new Date() })).toBeUndefined();
    gke.coverage.configmaps = { status: 'forbidden', detail: 'get configmaps (denied for kube-system/cilium-config)' };
    expect(CILIUM_SETTINGS_READ.holds({ snapshot: gke, config: defaultConfig(), now: new Date() })).toBe("Cilium's agent settings (ConfigMap kube-system/cilium-config)");
    // Read back, the ConfigMap decides the verdicts.
    const read = snapshotOf([anetd, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cilium-config', namespace: 'kube-system' }, data: { 'enable-policy': 'always' } },
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', namespace: 'shop', labels: { app: 'a' } }, spec: { containers: [{ name: 'c', image: 'x' }] } }]);
    expect(readCiliumSettings(read).source).toBe('ConfigMap kube-system/cilium-config');
    expect(buildReachability(read).composition.fallback).toBe('deny');
    // Read while another ConfigMap was refused, the settings are known.
    read.coverage.configmaps = { status: 'forbidden', detail: 'get configmaps (denied for ingress-nginx/ingress-nginx-controller)' };
    expect(CILIUM_SETTINGS_READ.holds({ snapshot: read, config: defaultConfig(), now: new Date() })).toBeUndefined();
  });

  it('enable-policy and the settings that change verdicts; a bad value is named (a boolean ParseBool refuses is false, as vp.GetBool reads it; another keeps the default)', () => {
    const s = readCiliumSettings(snapshotOf([ciliumDs, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cilium-config', namespace: 'cilium' }, data: { 'enable-policy': 'always', 'cluster-name': 'c1', 'enable-ipv6': 'true', 'enable-non-default-deny-policies': 'maybe', 'allow-localhost': 'policy' } }]));
    expect({ enforcement: s.enforcement, clusterName: s.clusterName, ipv6: s.ipv6, nonDefaultDeny: s.nonDefaultDenyPolicies, allowLocalhost: s.allowLocalhost, source: s.source, problems: s.problems }).toEqual({
      enforcement: 'always', clusterName: 'c1', ipv6: true, nonDefaultDeny: false, allowLocalhost: false, source: 'ConfigMap cilium/cilium-config', problems: ['enable-non-default-deny-policies: "maybe" is not a Go boolean (1, t, true, 0, f, false...); Cilium reads it as false'],
    });
    const bad = readCiliumSettings(snapshotOf([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cilium-config', namespace: 'kube-system' }, data: { 'enable-policy': 'sometimes' } }]));
    expect([bad.enforcement, bad.problems]).toEqual(['default', ['enable-policy: "sometimes" is not default, always or never; Cilium\'s default is assumed']]);
    expect(readCiliumSettings(snapshotOf([])).source).toBe('Cilium defaults (no ConfigMap cilium-config in the snapshot)');
  });

  it('enable-policy always makes every pod default deny in the model; never enforces nothing', () => {
    const pods = [
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', namespace: 'shop', labels: { app: 'a' } }, spec: { containers: [{ name: 'c', image: 'x' }] } },
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'b', namespace: 'shop', labels: { app: 'b' } }, spec: { containers: [{ name: 'c', image: 'x' }] } },
    ];
    const cm = (mode: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cilium-config', namespace: 'cilium' }, data: { 'enable-policy': mode } });
    const np = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny', namespace: 'shop' }, spec: { podSelector: {} } };
    expect(buildReachability(snapshotOf([ciliumDs, cm('always'), ...pods])).composition.fallback).toBe('deny');
    const never = buildReachability(snapshotOf([ciliumDs, cm('never'), ...pods, np]));
    expect(never.enforced(never.policyById.get('shop/deny')!)).toBe(false);
  });
});

describe('Cilium in the combined model (adapter)', () => {
  const run = (objects: unknown[]) => ciliumAdapter.parse({ snapshot: snapshotOf(objects), namespaceLabels: new Map() });

  it('one LayerPolicy per rule of specs; an empty rule isolates without allowing; an invalid object is one policy with its errors', () => {
    const out = run([
      { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'two', namespace: 'shop' }, specs: [{ endpointSelector: db, ingress: [{}] }, { endpointSelector: { matchLabels: { app: 'web' } }, egress: [{ toEntities: ['world'] }], enableDefaultDeny: { egress: false } }] },
      cnp({ endpointSelector: db, ingress: [{ fromEndpoints: [{}], fromEntities: ['world'] }] }),
    ]);
    expect(out.policies.map((p) => ({ id: p.id, isolates: p.isolates, ingress: p.ingress?.length, egress: p.egress?.length, errors: p.errors.length }))).toEqual([
      { id: 'CiliumNetworkPolicy:shop/two#specs[0]', isolates: { ingress: true, egress: false }, ingress: 0, egress: undefined, errors: 0 },
      { id: 'CiliumNetworkPolicy:shop/two#specs[1]', isolates: { ingress: false, egress: false }, ingress: undefined, egress: 1, errors: 0 },
      { id: 'CiliumNetworkPolicy:shop/p', isolates: { ingress: false, egress: false }, ingress: undefined, egress: undefined, errors: 1 },
    ]);
  });

  it('notes what it does not evaluate, naming the object: an unresolved toServices that opens its ports, a host policy, a cilium-config problem', () => {
    const out = run([
      ciliumDs,
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cilium-config', namespace: 'cilium' }, data: { 'enable-ipv4': 'yes' } },
      cnp({ endpointSelector: db, egress: [{ toServices: [{ k8sService: { serviceName: 'gone', namespace: 'shop' } }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }] }),
      ccnp({ nodeSelector: {}, ingress: [{ fromEntities: ['cluster'] }] }),
    ]);
    expect(out.notes.map((n) => `${n.object.kind} ${n.object.namespace ?? ''}/${n.object.name}: ${n.message}`)).toEqual([
      'CiliumNetworkPolicy shop/p: CiliumNetworkPolicy shop/p: toServices Service shop/gone matches no Service in the snapshot',
      'CiliumNetworkPolicy shop/p: CiliumNetworkPolicy shop/p: egress[0]: no Service resolves, so Cilium applies its ports to every destination',
      'CiliumClusterwideNetworkPolicy /c: CiliumClusterwideNetworkPolicy c: spec: nodeSelector makes this a host policy (nodes, not pods); not evaluated',
      'ConfigMap cilium/cilium-config: ConfigMap cilium/cilium-config: enable-ipv4: "yes" is not a Go boolean (1, t, true, 0, f, false...); Cilium reads it as false',
    ]);
    expect(out.settings).toEqual({ ciliumEnforcement: 'default', ciliumRoutingMode: 'tunnel' });
    const egress = out.policies[0].egress![0];
    expect([egress.peers, egress.ports]).toEqual(['any', [{ protocol: 'TCP', kind: 'range', lo: 443, hi: 443 }]]);
  });
});

// Cilium resolves toServices in pkg/policy/k8s/service.go processRule (github.com/cilium/cilium
// v1.20.2, ~462-490): a matched Service WITH a selector adds that selector to toEndpoints; one
// WITHOUT (default/kubernetes, whose backends are the API servers) adds its backends' addresses
// to toCIDRSet, so the rule has an L3 peer (pkg/policy/utils/parserules.go mergeEndpointSelectors)
// and is no wildcard. Only a toServices matching no Service adds nothing and leaves the wildcard.
// Documented use: docs.cilium.io/en/stable/security/policy/language/#services-based ("allow
// egress to the kubernetes API server" style rules).
describe('toServices naming a Service without a selector (the API server\'s default/kubernetes)', () => {
  const objects = [
    ciliumDs,
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'pay' } },
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'client', namespace: 'shop', labels: { app: 'client' } }, spec: { containers: [{ name: 'c', image: 'x' }] } },
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'api', namespace: 'pay', labels: { app: 'api' } }, spec: { containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 6443 }] }] } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'kubernetes', namespace: 'default' }, spec: { clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }] } },
    { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'client', namespace: 'shop' }, spec: { endpointSelector: {}, egress: [{ toServices: [{ k8sService: { serviceName: 'kubernetes', namespace: 'default' } }], toPorts: [{ ports: [{ port: '6443', protocol: 'TCP' }] }] }] } },
  ];

  it('does not open the port to every destination: the internet and other pods stay denied, and the answer says the backends are unknown', () => {
    const model = buildReachability(snapshotOf(objects));
    const out = queryReach(model, 'shop/client', '1.1.1.1', 6443);
    expect(out.allowed).toBe(false);
    expect(queryReach(model, 'shop/client', 'pay/api', 6443).allowed).toBe(false);
    expect(out.notes).toContain('CiliumNetworkPolicy shop/client egress[0]: Service default/kubernetes has no selector: Cilium allows the addresses of its backends, which are not known (no EndpointSlice for it is in the manifests), so the rule is counted as matching none of them and verdicts it could decide are uncertain');
    const matrix = reachMatrix(model).filter((e) => e.from.includes('shop/client')).map((e) => `${e.to} ${formatConns(e.conns)}`);
    expect(matrix.some((l) => l.includes('6443') || l.includes('0.0.0.0'))).toBe(false);
    // One note per fact: no "treated as selecting nothing" beside "applies its ports to every destination".
    const notes = model.notes.filter((n) => n.object.name === 'client').map((n) => n.message);
    expect(notes).toEqual(['CiliumNetworkPolicy shop/client: egress[0]: Service default/kubernetes has no selector: Cilium allows the addresses of its backends, which are not known (no EndpointSlice for it is in the manifests), so the rule is counted as matching none of them and verdicts it could decide are uncertain']);
  });

  it('the Cilium evaluator agrees: the rule is no wildcard', () => {
    const policy = parseCiliumPolicy(objects[6] as KubeObject);
    const model = buildCiliumModelFrom({ settings: DEFAULT_SETTINGS, policies: [policy], namespaceLabels: new Map(), services: [{ namespace: 'default', name: 'kubernetes', labels: {}, selector: {} }] });
    const client = { kind: 'pod' as const, namespace: 'shop', labels: { app: 'client' }, serviceAccount: 'default', namedPorts: [] };
    expect(admits(ciliumDirection(model, client, { kind: 'external', ip: { family: 4, value: 0x01010101n } }, 'egress'), 'TCP', 6443)).toBe(false);
    expect(admits(ciliumDirection(model, client, { kind: 'pod', namespace: 'pay', labels: { app: 'api' }, serviceAccount: 'default', namedPorts: [] }, 'egress'), 'TCP', 6443)).toBe(false);
    // With no Service of that name at all, Cilium's wildcard stands (processRule adds nothing).
    const none = buildCiliumModelFrom({ settings: DEFAULT_SETTINGS, policies: [policy], namespaceLabels: new Map(), services: [] });
    expect(admits(ciliumDirection(none, client, { kind: 'external', ip: { family: 4, value: 0x01010101n } }, 'egress'), 'TCP', 6443)).toBe(true);
  });
});

// processRule (same file) translates toServices of rule.Egress only, never rule.EgressDeny, and
// RulesToPolicyEntries (pkg/policy/utils/parserules.go) builds a deny rule's peers without it:
// an egressDeny toServices leaves the rule with no peer, which with ports is the wildcard
// (pkg/policy/rule.go mergeL4Filter). The oracle agrees (test/unit/netpol/cilium-cases.ts).
describe('toServices in an egressDeny rule, naming an existing Service', () => {
  const objects = [
    ciliumDs,
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'x' }] } },
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'db', namespace: 'shop', labels: { app: 'db' } }, spec: { containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 5432 }] }] } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: 'shop' }, spec: { selector: { app: 'db' }, ports: [{ port: 5432, protocol: 'TCP' }] } },
    cnp({ endpointSelector: { matchLabels: { app: 'web' } }, egress: [{ toEntities: ['all'] }], egressDeny: [{ toServices: [{ k8sService: { serviceName: 'db', namespace: 'shop' } }], toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }] }] }),
  ];

  it('denies its ports to every destination, not only the Service\'s pods, and the answer says why', () => {
    const model = buildReachability(snapshotOf(objects));
    expect(queryReach(model, 'shop/web', 'shop/db', 5432).allowed).toBe(false);
    const out = queryReach(model, 'shop/web', '1.1.1.1', 5432);
    expect(out.allowed).toBe(false);
    expect(queryReach(model, 'shop/web', '1.1.1.1', 443).allowed).toBe(true);
    expect(model.notes.filter((n) => n.object.name === 'p').map((n) => n.message)).toEqual([
      'CiliumNetworkPolicy shop/p: spec.egressDeny[0].toServices: Cilium resolves toServices only in egress (allow) rules, so this deny rule names no peer and denies its ports to every destination',
    ]);
  });
});
