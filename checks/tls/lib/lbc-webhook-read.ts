// From manifests, a LoadBalancer Service created without spec.loadBalancerClass gets the AWS Load
// Balancer Controller's class from its Service webhook (v2.5+, src/analysis/tls/aws-lbc.ts
// lbcServiceWebhook), which its MutatingWebhookConfiguration shows. An input only there: a live
// Service already carries the class the webhook set.
import type { ConditionalRead } from '../../../src/engine/types.ts';
import { firstClasslessAwsTlsService } from '../../../src/analysis/tls/index.ts';

export const LBC_SERVICE_WEBHOOK_READ: ConditionalRead = {
  kinds: ['mutatingwebhookconfigurations'],
  when: 'from manifests, when a LoadBalancer Service without spec.loadBalancerClass carries aws-load-balancer-ssl-cert: whether the AWS Load Balancer Controller\'s Service webhook (mservice.elbv2.k8s.aws) makes it the controller\'s NLB',
  holds(ctx) {
    const service = firstClasslessAwsTlsService(ctx.snapshot);
    return service ? `the AWS Load Balancer Controller's Service webhook, which decides the load balancer of Service ${service}` : undefined;
  },
};
