// What cert-manager's certificate shims refuse, so that an annotated Ingress or Gateway gets no
// Certificate for its TLS Secret (tls.certificate-unmanaged fails with the reason). Upstream:
// cert-manager pkg/controller/certificate-shim/sync.go (SyncFnFor, one function for the
// ingress-shim and the gateway-shim; buildCertificates) and helper.go (translateAnnotations);
// the values below are the cases of its helper_test.go, sync_test.go and the webhook's
// internal/apis/certmanager/validation/certificate_test.go. Annotations:
// https://cert-manager.io/docs/usage/ingress/#supported-annotations, which the gateway-shim reads
// on a Gateway too (https://cert-manager.io/docs/usage/gateway/).
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { certificateUnmanaged } from '../../../checks/tls/certificate-unmanaged.ts';
import { ingressWithoutTls } from '../../../checks/tls/ingress-without-tls.ts';
import { runChecks } from '../../../src/engine/run.ts';

function verdicts(yaml: string): Record<string, string> {
  const snapshot = snapshotFromObjects(parseManifestText(yaml, 'case.yaml').objects);
  const ctx = { snapshot, config: defaultConfig(), now: new Date('2026-06-01T00:00:00Z') };
  return Object.fromEntries([...certificateUnmanaged.evaluate(ctx)].map((r) => [`${r.resource.kind} ${r.detailKey}`, `${r.status}: ${r.message}`]));
}

const ingress = (annotations: Record<string, string>, extra = '') => `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: shop, namespace: web, uid: ingress-uid, annotations: ${JSON.stringify(annotations)}}
spec:
  ingressClassName: nginx
  tls: [{hosts: [shop.example.com], secretName: shop-tls}]
  rules: [{host: shop.example.com}]
${extra}`;

const gateway = (annotations: Record<string, string>, extra = '') => `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: web, uid: gateway-uid, annotations: ${JSON.stringify(annotations)}}
spec:
  gatewayClassName: eg
  listeners:
    - {name: https, protocol: HTTPS, port: 443, hostname: www.example.com, tls: {mode: Terminate, certificateRefs: [{name: www-tls}]}}
${extra}`;

const ISSUER = { 'cert-manager.io/cluster-issuer': 'letsencrypt' };

describe('cert-manager.io/email-sans: a value the shim (v1.21+) or the webhook refuses creates no Certificate', () => {
  it('refused: not an address, a display name, mailto:, a quoted local part, an empty item, a double dot (helper_test.go and the webhook\'s certificate_test.go cases)', () => {
    for (const [value, wrong] of [
      ['2160h', '2160h'], // helper_test.go "email-sans not an email"
      ['Name <test@example.com>', 'Name <test@example.com>'], // "email-sans display-name form rejected"
      ['alice.example.com', 'alice.example.com'], // certificate_test.go "invalid certificate with incorrect email"
      ['mailto:alice@example.com', 'mailto:alice@example.com'], // "... email formatted with mailto"
      ['"john doe"@example.com', '"john doe"@example.com'], // ParseAddress gives back john doe@example.com
      ['ops@example.com,', ''],
      ['a..b@example.com', 'a..b@example.com'],
      ['ops@[example.com]', 'ops@[example.com]'],
    ]) {
      const v = verdicts(ingress({ ...ISSUER, 'cert-manager.io/email-sans': value }))['Ingress web/shop-tls'];
      expect(v, value).toBe(`fail: Ingress web/shop tls[0]: TLS Secret web/shop-tls is not managed by any cert-manager Certificate (no Certificate has spec.secretName shop-tls in web, cert-manager.io/cluster-issuer creates no Certificate for Ingress web/shop: invalid ingress annotation cert-manager.io/email-sans: "${value}" names "${wrong}", which is not an email address alone (like "me@example.com")): it is rotated by hand.`);
    }
  });

  it('accepted: addresses after commas and spaces (helper_test.go trims them), plus signs, IP domain literals, an empty value: the Certificate is issued', () => {
    for (const value of ['test@example.com, admin@example.com', 'alice+certs@example.com', 'ops@[192.0.2.1]', '']) {
      expect(verdicts(ingress({ ...ISSUER, 'cert-manager.io/email-sans': value }))['Ingress web/shop-tls'], value).toMatch(/^pass: .*issued through the cert-manager\.io\/cluster-issuer annotation/);
    }
  });
});

