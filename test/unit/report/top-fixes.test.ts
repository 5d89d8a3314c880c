// "What to fix first" keeps at most three findings per check, so one noisy check does not fill
// the list: the page says so, and a check it cuts says how many of its findings, of which
// severities, are left out, with a link to its group in Findings (reviewer repro demo2: three
// critical cluster-admin subjects were missing while seven high findings were listed).
import { describe, expect, it } from 'vitest';
import { renderHtml } from '../../../src/report/html.ts';
import { buildView } from '../../../src/report/view/index.ts';
import type { KubeObject } from '../../../src/snapshot/types.ts';
import { demoRun } from './demo.ts';

describe('"What to fix first" and its three-per-check cap', () => {
  // The demo cluster with four more Users bound to cluster-admin: five critical findings of
  // rbac.cluster-admin-binding (Group oncall and the four Users).
  const { report, previous, trend } = demoRun({
    change: (s) => {
      const bindings = (s.resources.clusterrolebindings ?? []) as KubeObject[];
      for (const user of ['ann', 'bob', 'cat', 'dan']) {
        bindings.push({
          apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: `admin-${user}` },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
          subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }],
        } as KubeObject);
      }
      s.resources.clusterrolebindings = bindings;
    },
  });
  const open = report.findings.filter((f) => f.check === 'rbac.cluster-admin-binding' && !f.waived);

  it('says on the check\'s last item how many of its findings the list leaves out, and of which severity', () => {
    expect(open.map((f) => f.severity)).toEqual(Array(5).fill('critical'));
    const fixes = buildView(report, { previous, trend }).topFixes;
    const admin = fixes.filter((f) => f.check === 'rbac.cluster-admin-binding');
    expect(admin).toHaveLength(3);
    expect(admin.slice(0, 2).map((f) => f.more)).toEqual([undefined, undefined]);
    expect(admin[2]!.more).toEqual({ count: 2, bySeverity: [{ severity: 'critical', count: 2 }] });
    // A check under the cap says nothing more.
    expect(fixes.filter((f) => f.check !== 'rbac.cluster-admin-binding' && f.more !== undefined).every((f) => fixes.filter((g) => g.check === f.check).length === 3)).toBe(true);
  });

  it('states the cap in the lede and links the "+N more" line to the check\'s group in Findings', () => {
    const html = renderHtml(report, { previous, trend }).replace(/<wbr>/g, '');
    const section = html.slice(html.indexOf('<section id="top-fixes">'), html.indexOf('</section>', html.indexOf('<section id="top-fixes">')));
    expect(section).toContain('At most three per check');
    expect(section).toContain('<div class="fix-more"><a href="#check-rbac.cluster-admin-binding">+2 more of <code>rbac.cluster-admin-binding</code></a> (<span class="sev sev-critical">2 critical</span>), not listed here</div>');
    expect(html).toContain('id="check-rbac.cluster-admin-binding"');
  });
});
