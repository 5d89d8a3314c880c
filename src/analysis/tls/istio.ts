// Istio Gateway servers and the mesh-wide TLS defaults istiod applies to them.
//
// istiod builds a gateway server's DownstreamTlsContext in BuildListenerTLSContext
// (istio/istio pilot/pkg/networking/core/listener.go): for SIMPLE, MUTUAL and OPTIONAL_MUTUAL
// servers only (isSimpleOrMutual) it applies meshConfig.tlsDefaults (applyDownstreamTLSDefaults),
// then the server's own minProtocolVersion and cipherSuites over them (applyServerTLSSettings).
// ISTIO_MUTUAL servers get Istio's mTLS settings: their cipherSuites are never written to Envoy.
import { parse as parseYaml } from 'yaml';
import { YAML_QUIET } from '../../base/yaml-message.ts';
import { KUBE_YAML } from '../../base/kube-yaml.ts';
import type { ResourceRef } from '../../base/vocabulary.ts';
import type { Config } from '../../config/types.ts';
import type { Snapshot } from '../../snapshot/types.ts';
import { istioMeshConfigMap } from '../mesh/configmaps.ts';
import { arr, obj, str } from '../mesh/util.ts';

export interface IstioGatewayServer {
  resource: ResourceRef;
  /** Index of the server in spec.servers. */
  i: number;
  server: Record<string, unknown> | undefined;
  tls: Record<string, unknown>;
  /** tls.mode upper-cased; PASSTHROUGH when unset (the enum's zero value). */
  mode: string;
}

/** A server's tls block, or undefined when it has none or holds only httpsRedirect (a plaintext server's redirect, not TLS). */
export function istioServerTls(server: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  const tls = obj(server?.tls);
  return !tls || (tls.httpsRedirect === true && Object.keys(tls).length === 1) ? undefined : tls;
}

/**
 * Istio Gateway servers that terminate TLS, and those that pass it through to the backend
 * (ServerTLSSettings.mode PASSTHROUGH, the enum's zero value and so the mode when none is set, or
 * AUTO_PASSTHROUGH): there the backend negotiates, not the gateway. A tls block holding only
 * httpsRedirect is a plaintext server's redirect, not TLS.
 */
export function istioGatewayServers(snapshot: Snapshot): { judged: IstioGatewayServer[]; passthrough: string[] } {
  const judged: IstioGatewayServer[] = [];
  const passthrough: string[] = [];
  for (const gw of snapshot.resources['istio.gateways'] ?? []) {
    const resource = { kind: 'Gateway.networking.istio.io', namespace: gw.metadata?.namespace ?? 'default', name: gw.metadata?.name ?? '' };
    for (const [i, s] of arr(obj(gw.spec)?.servers).entries()) {
      const server = obj(s);
      const tls = istioServerTls(server);
      if (!tls) continue;
      const mode = (str(tls.mode) ?? 'PASSTHROUGH').toUpperCase();
      if (mode === 'PASSTHROUGH' || mode === 'AUTO_PASSTHROUGH') passthrough.push(`${resource.namespace}/${resource.name} port ${obj(server?.port)?.number ?? '?'}`);
      else judged.push({ resource, i, server, tls, mode });
    }
  }
  return { judged, passthrough };
}

/** The modes whose servers take meshConfig.tlsDefaults and their own cipherSuites (isSimpleOrMutual). */
export const ISTIO_CIPHER_MODES: ReadonlySet<string> = new Set(['SIMPLE', 'MUTUAL', 'OPTIONAL_MUTUAL']);

export interface IstioTlsDefaults {
  /** Where they were read ("ConfigMap istio-system/istio mesh.tlsDefaults"). */
  source: string;
  cipherSuites?: string[];
  minProtocolVersion?: string;
  /** Why the mesh config could not be read (then the defaults are unknown). */
  problem?: string;
}

/**
 * meshConfig.tlsDefaults (https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#MeshConfig-TLSConfig)
 * from ConfigMap `istio` (key `mesh`) in the root namespace, else istio-system; undefined when
 * no mesh config sets them.
 */
export function istioTlsDefaults(snapshot: Snapshot, config: Config): IstioTlsDefaults | undefined {
  const cm = istioMeshConfigMap(snapshot.resources.configmaps ?? [], config.mesh.istioRootNamespace || 'istio-system');
  const text = str(obj(cm?.data)?.mesh);
  if (!cm || text === undefined) return undefined;
  const source = `ConfigMap ${cm.metadata?.namespace ?? 'default'}/istio mesh.tlsDefaults`;
  let parsed: unknown;
  try {
    parsed = parseYaml(text, { ...KUBE_YAML, ...YAML_QUIET });
  } catch {
    return { source, problem: `ConfigMap ${cm.metadata?.namespace ?? 'default'}/istio key mesh is not valid YAML` };
  }
  const d = obj(obj(parsed)?.tlsDefaults);
  if (!d) return undefined;
  const suites = arr(d.cipherSuites).filter((c): c is string => typeof c === 'string');
  const min = str(d.minProtocolVersion);
  return { source, ...(suites.length ? { cipherSuites: suites } : {}), ...(min && min !== 'TLS_AUTO' ? { minProtocolVersion: min } : {}) };
}