describe('a Gateway\'s shim annotations are held to the same rules as an Ingress\'s (the gateway-shim runs the same SyncFnFor)', () => {
  it('an annotation translateAnnotations cannot parse: no Certificate for the listener\'s Secret', () => {
    for (const [key, value, rule] of [
      ['cert-manager.io/duration', '90d', 'is not a Go duration'],
      ['cert-manager.io/email-sans', 'Name <test@example.com>', 'names "Name <test@example.com>", which is not an email address alone'],
      ['cert-manager.io/private-key-algorithm', 'rsa', 'is not RSA, ECDSA or Ed25519'],
    ]) {
      const v = verdicts(gateway({ 'cert-manager.io/issuer': 'ca', [key]: value }))['Gateway web/www-tls'];
      expect(v, key).toMatch(/^fail: /);
      expect(v, key).toContain(`cert-manager.io/issuer creates no Certificate for Gateway web/gw: invalid ingress annotation ${key}: "${value}" ${rule}`);
    }
  });

  it('conflicting issuer annotations or an empty issuer name: "Could not determine issuer", no Certificate', () => {
    const both = verdicts(gateway({ 'cert-manager.io/issuer': 'ca', 'cert-manager.io/cluster-issuer': 'letsencrypt' }))['Gateway web/www-tls'];
    expect(both).toContain('cert-manager.io/cluster-issuer creates no Certificate for Gateway web/gw: it cannot determine the issuer: cert-manager.io/issuer and cert-manager.io/cluster-issuer may not both be set');
    const kind = verdicts(gateway({ 'cert-manager.io/cluster-issuer': 'letsencrypt', 'cert-manager.io/issuer-kind': 'ClusterIssuer' }))['Gateway web/www-tls'];
    expect(kind).toMatch(/^fail: .*cert-manager\.io\/cluster-issuer and cert-manager\.io\/issuer-kind may not both be set/);
    const empty = verdicts(gateway({ 'cert-manager.io/issuer': '' }))['Gateway web/www-tls'];
    expect(empty).toContain('cert-manager.io/issuer creates no Certificate for Gateway web/gw: it cannot determine the issuer: cert-manager.io/issuer is empty');
  });

  it('valid annotations still give the Certificate: pass', () => {
    const v = verdicts(gateway({ 'cert-manager.io/issuer': 'ca', 'cert-manager.io/duration': '2160h', 'cert-manager.io/email-sans': 'ops@example.com', 'cert-manager.io/private-key-algorithm': 'ECDSA' }));
    expect(v['Gateway web/www-tls']).toMatch(/^pass: .*issued through the cert-manager\.io\/issuer annotation/);
  });
});

