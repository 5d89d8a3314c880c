// ConfigMaps of one namespace through the Kubernetes client, as the history store uses them:
// read, create, replace (compare-and-swap on metadata.resourceVersion), delete, list by label.
// A status the caller must act on (404, 409, 403) arrives as a KubeApiError with that status.
import type { ObjectMeta } from '../snapshot/types.ts';
import { KubeApiError, type KubeClient, type KubeResponse } from './client.ts';

export interface ConfigMap {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
}

export interface ConfigMapApi {
  read(name: string): Promise<ConfigMap>;
  create(body: ConfigMap): Promise<ConfigMap>;
  replace(name: string, body: ConfigMap): Promise<ConfigMap>;
  delete(name: string): Promise<void>;
  /** The names of the ConfigMaps the label selector matches (their data is not read). */
  listNames(labelSelector: string): Promise<string[]>;
}

/**
 * Metadata only, as client-go's metadata client asks (k8s.io/client-go/metadata): the API server
 * answers a PartialObjectMetadataList (meta.k8s.io/v1, served since Kubernetes 1.15) without
 * the objects' data; one that does not know it answers the plain list, the second choice.
 */
const METADATA_ONLY = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';

function ok(r: KubeResponse): unknown {
  if (r.status < 200 || r.status >= 300) throw new KubeApiError(r);
  return r.body;
}

export function configMapsIn(client: KubeClient, namespace: string): ConfigMapApi {
  const base = `/api/v1/namespaces/${encodeURIComponent(namespace)}/configmaps`;
  const one = (name: string) => `${base}/${encodeURIComponent(name)}`;
  return {
    read: async (name) => ok(await client.get(one(name), `get configmap ${namespace}/${name}`)) as ConfigMap,
    create: async (body) => ok(await client.request('POST', base, `create configmap ${namespace}/${body.metadata?.name}`, { body })) as ConfigMap,
    replace: async (name, body) => ok(await client.request('PUT', one(name), `replace configmap ${namespace}/${name}`, { body })) as ConfigMap,
    delete: async (name) => { ok(await client.request('DELETE', one(name), `delete configmap ${namespace}/${name}`)); },
    listNames: async (labelSelector) => {
      const names: string[] = [];
      // Each item is reduced to its name as it is parsed: a server that sends the whole objects
      // (a history run's part is some 700 KiB) costs one object's memory at a time, not a page's.
      const nameOf = (item: unknown) => {
        const name = (item as ConfigMap | null)?.metadata?.name;
        return typeof name === 'string' ? name : undefined;
      };
      let cont = '';
      do {
        const path = `${base}?labelSelector=${encodeURIComponent(labelSelector)}&limit=500${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`;
        const body = ok(await client.request('GET', path, `list configmaps in ${namespace}`, { accept: METADATA_ONLY, items: nameOf })) as { items?: string[]; metadata?: { continue?: string } };
        names.push(...(body?.items ?? []));
        cont = body?.metadata?.continue ?? '';
      } while (cont);
      return names;
    },
  };
}
