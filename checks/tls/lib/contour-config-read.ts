// A `contour serve` started with --contour-config-name takes its cipher list from that
// ContourConfiguration (src/analysis/tls/contour.ts): only then are ContourConfigurations read.
import type { ConditionalRead } from '../../../src/engine/types.ts';
import { contourReadsConfiguration } from '../../../src/analysis/tls/index.ts';

export const CONTOUR_CONFIGURATION_READ: ConditionalRead = {
  kinds: ['contour.contourconfigurations'],
  when: 'when a `contour serve` Deployment names a ContourConfiguration (--contour-config-name): its spec.envoy.listener.tls.cipherSuites',
  holds(ctx) {
    return contourReadsConfiguration(ctx.snapshot) ? 'the ContourConfiguration a `contour serve` Deployment reads its Envoy cipher list from (--contour-config-name)' : undefined;
  },
};
