import type { Check } from '../../src/engine/types.ts';
import type { Verdict } from '../../src/base/vocabulary.ts';
import type { TlsProbeResult } from '../../src/snapshot/types.ts';
import { probeSubject, worstPerProbeSubject } from '../../src/analysis/tls/index.ts';
import { EDGE_ENCRYPTION } from '../controls.ts';

export const certificateUntrusted: Check = {
  id: 'tls.certificate-untrusted',
  area: 'tls',
  title: 'Edge certificates chain to a trusted root',
  protectsAgainst: 'endpoints serving a certificate that browsers and Go, curl or Node clients refuse — self-signed, issued by a CA no client trusts, or served without its intermediates — which trains users to click through warnings and clients to turn verification off',
  severity: 'high',
  controls: EDGE_ENCRYPTION,
  remediation: 'Serve a certificate from a publicly trusted CA (cert-manager with an ACME issuer, for example) with its intermediates: the full chain, leaf first, in the Secret\'s tls.crt. If a private CA that your clients trust issued it, set tls.probe.caFile to a PEM bundle of that CA so the probe trusts it too.',
  needs: [],
  timeDependent: true,
  appliesTo: (ctx) => (ctx.snapshot.probes ?? []).some((p) => chainOf(p, ctx.now) !== 'unrecorded'),
  appliesWhen: 'when TLS endpoints were probed (--probe-tls) and the probes recorded whether the served chain verified (snapshot files written by earlier versions did not)',
  evaluate(ctx) {
    const out: Array<{ verdict: Verdict; label: string }> = [];
    for (const p of ctx.snapshot.probes ?? []) {
      const chain = chainOf(p, ctx.now);
      if (chain === 'unrecorded' || chain === 'masked' || !p.certificate) continue;
      const { resource, detailKey, label } = probeSubject(p);
      const again = p.certificate.chainApartFromValidity;
      const behindValidity = again?.linked === false;
      const code = behindValidity ? again.error : p.certificate.authorizationError;
      const evidence = {
        endpoint: p.endpoint, subject: p.certificate.subject, authorized: p.certificate.authorized,
        ...(p.certificate.authorizationError ? { authorizationError: p.certificate.authorizationError } : {}),
        ...(again ? { chainApartFromValidity: again } : {}),
      };
      if (chain === 'trusted') {
        out.push({ label, verdict: { status: 'pass', resource, detailKey, message: `${label}: certificate chains to a trusted root.`, evidence } });
        continue;
      }
      const why = code !== undefined ? REASONS[code] : undefined;
      const found = behindValidity
        ? ` The certificate is itself expired or not yet valid (tls.certificate-expiring reports it), which the handshake reported in its place (${p.certificate.authorizationError ?? 'no code given'}); its chain, verified again apart from that validity period, is broken as well: renewing the certificate alone does not fix this.`
        : '';
      out.push({ label, verdict: {
        status: 'fail', resource, detailKey, evidence,
        message: `${label}: certificate (CN ${p.certificate.subject ?? '?'}) does not chain to a trusted root: ${why ?? 'its chain did not verify'} (${code ?? 'no reason given'}).${found} Browsers, Go and curl clients refuse it; ${code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' ? 'serve the intermediates with it (the full chain in tls.crt), or, ' : ''}if a private CA your clients trust issued it, set tls.probe.caFile to that CA's PEM bundle.`,
      } });
    }
    return worstPerProbeSubject(out, certificateUntrusted.severity);
  },
  excluded(ctx) {
    const unrecorded: TlsProbeResult[] = [];
    const masked: TlsProbeResult[] = [];
    const linked: TlsProbeResult[] = [];
    for (const p of ctx.snapshot.probes ?? []) {
      const chain = chainOf(p, ctx.now);
      if (chain === 'unrecorded' && p.certificate) unrecorded.push(p);
      else if (chain === 'masked') (p.certificate?.chainApartFromValidity?.linked === true ? linked : masked).push(p);
    }
    const named = (ps: TlsProbeResult[]) => `${ps.slice(0, 3).map((p) => probeSubject(p).label).join(', ')}${ps.length > 3 ? `, and ${ps.length - 3} more` : ''}`;
    const parts = [
      ...(unrecorded.length ? [`${unrecorded.length} endpoint(s) whose probe did not record whether the chain verified (a snapshot written by an earlier version; probe again with --probe-tls): ${named(unrecorded)}`] : []),
      ...(masked.length ? [`${masked.length} endpoint(s) whose certificate is itself expired or not yet valid (tls.certificate-expiring reports it), which the handshake reports in place of any fault in its chain: ${named(masked)}`] : []),
      ...(linked.length ? [`${linked.length} endpoint(s) whose certificate is itself expired or not yet valid (tls.certificate-expiring reports it), which the handshake reports in place of its verdict on the chain; verified again apart from that validity, the chain links to a trusted root (issuers, signatures, CA flags and the CAs' validity; the handshake's key-usage, path-length and name-constraint checks wait for a valid certificate): ${named(linked)}`] : []),
    ];
    return parts.length ? `Chain not judged for ${parts.join('; ')}.` : undefined;
  },
};

