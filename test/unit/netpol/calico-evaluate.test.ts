// Calico's precedence, flow by flow: reference cases built from the examples and statements of
// Calico's documentation (each describe names its page; the YAML is the page's, with the pods
// it talks about added).
import { describe, expect, it } from 'vitest';
import { calicoPod, flow, namespace, snap } from './calico-helpers.ts';

const DOCS = 'https://docs.tigera.io/calico/latest';

describe(`default deny (${DOCS}/network-policy/get-started/kubernetes-default-deny)`, () => {
  const pods = namespace('engineering') + namespace('kube-system') + namespace('shop')
    + calicoPod('engineering', 'web', { app: 'web' }) + calicoPod('engineering', 'api', { app: 'api' })
    + calicoPod('kube-system', 'coredns', { 'k8s-app': 'kube-dns' }) + calicoPod('shop', 'cart', { app: 'cart' });

  it('"If no network policies apply to a pod, then all traffic to/from that pod is allowed."', () => {
    const r = flow(snap(pods), 'engineering/web', 'engineering/api', 'TCP', 8080);
    expect(r.allowed).toBe(true);
    expect(r.decidedBy).toEqual({ egress: 'profile', ingress: 'profile' });
    expect(r.ingress.governed).toBe(false);
  });

  it('GlobalNetworkPolicy default-deny (selector all(), types Ingress and Egress) denies everything, at the end of the default tier', () => {
    const s = snap(pods + `---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata:
  name: default-deny
spec:
  selector: all()
  types:
    - Ingress
    - Egress
`);
    const r = flow(s, 'engineering/web', 'shop/cart', 'TCP', 80);
    expect(r.allowed).toBe(false);
    expect(r.decidedBy).toEqual({ egress: 'end of tier default (Deny)', ingress: 'end of tier default (Deny)' });
    expect(flow(s, 'engineering/web', '8.8.8.8', 'UDP', 53).allowed).toBe(false);
  });

  it('deny-app-policy: app namespaces are default-deny except DNS to kube-dns; kube-system is left alone', () => {
    const s = snap(pods + `---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata:
  name: deny-app-policy
spec:
  namespaceSelector: has(projectcalico.org/name) && projectcalico.org/name not in {"kube-system", "calico-system", "calico-apiserver"}
  types:
  - Ingress
  - Egress
  egress:
  # allow all namespaces to communicate to DNS pods
  - action: Allow
    protocol: UDP
    destination:
      selector: 'k8s-app == "kube-dns"'
      ports:
      - 53
  - action: Allow
    protocol: TCP
    destination:
      selector: 'k8s-app == "kube-dns"'
      ports:
      - 53
`);
    expect(flow(s, 'engineering/web', 'kube-system/coredns', 'UDP', 53)).toMatchObject({ allowed: true, decidedBy: { egress: 'GlobalNetworkPolicy deny-app-policy rule 0 (Allow)', ingress: 'profile' } });
    expect(flow(s, 'engineering/web', 'kube-system/coredns', 'TCP', 53).decidedBy.egress).toBe('GlobalNetworkPolicy deny-app-policy rule 1 (Allow)');
    expect(flow(s, 'engineering/web', 'kube-system/coredns', 'TCP', 9153).allowed).toBe(false);
    expect(flow(s, 'engineering/web', 'engineering/api', 'TCP', 8080)).toMatchObject({ allowed: false, decidedBy: { egress: 'end of tier default (Deny)', ingress: 'end of tier default (Deny)' } });
    // kube-system is excluded by the negative namespaceSelector: its egress is not governed.
    expect(flow(s, 'kube-system/coredns', '1.1.1.1', 'UDP', 53).allowed).toBe(true);
  });

  it('the namespaced default-deny NetworkPolicy (selector all()) covers its namespace only', () => {
    const s = snap(pods + `---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata:
  name: default-deny
  namespace: engineering
spec:
  selector: all()
  types:
    - Ingress
    - Egress
`);
    expect(flow(s, 'engineering/web', 'engineering/api', 'TCP', 80).allowed).toBe(false);
    expect(flow(s, 'shop/cart', 'kube-system/coredns', 'UDP', 53).allowed).toBe(true);
  });
});

