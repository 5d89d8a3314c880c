// The credentials the client sends, against a local server that echoes them: token-files read
// as client-go reads them.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openKubeClient } from '../../../src/kube/client.ts';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-credentials-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A kubeconfig in `dir` for `server` whose user is `user` (flow-style YAML). */
function kubeconfig(server: string, user: string): string {
  const file = path.join(dir, 'config');
  fs.writeFileSync(file, `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "${server}"}}]
users: [{name: u, user: ${user}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`);
  return file;
}

describe('a token-file', () => {
  let server: http.Server;
  let url = '';
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ authorization: req.headers.authorization ?? null }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("is read next to the kubeconfig and sent trimmed (a file written by `echo $TOKEN > token` ends in a line break)", async () => {
    fs.writeFileSync(path.join(dir, 'token'), 'sekret-token\n');
    const { client } = openKubeClient({ kubeconfigPath: kubeconfig(url, '{token-file: token}'), env: {} });
    try {
      expect((await client.get('/version', 'get /version')).body).toEqual({ authorization: 'Bearer sekret-token' });
    } finally {
      client.close();
    }
  });
});
