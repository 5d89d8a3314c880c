// The AWS Load Balancer Controller's own settings, read from the args of its Deployment's
// container (kubernetes-sigs/aws-load-balancer-controller docs/deploy/configurations.md,
// "Controller command line flags"; the Helm chart's templates/deployment.yaml passes them as
// --flag=value to /controller): --default-ssl-policy, "Default SSL Policy that will be applied to
// all Ingresses or Services that do not have the SSL Policy annotation" (default
// ELBSecurityPolicy-2016-08), and --load-balancer-class, the spec.loadBalancerClass of the
// Services it reconciles (default service.k8s.aws/nlb). The controller is found by its image
// (public.ecr.aws/eks/aws-load-balancer-controller, or a mirror keeping the repository name).

import type { Snapshot } from '../../snapshot/types.ts';
import { memoize } from '../memo.ts';
import { arr, obj, str } from '../mesh/util.ts';
import { podTemplateOf } from '../workloads.ts';
import { flagValue } from '../flags.ts';

export const LBC_LOAD_BALANCER_CLASS = 'service.k8s.aws/nlb';

export interface AwsLoadBalancerController {
  /** "kube-system/aws-load-balancer-controller". */
  deployment: string;
  /** The --default-ssl-policy value; undefined when the flag is not given (AWS's default applies). */
  defaultSslPolicy?: string;
  /** --load-balancer-class, or its default. */
  loadBalancerClass: string;
  /** The container image, as written. */
  image: string;
  /** [major, minor] of the image tag (v2.13.0 → [2, 13]); undefined when the tag does not say (a digest, latest). */
  version?: [number, number];
}

