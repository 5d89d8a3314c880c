// The score trend: stored runs plus the current one, as SVG geometry.
import { AREAS } from '../../base/vocabulary.ts';
import { isPartialRun } from '../../run/coverage.ts';
import type { RunReport, TrendPoint } from '../../run/types.ts';
import { AREA_LABEL, num } from './format.ts';
import type { TrendView } from './types.ts';

export function trendView(points: TrendPoint[], report: RunReport, maxPoints: number): TrendView | null {
  const all = [...points];
  if (!all.some((p) => p.id === report.run.id)) {
    all.push({ id: report.run.id, startedAt: report.run.startedAt, overall: report.score.overall, areas: report.score.areas, ...(isPartialRun(report) ? { partial: true } : {}) });
  }
  all.sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
  const pts = all.slice(-maxPoints);
  if (pts.length < 2) return null;
  const width = 760, height = 220, plotLeft = 44, plotRight = width - 16, plotTop = 14, plotBottom = height - 30;
  const x = (i: number) => Math.round((plotLeft + ((plotRight - plotLeft) * i) / (pts.length - 1)) * 10) / 10;
  const y = (v: number) => Math.round((plotBottom - ((plotBottom - plotTop) * Math.max(0, Math.min(100, v))) / 100) * 10) / 10;
  // A run without a score breaks the line: no segment is drawn across what was not measured.
  // A partial run breaks it too, on every series: its scores cover only what could be read (an
  // area whose checks were not evaluated can read 100), so it is drawn as a hollow marker of its
  // own, never joined to the runs that compare. A lone point between breaks is drawn as a dot
  // (loneDots, over the overall markers; its zero-length segment is not drawn).
  const segmentsOf = (get: (p: TrendPoint) => number | null | undefined): Array<{ points: string; lone: boolean }> => {
    const segments: string[][] = [[]];
    pts.forEach((p, i) => {
      const v = get(p);
      if (v === null || v === undefined || p.partial === true) segments.push([]);
      else segments[segments.length - 1].push(`${x(i)},${y(v)}`);
    });
    return segments.filter((s) => s.length > 0).map((s) => (s.length === 1 ? { points: `${s[0]} ${s[0]}`, lone: true } : { points: s.join(' '), lone: false }));
  };
  const when = (p: TrendPoint) => `${p.startedAt.slice(0, 16).replace('T', ' ')} UTC`;
  const partialNote = ' — partial run: its scores cover only what could be read and evaluated, so they do not compare with the others';
  const lines = [
    { key: 'overall', label: 'Overall', cls: 'series-overall', get: (p: TrendPoint) => p.overall },
    ...AREAS.map((a) => ({ key: a, label: AREA_LABEL[a], cls: `series-${a}`, get: (p: TrendPoint) => p.areas?.[a] })),
  ];
  // Hollow markers of partial runs, on every series that has a score there.
  const partialDots = lines.flatMap((s) => pts.flatMap((p, i) => {
    const v = s.get(p);
    return p.partial === true && v !== null && v !== undefined
      ? [{ x: x(i), y: y(v), partial: true, cls: s.cls, title: `${when(p)} — ${s.label.toLowerCase()} ${num(v)}${partialNote}` }]
      : [];
  }));
  const scored = (p: TrendPoint | undefined, get: (p: TrendPoint) => number | null | undefined) => p !== undefined && p.partial !== true && get(p) !== null && get(p) !== undefined;
  const loneDots = lines.flatMap((s, k) => pts.flatMap((p, i) => {
    const v = s.get(p);
    return scored(p, s.get) && !scored(pts[i - 1], s.get) && !scored(pts[i + 1], s.get)
      ? [{ x: x(i), y: y(v!), r: Math.round((5 - 0.6 * k) * 10) / 10, cls: s.cls, title: `${when(p)} — ${s.label.toLowerCase()} ${num(v!)}` }]
      : [];
  }));
  const series = lines
    .map((s) => ({ key: s.key, label: s.label, cls: s.cls, segments: segmentsOf(s.get) }))
    .filter((s) => s.segments.length > 0 || partialDots.some((d) => d.cls === s.cls));
  const dots = [
    ...pts.flatMap((p, i) => (p.overall === null || p.partial === true ? [] : [{ x: x(i), y: y(p.overall), partial: false, cls: '', title: `${when(p)} — overall ${num(p.overall)}` }])),
    ...partialDots,
  ];
  const step = Math.max(1, Math.ceil(pts.length / 8));
  const xLabels = pts.flatMap((p, i) => (i % step === 0 || i === pts.length - 1 ? [{ x: x(i), label: p.startedAt.slice(5, 10) }] : []));
  const gridLines = [0, 25, 50, 75, 100].map((v) => ({ y: y(v), label: String(v) }));
  return { width, height, plotLeft, plotRight, plotTop, plotBottom, gridLines, series, dots, loneDots, xLabels, count: pts.length, partialCount: pts.filter((p) => p.partial).length };
}
