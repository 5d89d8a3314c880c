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

export const LBC_LOAD_BALANCER_CLASS = 'service.k8s.aws/nlb';

export interface AwsLoadBalancerController {
  /** "kube-system/aws-load-balancer-controller". */
  deployment: string;
  /** The --default-ssl-policy value; undefined when the flag is not given (AWS's default applies). */
  defaultSslPolicy?: string;
  /** --load-balancer-class, or its default. */
  loadBalancerClass: string;
}

const isLbcImage = (image: string): boolean => /(^|\/)aws-load-balancer-controller(:|@|$)/.test(image);

/** A flag's value as pflag reads it: --flag=value or --flag value (one or two dashes). */
function flagValue(args: string[], flag: string): string | undefined {
  let value: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i].replace(/^--?/, '--');
    if (a === `--${flag}` && i + 1 < args.length) value = args[i + 1];
    else if (a.startsWith(`--${flag}=`)) value = a.slice(flag.length + 3);
  }
  return value?.trim();
}

/** The AWS Load Balancer Controller Deployments of the snapshot (one per cluster is what upstream supports). */
export const awsLoadBalancerControllers = memoize((snapshot: Snapshot): AwsLoadBalancerController[] => {
  const out: AwsLoadBalancerController[] = [];
  for (const d of snapshot.resources.deployments ?? []) {
    for (const raw of arr(obj(podTemplateOf(d)?.spec)?.containers)) {
      const c = obj(raw);
      if (!c || !isLbcImage(str(c.image) ?? '')) continue;
      const args = [...arr(c.command), ...arr(c.args)].filter((x): x is string => typeof x === 'string');
      const policy = flagValue(args, 'default-ssl-policy');
      out.push({
        deployment: `${d.metadata?.namespace ?? 'default'}/${d.metadata?.name ?? ''}`,
        ...(policy ? { defaultSslPolicy: policy } : {}),
        loadBalancerClass: flagValue(args, 'load-balancer-class') || LBC_LOAD_BALANCER_CLASS,
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
