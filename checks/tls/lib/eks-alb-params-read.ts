// EKS Auto Mode configures the ALB of an IngressClass of controller eks.amazonaws.com/alb from the
// IngressClassParams its spec.parameters names (sslPolicy, certificateARNs, namespaceSelector;
// https://docs.aws.amazon.com/eks/latest/userguide/auto-configure-alb.html): an input only where
// such a class serves an Ingress ("EKS Auto Mode creates a load balancer when you create an
// Ingress"), so a cluster without EKS Auto Mode, or an Auto Mode class nobody uses, never
// depends on the kind.
import type { ConditionalRead } from '../../../src/engine/types.ts';
import { eksAlbClassesWithParams, eksAlbParamsWithNamespaceSelector } from '../../../src/analysis/tls/index.ts';

const NAMED = 3;
const named = (list: string[]) => `${list.slice(0, NAMED).join(', ')}${list.length > NAMED ? `, and ${list.length - NAMED} more` : ''}`;

export const EKS_ALB_PARAMS_READ: ConditionalRead = {
  kinds: ['eks.ingressclassparams'],
  when: 'when an IngressClass of controller eks.amazonaws.com/alb (EKS Auto Mode) serving an Ingress names IngressClassParams in spec.parameters: their sslPolicy, certificateARNs and namespaceSelector',
  holds(ctx) {
    const classes = eksAlbClassesWithParams(ctx.snapshot);
    return classes.length === 0 ? undefined : `EKS Auto Mode's ALB settings (sslPolicy, certificateARNs, namespaceSelector) of ${named(classes)}`;
  },
};

/** The namespaces' labels, where EKS Auto Mode IngressClassParams serving an Ingress restrict their class with spec.namespaceSelector. */
export const EKS_ALB_NAMESPACES_READ: ConditionalRead = {
  kinds: ['namespaces'],
  when: 'when EKS Auto Mode IngressClassParams serving an Ingress set spec.namespaceSelector: the labels of the Ingresses\' namespaces',
  holds(ctx) {
    const params = eksAlbParamsWithNamespaceSelector(ctx.snapshot);
    return params.length === 0 ? undefined : `the namespaceSelector of ${named(params)}`;
  },
};