describe(`tiers (${DOCS}/reference/resources/tier; ${DOCS}/network-policy/policy-tiers/tiered-policy)`, () => {
  const base = namespace('app') + calicoPod('app', 'stage-web', { env: 'stage' }) + calicoPod('app', 'stage-db', { env: 'stage' }) + calicoPod('app', 'prod-web', { env: 'prod' });
  const devops = (defaultAction?: string) => `---
apiVersion: projectcalico.org/v3
kind: Tier
metadata:
  name: devops
spec:
  order: 300${defaultAction ? `\n  defaultAction: ${defaultAction}` : ''}
`;
  const stageEnv = `---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata:
  name: devops.stage-env
spec:
  tier: devops
  order: 255
  selector: env == "stage"
  ingress:
    - action: Deny
      source:
        selector: env != "stage"
    - action: Pass
  egress:
    - action: Deny
      destination:
        selector: env != "stage"
    - action: Pass
  types:
    - Ingress
    - Egress
`;

  it('"Pass action rule example": a Deny for other environments, then Pass to the next tier', () => {
    const s = snap(base + devops() + stageEnv);
    expect(flow(s, 'app/prod-web', 'app/stage-db', 'TCP', 5432)).toMatchObject({ allowed: false, decidedBy: { ingress: 'GlobalNetworkPolicy devops.stage-env rule 0 (Deny)' } });
    // Passed, no later tier applies: "If the last Tier applying to the endpoint Passes the packet, that endpoint's Profiles are evaluated."
    const ok = flow(s, 'app/stage-web', 'app/stage-db', 'TCP', 5432);
    expect(ok.allowed).toBe(true);
    expect(ok.ingress.decisions.map((d) => d.kind)).toEqual(['rule', 'profile']);
  });

  it('"If the Tier applies to the endpoint, but takes no action on the packet the packet is dropped."', () => {
    const noPass = stageEnv.replace(/    - action: Pass\n/g, '');
    const s = snap(base + devops() + noPass);
    expect(flow(s, 'app/stage-web', 'app/stage-db', 'TCP', 5432)).toMatchObject({ allowed: false, decidedBy: { egress: 'end of tier devops (Deny)', ingress: 'end of tier devops (Deny)' } });
  });

  it('"This behaviour can be changed by setting the defaultAction of a tier to Pass."', () => {
    const noPass = stageEnv.replace(/    - action: Pass\n/g, '');
    const s = snap(base + devops('Pass') + noPass);
    expect(flow(s, 'app/stage-web', 'app/stage-db', 'TCP', 5432).allowed).toBe(true);
  });

  it('"if no policies within a tier apply to endpoints, the tier is skipped, and the tier\'s implicit deny behavior is not executed"', () => {
    const s = snap(base + devops() + stageEnv);
    const r = flow(s, 'app/prod-web', 'app/prod-web', 'TCP', 80);
    expect(r.allowed).toBe(true);
    expect(r.ingress.governed).toBe(false);
  });

  it('a Pass reaches the next tier that applies, whose end-of-tier deny then decides', () => {
    const s = snap(base + devops() + stageEnv + `---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata:
  name: only-web
  namespace: app
spec:
  selector: env == "stage"
  ingress:
  - action: Allow
    protocol: TCP
    destination:
      ports: [80]
`);
    expect(flow(s, 'app/stage-web', 'app/stage-db', 'TCP', 80)).toMatchObject({ allowed: true, decidedBy: { ingress: 'NetworkPolicy app/only-web rule 0 (Allow)' } });
    expect(flow(s, 'app/stage-web', 'app/stage-db', 'TCP', 5432)).toMatchObject({ allowed: false, decidedBy: { ingress: 'end of tier default (Deny)' } });
  });

  it('tiers run by order: a lower-order tier\'s Allow beats a later tier\'s Deny', () => {
    const s = snap(base + `---
apiVersion: projectcalico.org/v3
kind: Tier
metadata: {name: platform}
spec: {order: 100}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: platform-allow}
spec:
  tier: platform
  selector: env == "stage"
  ingress: [{action: Allow, protocol: TCP, destination: {ports: [443]}}]
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: deny-all}
spec:
  order: 1
  selector: all()
  ingress: [{action: Deny}]
`);
    expect(flow(s, 'app/prod-web', 'app/stage-db', 'TCP', 443)).toMatchObject({ allowed: true, decidedBy: { ingress: 'GlobalNetworkPolicy platform-allow rule 0 (Allow)' } });
    // The platform tier applies to stage-db; what it does not match meets its end-of-tier deny first.
    expect(flow(s, 'app/prod-web', 'app/stage-db', 'TCP', 80)).toMatchObject({ allowed: false, decidedBy: { ingress: 'end of tier platform (Deny)' } });
    expect(flow(s, 'app/stage-web', 'app/prod-web', 'TCP', 443)).toMatchObject({ allowed: false, decidedBy: { ingress: 'GlobalNetworkPolicy deny-all rule 0 (Deny)' } });
  });
});

