// Boolean flags as Go programs parse them: pflag (ingress-nginx) and Go's own flag package
// (consul-k8s's subcommands) agree on a boolean's syntax and differ on where parsing stops.
import { describe, expect, it } from 'vitest';
import { goBoolFlag, shellArgsAfter } from '../../../src/analysis/flags.ts';

describe('goBoolFlag', () => {
  it('reads -name, --name and -name=value with strconv.ParseBool; the last one wins; a refused value stops parsing', () => {
    expect(goBoolFlag(['--x', '-x=false'], 'x')).toEqual({ on: false, given: true });
    expect(goBoolFlag(['-x=F', '--x=True'], 'x')).toEqual({ on: true, given: true });
    expect(goBoolFlag(['-x=yes', '-x=true'], 'x')).toEqual({ on: false, given: true, refused: 'yes' });
    expect(goBoolFlag(['-y'], 'x')).toEqual({ on: false, given: false });
    expect(goBoolFlag(['-y'], 'x', { byDefault: true })).toEqual({ on: true, given: false });
  });

  // https://pkg.go.dev/flag#hdr-Command_line_flag_syntax: "Flag parsing stops just before the first
  // non-flag argument ("-" is a non-flag argument) or after the terminator "--"". pflag reads flags
  // among other arguments (its SetInterspersed default).
  it('stdlib: parsing stops at the first non-flag argument and after "--"; pflag reads on', () => {
    const stdlib = { booleans: ['x', 'y'] };
    const argv = ['-x', 'false', '-y=false'];
    expect(goBoolFlag(argv, 'y')).toEqual({ on: false, given: true });
    expect(goBoolFlag(argv, 'y', { byDefault: true, stdlib })).toEqual({ on: true, given: false });
    expect(goBoolFlag(['-y', 'false', '-y=false'], 'y', { byDefault: true, stdlib })).toEqual({ on: true, given: true });
    expect(goBoolFlag(['-x', '--', '-y=false'], 'y', { byDefault: true, stdlib })).toEqual({ on: true, given: false });
    expect(goBoolFlag(['-x', '-', '-y=false'], 'y', { byDefault: true, stdlib })).toEqual({ on: true, given: false });
    // A word after a flag that is not boolean written without "=" is that flag's value: read on.
    expect(goBoolFlag(['-log-level', 'info', '-y=false'], 'y', { byDefault: true, stdlib })).toEqual({ on: false, given: true });
  });
});

describe('shellArgsAfter', () => {
  it('splits a sh -c script as the shell does: quotes removed, backslash-newline joined, the command ending at a newline or ;', () => {
    const script = 'CONSUL_FULLNAME="consul"\n\nexec consul-k8s-control-plane inject-connect \\\n  -default-inject="false" \\\n  -x=\'a b\' -y=c\\ d\necho done';
    expect(shellArgsAfter(script, 'inject-connect')).toEqual(['-default-inject=false', '-x=a b', '-y=c d']);
    expect(shellArgsAfter('run; inject-connect -a;echo', 'inject-connect')).toEqual(['-a']);
    expect(shellArgsAfter('echo inject-connected', 'inject-connect')).toBeUndefined();
  });
});
