// The command line explains itself: --help on every command (flags, defaults, examples, exit
// codes), the closest match for a mistyped command or flag, completion scripts that real
// shells load and answer from, and a README command table that is the definitions' own.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../../../src/cli/io.ts';
import { buildProgram, COMMANDS, main } from '../../../src/cli/main.ts';
import { commandTable, TABLE_END, TABLE_START } from '../../../src/cli/reference.ts';
import { skipOrFail } from '../../helpers/ci.ts';

const REPO = join(import.meta.dirname, '../../..');

function io() {
  const out: string[] = [];
  const err: string[] = [];
  const cli: CliIO = { stdout: (t) => out.push(t), stderr: (t) => err.push(t), env: {}, isTTY: false, cwd: REPO };
  return { cli, out: () => out.join(''), err: () => err.join('') };
}

async function cli(...argv: string[]) {
  const t = io();
  const code = await main(argv, t.cli);
  return { code, out: t.out(), err: t.err() };
}

const program = buildProgram(io().cli);

describe('--help', () => {
  it('lists every command with its summary', async () => {
    const r = await cli('--help');
    expect(r.code).toBe(0);
    for (const spec of COMMANDS) expect(r.out).toMatch(new RegExp(`^  ${spec.name}\\b.*\\n?.*`, 'm'));
    expect((await cli('help')).out).toBe(r.out);
  });

  for (const spec of COMMANDS) {
    it(`ztaudit ${spec.name} --help: every flag with its default, examples${spec.exitCodes ? ', exit codes' : ''}`, async () => {
      const r = await cli(spec.name, '--help');
      expect(r.code).toBe(0);
      expect(r.err).toBe('');
      expect(r.out).toMatch(new RegExp(`^Usage: ztaudit ${spec.name} `));
      const cmd = program.commands.find((c) => c.name() === spec.name)!;
      const flat = r.out.replace(/\s+/g, ' '); // help wraps long descriptions
      // A hidden option is one the command refuses saying why (serve's --fail-on).
      for (const o of cmd.options.filter((x) => !x.hidden)) {
        expect(flat, o.flags).toContain(`${o.flags} ${o.description.replace(/\s+/g, ' ')}`);
        if (o.defaultValue !== undefined) expect(flat, `${o.flags} default`).toContain(`default: ${JSON.stringify(o.defaultValue)})`);
        if (o.argChoices) expect(flat, `${o.flags} choices`).toContain(`choices: ${o.argChoices.map((c) => JSON.stringify(c)).join(', ')}`);
      }
      for (const a of cmd.registeredArguments) expect(r.out).toContain(a.name());
      expect(r.out).toContain('\nExamples:\n');
      const examples = r.out.split('\nExamples:\n')[1]!.split('\n\n')[0]!.split('\n');
      expect(examples.length).toBe(spec.examples.length);
      for (const line of examples) expect(line).toMatch(/^  \$ (source <\()?ztaudit /);
      if (spec.exitCodes) expect(r.out).toContain(`\nExit codes:\n${spec.exitCodes.map((l) => `  ${l}\n`).join('')}`);
      // `ztaudit help NAME` is the same text.
      expect((await cli('help', spec.name)).out).toBe(r.out);
    });
  }

  it('documents the exit codes of reach and can (0 allowed/can, 1 denied/cannot, 2 could not answer)', async () => {
    expect((await cli('reach', '--help')).out).toMatch(/Exit codes:\n  0 {2}the flow is allowed by the network and the mesh.*\n  1 {2}the flow is denied by the network or by the mesh\n  2 {2}could not answer/);
    expect((await cli('can', '--help')).out).toMatch(/Exit codes:\n  0 {2}the subject can.*\n  1 {2}the subject cannot\n  2 {2}could not answer/);
  });

  it('reach: the exit-2 line names every reason the network answer can be UNKNOWN, in the words README and the docs use', async () => {
    const reasons = [
      'a policy the model cannot evaluate selects an end while the other end may let the flow through',
      'AdminNetworkPolicies of one priority decide it differently in either order',
      "a CIDR may or may not hold a pod's address",
      "Cilium host policies decide a host-network pod's side",
    ];
    const exit2 = (await cli('reach', '--help')).out.split('\n').find((l) => l.startsWith('  2  could not answer'))!;
    const flat = (f: string) => readFileSync(join(REPO, f), 'utf8').replace(/\s+/g, ' ');
    for (const r of reasons) {
      expect(exit2).toContain(r);
      for (const f of ['README.md', 'docs/network-model.md', 'docs/mesh-authorization.md']) expect(flat(f).includes(r), `${f} says: ${r}`).toBe(true);
    }
  });
});

describe('mistakes', () => {
  it('suggests the closest command and exits 2', async () => {
    const r = await cli('rn', '--manifests', 'examples/demo-cluster');
    expect(r.code).toBe(2);
    expect(r.err).toContain("unknown command 'rn'");
    expect(r.err).toContain('(Did you mean run?)');
    expect((await cli('who_can', 'get', 'pods')).err).toContain('(Did you mean who-can?)');
  });

  // README: "a mistyped command or flag is answered with the closest one". A misspelt history
  // subcommand was "too many arguments for 'history'", and with a subcommand's flag after it
  // "unknown option '--cluster'", which blames the right flag.
  it('suggests the closest history subcommand, also before that subcommand\'s flags, and exits 2', async () => {
    const typo = await cli('history', 'exprot');
    expect(typo.code).toBe(2);
    expect(typo.err).toContain("unknown command 'exprot' for 'ztaudit history'");
    expect(typo.err).toContain('(Did you mean export?)');
    const withFlag = await cli('history', 'frget', '--cluster', 'old-prod');
    expect(withFlag.code).toBe(2);
    expect(withFlag.err).toContain('(Did you mean forget?)');
    expect(withFlag.err).not.toContain('--cluster');
    // The command's own flags still work.
    expect((await cli('history', '--limit', '2', '--history', 'none')).err).toContain('--history none keeps no runs');
  });

  it('suggests the closest flag of that command and exits 2', async () => {
    const r = await cli('run', '--manifest', 'examples/demo-cluster');
    expect(r.code).toBe(2);
    expect(r.err).toContain("unknown option '--manifest'");
    expect(r.err).toContain('(Did you mean --manifests?)');
    expect(r.err).toContain('ztaudit run --help');
    expect((await cli('serve', '--shedule', '0 2 * * *')).err).toContain('(Did you mean --schedule?)');
    expect((await cli('reach', '--form', 'a/b')).err).toContain('(Did you mean --from?)');
  });

  it('rejects a value outside the choices, naming them', async () => {
    const r = await cli('run', '--fail-on', 'sometimes');
    expect(r.code).toBe(2);
    expect(r.err).toContain("argument 'sometimes' is invalid. Allowed choices are regression, critical, high, never.");
  });

  it('without a command: the overview on stderr and exit 2', async () => {
    const r = await cli();
    expect(r.code).toBe(2);
    expect(r.err).toContain('Usage: ztaudit [options] [command]');
  });
});

describe('ztaudit completion', () => {
  const script = async (shell: string) => {
    const r = await cli('completion', shell);
    expect(r.code).toBe(0);
    const file = join(mkdtempSync(join(tmpdir(), 'zt-completion-')), `ztaudit.${shell}`);
    writeFileSync(file, r.out);
    return file;
  };
  const which = (bin: string) => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;

  it('rejects an unknown shell, naming the ones it knows', async () => {
    const r = await cli('completion', 'tcsh');
    expect(r.code).toBe(2);
    expect(r.err).toContain('Allowed choices are bash, zsh, fish');
  });

  it('bash: commands, flags of the command typed, choices of a flag, check ids', async () => {
    const file = await script('bash');
    const complete = (...words: string[]) => {
      const r = spawnSync('bash', ['-c', `source "$1"; COMP_WORDS=("\${@:2}"); COMP_CWORD=$(( $# - 2 )); _ztaudit; printf '%s\\n' "\${COMPREPLY[@]}"`, 'bash', file, 'ztaudit', ...words], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      return r.stdout.split('\n').filter(Boolean).sort();
    };
    expect(complete('re')).toEqual(['reach', 'report']);
    expect(complete('run', '--ma')).toEqual(['--manifests']);
    expect(complete('serve', '--sch')).toEqual(['--schedule']);
    expect(complete('run', '--fail-on', '')).toEqual(['critical', 'high', 'never', 'regression']);
    expect(complete('checks', '--area', 'p')).toEqual(['pod-security']);
    expect(complete('explain', 'rbac.wild')).toEqual(['rbac.wildcard-permission']);
    expect(complete('completion', '')).toEqual(['bash', 'fish', 'zsh']);
    // A subcommand completes its own flags, not its parent's.
    expect(complete('history', 'export', '-')).toContain('--file');
    expect(complete('history', 'export', '-')).not.toContain('--limit');
    expect(complete('history', '--history', 'h.db', 'import', '--f')).toEqual(['--file']);
    expect(complete('history', '-')).toContain('--limit');
    expect(complete('history', '')).toEqual(['export', 'forget', 'import']);
  });

  const hasFish = which('fish');
  if (!hasFish) skipOrFail('fish completion tests', 'fish is not installed (apt-get install fish; .ci/run installs it)');
  it.skipIf(!hasFish)('fish: the same answers from `complete -C`', async () => {
    const file = await script('fish');
    const complete = (line: string) => {
      const r = spawnSync('fish', ['--no-config', '-c', `source ${file}; complete -C ${JSON.stringify(line)}`], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      return r.stdout.split('\n').filter(Boolean).map((l) => l.split('\t')[0]).sort();
    };
    expect(complete('ztaudit re')).toEqual(['reach', 'report']);
    expect(complete('ztaudit run --mani')).toEqual(['--manifests']);
    expect(complete('ztaudit run --fail-on ')).toEqual(['critical', 'high', 'never', 'regression']);
    expect(complete('ztaudit explain rbac.wild')).toEqual(['rbac.wildcard-permission']);
    expect(complete('ztaudit completion ')).toEqual(['bash', 'fish', 'zsh']);
    expect(complete('ztaudit history export -')).toContain('--file');
    expect(complete('ztaudit history export -')).not.toContain('--limit');
    expect(complete('ztaudit history -')).toContain('--limit');
    expect(complete('ztaudit history -')).not.toContain('--file');
  });

  const hasZsh = which('zsh');
  if (!hasZsh) skipOrFail('zsh completion tests', 'zsh is not installed (apt-get install zsh; .ci/run installs it)');
  it.skipIf(!hasZsh)('zsh: parses, and hands _describe/_arguments the commands and each command\'s flag specs', async () => {
    const file = await script('zsh');
    expect(spawnSync('zsh', ['-n', file]).status).toBe(0);
    // The completion system's _describe and _arguments are replaced by printers: what the
    // script hands them is what zsh would complete from.
    const specs = (...words: string[]) => {
      const r = spawnSync('zsh', ['-f', '-c', `
        _describe() { print -rl -- "\${(@P)\${@[-1]}}"; }
        _arguments() { print -rl -- "$@"; }
        compdef() { :; }
        source "$1"
        words=(ztaudit "\${@:2}"); CURRENT=$#words
        _ztaudit`, 'zsh', file, ...words], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      return r.stdout.split('\n').filter(Boolean);
    };
    const commands = specs('');
    expect(commands.map((l) => l.split(':')[0])).toEqual([...COMMANDS.map((c) => c.name), 'help']);
    const run = specs('run', '--');
    expect(run).toContain('-s');
    expect(run).toContain('*--manifests[audit YAML/JSON manifests below DIR instead of a cluster (repeatable; a file works too)]:directory:_files -/');
    expect(run.find((l) => l.startsWith('--fail-on['))).toMatch(/:value:\(regression critical high never\)$/);
    // -q and --quiet are one flag: either excludes the other.
    expect(run.filter((l) => l.startsWith('(--quiet -q)')).map((l) => l.split('[')[0])).toEqual(['(--quiet -q)--quiet', '(--quiet -q)-q']);
    expect(specs('explain', '').find((l) => l.startsWith('1:check-id:'))).toContain('rbac.wildcard-permission');
    // `history export -`: export's own flags, not history's.
    const exportSpecs = specs('history', '--history', 'h.db', 'export', '-');
    expect(exportSpecs.some((l) => l.startsWith("'(--file -f)'") || l.includes('--file['))).toBe(true);
    expect(exportSpecs.some((l) => l.includes('--limit['))).toBe(false);
    expect(specs('history', '-').some((l) => l.includes('--limit['))).toBe(true);
  });
});

describe('the README command table', () => {
  it('is the one generated from the command definitions (npm run docs)', () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf(TABLE_START), readme.indexOf(TABLE_END) + TABLE_END.length);
    expect(table).toBe(commandTable(program));
    for (const spec of COMMANDS) expect(table).toContain(`| \`ztaudit ${spec.name}`);
  });
});
