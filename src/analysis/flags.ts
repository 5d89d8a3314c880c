// Command-line flags of a controller's container, as its flag parser reads them.

/**
 * A flag's value: --flag=value or --flag value (one or two dashes), the last one given, trimmed
 * unless `asGiven` (pflag keeps a string flag's value as written, spaces and line breaks too: a
 * value from a ConfigMap key written as a YAML block scalar ends in a line break, which reaches
 * the program when the kubelet expands $(VAR) into the argument).
 */
export function flagValue(args: readonly string[], flag: string, { asGiven = false }: { asGiven?: boolean } = {}): string | undefined {
  let value: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!.replace(/^--?/, '--');
    if (a === `--${flag}` && i + 1 < args.length) value = args[i + 1];
    else if (a.startsWith(`--${flag}=`)) value = a.slice(flag.length + 3);
  }
  return asGiven ? value : value?.trim();
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
 * A pflag (or Go flag) boolean flag as it parses: bare -name or --name is true, --name=value is
 * goParseBool's, the last one given wins, absent is false; `refused` holds a value ParseBool
 * refuses, at which the flag set's Parse fails (the program does not start when it exits on that
 * error, as pflag.ExitOnError does).
 */
export function goBoolFlag(argv: readonly string[], name: string): { on: boolean; refused?: string } {
  let out: { on: boolean; refused?: string } = { on: false };
  for (const a of argv) {
    const m = /^--?([^=]+)(?:=(.*))?$/.exec(a);
    if (!m || m[1] !== name) continue;
    const v = m[2] === undefined ? true : goParseBool(m[2]);
    // pflag stops at the first value it refuses: nothing after it is parsed.
    if (v === undefined) return { on: false, refused: m[2]! };
    out = { on: v };
  }
  return out;
}

/**
 * A Go boolean flag as the flag package and pflag (NoOptDefVal "true") read it: bare -name or
 * --name is true, --name=value is strconv.ParseBool's true (1, t, T, TRUE, true, True), and the
 * last one given wins. A value ParseBool refuses stops the program starting; it is read as off.
 */
export function boolFlag(argv: readonly string[], name: string): boolean {
  let on = false;
  for (const a of argv) {
    const m = /^--?([^=]+)(?:=(.*))?$/.exec(a);
    if (!m || m[1] !== name) continue;
    on = m[2] === undefined || goParseBool(m[2]) === true;
  }
  return on;
}
