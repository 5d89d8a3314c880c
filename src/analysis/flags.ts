// Command-line flags of a controller's container, as its flag parser reads them.

/**
 * Whether `arg` is the flag `name` as spf13/pflag reads it: `--name` or `--name=…`, and `-name` only
 * for a one-letter name (its shorthand). pflag reads one dash as a bundle of one-letter shorthands
 * (flag.go parseArgs → parseShortArg, parseSingleShortArg): `-enable-ssl-passthrough` is `-e`
 * (refused unless the program defines that shorthand: "unknown shorthand flag"), never
 * --enable-ssl-passthrough.
 */
function isPflag(arg: string, name: string): boolean {
  const a = name.length === 1 ? arg.replace(/^--?/, '--') : arg;
  return a === `--${name}` || a.startsWith(`--${name}=`);
}

/**
 * The first argument that spells the long pflag flag `name` with one dash (`-name`, `-name=…`),
 * which pflag reads as one-letter shorthands, not as the flag (isPflag); undefined when none does.
 * For a one-letter name there is none.
 */
export function pflagSingleDash(args: readonly string[], name: string): string | undefined {
  if (name.length === 1) return undefined;
  return args.find((a) => a === `-${name}` || a.startsWith(`-${name}=`));
}

/**
 * A flag's value as spf13/pflag reads it (isPflag): --flag=value or --flag value, the last one
 * given, trimmed unless `asGiven` (pflag keeps a string flag's value as written, spaces and line
 * breaks too: a value from a ConfigMap key written as a YAML block scalar ends in a line break,
 * which reaches the program when the kubelet expands $(VAR) into the argument). Every program
 * read with it parses its flags with pflag: ingress-nginx, the kube-controller-manager and the
 * AWS Load Balancer Controller.
 */
export function flagValue(args: readonly string[], flag: string, { asGiven = false }: { asGiven?: boolean } = {}): string | undefined {
  const value = flagValues(args, flag).at(-1);
  return asGiven ? value : value?.trim();
}

/**
 * Every value a flag is given, in order, as written: a pflag slice flag (StringSlice) appends each
 * use to the last (its first use replaces the default) and splits each value on commas
 * (spf13/pflag string_slice.go Set), which the caller does.
 */
export function flagValues(args: readonly string[], flag: string): string[] {
  const values: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = flag.length === 1 ? args[i]!.replace(/^--?/, '--') : args[i]!;
    if (a === `--${flag}` && i + 1 < args.length) values.push(args[i + 1]!);
    else if (a.startsWith(`--${flag}=`)) values.push(a.slice(flag.length + 3));
  }
  return values;
}

/**
 * A boolean as Go's strconv.ParseBool reads it (https://pkg.go.dev/strconv#ParseBool: "1, t, T,
 * TRUE, true, True, 0, f, F, FALSE, false, False"), nothing trimmed; undefined for anything else.
 */
export function goParseBool(value: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  return undefined;
}

/**
 * A pflag (or Go flag) boolean flag as it parses: bare --name is true (-name too for Go's flag,
 * and in pflag for a one-letter name: isPflag), --name=value is goParseBool's, the last one given
 * wins; absent, `given` is false and `on` is `byDefault`
 * (false unless told). `refused` holds a value ParseBool refuses, at which the flag set's Parse
 * fails (the program does not start when it exits on that error, as pflag.ExitOnError does).
 *
 * `stdlib`: the flags are parsed by Go's own flag package, as consul-k8s's subcommands parse
 * theirs (flag.NewFlagSet), not by pflag. Both take a boolean's value only after `=` (`-name
 * false` is `-name`, then an argument), but pflag reads flags among other arguments, while Go's
 * "Flag parsing stops just before the first non-flag argument ("-" is a non-flag argument) or
 * after the terminator "--"" (https://pkg.go.dev/flag#hdr-Command_line_flag_syntax): nothing after
 * that is a flag. A non-boolean flag written without `=` takes the next argument as its value, so
 * `stdlib.booleans` names the program's boolean flags (`name` is one): a non-flag argument right
 * after any other flag written without `=` is taken as that flag's value, and parsing goes on.
 */
