// An in-memory stand-in for the history store's ConfigMap calls, with the apiserver's
// semantics the store relies on: resourceVersion compare-and-swap on replace (409),
// AlreadyExists on create (409), NotFound (404), label selectors, and a size limit.
import { KubeApiError } from '../../../src/kube/client.ts';
import type { ConfigMap as V1ConfigMap, ConfigMapApi } from '../../../src/kube/configmaps.ts';

const MAX_OBJECT_BYTES = 1024 * 1024;

export class FakeConfigMaps {
  readonly objects = new Map<string, V1ConfigMap>();
  private rv = 100;
  calls: string[] = [];
  /** Runs before each call; may throw to simulate an apiserver error. */
  before: ((call: string, name?: string) => void) | null = null;

  private key(ns: string, name: string) { return `${ns}/${name}`; }
  private err(code: number, message: string): KubeApiError {
    return new KubeApiError({ status: code, body: { kind: 'Status', message, code } });
  }
  private size(cm: V1ConfigMap): number {
    const data = Object.values(cm.data ?? {}).reduce((n, v) => n + Buffer.byteLength(v), 0);
    const bin = Object.values(cm.binaryData ?? {}).reduce((n, v) => n + Buffer.from(v, 'base64').length, 0);
    return data + bin;
  }
  private store(ns: string, body: V1ConfigMap): V1ConfigMap {
    if (this.size(body) > MAX_OBJECT_BYTES) throw this.err(422, `ConfigMap "${body.metadata?.name}" is invalid: []: Too long: must have at most 1048576 bytes`);
    const copy = structuredClone(body);
    copy.metadata = { ...copy.metadata, namespace: ns, resourceVersion: String(++this.rv) };
    this.objects.set(this.key(ns, copy.metadata.name!), copy);
    return structuredClone(copy);
  }

  api(namespace: string): ConfigMapApi {
    const self = this;
    return {
      async read(name) {
        self.calls.push(`read ${name}`); self.before?.('read', name);
        const cm = self.objects.get(self.key(namespace, name));
        if (!cm) throw self.err(404, `configmaps "${name}" not found`);
        return structuredClone(cm);
      },
      async create(body) {
        self.calls.push(`create ${body.metadata?.name}`); self.before?.('create', body.metadata?.name);
        if (self.objects.has(self.key(namespace, body.metadata!.name!))) throw self.err(409, `configmaps "${body.metadata?.name}" already exists`);
        if (body.metadata?.resourceVersion) throw self.err(400, 'resourceVersion should not be set on objects to be created');
        return self.store(namespace, body);
      },
      async replace(name, body) {
        self.calls.push(`replace ${name}`); self.before?.('replace', name);
        const cur = self.objects.get(self.key(namespace, name));
        if (!cur) throw self.err(404, `configmaps "${name}" not found`);
        const want = body.metadata?.resourceVersion;
        if (want && want !== cur.metadata?.resourceVersion) throw self.err(409, `Operation cannot be fulfilled on configmaps "${name}": the object has been modified; please apply your changes to the latest version and try again`);
        return self.store(namespace, body);
      },
      async delete(name) {
        self.calls.push(`delete ${name}`); self.before?.('delete', name);
        if (!self.objects.delete(self.key(namespace, name))) throw self.err(404, `configmaps "${name}" not found`);
      },
      async listNames(labelSelector) {
        self.calls.push('list'); self.before?.('list');
        const want = labelSelector.split(',').filter(Boolean).map((p) => p.split('='));
        return [...self.objects.values()].filter((cm) => cm.metadata?.namespace === namespace && want.every(([k, v]) => cm.metadata?.labels?.[k] === v)).map((cm) => cm.metadata!.name!);
      },
    };
  }

  /** Changes the index behind the store's back (another writer). */
  touch(ns: string, name: string): void {
    const cm = this.objects.get(this.key(ns, name));
    if (cm) cm.metadata!.resourceVersion = String(++this.rv);
  }
}
