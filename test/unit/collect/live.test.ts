// collectLive's and serve --watch's first request, against nothing that answers: what stops it is named for what it is.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collectLive } from '../../../src/collect/live.ts';
import { ClusterWatch } from '../../../src/collect/watch.ts';
import { CredentialError } from '../../../src/kube/kubeconfig.ts';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-live-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('collectLive', () => {
  it('says that the credentials could not be had (a failing exec plugin), not that the API server cannot be reached', async () => {
    fs.writeFileSync(path.join(dir, 'login'), "#!/bin/sh\necho 'error: not logged in' >&2\nexit 1\n", { mode: 0o755 });
    const file = path.join(dir, 'config');
    fs.writeFileSync(file, `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:9"}}]
users: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: ./login, interactiveMode: Never}}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`);
    const said = `exec plugin ${path.join(dir, 'login')} for user "u" in kubeconfig ${file} failed with exit code 1: error: not logged in`;
    const error = await collectLive({ kubeconfigPath: file, env: {}, retries: 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredentialError);
    expect((error as Error).message).toBe(said);
    // serve --watch's first list says the same.
    const watch = new ClusterWatch({ kubeconfigPath: file, env: {} });
    try {
      const watchError = await watch.start().catch((e: unknown) => e);
      expect(watchError).toBeInstanceOf(CredentialError);
      expect((watchError as Error).message).toBe(said);
    } finally {
      await watch.stop();
    }
  });
});
