// Reads ztaudit.yaml (or the given --config file) and validates it. A missing default file
// is fine (defaults apply); a missing explicit file is an error.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse, YAMLParseError } from 'yaml';
import { ConfigError } from '../base/errors.ts';
import { decodeText } from '../base/decode-text.ts';
import { validateConfig, type Validation } from './validate.ts';
import { defaultConfig } from './types.ts';

export const DEFAULT_CONFIG_FILE = 'ztaudit.yaml';

export function loadConfig(path: string | undefined, cwd: string, checkIds: ReadonlySet<string>): Validation {
  const file = resolve(cwd, path ?? DEFAULT_CONFIG_FILE);
  if (!existsSync(file)) {
    if (path) throw new ConfigError(`${path}: config file not found`);
    return { config: defaultConfig(), errors: [], warnings: [] };
  }
  const name = path ?? DEFAULT_CONFIG_FILE;
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error: unknown) {
    throw new ConfigError(`${name}: cannot read: ${error instanceof Error ? error.message : String(error)}`);
  }
  const { text, notUtf8Line } = decodeText(bytes);
  if (notUtf8Line !== undefined) throw new ConfigError(`${name}:${notUtf8Line}: not UTF-8 text; save the file as UTF-8`);
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error: unknown) {
    if (error instanceof YAMLParseError) {
      const line = error.linePos?.[0]?.line;
      throw new ConfigError(`${path ?? DEFAULT_CONFIG_FILE}${line ? `:${line}` : ''}: not valid YAML: ${error.message.split('\n')[0]}`);
    }
    throw new ConfigError(`${path ?? DEFAULT_CONFIG_FILE}: cannot read: ${error instanceof Error ? error.message : String(error)}`);
  }
  return validateConfig(raw, { file: path ?? DEFAULT_CONFIG_FILE, checkIds });
}
