// Policies the network model does not evaluate (LayerPolicy.unevaluated: an Antrea-native policy
// using a field it does not read, a Calico or Antrea policy whose custom tier nothing places, …)
// decide the flows of the pods they select all the same, either way: their Allow may open what
// the model counts as refused, their Deny or Pass refuse what it counts as admitted. A check
// judging flows never passes over such a pod: it says the verdict cannot be confirmed, naming the
// policy and why it is not evaluated, and keeps a fail only where some pod no such policy can
// change bears it out. Pods no unevaluated policy selects are judged as before. One mechanism
// for every flow check; the selection comes from the model's index (query.ts unevaluatedSelecting).
import type { Verdict } from '../../../src/base/vocabulary.ts';
import type { Direction } from '../../../src/analysis/netpol/engine.ts';
import { policyLabel } from '../../../src/analysis/netpol/engine.ts';
import type { LayerPolicy, PodClass } from '../../../src/analysis/netpol/layers.ts';
import type { ReachModel } from '../../../src/analysis/netpol/model.ts';
import { unevaluatedMayPrecede, unevaluatedSelecting } from '../../../src/analysis/netpol/query.ts';

const SHOWN = 3;

/** The enforced unevaluated policies selecting some of `classes` in `dir` that `keep` accepts (default: all), each once, by label. */
export function unevaluatedOver(model: ReachModel, classes: readonly PodClass[], dir: Direction, keep: (u: LayerPolicy) => boolean = () => true): LayerPolicy[] {
  const found = new Set<LayerPolicy>();
  for (const c of classes) for (const u of unevaluatedSelecting(model, c, dir)) if (!found.has(u) && keep(u)) found.add(u);
  return [...found].sort((a, b) => (policyLabel(a) < policyLabel(b) ? -1 : policyLabel(a) > policyLabel(b) ? 1 : 0));
}

/**
 * The classes of `classes` whose verdict in `dir` no unevaluated policy may overturn before `p`'s
 * rules decide (query.ts unevaluatedMayPrecede): a fail `p`'s rules bear out on one of them holds
 * whatever those policies do.
 */
export function classesBeyondDoubt(model: ReachModel, classes: readonly PodClass[], dir: Direction, p: LayerPolicy): PodClass[] {
  return classes.filter((c) => !unevaluatedSelecting(model, c, dir).some((u) => unevaluatedMayPrecede(model, u, p)));
}

/** Why each is not evaluated, as the model says it: for evidence. */
export function notEvaluatedEvidence(ps: readonly LayerPolicy[]): Array<{ policy: string; why: string }> {
  return ps.slice(0, 20).map((u) => ({ policy: policyLabel(u), why: u.errors.join('; ') }));
}

/**
 * "Antrea ClusterNetworkPolicy x selects them and is not evaluated by ztaudit (…), and may allow
 * what …": `them` the pods, `may` what it could do to the verdict.
 */
export function notEvaluatedText(ps: readonly LayerPolicy[], them: string, may: string): string {
  const names = ps.slice(0, SHOWN).map(policyLabel).join(', ') + (ps.length > SHOWN ? ` (and ${ps.length - SHOWN} more)` : '');
  const many = ps.length > 1;
  return `${names} ${many ? 'select' : 'selects'} ${them} and ${many ? 'are' : 'is'} not evaluated by ztaudit (${ps[0].errors.join('; ')}), so ${many ? 'they' : 'it'} may ${may}`;
}

/**
 * For a check judging each enforced policy's own `dir` rules (allow-all-ingress, unrestricted-egress):
 * an unevaluated policy's rules are not known, so whether they are open to every peer is not; one
 * result per such policy with `dir` rules that selects some pod, in place of the pass its silence
 * would be. `claim`: what is not known of it ("admits ingress from everywhere").
 */
export function* unevaluatedPolicyVerdicts(model: ReachModel, dir: Direction, claim: string): Generator<Verdict> {
  for (const u of model.policies) {
    if (!u.unevaluated || !u[dir] || model.composition.stageOf(u) === undefined) continue;
    const classes = model.selectedBy.get(u.id) ?? [];
    if (classes.length === 0) continue;
    yield {
      status: 'fail',
      resource: u.ref,
      severity: 'medium',
      message: `${policyLabel(u)} cannot be judged: it is not evaluated by ztaudit (${u.errors.join('; ')}), so whether it ${claim} is not known`,
      evidence: { api: u.api, notEvaluated: u.errors, selectsPodClasses: classes.length },
    };
  }
}
