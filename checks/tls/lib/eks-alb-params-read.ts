// EKS Auto Mode configures the ALB of an IngressClass of controller eks.amazonaws.com/alb from the
// IngressClassParams its spec.parameters names (sslPolicy, certificateARNs;
// https://docs.aws.amazon.com/eks/latest/userguide/auto-configure-alb.html): an input only where
// such a class names one, so a cluster without EKS Auto Mode never depends on the kind.
import type { ConditionalRead } from '../../../src/engine/types.ts';
import { eksAlbClassesWithParams } from '../../../src/analysis/tls/index.ts';

export const EKS_ALB_PARAMS_READ: ConditionalRead = {
  kinds: ['eks.ingressclassparams'],
  when: 'when an IngressClass of controller eks.amazonaws.com/alb (EKS Auto Mode) names IngressClassParams in spec.parameters: their sslPolicy and certificateARNs',
  holds(ctx) {
    const classes = eksAlbClassesWithParams(ctx.snapshot);
    return classes.length === 0 ? undefined : `EKS Auto Mode's ALB settings (sslPolicy, certificateARNs) of ${classes.slice(0, 3).join(', ')}${classes.length > 3 ? `, and ${classes.length - 3} more` : ''}`;
  },
};
