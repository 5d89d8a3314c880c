// Command-line flags of a controller's container, as its flag parser reads them.

/** A flag's value as pflag reads it: --flag=value or --flag value (one or two dashes), the last one given, trimmed. */
export function flagValue(args: readonly string[], flag: string): string | undefined {
  let value: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!.replace(/^--?/, '--');
    if (a === `--${flag}` && i + 1 < args.length) value = args[i + 1];
    else if (a.startsWith(`--${flag}=`)) value = a.slice(flag.length + 3);
  }
  return value?.trim();
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
    on = m[2] === undefined || parseGoBool(m[2]) === true;
  }
  return on;
}

/**
 * Go's strconv.ParseBool: 1, t, T, TRUE, true, True are true; 0, f, F, FALSE, false, False are
 * false; anything else (the empty string, "yes", "tRuE", " true") is an error, here undefined.
 * What an error then means is the caller's rule (off, refused, a default): say it there.
 */
export function parseGoBool(value: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  return undefined;
}
