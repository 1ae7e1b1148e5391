import { describe, expect, it } from 'vitest';
import { recallChartSvg, renderRecallReport, type RecallResult } from 'vecpg/tune';

const point = (label: string, recall: number, p50Ms: number, iterative?: 'relaxed_order') => ({
  label,
  settings: iterative ? { efSearch: 10, iterativeScan: iterative } : { efSearch: 10 },
  recall,
  minRecall: recall / 2,
  recallStdDev: 0.1,
  recallInterval: [recall - 0.05, Math.min(1, recall + 0.05)] as [number, number],
  usesIndex: label.includes('iterative'),
  p50Ms,
  p95Ms: p50Ms * 2,
  meanRows: 10,
});

const result: RecallResult = {
  table: 'items<script>',
  column: 'embedding',
  distance: 'cosine',
  k: 10,
  queries: 3,
  filter: { tenant: 'a&b' },
  index: { name: 'items_idx', method: 'hnsw', opclass: 'vector_cosine_ops' },
  usesIndex: false,
  queryRows: 'self-excluded',
  exact: { p50Ms: 4, p95Ms: 5, meanRows: 10 },
  points: [point('ef_search=10', 0.5, 1), point('ef_search=10 iterative=relaxed_order', 1, 2, 'relaxed_order')],
  target: 0.95,
  best: null,
  bestByMean: null,
  queriesNeeded: null,
};
result.best = result.points[1] ?? null;

describe('recall report', () => {
  it('draws one polyline per series and one circle per point, placed by latency and recall', () => {
    const svg = recallChartSvg(result);
    expect(svg.match(/<polyline class="series"/g)).toHaveLength(2);
    expect(svg.match(/<circle class="point"/g)).toHaveLength(2);
    // x axis runs to 5 ms (nice max of the exact p50 4 ms); plot area x 56..616, y 24..312;
    // the recall axis starts at 0.4 (lowest recall 0.5 − 0.05, down to a tenth):
    // recall 0.5 at 1 ms → (56 + 560/5, 24 + (1 − 0.1/0.6)·288) = (168, 264); recall 1 at 2 ms → (280, 24)
    expect(svg).toContain('cx="168" cy="264"');
    expect(svg).toContain('cx="280" cy="24"');
  });

  it('escapes names, marks the best row, warns when the index was not used', () => {
    const html = renderRecallReport(result);
    expect(html).not.toContain('items<script>');
    expect(html).toContain('items&#60;script&#62;');
    expect(html).toContain('tenant=a&#38;b');
    expect(html).toMatch(/<tr class="best"><td>ef_search=10 iterative=relaxed_order<\/td>/);
    expect(html).toContain('did not use the index');
    expect(html).not.toMatch(/<script|<link|src=/);
  });
});
