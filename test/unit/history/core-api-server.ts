// FakeConfigMaps (fake-core-api.ts) behind a stand-in API server on a loopback port, for tests
// that run the k8s:// history store through the real Kubernetes client (serve, run). `refuse`
// answers a request with a Status of its own first: the RBAC of a real API server, e.g. a 403
// creating ConfigMaps ("configmaps is forbidden: User … cannot create resource …").
import http from 'node:http';
import { KubeApiError } from '../../../src/kube/client.ts';
import type { ConfigMap } from '../../../src/kube/configmaps.ts';
import { kubeconfigFor } from '../../helpers/local-api-server.ts';
import { FakeConfigMaps } from './fake-core-api.ts';

export interface Refusal { code: number; reason: string; message: string }

export interface CoreApiServer {
  fake: FakeConfigMaps;
  kubeconfig: string;
  /** Every request, as "VERB path" (the query left out). */
  requests: string[];
  refuse: ((verb: string, namespace: string, name: string | undefined) => Refusal | null) | null;
  close(): Promise<void>;
}

const PATH = /^\/api\/v1\/namespaces\/([^/]+)\/configmaps(?:\/([^/]+))?$/;

export async function startCoreApiServer(): Promise<CoreApiServer> {
  const fake = new FakeConfigMaps();
  const requests: string[] = [];
  const out: CoreApiServer = { fake, kubeconfig: '', requests, refuse: null, close: async () => {} };
  const status = (res: http.ServerResponse, code: number, reason: string, message: string) => {
    res.writeHead(code, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason, code }));
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const url = new URL(req.url ?? '/', 'http://localhost');
        const verb = req.method ?? 'GET';
        requests.push(`${verb} ${url.pathname}`);
        const m = PATH.exec(url.pathname);
        if (!m) return status(res, 404, 'NotFound', `the server could not find the requested resource (${url.pathname})`);
        const namespace = decodeURIComponent(m[1]!);
        const name = m[2] === undefined ? undefined : decodeURIComponent(m[2]);
        const body = chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString('utf8')) as ConfigMap : undefined;
        const refused = out.refuse?.(verb, namespace, name ?? body?.metadata?.name);
        if (refused) return status(res, refused.code, refused.reason, refused.message);
        const api = fake.api(namespace);
        try {
          let answer: unknown;
          if (verb === 'GET' && name) answer = await api.read(name);
          else if (verb === 'GET') {
            const names = await api.listNames(url.searchParams.get('labelSelector') ?? '');
            answer = { kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata: {}, items: names.map((n) => ({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: { name: n, namespace } })) };
          } else if (verb === 'POST' && !name) answer = await api.create(body!);
          else if (verb === 'PUT' && name) answer = await api.replace(name, body!);
          else if (verb === 'DELETE' && name) { await api.delete(name); answer = { kind: 'Status', status: 'Success' }; }
          else return status(res, 405, 'MethodNotAllowed', `${verb} is not supported here`);
          res.writeHead(verb === 'POST' ? 201 : 200, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify(answer));
        } catch (error: unknown) {
          if (!(error instanceof KubeApiError)) throw error;
          status(res, error.status, error.status === 404 ? 'NotFound' : error.status === 409 ? 'Conflict' : 'Invalid', error.message);
        }
      })().catch((error: unknown) => { res.destroy(error as Error); });
    });
  });
  out.kubeconfig = await kubeconfigFor(server);
  out.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  };
  return out;
}
