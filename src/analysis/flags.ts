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