/** The version in an image tag, "repo:v2.13.0" or "repo:v2.13.0@sha256:…"; undefined for a digest alone or a tag without one. */
function imageVersion(image: string): [number, number] | undefined {
  const m = /:v?(\d+)\.(\d+)(?:\.\d+)?(?:[-+][\w.-]*)?(?:@[^@]*)?$/.exec(image);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

const isLbcImage = (image: string): boolean => /(^|\/)aws-load-balancer-controller(:|@|$)/.test(image);

/** The AWS Load Balancer Controller Deployments of the snapshot (one per cluster is what upstream supports). */
export const awsLoadBalancerControllers = memoize((snapshot: Snapshot): AwsLoadBalancerController[] => {
  const out: AwsLoadBalancerController[] = [];
  for (const d of snapshot.resources.deployments ?? []) {
    for (const raw of arr(obj(podTemplateOf(d)?.spec)?.containers)) {
      const c = obj(raw);
      if (!c || !isLbcImage(str(c.image) ?? '')) continue;
      const args = [...arr(c.command), ...arr(c.args)].filter((x): x is string => typeof x === 'string');
      const policy = flagValue(args, 'default-ssl-policy');
      const image = str(c.image) ?? '';
      const version = imageVersion(image);
      out.push({
        deployment: `${d.metadata?.namespace ?? 'default'}/${d.metadata?.name ?? ''}`,
        ...(policy ? { defaultSslPolicy: policy } : {}),
        loadBalancerClass: flagValue(args, 'load-balancer-class') || LBC_LOAD_BALANCER_CLASS,
        image,
        ...(version ? { version } : {}),
      });
    }
  }
  return out;
}, 'tls');

/**
 * The default security policy of the AWS Load Balancer Controller, from its Deployment: the
 * --default-ssl-policy value (`flag`), or `awsDefault` when it runs without the flag; `conflicting`
 * when several controllers disagree (which one provisions a load balancer is not known here).
 * Undefined when the snapshot holds no controller Deployment.
 */
export type LbcDefaultPolicy = { policy: string; flag: boolean; deployment: string } | { conflicting: string[] };

/** The security policy the AWS Load Balancer Controller gives a listener whose Service or Ingress names none. */
export function lbcDefaultPolicy(snapshot: Snapshot, awsDefault: string): LbcDefaultPolicy | undefined {
  const controllers = awsLoadBalancerControllers(snapshot);
  if (controllers.length === 0) return undefined;
  if (new Set(controllers.map((c) => c.defaultSslPolicy ?? awsDefault)).size > 1) {
    return { conflicting: controllers.map((c) => `Deployment ${c.deployment}: ${c.defaultSslPolicy ? `--default-ssl-policy=${JSON.stringify(c.defaultSslPolicy)}` : `no --default-ssl-policy (${awsDefault})`}`) };
  }
  const c = controllers[0];
  return { policy: c.defaultSslPolicy ?? awsDefault, flag: c.defaultSslPolicy !== undefined, deployment: c.deployment };
}

/** The policy a listener without the annotation gets: the controller's default when known, else `awsDefault`. */
export function policyOfDefault(d: LbcDefaultPolicy | undefined, awsDefault: string): string {
  return d && !('conflicting' in d) ? d.policy : awsDefault;
}

/**
 * From v2.5 the controller's mutating webhook for Services (mservice.elbv2.k8s.aws, path
 * /mutate-v1-service) sets spec.loadBalancerClass of a LoadBalancer Service created without one
 * to the controller's --load-balancer-class (webhooks/core/service_mutator.go MutateCreate):
 * "This makes the AWS LBC the default controller for service of type LoadBalancer", unless the
 * chart runs with enableServiceMutatorWebhook=false (default true;
 * https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/deploy/installation/,
 * "When using AWS Load Balancer Controller v2.5+"). A live Service already carries the class the
 * webhook set, so this is asked of manifests only: `on` names what shows the webhook (its
 * MutatingWebhookConfiguration, else a controller image of v2.5 or later when the manifests hold
 * none of the controller's webhook configurations); `unknown` says why it cannot be told (an image
 * whose tag names no version, controllers of both sides of v2.5). Undefined when no such
 * controller is in the manifests, it predates v2.5, or its webhook configuration leaves the
 * Service webhook out.
 */
export type LbcServiceWebhook = { on: true; by: string; loadBalancerClass: string } | { on: false; unknown: string };

const LBC_SERVICE_WEBHOOK = 'mservice.elbv2.k8s.aws';
const LBC_SERVICE_WEBHOOK_PATH = '/mutate-v1-service';

export const lbcServiceWebhook = memoize((snapshot: Snapshot): LbcServiceWebhook | undefined => {
  if (snapshot.source !== 'manifests') return undefined;
  const controllers = awsLoadBalancerControllers(snapshot);
  const loadBalancerClass = controllers[0]?.loadBalancerClass ?? LBC_LOAD_BALANCER_CLASS;
  let lbcConfig = false;
  for (const mwc of snapshot.resources.mutatingwebhookconfigurations ?? []) {
    for (const raw of arr(mwc.webhooks)) {
      const w = obj(raw);
      const name = str(w?.name) ?? '';
      if (name.endsWith('.elbv2.k8s.aws')) lbcConfig = true;
      if (name === LBC_SERVICE_WEBHOOK || str(obj(obj(w?.clientConfig)?.service)?.path) === LBC_SERVICE_WEBHOOK_PATH) {
        return { on: true, by: `MutatingWebhookConfiguration ${JSON.stringify(mwc.metadata?.name ?? '')} (webhook ${JSON.stringify(name)})`, loadBalancerClass };
      }
    }
  }
  if (controllers.length === 0 || lbcConfig) return undefined;
  const image = (c: AwsLoadBalancerController) => `Deployment ${c.deployment} (image ${JSON.stringify(c.image)})`;
  const unversioned = controllers.filter((c) => !c.version);
  if (unversioned.length > 0) return { on: false, unknown: `the AWS Load Balancer Controller's ${unversioned.map(image).join(', ')} names no version, so whether its Service webhook (v2.5+) gives the Service loadBalancerClass ${loadBalancerClass} is unknown` };
  const recent = controllers.filter((c) => c.version![0] > 2 || (c.version![0] === 2 && c.version![1] >= 5));
  if (recent.length === 0) return undefined;
  if (recent.length < controllers.length) return { on: false, unknown: `the AWS Load Balancer Controller Deployments disagree on the Service webhook (v2.5+): ${controllers.map(image).join(', ')}` };
  return { on: true, by: `AWS Load Balancer Controller ${image(recent[0])}, v2.5 or later`, loadBalancerClass };
}, 'tls');
