// Reads ztaudit.yaml (or the given --config file) and validates it. A missing default file
// is fine (defaults apply); a missing explicit file is an error, and so is anything that is
// not one YAML document of at most MAX_CONFIG_MIB, each said in one line naming the file.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isScalar, LineCounter, parseAllDocuments } from 'yaml';
import { ConfigError } from '../base/errors.ts';
import { readCaBundle } from '../base/ca-bundle.ts';
import { AboveLimitError, NoWriterError, readAtMost } from '../base/read-at-most.ts';
import { decodeText } from '../base/decode-text.ts';
import { oneLine } from '../base/plain-text.ts';
import { YAML_QUIET, yamlMessage } from '../base/yaml-message.ts';
import { toKubeJS } from '../base/yaml-aliases.ts';
import { validateConfig, type Validation } from './validate.ts';
import { defaultConfig } from './types.ts';

export const DEFAULT_CONFIG_FILE = 'ztaudit.yaml';

/** A configuration is a few KiB; this holds some 20,000 waivers. Past it, a wrong file was given (parsing 40 MiB took half a minute). */
export const MAX_CONFIG_MIB = 4;

/** `namespacedKinds`: see ValidateOptions (the kinds are the snapshot's, which config does not import). */
export function loadConfig(path: string | undefined, cwd: string, checkIds: ReadonlySet<string>, namespacedKinds?: ReadonlySet<string>): Validation {
  const file = resolve(cwd, path ?? DEFAULT_CONFIG_FILE);
  if (!existsSync(file)) {
    if (path) throw new ConfigError(`${oneLine(path)}: config file not found`);
    return { config: defaultConfig(), errors: [], warnings: [] };
  }
  // The path is the user's, but a line break in it must not start a second "ztaudit:" line.
  const name = oneLine(path ?? DEFAULT_CONFIG_FILE);
  let bytes: Buffer;
  try {
    const stat = statSync(file);
    if (stat.isDirectory()) throw new ConfigError(`${name}: is a directory, not a config file`);
    const tooLarge = (size: string) => new ConfigError(`${name}: ${size} is too large for a config file (at most ${MAX_CONFIG_MIB} MiB); is it the right file?`);
    if (stat.size > MAX_CONFIG_MIB * 1024 * 1024) throw tooLarge(`${(stat.size / 1024 / 1024).toFixed(1)} MiB`);
    // A device or a pipe (/dev/zero, <(sops -d …)) tells no size (stat says 0): read up to the limit, and no further.
    try {
      bytes = stat.isFile() ? readFileSync(file) : readAtMost(file, MAX_CONFIG_MIB * 1024 * 1024);
    } catch (error: unknown) {
      if (error instanceof AboveLimitError) throw new ConfigError(`${name}: gives more than ${MAX_CONFIG_MIB} MiB, too large for a config file; is it the right file?`);
      if (error instanceof NoWriterError) throw new ConfigError(`${name}: a pipe: ${error.message}`);
      throw error;
    }
  } catch (error: unknown) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`${name}: cannot read: ${error instanceof Error ? error.message : String(error)}`);
  }
  const { text, notUtf8Line } = decodeText(bytes);
  if (notUtf8Line !== undefined) throw new ConfigError(`${name}:${notUtf8Line}: not UTF-8 text; save the file as UTF-8`);
  // One document; a `---` before it or after it (as Kubernetes files often have) is no second one.
  const lineCounter = new LineCounter();
  // Merge keys (`<<: *base`) are merged, as the manifest reader (and kubectl's) does.
  const docs = parseAllDocuments(text, { lineCounter, merge: true, ...YAML_QUIET });
  const lineAt = (offset: number | undefined) => (offset === undefined ? '' : `:${lineCounter.linePos(offset).line}`);
  for (const doc of docs) {
    const error = doc.errors[0];
    if (error) throw new ConfigError(`${name}${lineAt(error.pos[0])}: not valid YAML: ${yamlMessage(error)}`);
  }
  // An empty document (nothing, or only comments) parses as a null scalar.
  const used = docs.filter((doc) => doc.contents !== null && !(isScalar(doc.contents) && doc.contents.value === null));
  if (used.length > 1) throw new ConfigError(`${name}${lineAt(used[1].range[0])}: a second YAML document (after ---); the configuration is one document`);
  let raw: unknown = null;
  try {
    // Aliases within kubectl's limit (src/base/yaml-aliases.ts): a config sharing one `&who`
    // subject list across 150 waivers is read, an alias bomb is not.
    if (used.length === 1) raw = toKubeJS(used[0]);
  } catch (error: unknown) {
    // An alias bomb: the parser refuses to expand it.
    throw new ConfigError(`${name}: not usable YAML: ${error instanceof Error ? yamlMessage(error) : String(error)}`);
  }
  const validation = validateConfig(raw, { file: name, checkIds, now: new Date(), ...(namespacedKinds ? { namespacedKinds } : {}) });
  checkCaFile(validation, name, dirname(file));
  return validation;
}

/**
 * tls.probe.caFile, relative to the config file's directory (as kubectl takes a kubeconfig's
 * certificate-authority), made absolute and read once: a path or file that is wrong is a config
 * error now, before anything is collected, not when the probes start.
 */
function checkCaFile(validation: Validation, name: string, dir: string): void {
  const given = validation.config.tls.probe.caFile;
  if (given === undefined || validation.errors.length > 0) return;
  const file = resolve(dir, given);
  try {
    readCaBundle(file);
    validation.config.tls.probe.caFile = file;
  } catch (error: unknown) {
    validation.errors.push(`${name}: tls.probe.caFile: ${oneLine(given)}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