export function goBoolFlag(argv: readonly string[], name: string, { byDefault = false, stdlib }: { byDefault?: boolean; stdlib?: { booleans: readonly string[] } } = {}): { on: boolean; given: boolean; refused?: string } {
  let out: { on: boolean; given: boolean; refused?: string } = { on: byDefault, given: false };
  let takesValue = false;
  for (const a of argv) {
    const m = /^--?([^=]+)(?:=(.*))?$/.exec(a);
    if (stdlib) {
      if (a === '--') break;
      if (!m) {
        if (takesValue) { takesValue = false; continue; }
        break;
      }
      takesValue = m[2] === undefined && m[1] !== name && !stdlib.booleans.includes(m[1]!);
    }
    if (!m || m[1] !== name || (!stdlib && !isPflag(a, name))) continue;
    const v = m[2] === undefined ? true : goParseBool(m[2]);
    // pflag and Go's flag stop at the first value they refuse: nothing after it is parsed.
    if (v === undefined) return { on: false, given: true, refused: m[2]! };
    out = { on: v, given: true };
  }
  return out;
}

/**
 * The arguments after the word `command` in the shell script `script` (a container's `sh -c`
 * text), as /bin/sh splits them into words (POSIX Shell Command Language 2.2 Quoting, 2.3 Token
 * Recognition: https://pubs.opengroup.org/onlinepubs/9799919799/utilities/V3_chap02.html): blanks
 * separate words, a backslash-newline joins two lines, '…' and "…" quote (the quotes removed), a
 * backslash outside single quotes keeps the next character; the command ends at an unquoted
 * newline, `;`, `&` or `|`. Expansions ($VAR, $(…)) are not followed: kept as written.
 * undefined when no command of the script has that word (`command` may be a test on each word).
 */
export function shellArgsAfter(script: string, command: string | ((word: string) => boolean)): string[] | undefined {
  let words: string[] = [];
  let word: string | null = null;
  const end = () => { if (word !== null) words.push(word); word = null; };
  const found = (): string[] | undefined => { const i = typeof command === 'string' ? words.indexOf(command) : words.findIndex(command); return i >= 0 ? words.slice(i + 1) : undefined; };
  for (let i = 0; i < script.length; i++) {
    const c = script[i]!;
    if (c === '\\') {
      if (script[i + 1] === '\n') { i++; continue; }
      word = (word ?? '') + (script[++i] ?? '');
    } else if (c === "'") {
      const close = script.indexOf("'", i + 1);
      const stop = close < 0 ? script.length : close;
      word = (word ?? '') + script.slice(i + 1, stop);
      i = stop;
    } else if (c === '"') {
      let quoted = '';
      for (i++; i < script.length && script[i] !== '"'; i++) {
        // Inside double quotes a backslash escapes only $ ` " \ and a newline (which it removes).
        if (script[i] === '\\' && '$`"\\\n'.includes(script[i + 1] ?? '')) { i++; if (script[i] !== '\n') quoted += script[i]; }
        else quoted += script[i];
      }
      word = (word ?? '') + quoted;
    } else if (c === ' ' || c === '\t') end();
    else if (c === '\n' || c === ';' || c === '&' || c === '|') {
      end();
      const args = found();
      if (args) return args;
      words = [];
    } else word = (word ?? '') + c;
  }
  end();
  return found();
}

/**
 * A container arg as the kubelet expands it (k8s.io/kubernetes
 * third_party/forked/golang/expansion/expand.go Expand at v1.34.0): `$(NAME)` takes the variable's
 * value and stays as written when no variable has that name; `$$` is an escaped `$`, so `$$(NAME)`
 * is the literal `$(NAME)`; a `$` before anything else, or a `$(` never closed, stays as written.
 */
export function kubeletExpand(arg: string, env: ReadonlyMap<string, string> | ((name: string) => string | undefined)): string {
  const get = typeof env === 'function' ? env : (name: string) => env.get(name);
  let out = '';
  let checkpoint = 0;
  for (let cursor = 0; cursor < arg.length; cursor++) {
    if (arg[cursor] !== '$' || cursor + 1 >= arg.length) continue;
    out += arg.slice(checkpoint, cursor);
    const next = arg[cursor + 1];
    let advance = 1;
    if (next === '$') out += '$';
    else if (next === '(') {
      const close = arg.indexOf(')', cursor + 2);
      if (close < 0) out += '$(';
      else {
        const name = arg.slice(cursor + 2, close);
        out += get(name) ?? `$(${name})`;
        advance = close - cursor;
      }
    } else out += `$${next}`;
    cursor += advance;
    checkpoint = cursor + 1;
  }
  return out + arg.slice(checkpoint);
}

/** One argument of a container as the kubelet runs it: `written` in the spec, `arg` expanded, and the variables it names whose value the spec does not show. */
export interface ExpandedArg { arg: string; written: string; unresolved: string[] }

