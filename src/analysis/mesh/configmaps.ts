// ConfigMaps the mesh analysis reads when present (configmaps are collected by name only).
import type { Config } from '../../config/types.ts';

/** linkerd-config holds Linkerd's install-time proxy.defaultInboundPolicy. */
export function meshConfigMapRefs(_config: Config): Array<{ namespace: string; name: string }> {
  return [{ namespace: 'linkerd', name: 'linkerd-config' }];
}
