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
  list(labelSelector: string): Promise<ConfigMap[]>;
}

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
    list: async (labelSelector) => {
      const items: ConfigMap[] = [];
      let cont = '';
      do {
        const body = ok(await client.get(`${base}?labelSelector=${encodeURIComponent(labelSelector)}&limit=500${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`, `list configmaps in ${namespace}`)) as { items?: ConfigMap[]; metadata?: { continue?: string } };
        items.push(...(body?.items ?? []));
        cont = body?.metadata?.continue ?? '';
      } while (cont);
      return items;
    },
  };
}
