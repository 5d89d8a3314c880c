// Boolean flags as Go programs parse them: pflag (ingress-nginx) and Go's own flag package
// (consul-k8s's subcommands) agree on a boolean's syntax and differ on where parsing stops.
import { describe, expect, it } from 'vitest';
import { flagValue, goBoolFlag, pflagSingleDash, shellArgsAfter } from '../../../src/analysis/flags.ts';

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

// spf13/pflag flag.go parseArgs: one dash starts a bundle of one-letter shorthands (parseShortArg,
// parseSingleShortArg), which fails on a letter the program defines no shorthand for; only two
// dashes name a long flag (parseLongArg). Go's flag package takes one dash or two alike.
describe('pflag: -name is shorthands, not the long flag --name', () => {
  it('goBoolFlag (pflag) and flagValue do not read -enable-ssl-passthrough or -cluster-cidr=…; Go\'s flag (stdlib) reads -name', () => {
    expect(goBoolFlag(['-enable-ssl-passthrough'], 'enable-ssl-passthrough')).toEqual({ on: false, given: false });
    expect(goBoolFlag(['--enable-ssl-passthrough', '-enable-ssl-passthrough=false'], 'enable-ssl-passthrough')).toEqual({ on: true, given: true });
    expect(goBoolFlag(['-default-inject=false'], 'default-inject', { byDefault: true, stdlib: { booleans: ['default-inject'] } })).toEqual({ on: false, given: true });
    expect(flagValue(['-cluster-cidr=10.0.0.0/8'], 'cluster-cidr')).toBeUndefined();
    expect(flagValue(['-cluster-cidr', '10.0.0.0/8'], 'cluster-cidr')).toBeUndefined();
    expect(flagValue(['--cluster-cidr=10.0.0.0/8', '-cluster-cidr=10.1.0.0/16'], 'cluster-cidr')).toBe('10.0.0.0/8');
    // A one-letter flag's shorthand is itself (klog's -v, given its name as shorthand by pflag's AddGoFlagSet).
    expect(flagValue(['-v=2'], 'v')).toBe('2');
  });

  it('pflagSingleDash names the argument spelling a long flag with one dash', () => {
    expect(pflagSingleDash(['/nginx-ingress-controller', '-enable-ssl-passthrough=true'], 'enable-ssl-passthrough')).toBe('-enable-ssl-passthrough=true');
    expect(pflagSingleDash(['--enable-ssl-passthrough', '-enable-ssl-passthrough-x'], 'enable-ssl-passthrough')).toBeUndefined();
    expect(pflagSingleDash(['-v'], 'v')).toBeUndefined();
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
