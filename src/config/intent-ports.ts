// One reading of an intent rule's ports (intent.deny[].ports), shared by config validation
// and the network.intent-violation check: a port the validator lets through is one the check
// can use, so an unusable port is a config error instead of a rule that "holds" over no port.

export const INTENT_PORT_FORMS = 'a port number 1-65535 or PORT/PROTOCOL with TCP, UDP or SCTP (e.g. 5432, "53/UDP")';

export type IntentPort = { port: number; protocol: 'TCP' | 'UDP' | 'SCTP' } | { error: string };

/** 5432 (TCP), "8080", "53/UDP" ("53/udp" too). */
export function parseIntentPort(p: unknown): IntentPort {
  if (typeof p !== 'number' && typeof p !== 'string') return { error: `must be ${INTENT_PORT_FORMS}` };
  const m = /^(\d+)(?:\/([A-Za-z]+))?$/.exec(String(p).trim());
  if (!m) return { error: `${JSON.stringify(p)} is not ${INTENT_PORT_FORMS}` };
  const protocol = (m[2] ?? 'TCP').toUpperCase();
  if (protocol !== 'TCP' && protocol !== 'UDP' && protocol !== 'SCTP') return { error: `${JSON.stringify(p)}: ${m[2]} is not a protocol (TCP, UDP or SCTP)` };
  const port = Number(m[1]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return { error: `${m[1]} is not a port (1-65535)` };
  return { port, protocol };
}