describe(`Calico network policy (${DOCS}/network-policy/get-started/calico-policy/calico-network-policy)`, () => {
  const pods = namespace('production') + namespace('other', { shape: 'circle' }) + namespace('square', { shape: 'square' })
    + calicoPod('production', 'red', { color: 'red', role: 'database' }) + calicoPod('production', 'blue', { color: 'blue', role: 'frontend' })
    + calicoPod('other', 'blue', { color: 'blue' }) + calicoPod('square', 'blue', { color: 'blue' });
  const allow6379 = (nsSel?: string) => `---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata:
  name: allow-tcp-6379
  namespace: production
spec:
  selector: color == 'red'
  ingress:
    - action: Allow
      protocol: TCP
      source:
        selector: color == 'blue'${nsSel ? `\n        namespaceSelector: ${nsSel}` : ''}
      destination:
        ports:
          - 6379
`;

  it('"ingress traffic to endpoints in the namespace: production with label color: red is allowed, only if it comes from a pod in the same namespace with color: blue, on port 6379"', () => {
    const s = snap(pods + allow6379());
    expect(flow(s, 'production/blue', 'production/red', 'TCP', 6379).allowed).toBe(true);
    expect(flow(s, 'other/blue', 'production/red', 'TCP', 6379).allowed).toBe(false);
    expect(flow(s, 'production/blue', 'production/red', 'TCP', 6380).allowed).toBe(false);
    expect(flow(s, 'production/blue', 'production/red', 'UDP', 6379).allowed).toBe(false);
  });

  it('"ingress traffic is also allowed from endpoints in namespaces that match shape == circle"', () => {
    const s = snap(pods + allow6379("shape == 'circle'"));
    expect(flow(s, 'other/blue', 'production/red', 'TCP', 6379).allowed).toBe(true);
    expect(flow(s, 'square/blue', 'production/red', 'TCP', 6379).allowed).toBe(false);
  });

  it('deny-blue: "incoming TCP traffic to any pods with label color: red is denied if it comes from a pod with color: blue"', () => {
    const s = snap(pods + `---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata:
  name: deny-blue
spec:
  selector: color == 'red'
  ingress:
    - action: Deny
      protocol: TCP
      source:
        selector: color == 'blue'
`);
    expect(flow(s, 'square/blue', 'production/red', 'TCP', 80)).toMatchObject({ allowed: false, decidedBy: { ingress: 'GlobalNetworkPolicy deny-blue rule 0 (Deny)' } });
    // The policy selects red pods: everything its rules do not match ends at the end of the default tier.
    expect(flow(s, 'square/blue', 'production/red', 'UDP', 53)).toMatchObject({ allowed: false, decidedBy: { ingress: 'end of tier default (Deny)' } });
  });

  it('deny-circle-blue: the namespaceSelector narrows the denied sources', () => {
    const s = snap(pods + `---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata:
  name: deny-circle-blue
spec:
  selector: color == 'red'
  ingress:
    - action: Deny
      protocol: TCP
      source:
        selector: color == 'blue'
        namespaceSelector: shape == 'circle'
    - action: Allow
`);
    expect(flow(s, 'other/blue', 'production/red', 'TCP', 80).decidedBy.ingress).toBe('GlobalNetworkPolicy deny-circle-blue rule 0 (Deny)');
    expect(flow(s, 'square/blue', 'production/red', 'TCP', 80).decidedBy.ingress).toBe('GlobalNetworkPolicy deny-circle-blue rule 1 (Allow)');
  });

  it('allow-egress-external: a Deny to nets 1.2.3.0/24 takes that block; the policy then ends the tier for everything else', () => {
    const s = snap(pods + `---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata:
  name: allow-egress-external
  namespace: production
spec:
  selector: color == 'red'
  types:
    - Egress
  egress:
    - action: Deny
      destination:
        nets:
          - 1.2.3.0/24
`);
    expect(flow(s, 'production/red', '1.2.3.4', 'TCP', 443).decidedBy.egress).toBe('NetworkPolicy production/allow-egress-external rule 0 (Deny)');
    expect(flow(s, 'production/red', '8.8.8.8', 'TCP', 443).decidedBy.egress).toBe('end of tier default (Deny)');
  });

  it('order: "allow-cluster-internal-ingress (order: 10) will be applied before drop-other-ingress (order: 20)"', () => {
    const s = snap(pods + `---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata:
  name: drop-other-ingress
spec:
  order: 20
  selector: color == 'red'
  ingress: [{action: Deny}]
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata:
  name: allow-cluster-internal-ingress
spec:
  order: 10
  selector: color == 'red'
  ingress: [{action: Allow, source: {nets: [10.0.0.0/8]}}]
`);
    expect(flow(s, '10.1.2.3', 'production/red', 'TCP', 80).decidedBy.ingress).toBe('GlobalNetworkPolicy allow-cluster-internal-ingress rule 0 (Allow)');
    expect(flow(s, '192.0.2.1', 'production/red', 'TCP', 80).decidedBy.ingress).toBe('GlobalNetworkPolicy drop-other-ingress rule 0 (Deny)');
  });

  it('Log: "incoming TCP traffic to an application is denied, and each connection attempt is logged" (Log continues, Deny decides)', () => {
    const s = snap(pods + `---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata:
  name: allow-tcp-6379
  namespace: production
spec:
  selector: role == 'database'
  types:
    - Ingress
    - Egress
  ingress:
    - action: Log
      protocol: TCP
      source:
        selector: role == 'frontend'
    - action: Deny
      protocol: TCP
      source:
        selector: role == 'frontend'
`);
    expect(flow(s, 'production/blue', 'production/red', 'TCP', 6379)).toMatchObject({ allowed: false, decidedBy: { ingress: 'NetworkPolicy production/allow-tcp-6379 rule 1 (Deny)' } });
  });
});

