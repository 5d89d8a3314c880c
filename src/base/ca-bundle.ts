// A PEM bundle of CA certificates (tls.probe.caFile): the private CAs the TLS probe trusts beside
// Node's default store. Read at config load, so a wrong path or file is said before anything is
// collected, and again for each run's probes, so a bundle rotated in a mounted ConfigMap is used.
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';

/** The Mozilla bundle is about 0.2 MiB; past this, a wrong file was given. */
export const MAX_CA_BUNDLE_MIB = 4;

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/**
 * The certificates of the PEM file at `file`, each as its PEM text; throws an Error whose message
 * says, in one line, what is wrong with the file (not found, a directory, too large, no PEM
 * certificate in it, a block that is no certificate).
 */
export function readCaBundle(file: string): string[] {
  let text: string;
  try {
    const stat = statSync(file);
    if (stat.isDirectory()) throw new Error('is a directory, not a PEM file');
    if (stat.size > MAX_CA_BUNDLE_MIB * 1024 * 1024) throw new Error(`${(stat.size / 1024 / 1024).toFixed(1)} MiB is too large for a CA bundle (at most ${MAX_CA_BUNDLE_MIB} MiB); is it the right file?`);
    text = readFileSync(file, 'latin1');
  } catch (error: unknown) {
    const e = error as NodeJS.ErrnoException;
    throw new Error(e.code === 'ENOENT' ? 'file not found' : e.code ? `cannot read: ${e.code}` : e.message);
  }
  const blocks = text.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) throw new Error('holds no PEM certificate (a "-----BEGIN CERTIFICATE-----" block)');
  blocks.forEach((pem, i) => {
    try {
      new X509Certificate(pem);
    } catch (error: unknown) {
      throw new Error(`certificate ${i + 1} of ${blocks.length} is not a valid certificate: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
  return blocks;
}