// The webhook validates every Certificate the shim creates (internal/apis/certmanager/validation/
// certificate.go, ValidateCertificateSpec); refused, the Certificate is never made. Cases from its
// certificate_test.go TestValidateDuration and TestValidateCertificate's issuerRef cases.
describe('values the cert-manager webhook refuses in the Certificate the shim builds: no Certificate', () => {
  const WEBHOOK = 'creates no Certificate for Ingress web/shop: the cert-manager webhook refuses the Certificate it makes: ';

  it('renew-before not less than the duration (90 days by default), with renew-before-percentage, or a percentage leaving no valid renewBefore', () => {
    for (const [annotations, reason] of [
      [{ 'cert-manager.io/renew-before': '87600h' }, 'cert-manager.io/renew-before: "87600h" is not less than the default duration 2160h'], // "renewBefore is bigger than the default duration"
      [{ 'cert-manager.io/duration': '720h', 'cert-manager.io/renew-before': '8760h' }, 'cert-manager.io/renew-before: "8760h" is not less than the duration 720h'], // "renewBefore is bigger than the duration"
      [{ 'cert-manager.io/renew-before': '720h', 'cert-manager.io/renew-before-percentage': '95' }, 'cert-manager.io/renew-before and cert-manager.io/renew-before-percentage may not both be set'], // "renewBefore and renewBeforePercentage both set"
      [{ 'cert-manager.io/renew-before-percentage': '0' }, 'cert-manager.io/renew-before-percentage: "0" does not leave a renewBefore of at least 5m and less than the default duration 2160h'], // "renewBeforePercentage is equal to duration"
      [{ 'cert-manager.io/renew-before-percentage': '100' }, 'cert-manager.io/renew-before-percentage: "100" does not leave a renewBefore'], // "... results in less than the minimum permitted value"
    ] as const) {
      const v = verdicts(ingress({ ...ISSUER, ...annotations }))['Ingress web/shop-tls'];
      expect(v, reason).toMatch(/^fail: /);
      expect(v, reason).toContain(`cert-manager.io/cluster-issuer ${WEBHOOK}${reason}`);
    }
  });

  it('accepted durations: issued', () => {
    for (const annotations of [
      { 'cert-manager.io/duration': '8760h', 'cert-manager.io/renew-before': '4380h' }, // "valid duration and renewBefore"
      { 'cert-manager.io/renew-before': '720h' }, // "unset duration, valid renewBefore for default"
      { 'cert-manager.io/duration': '8760h', 'cert-manager.io/renew-before-percentage': '95' }, // "valid duration and renewBeforePercentage"
      { 'cert-manager.io/renew-before-percentage': '95' }, // "unset duration, valid renewBeforePercentage for default"
      { 'cert-manager.io/duration': '87600h', 'cert-manager.io/renew-before-percentage': '1' }, // "... 10-year duration does not overflow int64"
    ] as Record<string, string>[]) {
      expect(verdicts(ingress({ ...ISSUER, ...annotations }))['Ingress web/shop-tls'], JSON.stringify(annotations)).toMatch(/^pass: /);
    }
  });

  const controller = (args: string) => `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: cert-manager, namespace: cert-manager}
spec:
  selector: {matchLabels: {app: cert-manager}}
  template:
    metadata: {labels: {app: cert-manager}}
    spec: {containers: [{name: cert-manager-controller, image: quay.io/jetstack/cert-manager-controller:v1.21.1, args: [${args}]}]}`;
  const external = { 'cert-manager.io/issuer': 'pca', 'cert-manager.io/issuer-kind': 'AWSPCAIssuer' };

  it('an external issuer-kind without issuer-group: the default group cert-manager.io takes only Issuer or ClusterIssuer ("did you forget to set group?")', () => {
    // "invalid with external issuerRef kind and empty group", once the controller's flags say the group.
    const v = verdicts(ingress(external, controller('--v=2')))['Ingress web/shop-tls'];
    expect(v).toContain('cert-manager.io/issuer creates no Certificate for Ingress web/shop: the cert-manager webhook refuses the Certificate it makes: cert-manager.io/issuer-kind: "AWSPCAIssuer" is not Issuer or ClusterIssuer, which an issuer of group "cert-manager.io" (Deployment cert-manager/cert-manager\'s default --default-issuer-group) must be: an external issuer needs cert-manager.io/issuer-group');
    // The gateway-shim runs only with Gateway API support on (https://cert-manager.io/docs/usage/gateway/).
    expect(verdicts(gateway(external, controller('--v=2, --enable-gateway-api')))['Gateway web/www-tls']).toMatch(/^fail: .*issuer-kind: "AWSPCAIssuer" is not Issuer or ClusterIssuer/);
    // An issuer-group annotation of cert-manager.io says so without the controller.
    expect(verdicts(ingress({ ...external, 'cert-manager.io/issuer-group': 'cert-manager.io' }))['Ingress web/shop-tls']).toContain('an issuer of group "cert-manager.io" (cert-manager.io/issuer-group) must be');
    // "valid with external issuerRef kind and external group"
    expect(verdicts(ingress({ ...external, 'cert-manager.io/issuer-group': 'awspca.cert-manager.io' }))['Ingress web/shop-tls']).toMatch(/^pass: /);
    expect(verdicts(ingress({ 'cert-manager.io/issuer': 'ca', 'cert-manager.io/issuer-kind': 'ClusterIssuer' }))['Ingress web/shop-tls']).toMatch(/^pass: /);
    expect(verdicts(ingress(external, controller('--default-issuer-group=awspca.cert-manager.io')))['Ingress web/shop-tls']).toMatch(/^pass: /);
  });

  // The group defaults to the controller's ingressShimConfig.defaultIssuerGroup (the
  // --default-issuer-group flag, or a --config file's ControllerConfiguration: cert-manager
  // pkg/apis/config/controller/v1alpha1/types.go IngressShimConfig; the annotation is
  // https://cert-manager.io/docs/usage/ingress/#supported-annotations "cert-manager.io/issuer-group").
  // Where the snapshot does not show it, the webhook's refusal is not known: the Secret is taken
  // as issued, and the pass says on what it hangs.
  it('the default issuer group unread (no controller, or a controller reading --config): no refusal stated, the pass names the condition', () => {
    const alone = verdicts(ingress(external))['Ingress web/shop-tls'];
    expect(alone).toBe('pass: Ingress web/shop tls[0]: Secret web/shop-tls is issued through the cert-manager.io/issuer annotation by AWSPCAIssuer "pca", if cert-manager\'s default issuer group is not cert-manager.io (the webhook takes an issuer-kind other than Issuer or ClusterIssuer only in another group; there is no cert-manager.io/issuer-group, and its controller is not in the snapshot to say which).');
    expect(verdicts(gateway(external))['Gateway web/www-tls']).toMatch(/^pass: .*by AWSPCAIssuer "pca", if cert-manager's default issuer group is not cert-manager\.io/);
    // The reviewer's case: the chart's config.yaml sets ingressShimConfig.defaultIssuerGroup.
    const configured = controller('--v=2, --cluster-resource-namespace=$(POD_NAMESPACE), --config=/var/cert-manager/config/config.yaml') + `
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cert-manager, namespace: cert-manager}
data:
  config.yaml: |
    apiVersion: controller.config.cert-manager.io/v1alpha1
    kind: ControllerConfiguration
    ingressShimConfig:
      defaultIssuerGroup: awspca.cert-manager.io`;
    expect(verdicts(ingress(external, configured))['Ingress web/shop-tls']).toContain('there is no cert-manager.io/issuer-group, and Deployment cert-manager/cert-manager reads its settings from --config /var/cert-manager/config/config.yaml, which is not read here)');
    // kubernetes.io/tls-acme under --config: the default issuer is unread too, and said so.
    expect(verdicts(ingress({ 'kubernetes.io/tls-acme': 'true' }, configured))['Ingress web/shop-tls']).toContain('by cert-manager\'s default issuer (Deployment cert-manager/cert-manager reads its settings from --config /var/cert-manager/config/config.yaml, which is not read here)');
  });

  it('Deployments unreadable while such an issuer-kind is named: the check is not evaluated, not judged on the default group', () => {
    const snapshot = snapshotFromObjects(parseManifestText(ingress({ 'cert-manager.io/issuer': 'pca', 'cert-manager.io/issuer-kind': 'AWSPCAIssuer' }), 'case.yaml').objects);
    snapshot.coverage.deployments = { status: 'forbidden', detail: 'list deployments (refused in test)' };
    const [outcome] = runChecks([certificateUnmanaged], { snapshot, config: defaultConfig(), now: new Date('2026-06-01T00:00:00Z') });
    expect([outcome.status, outcome.unreadable]).toEqual(['not-evaluated', ['deployments']]);
  });
});

// sync_test.go "should not update certificate if it does not belong to any ingress" / "... to the
// ingress" / "... to the Gateway": buildCertificates names its Certificate after the Secret, and
// leaves one of that name the object does not control as it is, whatever Secret it writes.
describe('tls.certificate-unmanaged: a same-named Certificate the Ingress or Gateway does not control is not taken over', () => {
  const named = (name: string, secretName: string, owner = '') => `---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: ${name}, namespace: web${owner}}
spec: {secretName: ${secretName}, dnsNames: [legacy.example.com], issuerRef: {name: letsencrypt, kind: ClusterIssuer}}`;
  const ownedBy = (kind: string, name: string, uid: string) => `, ownerReferences: [{apiVersion: v1, kind: ${kind}, name: ${name}, uid: ${uid}, controller: true}]`;

  it('Ingress: a Certificate shop-tls with no controller writing another Secret: the shim creates none, so shop-tls is unmanaged', () => {
    expect(verdicts(ingress(ISSUER, named('shop-tls', 'shop-tls-2025')))['Ingress web/shop-tls']).toBe('fail: Ingress web/shop tls[0]: TLS Secret web/shop-tls is not managed by any cert-manager Certificate (no Certificate has spec.secretName shop-tls in web, cert-manager.io/cluster-issuer creates no Certificate for tls[0]: Certificate web/shop-tls exists with no controller, and cert-manager refuses to update a Certificate the Ingress does not control): it is rotated by hand.');
  });

  it('Ingress: controlled by another Ingress (by uid, as metav1.IsControlledBy compares): unmanaged; by this Ingress: the shim updates it, issued', () => {
    const other = verdicts(ingress(ISSUER, named('shop-tls', 'shop-tls-2025', ownedBy('Ingress', 'shop', 'other-uid'))))['Ingress web/shop-tls'];
    expect(other).toContain('creates no Certificate for tls[0]: Certificate web/shop-tls exists and is controlled by Ingress shop, not by this Ingress, and cert-manager refuses to update a Certificate the Ingress does not control');
    expect(verdicts(ingress(ISSUER, named('shop-tls', 'shop-tls-2025', ownedBy('Ingress', 'shop', 'ingress-uid'))))['Ingress web/shop-tls']).toMatch(/^pass: .*issued through the cert-manager\.io\/cluster-issuer annotation/);
  });

  it('the same-named Certificate writes the Secret itself (sync_test.go\'s case): managed by it, pass', () => {
    expect(verdicts(ingress(ISSUER, named('shop-tls', 'shop-tls')))['Ingress web/shop-tls']).toBe('pass: Ingress web/shop tls[0]: Secret web/shop-tls is managed by Certificate web/shop-tls.');
  });

  it('Gateway: controlled by another Gateway: unmanaged; from manifests without uids, kind and name decide', () => {
    expect(verdicts(gateway({ 'cert-manager.io/issuer': 'ca' }, named('www-tls', 'www-tls-old', ownedBy('Gateway', 'other-gw', 'other-uid'))))['Gateway web/www-tls']).toContain('cert-manager.io/issuer creates no Certificate for listener https: Certificate web/www-tls exists and is controlled by Gateway other-gw, not by this Gateway');
    const noUids = (yaml: string) => yaml.replace(/, uid: [a-z-]+/g, '');
    expect(verdicts(noUids(gateway({ 'cert-manager.io/issuer': 'ca' }, named('www-tls', 'www-tls-old', ownedBy('Gateway', 'gw', 'x')))))['Gateway web/www-tls']).toMatch(/^pass: /);
    expect(verdicts(noUids(gateway({ 'cert-manager.io/issuer': 'ca' }, named('www-tls', 'www-tls-old', ownedBy('Ingress', 'gw', 'x')))))['Gateway web/www-tls']).toMatch(/^fail: /);
  });

  it('tls.ingress-without-tls reads the same refusal: a host covered only by such a Secret is not taken as issued', () => {
    const yaml = `
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
spec: {controller: k8s.io/ingress-nginx}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: api, namespace: web}
spec:
  ingressClassName: nginx
  tls: [{secretName: shop-tls}]
  rules: [{host: api.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: s, port: {number: 80}}}}]}}]
---${ingress(ISSUER).replace('hosts: [shop.example.com]', 'hosts: [shop.example.com, api.example.com]')}`;
    const run = (y: string) => [...ingressWithoutTls.evaluate({ snapshot: snapshotFromObjects(parseManifestText(y, 'case.yaml').objects), config: defaultConfig(), now: new Date('2026-06-01T00:00:00Z') })].find((r) => r.resource.name === 'api')!;
    expect(run(yaml).status).toBe('pass');
    expect(run(`${yaml}\n${named('shop-tls', 'shop-tls-2025')}`).status).toBe('fail');
  });
});