describe(`service accounts (${DOCS}/network-policy/policy-rules/service-accounts)`, () => {
  const pods = namespace('prod-engineering')
    + '---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: web-sa, namespace: prod-engineering, labels: {app: web-frontend}}\n'
    + '---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: intern-sa, namespace: prod-engineering, labels: {role: intern}}\n'
    + calicoPod('prod-engineering', 'db', { app: 'db' }) + calicoPod('prod-engineering', 'api', { app: 'api' }, { sa: 'api-service' })
    + calicoPod('prod-engineering', 'web', { app: 'web' }, { sa: 'web-sa' }) + calicoPod('prod-engineering', 'other', { app: 'other' })
    + calicoPod('prod-engineering', 'intern', { app: 'x' }, { sa: 'intern-sa' });

  it('"ingress traffic is allowed from any workload whose service account matches the names api-service or user-auth-service"', () => {
    const s = snap(pods + `---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata:
  name: demo-calico
  namespace: prod-engineering
spec:
  ingress:
    - action: Allow
      source:
        serviceAccounts:
          names:
            - api-service
            - user-auth-service
  selector: 'app == "db"'
`);
    expect(flow(s, 'prod-engineering/api', 'prod-engineering/db', 'TCP', 5432).allowed).toBe(true);
    expect(flow(s, 'prod-engineering/other', 'prod-engineering/db', 'TCP', 5432).allowed).toBe(false);
  });

  it('"ingress traffic is allowed from any workload whose service account matches the label selector, app == web-frontend"', () => {
    const s = snap(pods + `---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata:
  name: allow-web-frontend
  namespace: prod-engineering
spec:
  ingress:
    - action: Allow
      source:
        serviceAccounts:
          selector: 'app == "web-frontend"'
  selector: 'app == "db"'
`);
    expect(flow(s, 'prod-engineering/web', 'prod-engineering/db', 'TCP', 5432).allowed).toBe(true);
    expect(flow(s, 'prod-engineering/api', 'prod-engineering/db', 'TCP', 5432).allowed).toBe(false);
  });

  it('"pods with an intern service account can communicate only with pods with service accounts labeled, role: intern"', () => {
    const s = snap(pods + `---
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata:
  name: restrict-intern-access
  namespace: prod-engineering
spec:
  serviceAccountSelector: 'role == "intern"'
  ingress:
    - action: Allow
      source:
        serviceAccounts:
          selector: 'role == "intern"'
  egress:
    - action: Allow
      destination:
        serviceAccounts:
          selector: 'role == "intern"'
`);
    expect(flow(s, 'prod-engineering/intern', 'prod-engineering/intern', 'TCP', 80).allowed).toBe(true);
    expect(flow(s, 'prod-engineering/intern', 'prod-engineering/db', 'TCP', 80)).toMatchObject({ allowed: false, decidedBy: { egress: 'end of tier default (Deny)', ingress: 'profile' } });
    expect(flow(s, 'prod-engineering/db', 'prod-engineering/intern', 'TCP', 80).decidedBy.ingress).toBe('end of tier default (Deny)');
  });
});

