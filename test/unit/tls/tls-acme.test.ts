// kubernetes.io/tls-acme on an Ingress: cert-manager's ingress-shim creates a Certificate from its
// default issuer (--default-issuer-name) when the annotation parses as true, and none without
// that issuer (https://cert-manager.io/docs/usage/ingress/#optional-configuration).
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { runChecks } from '../../../src/engine/run.ts';
import { certificateUnmanaged } from '../../../checks/tls/certificate-unmanaged.ts';

const CERT_MANAGER_INGRESS = 'https://cert-manager.io/docs/usage/ingress/#optional-configuration';

const controller = (args: string[]) => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: cert-manager, namespace: cert-manager}
spec:
  selector: {matchLabels: {app: cert-manager}}
  template:
    metadata: {labels: {app: cert-manager}}
    spec: {containers: [{name: c, image: "quay.io/jetstack/cert-manager-controller:v1.18.2", args: ${JSON.stringify(args)}}]}
---`;

const ingress = (value: string) => `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop, annotations: {kubernetes.io/tls-acme: "${value}"}}
spec:
  tls: [{hosts: [shop.example.com], secretName: web-tls}]
  rules: [{host: shop.example.com}]`;

function run(yaml: string) {
  const snapshot = snapshotFromObjects(parseManifestText(yaml, 'case.yaml').objects);
  const ctx = { snapshot, config: defaultConfig(), now: new Date('2026-06-01T00:00:00Z') };
  // The engine keeps no message for a pass; the check's own verdicts say what it read.
  expect(runChecks([certificateUnmanaged], ctx)[0].status).not.toBe('error');
  return [...certificateUnmanaged.evaluate(ctx)].map((r) => `${r.status}: ${r.message}`);
}

describe(`kubernetes.io/tls-acme (${CERT_MANAGER_INGRESS})`, () => {
  it('counts as cert-manager managed, naming the default issuer the controller sets', () => {
    expect(run(controller(['--default-issuer-name', 'letsencrypt', '--default-issuer-kind=ClusterIssuer']) + ingress('true')))
      .toEqual(['pass: Ingress shop/web tls[0]: Secret shop/web-tls is issued through the kubernetes.io/tls-acme annotation by the default issuer ClusterIssuer letsencrypt of Deployment cert-manager/cert-manager.']);
  });
  it('says why no Certificate comes of it when the controller sets no default issuer', () => {
    const [r] = run(controller(['--v=2']) + ingress('true'));
    expect(r).toMatch(/^fail: .*kubernetes\.io\/tls-acme: "true" asks cert-manager for a Certificate, but Deployment cert-manager\/cert-manager sets no --default-issuer-name, so it creates none\)/);
  });
  it('reads the value as Go\'s strconv.ParseBool does: "false" and "yes" ask for nothing', () => {
    for (const v of ['false', 'yes']) expect(run(controller(['--default-issuer-name=letsencrypt']) + ingress(v))[0], v).toMatch(/^fail: .*no cert-manager\.io issuer annotation\): it is rotated by hand\.$/);
  });
  it('follows --auto-certificate-annotations, which replaces kubernetes.io/tls-acme', () => {
    expect(run(controller(['--default-issuer-name=letsencrypt', '--auto-certificate-annotations=example.com/certificate']) + ingress('true'))[0]).toMatch(/^fail: /);
  });
});
