// Progress and logs. On a terminal: short human lines (kind, count) while collecting.
// Elsewhere (CronJob, CI): one JSON object per line, so log pipelines can parse them. A
// message can quote names from the cluster or a request's URL: on a terminal it stays on its
// line, its controls and line breaks escaped (oneLine). In a JSON line, JSON.stringify escapes
// U+0000–U+001F only; main escapes what else it prints (DEL, C1, bidirectional controls) as
// \uXXXX, the same string to a JSON reader, so `tail -f` of the log runs none of them either.
import type { Logger } from '../base/log.ts';
import type { CliIO } from './io.ts';
import { oneLine } from '../base/plain-text.ts';

export function createLogger(io: CliIO, options: { quiet?: boolean } = {}): Logger {
  const emit = (level: 'info' | 'warn', msg: string, fields?: Record<string, unknown>) => {
    if (options.quiet && level === 'info') return;
    if (io.isTTY) io.stderr(`${level === 'warn' ? 'warning: ' : ''}${oneLine(msg)}\n`);
    else io.stderr(`${JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields })}\n`);
  };
  return {
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    progress: (kind, count) => {
      if (options.quiet) return;
      if (io.isTTY) io.stderr(`  collected ${kind.padEnd(34)} ${String(count).padStart(7)}\n`);
      else io.stderr(`${JSON.stringify({ time: new Date().toISOString(), level: 'info', msg: 'collected', kind, count })}\n`);
    },
  };
}
