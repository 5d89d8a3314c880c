// The score trend: stored runs plus the current one, as SVG geometry.
import { AREAS } from '../../base/vocabulary.ts';
import type { RunReport, TrendPoint } from '../../run/types.ts';
import { AREA_LABEL, num } from './format.ts';
import type { TrendView } from './types.ts';

export function trendView(points: TrendPoint[], report: RunReport, maxPoints: number): TrendView | null {
  const all = [...points];
  if (!all.some((p) => p.id === report.run.id)) {
    all.push({ id: report.run.id, startedAt: report.run.startedAt, overall: report.score.overall, areas: report.score.areas });
  }
  all.sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
  const pts = all.slice(-maxPoints);
  if (pts.length < 2) return null;
  const width = 760, height = 220, plotLeft = 44, plotRight = width - 16, plotTop = 14, plotBottom = height - 30;
  const x = (i: number) => Math.round((plotLeft + ((plotRight - plotLeft) * i) / (pts.length - 1)) * 10) / 10;
  const y = (v: number) => Math.round((plotBottom - ((plotBottom - plotTop) * Math.max(0, Math.min(100, v))) / 100) * 10) / 10;
  const line = (get: (p: TrendPoint) => number | null | undefined) =>
    pts.map((p, i) => { const v = get(p); return v === null || v === undefined ? null : `${x(i)},${y(v)}`; }).filter((s) => s !== null).join(' ');
  const series = [
    { key: 'overall', label: 'Overall', cls: 'series-overall', points: line((p) => p.overall) },
    ...AREAS.map((a) => ({ key: a, label: AREA_LABEL[a], cls: `series-${a}`, points: line((p) => p.areas?.[a]) })),
  ].filter((s) => s.points.includes(' '));
  const dots = pts.flatMap((p, i) => (p.overall === null ? [] : [{ x: x(i), y: y(p.overall), title: `${p.startedAt.slice(0, 16).replace('T', ' ')} UTC — overall ${num(p.overall)}` }]));
  const step = Math.max(1, Math.ceil(pts.length / 8));
  const xLabels = pts.flatMap((p, i) => (i % step === 0 || i === pts.length - 1 ? [{ x: x(i), label: p.startedAt.slice(5, 10) }] : []));
  const gridLines = [0, 25, 50, 75, 100].map((v) => ({ y: y(v), label: String(v) }));
  return { width, height, plotLeft, plotRight, plotTop, plotBottom, gridLines, series, dots, xLabels, count: pts.length };
}
