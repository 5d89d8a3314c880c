// An AWS ALB IngressClass configures its load balancer from the IngressClassParams its
// spec.parameters names: EKS Auto Mode's (eks.amazonaws.com; sslPolicy, certificateARNs,
// namespaceSelector; https://docs.aws.amazon.com/eks/latest/userguide/auto-configure-alb.html)
// or the AWS Load Balancer Controller's (elbv2.k8s.aws; sslPolicy, certificateArn,
// namespaceSelector; kubernetes-sigs/aws-load-balancer-controller docs/guide/ingress/ingress_class.md).
// They are an input only where such a class serves an Ingress ("EKS Auto Mode creates a load
// balancer when you create an Ingress"), so a cluster without them, or a class nobody uses, never
// depends on the kinds.
import type { ConditionalRead } from '../../../src/engine/types.ts';
import { ALB_PARAMS, albClassesWithParams, type AlbProvisioner } from '../../../src/analysis/tls/index.ts';

const NAMED = 3;
const named = (list: string[]) => `${list.slice(0, NAMED).join(', ')}${list.length > NAMED ? `, and ${list.length - NAMED} more` : ''}`;

const paramsRead = (by: AlbProvisioner, controller: string): ConditionalRead => {
  const { key, group, certificates, who } = ALB_PARAMS[by];
  // The LBC's params also set the HTTP→HTTPS redirect; Auto Mode's have no such field (its docs say use the annotation).
  const redirect = by === 'lbc' ? ', sslRedirectPort' : '';
  return {
    kinds: [key],
    when: `when an IngressClass of controller ${controller} (${who}) serving an Ingress names IngressClassParams (${group}) in spec.parameters: their sslPolicy, ${certificates}${redirect} and namespaceSelector`,
    holds(ctx) {
      const { classes } = albClassesWithParams(ctx.snapshot)[by];
      return classes.length === 0 ? undefined : `${who === 'EKS Auto Mode' ? "EKS Auto Mode's" : "the AWS Load Balancer Controller's"} ALB settings (sslPolicy, ${certificates}${redirect}, namespaceSelector) of ${named(classes)}`;
    },
  };
};

export const EKS_ALB_PARAMS_READ = paramsRead('eks-auto', 'eks.amazonaws.com/alb');
export const LBC_ALB_PARAMS_READ = paramsRead('lbc', 'ingress.k8s.aws/alb');

/** The namespaces' labels, where IngressClassParams serving an Ingress restrict their class with spec.namespaceSelector. */
export const ALB_NAMESPACES_READ: ConditionalRead = {
  kinds: ['namespaces'],
  when: 'when ALB IngressClassParams (EKS Auto Mode\'s or the AWS Load Balancer Controller\'s) serving an Ingress set spec.namespaceSelector: the labels of the Ingresses\' namespaces',
  holds(ctx) {
    const all = albClassesWithParams(ctx.snapshot);
    const params = [...all['eks-auto'].namespaceSelectors, ...all.lbc.namespaceSelectors];
    return params.length === 0 ? undefined : `the namespaceSelector of ${named(params)}`;
  },
};
