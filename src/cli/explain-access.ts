// `ztaudit reach`, `ztaudit who-can` and `ztaudit can`: questions answered from the same
// models the checks use, over any source (cluster, --manifests, --snapshot).
import { matrixRefusal, matrixWarnings, reachCommandCore, reachMatrixChunks } from './reach.ts';
import { canCommandCore, whoCanCommandCore } from './access-text.ts';
import { ConfigError } from '../base/errors.ts';
import { oneLine } from '../base/plain-text.ts';
import { parseSubject } from '../analysis/rbac/index.ts';
import type { CliIO } from './io.ts';
import { createLogger } from './log.ts';
import { addSourceOptions, loadSource, type SourceFlags } from './source.ts';
import { choiceOption, defineCommand } from './command.ts';
import { loadConfig } from '../config/load.ts';
import { CHECK_BY_ID } from '../../checks/index.ts';

/**
 * Exit 2 is an error on stderr, unless the command answered (reach: the mesh's answer is
 * unknown). Warnings about the question go to stderr first, a line each.
 */
function print(io: CliIO, command: string, result: { exitCode: number; output: string; answered?: boolean; warnings?: string[] }): number {
  for (const w of result.warnings ?? []) io.stderr(`ztaudit ${command}: warning: ${w}\n`);
  (result.exitCode === 2 && !result.answered ? io.stderr : io.stdout)(`${result.output.replace(/\n?$/, '\n')}`);
  return result.exitCode;
}

interface ReachOptions extends SourceFlags { from?: string; to?: string; port?: string; matrix?: boolean; effective?: boolean; config?: string; output?: 'text' | 'json' | 'csv' }

async function reach(values: ReachOptions, io: CliIO): Promise<number> {
  // The config gives the mesh settings (Istio root namespace, trust domain) the mesh layer is judged with.
  const { config, errors } = loadConfig(values.config, io.cwd, new Set(CHECK_BY_ID.keys()));
  if (errors.length > 0) throw new ConfigError(errors.join('\n'));
  const snapshot = await loadSource(values, createLogger(io, { quiet: true }), { env: io.env, cwd: io.cwd });
  if (values.effective && !values.matrix) throw new ConfigError('--effective applies to --matrix (one flow always shows both layers)');
  const refused = values.matrix ? matrixRefusal(values) : undefined;
  if (refused) throw new ConfigError(refused);
  if (values.matrix) {
    // Streamed: a 5,000-workload matrix is hundreds of thousands of lines.
    if ((values.output ?? 'text') !== 'text') for (const w of matrixWarnings(snapshot)) io.stderr(`ztaudit reach: warning: ${oneLine(w)}\n`);
    let last = '';
    for (const chunk of reachMatrixChunks(snapshot, values.output ?? 'text', values.effective ? config : undefined)) {
      io.stdout(chunk);
      last = chunk;
    }
    if (!last.endsWith('\n')) io.stdout('\n');
    return 0;
  }
  return print(io, 'reach', reachCommandCore(snapshot, { config, from: values.from, to: values.to, port: values.port, matrix: values.matrix, output: values.output ?? 'text' }));
}

export const REACH = defineCommand<ReachOptions>({
  name: 'reach',
  summary: 'is a flow allowed by the network and the mesh, and which policies and rules decided each; or the whole workload connectivity matrix',
  define: (cmd) => {
    cmd
      .option('--from <workload>', 'source: NAMESPACE/NAME of a workload (a Deployment, StatefulSet, …, a ReplicaSet or a pod), NAMESPACE/KIND/NAME, or one IP address (not a range)')
      .option('--to <target>', 'destination, as --from, or a DNS name outside the cluster (api.example.com), answered as the matrix\'s name rows: by the rules that name it (Cilium toFQDNs, AdminNetworkPolicy domainNames) and by CIDRs covering every IPv4 and IPv6 address; a narrower CIDR (a NetworkPolicy ipBlock, a Cilium egressDeny) may hold its addresses, so the answer is UNKNOWN')
      .option('--port <port>', 'destination port: a number, or a container port\'s name (http), each optionally /PROTOCOL (TCP, UDP, SCTP), or a protocol alone (default: any port; protocol TCP). A name is the port of that name and protocol on each destination pod, as in a NetworkPolicy: a pod that does not name it is not reached by it')
      .option('--matrix', 'every workload pair instead of one flow')
      .option('--effective', 'with --matrix: what both layers let through (network policies and the destination\'s mesh authorization), with a mesh column')
      .option('--config <file>', 'ztaudit.yaml for the mesh settings (mesh.istioRootNamespace, mesh.istioTrustDomain); default ./ztaudit.yaml when present')
      .addOption(choiceOption('-o, --output <format>', 'text, json, or csv (with --matrix)', ['text', 'json', 'csv'], 'text'));
    addSourceOptions(cmd);
  },
  examples: [
    'ztaudit reach --manifests deploy/ --from shop/frontend --to shop/db --port 5432',
    'ztaudit reach --context prod --from shop/api --to kube-system/coredns --port 53/UDP --output json',
    'ztaudit reach --manifests deploy/ --from shop/frontend --to shop/api --port http',
    'ztaudit reach --manifests deploy/ --from shop/api --to api.stripe.com --port 443',
    'ztaudit reach --manifests deploy/ --matrix --output csv > matrix.csv',
    'ztaudit reach --manifests deploy/ --matrix --effective',
  ],
  exitCodes: ['0  the flow is allowed by the network and the mesh, for every request or for some (mesh DEPENDS: methods, paths, JWTs, conditions decide); --matrix: printed', '1  the flow is denied by the network or by the mesh', '2  could not answer (unknown workload, bad port, unreadable source; or the mesh\'s answer is unknown, or the network\'s: a policy the model cannot evaluate selects an end while the other end may let the flow through, AdminNetworkPolicies of one priority decide it differently in either order, a CIDR may or may not hold a pod\'s address (ANP networks, Calico nets/notNets) or a DNS name\'s, or Cilium host policies decide a host-network pod\'s side)'],
  run: (opts, _args, io) => reach(opts, io),
});