describe(`namespaces (${DOCS}/network-policy/policy-rules/namespace-policy)`, () => {
  it('restrict-development-access: "users in the development environment can communicate only with pods that have a namespace labeled environment == development"', () => {
    const s = snap(namespace('dev-a', { environment: 'development' }) + namespace('dev-b', { environment: 'development' }) + namespace('prod', { environment: 'production' })
      + calicoPod('dev-a', 'a', { app: 'a' }) + calicoPod('dev-b', 'b', { app: 'b' }) + calicoPod('prod', 'p', { app: 'p' }) + `---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata:
  name: restrict-development-access
spec:
  namespaceSelector: 'environment == "development"'
  ingress:
    - action: Allow
      source:
        namespaceSelector: 'environment == "development"'
  egress:
    - action: Allow
      destination:
        namespaceSelector: 'environment == "development"'
`);
    expect(flow(s, 'dev-a/a', 'dev-b/b', 'TCP', 80).allowed).toBe(true);
    expect(flow(s, 'dev-a/a', 'prod/p', 'TCP', 80).decidedBy.egress).toBe('end of tier default (Deny)');
    expect(flow(s, 'prod/p', 'dev-a/a', 'TCP', 80).decidedBy.ingress).toBe('end of tier default (Deny)');
  });
});

