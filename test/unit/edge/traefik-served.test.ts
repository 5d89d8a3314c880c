// "Does Traefik serve this Ingress?" has one answer, tls/traefik.ts's, for the edge routes (whose
// controller family picks the guards) and for tls.ingress-without-tls (which honours Traefik's
// router.tls annotation only on Ingresses Traefik serves). Cases follow Traefik's Kubernetes
// Ingress provider: IngressClass controller traefik.io/ingress-controller, the provider's
// ingressClass option against kubernetes.io/ingress.class, and Kubernetes' default IngressClass.
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../src/collect/manifests.ts';
import { snapshotFromObjects } from '../../../src/collect/from-objects.ts';
import { defaultConfig } from '../../../src/config/types.ts';
import { edgeRoutes, traefikRuleHosts } from '../../../src/analysis/edge/routes.ts';
import { ingressWithoutTls } from '../../../checks/tls/ingress-without-tls.ts';

const TRAEFIK_INGRESS_PROVIDER = 'https://doc.traefik.io/traefik/reference/install-configuration/providers/kubernetes/kubernetes-ingress/';
const K8S_DEFAULT_INGRESS_CLASS = 'https://kubernetes.io/docs/concepts/services-networking/ingress/#default-ingress-class';

const ingressClass = (name: string, controller: string, isDefault = false) => `
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: ${name}${isDefault ? ', annotations: {ingressclass.kubernetes.io/is-default-class: "true"}' : ''}}
spec: {controller: ${controller}}`;

const traefikDeployment = (args: string[]) => `
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: traefik, namespace: traefik}
spec:
  selector: {matchLabels: {app.kubernetes.io/name: traefik}}
  template:
    metadata: {labels: {app.kubernetes.io/name: traefik}}
    spec: {containers: [{name: traefik, image: "docker.io/traefik:v3.3", args: ${JSON.stringify(args)}}]}`;

/** An Ingress with Traefik's router.tls annotation and no spec.tls, with the class given by `cls` (YAML). */
const ingress = (cls: { className?: string; annotation?: string }) => `
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {ports: [{port: 80}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: shop
  annotations:
    traefik.ingress.kubernetes.io/router.tls: "true"${cls.annotation !== undefined ? `\n    kubernetes.io/ingress.class: "${cls.annotation}"` : ''}
spec:${cls.className !== undefined ? `\n  ingressClassName: ${cls.className}` : ''}
  rules: [{host: app.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]`;

/** Both areas' answer: the edge route's controller family, and whether the TLS check honoured router.tls. */
function answers(yaml: string): { edge: boolean; tls: boolean; workloads: string[] } {
  const snapshot = snapshotFromObjects(parseManifestText(yaml, 'case.yaml').objects);
  const route = edgeRoutes(snapshot).routes.find((r) => r.route.name === 'web')!;
  const verdict = [...ingressWithoutTls.evaluate({ snapshot, config: defaultConfig(), now: new Date('2026-06-01T00:00:00Z') })].find((v) => v.resource.name === 'web')!;
  return {
    edge: route.controller.family === 'traefik',
    tls: verdict.status === 'pass' && verdict.evidence?.traefikRouterTls !== undefined,
    workloads: route.controller.workloads.map((w) => `${w.kind} ${w.namespace}/${w.name}`),
  };
}

describe('one answer to "does Traefik serve this Ingress?"', () => {
  it(`an IngressClass whose controller only mentions traefik is not Traefik's (${TRAEFIK_INGRESS_PROVIDER}): the edge no longer calls it Traefik`, () => {
    const a = answers(ingressClass('edge', 'example.com/traefik-fork') + ingress({ className: 'edge' }));
    expect(a).toMatchObject({ edge: false, tls: false });
  });

  it(`spec.ingressClassName "traefik" without an IngressClass is ignored by Traefik (${TRAEFIK_INGRESS_PROVIDER})`, () => {
    expect(answers(ingress({ className: 'traefik' }))).toMatchObject({ edge: false, tls: false });
    expect(answers(ingressClass('traefik', 'traefik.io/ingress-controller') + ingress({ className: 'traefik' }))).toMatchObject({ edge: true, tls: true });
  });

  it(`a class-less Ingress takes the default IngressClass (${K8S_DEFAULT_INGRESS_CLASS}): Traefik's, so the edge says Traefik as the TLS check does`, () => {
    expect(answers(ingressClass('traefik', 'traefik.io/ingress-controller', true) + ingress({}))).toMatchObject({ edge: true, tls: true });
    expect(answers(ingressClass('traefik', 'traefik.io/ingress-controller') + ingressClass('nginx', 'k8s.io/ingress-nginx', true) + ingress({}))).toMatchObject({ edge: false, tls: false });
  });

  it(`kubernetes.io/ingress.class is matched against the provider's ingressClass option as text (${TRAEFIK_INGRESS_PROVIDER})`, () => {
    const internal = ingress({ annotation: 'traefik-internal' });
    expect(answers(traefikDeployment(['--providers.kubernetesingress', '--providers.kubernetesIngress.ingressClass=traefik-internal']) + internal))
      .toEqual({ edge: true, tls: true, workloads: ['Deployment traefik/traefik'] });
    expect(answers(traefikDeployment(['--providers.kubernetesingress']) + internal)).toMatchObject({ edge: false, tls: false });
    expect(answers(traefikDeployment(['--providers.kubernetesingress']) + ingress({ annotation: 'traefik' }))).toMatchObject({ edge: true, tls: true });
    // Set, the option leaves out the default value "traefik" and class-less Ingresses.
    expect(answers(traefikDeployment(['--providers.kubernetesingress.ingressclass', 'traefik-internal']) + ingress({ annotation: 'traefik' }))).toMatchObject({ edge: false, tls: false });
  });

  it('a Traefik that runs no Kubernetes Ingress provider serves no Ingress, its IngressClass notwithstanding', () => {
    expect(answers(traefikDeployment(['--providers.kubernetescrd']) + ingressClass('traefik', 'traefik.io/ingress-controller') + ingress({ className: 'traefik' }))).toMatchObject({ edge: false, tls: false });
  });
});

describe('traefikRuleHosts: the hosts of a router rule (https://doc.traefik.io/traefik/routing/routers/#rule)', () => {
  it('reads every closed Host(...) and leaves out one a tenant left unclosed', () => {
    expect(traefikRuleHosts('Host(`a.example`) || Host(`b`, "c") && Host(`d')).toEqual(['a.example', 'b', 'c']);
    expect(traefikRuleHosts('Host('.repeat(20_000))).toEqual([]);
  });
});