interface RbacQueryOptions extends SourceFlags { namespace?: string; name?: string; output?: 'text' | 'json' }

function addRbacQueryOptions(cmd: Parameters<typeof addSourceOptions>[0]) {
  cmd
    .option('-n, --namespace <namespace>', 'the namespace the question is about (default: cluster-wide)')
    .option('--name <name>', 'one object by name (resourceNames in the rules)');
  addSourceOptions(cmd);
}

export const WHO_CAN = defineCommand<RbacQueryOptions>({
  name: 'who-can',
  summary: 'which subjects hold a permission, and through which bindings and roles',
  define: (cmd) => {
    cmd.argument('<verb>', 'an API verb: get, list, create, … or *').argument('<resource>', 'a resource, e.g. secrets, pods/exec, deployments.apps');
    cmd.addOption(choiceOption('-o, --output <format>', 'text or json (complete: false and unread name the RBAC kinds the source could not read)', ['text', 'json'], 'text'));
    addRbacQueryOptions(cmd);
  },
  examples: ['ztaudit who-can get secrets -n payments --manifests deploy/', 'ztaudit who-can create pods/exec --context prod', 'ztaudit who-can delete nodes --manifests deploy/ -o json'],
  exitCodes: ['0  at least one subject can', '1  no subject can', '2  could not answer, or could not answer completely: an RBAC kind the answer depends on (ClusterRoleBindings, ClusterRoles; RoleBindings, Roles for a namespaced request) could not be read, each named on a "partial:" line; the subjects listed can, others may too'],
  run: async (opts, [verb, resource], io) => {
    const snapshot = await loadSource(opts, createLogger(io, { quiet: true }), { env: io.env, cwd: io.cwd });
    return print(io, 'who-can', whoCanCommandCore(snapshot, { verb, resource, namespace: opts.namespace, name: opts.name, output: opts.output }));
  },
});

export const CAN = defineCommand<RbacQueryOptions>({
  name: 'can',
  summary: "a subject's effective rules, or whether it can VERB RESOURCE and through which binding",
  define: (cmd) => {
    cmd
      .argument('<subject>', 'User:NAME, Group:NAME or ServiceAccount:NAMESPACE/NAME')
      .argument('[verb]', 'with RESOURCE: answer one question instead of listing the rules (with -n: the cluster-wide ones and those of RoleBindings in that namespace)')
      .argument('[resource]', 'a resource, e.g. secrets, pods/exec, deployments.apps');
    cmd.addOption(choiceOption('-o, --output <format>', 'text or json (allowed: null when no readable binding allows it and an RBAC kind could not be read; complete: false and unread name those kinds)', ['text', 'json'], 'text'));
    addRbacQueryOptions(cmd);
  },
  examples: [
    'ztaudit can ServiceAccount:shop/api --manifests deploy/          # every rule it holds',
    'ztaudit can ServiceAccount:shop/api -n shop --manifests deploy/  # the rules that apply in shop',
    'ztaudit can User:alice delete deployments.apps -n shop --context prod',
    'ztaudit can ServiceAccount:shop/api get secrets -n shop --manifests deploy/ -o json',
  ],
  exitCodes: ['0  the subject can (or: its rules were listed)', '1  the subject cannot', '2  could not answer (malformed subject, verb without resource, unreadable source); or an RBAC kind the answer depends on could not be read (a "partial:" line names each): a no is then unknown, a rule list only a floor (a yes stands: RBAC only adds)'],
  run: async (opts, [subject, verb, resource], io) => {
    if (verb !== undefined && resource === undefined) throw new ConfigError('can: a question needs both a verb and a resource, e.g. `ztaudit can User:alice get secrets -n dev`');
    // A rule list is not narrowed by object name (resourceNames are shown in each rule): a --name there would be ignored.
    if (verb === undefined && opts.name !== undefined) throw new ConfigError('can: --name applies to a question about one object, e.g. `ztaudit can User:alice get secrets --name db-password -n dev`');
    // Said before a cluster is read (which can take minutes), not after.
    if (!parseSubject(subject)) throw new ConfigError(`can: not a subject: "${oneLine(subject)}" (use User:NAME, Group:NAME or ServiceAccount:NAMESPACE/NAME)`);
    const snapshot = await loadSource(opts, createLogger(io, { quiet: true }), { env: io.env, cwd: io.cwd });
    return print(io, 'can', canCommandCore(snapshot, { subject, verb, resource, namespace: opts.namespace, name: opts.name, output: opts.output }));
  },
});