describe(`entity rules (${DOCS}/reference/resources/networkpolicy#entityrule)`, () => {
  const pods = namespace('a') + calicoPod('a', 'dst', { app: 'dst' }) + calicoPod('a', 'foo', { foo: 'x' }) + calicoPod('a', 'plain', {});
  const gnp = (source: string) => snap(pods + `---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: p}
spec:
  selector: app == 'dst'
  ingress:
  - action: Allow
    source: ${source}
`);

  it('"selector: !has(foo) matches packets from/to endpoints and network sets that do not have the label foo"', () => {
    const s = gnp("{selector: '!has(foo)'}");
    expect(flow(s, 'a/plain', 'a/dst', 'TCP', 80).allowed).toBe(true);
    expect(flow(s, 'a/foo', 'a/dst', 'TCP', 80).allowed).toBe(false);
    expect(flow(s, '203.0.113.9', 'a/dst', 'TCP', 80).allowed).toBe(false);
  });

  it('"notSelector: has(foo) matches packets from/to anywhere (including outside the cluster), except ... the label foo"', () => {
    const s = gnp("{notSelector: 'has(foo)'}");
    expect(flow(s, 'a/plain', 'a/dst', 'TCP', 80).allowed).toBe(true);
    expect(flow(s, 'a/foo', 'a/dst', 'TCP', 80).allowed).toBe(false);
    expect(flow(s, '203.0.113.9', 'a/dst', 'TCP', 80).allowed).toBe(true);
  });

  it('"A rule with a selector all() won\'t match all packets": external sources are not endpoints', () => {
    const s = gnp("{selector: 'all()'}");
    expect(flow(s, 'a/plain', 'a/dst', 'TCP', 80).allowed).toBe(true);
    expect(flow(s, '203.0.113.9', 'a/dst', 'TCP', 80).allowed).toBe(false);
  });

  it('"If the rule contains multiple match criteria (for example, an IP and a port) then all match criteria must match"', () => {
    const s = snap(pods + `---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: p}
spec:
  selector: app == 'dst'
  ingress:
  - action: Allow
    protocol: TCP
    source: {nets: [198.51.100.0/24]}
    destination: {ports: ['8000:8080']}
`);
    expect(flow(s, '198.51.100.7', 'a/dst', 'TCP', 8000).allowed).toBe(true);
    expect(flow(s, '198.51.100.7', 'a/dst', 'TCP', 8080).allowed).toBe(true);
    expect(flow(s, '198.51.100.7', 'a/dst', 'TCP', 8081).allowed).toBe(false);
    expect(flow(s, '192.0.2.7', 'a/dst', 'TCP', 8000).allowed).toBe(false);
  });
});

describe(`named ports (${DOCS}/reference/resources/networkpolicy#ports: "a named port ... allowing for the named port to map to different numeric values for each endpoint")`, () => {
  it('resolves on each destination endpoint', () => {
    const s = snap(namespace('a') + calicoPod('a', 'client', {})
      + calicoPod('a', 'web80', { tier: 'web' }, { ports: [{ name: 'http-port', containerPort: 80 }] })
      + calicoPod('a', 'web8080', { tier: 'web' }, { ports: [{ name: 'http-port', containerPort: 8080 }] }) + `---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: p}
spec:
  selector: tier == 'web'
  ingress:
  - action: Allow
    protocol: TCP
    destination: {ports: [http-port]}
`);
    expect(flow(s, 'a/client', 'a/web80', 'TCP', 80).allowed).toBe(true);
    expect(flow(s, 'a/client', 'a/web80', 'TCP', 8080).allowed).toBe(false);
    expect(flow(s, 'a/client', 'a/web8080', 'TCP', 8080).allowed).toBe(true);
  });

  it('a named port without a protocol matches the protocol the endpoint declares', () => {
    const s = snap(namespace('a') + calicoPod('a', 'client', {}) + calicoPod('a', 'dns', { app: 'dns' }, { ports: [{ name: 'dns', containerPort: 53, protocol: 'UDP' }] }) + `---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: p}
spec:
  selector: app == 'dns'
  ingress: [{action: Allow, destination: {ports: [dns]}}]
`);
    expect(flow(s, 'a/client', 'a/dns', 'UDP', 53).allowed).toBe(true);
    expect(flow(s, 'a/client', 'a/dns', 'TCP', 53).allowed).toBe(false);
  });
});
