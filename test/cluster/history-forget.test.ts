// `ztaudit history forget` on a k8s:// store against a real kube-apiserver, with only the verbs
// the chart's history Role grants (helm/ztaudit/templates/history-role.yaml): the dry run
// changes no object; --yes takes exactly that cluster's entries out of the index and deletes
// their run objects, and nothing else — not a cluster whose name it starts, not another
// store's objects (retention's rule: only this store's, labelled and named as its run objects),
// not an application's ConfigMap an entry names.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { openRunStore } from '../../src/history/store.ts';
import { makeReport } from '../unit/history/big-report.ts';
import { captureIO } from '../helpers/cli.ts';
import { Admin, describeCluster, tokenKubeconfig, uniqueName } from './env.ts';

const ROOT = resolve(import.meta.dirname, '../..');

/** The verbs the chart's history Role grants on ConfigMaps, read from the chart itself. */
function chartHistoryVerbs(): string[] {
  const role = readFileSync(join(ROOT, 'helm/ztaudit/templates/history-role.yaml'), 'utf8');
  const verbs = /resources: \["configmaps"\]\s*\n\s*verbs: \[([^\]]*)\]/.exec(role)?.[1];
  if (!verbs) throw new Error('history-role.yaml: no verbs on configmaps');
  return verbs.split(',').map((v) => v.trim().replace(/^"|"$/g, ''));
}

describeCluster('history forget on a k8s:// store', (cluster) => {
  const admin = new Admin(cluster);
  const ns = uniqueName('forget');
  const cms = `/api/v1/namespaces/${ns}/configmaps`;
  let kubeconfigPath = '';

  async function names(): Promise<string[]> {
    const r = await admin.request('GET', cms);
    return (r.body.items as Array<{ metadata: { name: string } }>).map((c) => c.metadata.name).filter((n) => n !== 'kube-root-ca.crt').sort();
  }

  async function cli(...argv: string[]) {
    const t = captureIO(process.cwd());
    const code = await main([...argv, '--kubeconfig', kubeconfigPath], t.cli);
    return { code, out: t.out(), err: t.err() };
  }

  beforeAll(async () => {
    await admin.namespace(ns);
    const token = await admin.roleAccount(ns, 'auditor', 'ztaudit-history', [{ apiGroups: [''], resources: ['configmaps'], verbs: chartHistoryVerbs() }]);
    kubeconfigPath = tokenKubeconfig(cluster.server, cluster.caPem, token, 'forget-auditor');
  });

  it('dry run changes nothing; --yes removes exactly the cluster\'s entries and run objects, nothing of another cluster or store', async () => {
    const open = (name: string) => openRunStore(`k8s://${ns}/${name}`, { kubeconfigPath, retention: { maxRuns: 1000, maxAgeDays: 0 } });
    const fleet = await open('fleet');
    await fleet.save(makeReport('e1', '2026-11-01T02:00:00.000Z', { cluster: 'east' }));
    await fleet.save(makeReport('p1', '2026-11-01T03:00:00.000Z', { cluster: 'prod' }));
    await fleet.save(makeReport('x1', '2026-11-01T04:00:00.000Z', { cluster: 'east-2' }));
    await fleet.save(makeReport('e2', '2026-11-02T02:00:00.000Z', { cluster: 'east', findings: 60_000 })); // three objects
    await fleet.close();
    const other = await open('other');
    await other.save(makeReport('o1', '2026-11-01T05:00:00.000Z', { cluster: 'east' }));
    await other.close();
    // An application's ConfigMap, named by a hand-edited entry of east's: never deleted.
    expect((await admin.request('POST', cms, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'payments-config' }, data: { 'db.url': 'postgres://payments' } })).status).toBe(201);
    const indexPath = `${cms}/fleet`;
    const cm = (await admin.request('GET', indexPath)).body as { data: Record<string, string> };
    const index = JSON.parse(cm.data['index.json']!) as { runs: Array<{ cluster: string; objects: string[] }> };
    index.runs[0]!.objects.push('payments-config');
    cm.data['index.json'] = JSON.stringify(index);
    expect((await admin.request('PUT', indexPath, cm)).status).toBe(200);

    const before = await names();
    expect(before).toEqual(['fleet', 'fleet-r1-0', 'fleet-r2-0', 'fleet-r3-0', 'fleet-r4-0', 'fleet-r4-1', 'fleet-r4-2', 'other', 'other-r1-0', 'payments-config']);
    const dry = await cli('history', 'forget', '--history', `k8s://${ns}/fleet`, '--cluster', 'east');
    expect(dry.code, dry.err).toBe(0);
    expect(dry.out).toBe(`Would forget cluster "east" in k8s://${ns}/fleet: 2 run(s), oldest e1 (started 2026-11-01T02:00:00.000Z), newest e2 (started 2026-11-02T02:00:00.000Z).\n`
      + 'Nothing removed: run again with --yes to remove these runs and everything the store keeps for this cluster.\n');
    expect(await names()).toEqual(before);

    const yes = await cli('history', 'forget', '--history', `k8s://${ns}/fleet`, '--cluster', 'east', '--yes');
    expect(yes.code, yes.err).toBe(0);
    expect(yes.out).toBe(`Forgot cluster "east" in k8s://${ns}/fleet: removed 2 run(s), oldest e1 (started 2026-11-01T02:00:00.000Z), newest e2 (started 2026-11-02T02:00:00.000Z).\n`);
    expect(await names()).toEqual(['fleet', 'fleet-r2-0', 'fleet-r3-0', 'other', 'other-r1-0', 'payments-config']);
    const history = await cli('history', '--history', `k8s://${ns}/fleet`, '--output', 'json');
    expect((JSON.parse(history.out) as Array<{ id: string; cluster: string }>).map((r) => `${r.cluster} ${r.id}`)).toEqual(['east-2 x1', 'prod p1']);
    const otherList = await cli('history', '--history', `k8s://${ns}/other`, '--output', 'json');
    expect((JSON.parse(otherList.out) as Array<{ id: string }>).map((r) => r.id)).toEqual(['o1']);
    const again = await open('fleet');
    expect((await again.get('p1'))?.run.id).toBe('p1');
    expect((await again.get('x1'))?.run.id).toBe('x1');
    await again.close();

    // Asked again, it is a cluster the store no longer has.
    const gone = await cli('history', 'forget', '--history', `k8s://${ns}/fleet`, '--cluster', 'east', '--yes');
    expect(gone.code).toBe(2);
    expect(gone.err).toBe(`ztaudit history forget: no cluster "east" in k8s://${ns}/fleet (the name must match exactly, or be canonically equal Unicode; ztaudit history lists each run's cluster); nothing removed\n`);
  });
});
