// For tests that stand in for an API server with node:http on a loopback port: the kubeconfig
// pointing at it, and the stream a broken server or proxy sends.
import fs from 'node:fs';
import type http from 'node:http';
import os from 'node:os';
import path from 'node:path';

const MiB = 1024 * 1024;

/** A kubeconfig for a stand-in API server on a loopback port (token auth). */
export function kubeconfigAt(port: number): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'zt-kube-')), 'config');
  fs.writeFileSync(file, `apiVersion: v1
kind: Config
clusters: [{name: local, cluster: {server: "http://127.0.0.1:${port}"}}]
users: [{name: u, user: {token: t0ken}}]
contexts: [{name: local, context: {cluster: local, user: u}}]
current-context: local
`);
  return file;
}

/** Starts `server` on a loopback port and writes a kubeconfig pointing at it. */
export async function kubeconfigFor(server: http.Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return kubeconfigAt((server.address() as { port: number }).port);
}

/**
 * Writes `prefix` (the start of a JSON string value) and then 1 MiB pieces of "x" without a
 * line break until the client hangs up; a client that never does gets the value, the event
 * and the line ended after `maxBytes` (so a test of a client without a limit fails instead of
 * hanging). Resolves with which of the two happened.
 */
export function writeEndlessLine(res: http.ServerResponse, prefix: string, maxBytes = 80 * MiB): Promise<'hung up' | 'ended'> {
  const piece = Buffer.alloc(MiB, 'x');
  let written = 0;
  let closed = false;
  return new Promise((resolve) => {
    res.on('close', () => {
      closed = true;
      resolve(written >= maxBytes ? 'ended' : 'hung up');
    });
    res.write(prefix);
    const next = () => {
      while (!closed) {
        if (written >= maxBytes) {
          res.end('"}}\n');
          return;
        }
        written += piece.length;
        if (!res.write(piece)) {
          res.once('drain', next);
          return;
        }
      }
    };
    next();
  });
}