/**
 * A container's command and args as the kubelet runs them, as far as the container's own spec
 * shows (kubernetes.io/docs/tasks/inject-data-application/define-interdependent-environment-variables/;
 * k8s.io/kubernetes pkg/kubelet/kubelet_pods.go makeEnvironmentVariables): $(VAR) takes the value
 * its env writes for VAR, the last entry of that name, itself expanded against the entries before
 * it (a non-empty value wins over valueFrom; an entry with neither is ""), and $$ escapes.
 * A variable set from valueFrom, envFrom or a Service link, or not set at all, is not shown: an
 * argument naming one keeps the reference as written and lists the name in `unresolved`.
 */
export function containerArgv(c: { command?: unknown; args?: unknown; env?: unknown }): ExpandedArg[] {
  const known = new Map<string, string>();
  const expand = (text: string): { value: string; unresolved: string[] } => {
    const unresolved: string[] = [];
    const value = kubeletExpand(text, (name) => {
      const v = known.get(name);
      if (v === undefined) unresolved.push(name);
      return v;
    });
    return { value, unresolved };
  };
  for (const e of Array.isArray(c.env) ? c.env : []) {
    if (!e || typeof e !== 'object') continue;
    const { name, value, valueFrom } = e as { name?: unknown; value?: unknown; valueFrom?: unknown };
    if (typeof name !== 'string') continue;
    if (typeof value === 'string' && value !== '') {
      const x = expand(value);
      if (x.unresolved.length) known.delete(name);
      else known.set(name, x.value);
    } else if (valueFrom !== undefined || (value !== undefined && typeof value !== 'string')) known.delete(name);
    else known.set(name, '');
  }
  const written = [...(Array.isArray(c.command) ? c.command : []), ...(Array.isArray(c.args) ? c.args : [])].filter((a): a is string => typeof a === 'string');
  return written.map((w) => {
    const x = expand(w);
    return { arg: x.value, written: w, unresolved: x.unresolved };
  });
}

/** What a container's boolean switch says: on, off, or not to be told (`unknown`), with why. */
export interface FlagSwitch { state: 'on' | 'off' | 'unknown'; why: string }

/**
 * A pflag boolean switch of container `c` as the program reads it, with its default when absent:
 * its arguments as the kubelet expands them from the container's env (containerArgv). A value
 * naming a variable the spec does not show (valueFrom, envFrom, none) or one ParseBool refuses
 * (the program then does not start) cannot be told: unknown, never a guess. So is the flag written
 * with one dash, which pflag reads as one-letter shorthands (pflagSingleDash): the program refuses
 * it and does not start, unless it defines that shorthand. `goFlag`: the program parses its flags
 * with Go's own flag package, where -name is --name (https://pkg.go.dev/flag#hdr-Command_line_flag_syntax).
 * `who` names the program and its object in `why`.
 */
export function boolSwitch(c: { command?: unknown; args?: unknown; env?: unknown }, flag: string, byDefault: boolean, who: string, { goFlag = false }: { goFlag?: boolean } = {}): FlagSwitch {
  const argv = containerArgv(c);
  const oneDash = goFlag ? undefined : pflagSingleDash(argv.map((a) => a.arg), flag);
  if (oneDash !== undefined) return { state: 'unknown', why: `${who} is passed ${JSON.stringify(oneDash)}, which its flag parser (spf13/pflag) reads as the one-letter shorthands -${oneDash.slice(1, 2)}…, not as --${flag}: unless -${oneDash.slice(1, 2)} is a shorthand it defines, pflag refuses it and the program does not start` };
  const given = argv.filter((a) => (goFlag ? new RegExp(`^--?${flag}(?:=|$)`).test(a.arg) : isPflag(a.arg, flag)));
  const opaque = given.filter((a) => a.unresolved.length);
  if (opaque.length) {
    const names = [...new Set(opaque.flatMap((a) => a.unresolved))].map((n) => JSON.stringify(n)).join(', ');
    return { state: 'unknown', why: `${who} sets --${flag} from an environment variable (${opaque.map((a) => JSON.stringify(a.written)).join(', ')}) whose value is not read: its env does not write out a value for ${names}` };
  }
  // Go's flag reads -name as --name.
  const f = goBoolFlag(argv.map((a) => (goFlag ? a.arg.replace(/^-(?=[^-])/, '--') : a.arg)), flag);
  if (f.refused !== undefined) return { state: 'unknown', why: `${who} passes --${flag}=${JSON.stringify(f.refused)}, which its flag parser refuses (the program does not start with it)` };
  const on = given.length ? f.on : byDefault;
  const expanded = given.filter((a) => a.arg !== a.written).map((a) => JSON.stringify(a.written));
  return { state: on ? 'on' : 'off', why: given.length ? `${who} runs with --${flag}=${on}${expanded.length ? ` (${expanded.join(', ')}, expanded from its env)` : ''}` : `${who} does not set --${flag}, which defaults to ${byDefault}` };
}
