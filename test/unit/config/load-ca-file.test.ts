// tls.probe.caFile (the private CAs the TLS probe trusts, tls.certificate-untrusted) is read when
// the config is loaded: a path or file that is wrong is one line naming the config file, the key
// and the path, before anything is collected; a good one is made absolute against the config
// file's directory.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.ts';
import { CHECK_BY_ID } from '../../../checks/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'ztaudit-cafile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function load(caFile: string): ReturnType<typeof loadConfig> {
  mkdirSync(join(dir, 'etc'), { recursive: true });
  writeFileSync(join(dir, 'etc/ztaudit.yaml'), `tls:\n  probe:\n    caFile: ${JSON.stringify(caFile)}\n`);
  return loadConfig('etc/ztaudit.yaml', dir, new Set(CHECK_BY_ID.keys()));
}

describe('tls.probe.caFile', () => {
  it('a path that does not exist is a config error naming the file, the key and the path', () => {
    expect(load('private-ca.pem').errors).toEqual(['etc/ztaudit.yaml: tls.probe.caFile: private-ca.pem: file not found']);
  });

  it('a file holding no PEM certificate, a broken certificate block, a directory: one line each', () => {
    writeFileSync(join(dir, 'etc/key.pem'), '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n');
    expect(load('key.pem').errors).toEqual(['etc/ztaudit.yaml: tls.probe.caFile: key.pem: holds no PEM certificate (a "-----BEGIN CERTIFICATE-----" block)']);
    writeFileSync(join(dir, 'etc/broken.pem'), '-----BEGIN CERTIFICATE-----\nnot base64 DER\n-----END CERTIFICATE-----\n');
    const [broken] = load('broken.pem').errors;
    expect(broken).toMatch(/^etc\/ztaudit\.yaml: tls\.probe\.caFile: broken\.pem: certificate 1 of 1 is not a valid certificate: [^\n]+$/);
    expect(load('.').errors).toEqual(['etc/ztaudit.yaml: tls.probe.caFile: .: is a directory, not a PEM file']);
  });

  it('a path with a line break stays on the one error line (no forged second "ztaudit:" line)', () => {
    expect(load('gone.pem\nztaudit: ok').errors).toEqual(['etc/ztaudit.yaml: tls.probe.caFile: gone.pem\\u000aztaudit: ok: file not found']);
  });

  it('an empty value is refused by the schema', () => {
    expect(load('').errors).toEqual(['etc/ztaudit.yaml: tls.probe.caFile: must not be empty']);
  });
});
