// The logger every long-running part writes through; the CLI decides how lines look
// (src/cli/log.ts: human lines on a terminal, JSON lines elsewhere).

export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  progress(kind: string, count: number): void;
}