/**
 * What the handshake said of the chain, in words, by OpenSSL's verification code as Node gives
 * it in tlsSocket.authorizationError (https://nodejs.org/api/errors.html#x509-certificate-error-codes;
 * the codes' meanings: OpenSSL's openssl-verification-options(1), "Verification errors"). OpenSSL
 * reports UNABLE_TO_VERIFY_LEAF_SIGNATURE when the chain it could build is the leaf alone, its
 * issuer neither sent nor trusted, and UNABLE_TO_GET_ISSUER_CERT_LOCALLY when the server sent
 * intermediates whose top one's issuer is not trusted.
 */
const REASONS: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'it is self-signed (its own issuer), and no trusted CA vouches for it',
  SELF_SIGNED_CERT_IN_CHAIN: 'issuer unknown: the chain the server sent ends at a root CA certificate that is not trusted',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'issuer unknown: the chain the server sent leads to no trusted root',
  // OpenSSL names the break so when the top of the chain came from the trust store (an
  // intermediate there, Node setting no X509_V_FLAG_PARTIAL_CHAIN) and its issuer is not there.
  UNABLE_TO_GET_ISSUER_CERT: 'issuer unknown: the chain reaches a trusted certificate that is not a self-signed root, and that one\'s issuer is not trusted (a trust bundle must hold the root: TLS clients verify the chain up to one)',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'chain incomplete: the server sent the certificate without the intermediates that link it to a root, and its issuer is not a trusted root',
  CERT_SIGNATURE_FAILURE: 'a signature in its chain does not verify',
  UNABLE_TO_DECRYPT_CERT_SIGNATURE: 'a signature in its chain does not verify',
  UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY: 'a signature in its chain cannot be checked (the issuer\'s public key cannot be read)',
  CERT_UNTRUSTED: 'its root CA is not trusted to identify servers',
  CERT_REJECTED: 'its root CA is marked to reject this use',
  INVALID_CA: 'a certificate in its chain that issued another is not a CA certificate',
  PATH_LENGTH_EXCEEDED: 'its chain is longer than a CA certificate in it allows (basicConstraints pathLen)',
  INVALID_PURPOSE: 'a certificate in its chain may not be used to identify servers (key usage)',
  CERT_REVOKED: 'a certificate in its chain is revoked',
  CERT_HAS_EXPIRED: 'a CA certificate in its chain has expired',
  CERT_NOT_YET_VALID: 'a CA certificate in its chain is not yet valid',
};

/** The codes OpenSSL reports for a certificate outside its validity period, last, over any other fault of the chain. */
const VALIDITY_CODES = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);

/**
 * Whether the probe's chain is trusted, untrusted, unrecorded (no certificate, or a snapshot
 * written before the verification was recorded, or a value that is no boolean), or masked: the
 * verification reported a validity-period error while the leaf itself is outside its validity
 * (RFC 5280 section 4.1.2.5). OpenSSL checks validity after building the chain and keeps the last
 * error (an expired self-signed certificate reports CERT_HAS_EXPIRED, not
 * DEPTH_ZERO_SELF_SIGNED_CERT), so the handshake says nothing of the chain behind such a leaf. The
 * probe then verifies the chain again apart from the leaf's validity (chainApartFromValidity): a
 * break it finds is untrusted; a chain it links to a trusted root stays masked, as that second
 * verification judges less than the handshake. Without it (snapshots written before), the leaf is
 * judged at `now`: within its validity, the expired or premature certificate is a CA's in the chain.
 */
function chainOf(p: TlsProbeResult, now: Date): 'trusted' | 'untrusted' | 'unrecorded' | 'masked' {
  const c = p.certificate;
  if (!c || typeof c.authorized !== 'boolean') return 'unrecorded';
  if (c.authorized) return 'trusted';
  const again = c.chainApartFromValidity;
  if (again && typeof again.linked === 'boolean') return again.linked ? 'masked' : 'untrusted';
  if (c.authorizationError !== undefined && VALIDITY_CODES.has(c.authorizationError) && !leafValidAt(c, now)) return 'masked';
  return 'untrusted';
}

function leafValidAt(c: NonNullable<TlsProbeResult['certificate']>, now: Date): boolean {
  const notAfter = Date.parse(c.notAfter);
  const notBefore = c.notBefore === undefined ? NaN : Date.parse(c.notBefore);
  return !Number.isNaN(notAfter) && !Number.isNaN(notBefore) && notBefore <= now.getTime() && now.getTime() <= notAfter;
}
