/**
 * A self-contained HTML page for a recall measurement: the recall-versus-latency curve as an
 * inline SVG chart (one line per series: plain and iterative scans) and the table of numbers.
 * No scripts, fonts or stylesheets are loaded from anywhere.
 */
import type { RecallPoint, RecallResult } from './recall.ts';

const W = 640;
const H = 360;
const PAD = { left: 56, right: 24, top: 24, bottom: 48 };
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd'];

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function fmt(n: number, digits = 3): string {
  return Number.isFinite(n) ? String(Number(n.toFixed(digits))) : '–';
}

/** Round a maximum up to a 1/2/5 × 10^n value for axis ticks. */
function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  return ([1, 2, 5, 10].find((m) => m * p >= v) ?? 10) * p;
}

/** Points grouped into series by their iterative-scan mode. */
function series(points: readonly RecallPoint[]): Array<{ name: string; points: RecallPoint[] }> {
  const groups = new Map<string, RecallPoint[]>();
  for (const p of points) {
    const mode = p.settings.iterativeScan ?? p.settings.ivfflatIterativeScan;
    const name = mode === undefined || mode === 'off' ? 'index scan' : `iterative scan (${mode})`;
    groups.set(name, [...(groups.get(name) ?? []), p]);
  }
  return [...groups].map(([name, pts]) => ({ name, points: pts }));
}

/**
 * The recall-versus-p50-latency chart as an SVG element (string).
 *
 * @example
 * const svg = recallChartSvg(result); // '<svg …><polyline class="series" …/>…</svg>'
 */
export function recallChartSvg(result: RecallResult): string {
  const maxMs = niceMax(Math.max(...result.points.map((p) => p.p50Ms), result.exact.p50Ms, 0.001));
  const x = (ms: number): number => PAD.left + (ms / maxMs) * (W - PAD.left - PAD.right);
  // Zoom the recall axis onto the measured range (in steps of 0.1) so differences stay visible.
  const lowest = Math.min(result.target, ...result.points.map((p) => p.recall));
  const yMin = Math.max(0, Math.floor((lowest - 0.05) * 10) / 10);
  const y = (r: number): number => PAD.top + (1 - (r - yMin) / (1 - yMin)) * (H - PAD.top - PAD.bottom);
  const parts: string[] = [];
  parts.push(
    `<rect x="${PAD.left}" y="${PAD.top}" width="${W - PAD.left - PAD.right}" height="${H - PAD.top - PAD.bottom}" fill="#fafafa" stroke="#ccc"/>`,
  );
  for (let i = 0; i <= 5; i++) {
    const r = yMin + ((1 - yMin) * i) / 5;
    const ms = (maxMs * i) / 5;
    parts.push(`<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(r)}" y2="${y(r)}" stroke="#eee"/>`);
    parts.push(`<text x="${PAD.left - 6}" y="${y(r) + 4}" text-anchor="end" font-size="11">${fmt(r, 2)}</text>`);
    parts.push(
      `<text x="${x(ms)}" y="${H - PAD.bottom + 16}" text-anchor="middle" font-size="11">${fmt(ms, 2)}</text>`,
    );
  }
  parts.push(
    `<text x="${(PAD.left + W - PAD.right) / 2}" y="${H - 8}" text-anchor="middle" font-size="12">p50 latency (ms)</text>`,
  );
  parts.push(
    `<text transform="translate(14 ${(PAD.top + H - PAD.bottom) / 2}) rotate(-90)" text-anchor="middle" font-size="12">recall@${result.k}</text>`,
  );
  parts.push(
    `<line class="target" x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(result.target)}" y2="${y(result.target)}" stroke="#888" stroke-dasharray="4 4"/>`,
    `<text x="${W - PAD.right - 4}" y="${y(result.target) - 4}" text-anchor="end" font-size="11" fill="#666">target ${fmt(result.target, 3)}</text>`,
  );
  parts.push(
    `<rect class="exact" x="${fmt(x(result.exact.p50Ms) - 4, 1)}" y="${y(1) - 4}" width="8" height="8" fill="#333"><title>exact search: recall 1, p50 ${fmt(result.exact.p50Ms)} ms</title></rect>`,
    `<text x="${fmt(x(result.exact.p50Ms), 1)}" y="${y(1) + 16}" text-anchor="middle" font-size="11">exact</text>`,
  );
  series(result.points).forEach((s, i) => {
    const color = COLORS[i % COLORS.length] ?? '#000';
    const coords = s.points.map((p) => `${fmt(x(p.p50Ms), 1)},${fmt(y(p.recall), 1)}`).join(' ');
    parts.push(
      `<polyline class="series" data-series="${esc(s.name)}" points="${coords}" fill="none" stroke="${color}" stroke-width="2"/>`,
    );
    for (const p of s.points) {
      parts.push(
        `<circle class="point" cx="${fmt(x(p.p50Ms), 1)}" cy="${fmt(y(p.recall), 1)}" r="4" fill="${color}"><title>${esc(p.label)}: recall ${fmt(p.recall)}, p50 ${fmt(p.p50Ms)} ms</title></circle>`,
      );
    }
    parts.push(
      `<text x="${W - PAD.right - 8}" y="${H - PAD.bottom - 10 - i * 16}" text-anchor="end" font-size="12" fill="${color}">● ${esc(s.name)}</text>`,
    );
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" class="recall-chart" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="recall versus latency">${parts.join('')}</svg>`;
}

/**
 * A complete HTML page for `result`.
 *
 * @example
 * await writeFile('report.html', renderRecallReport(await recall(db, options)));
 */
export function renderRecallReport(result: RecallResult, options: { title?: string; generatedAt?: Date } = {}): string {
  const title = options.title ?? `Recall of ${result.index.name} on ${result.table}.${result.column}`;
  const rows = result.points
    .map(
      (p) =>
        `<tr${p === result.best ? ' class="best"' : ''}><td>${esc(p.label)}</td><td>${fmt(p.recall)}</td><td>${fmt(p.recallInterval[0])}–${fmt(p.recallInterval[1])}</td><td>${fmt(p.minRecall)}</td><td>${p.usesIndex ? 'yes' : 'no (exact scan)'}</td>` +
        `<td>${fmt(p.p50Ms)}</td><td>${fmt(p.p95Ms)}</td><td>${fmt(p.meanRows, 1)}</td></tr>`,
    )
    .join('\n');
  const filter =
    result.filter === null
      ? 'none'
      : esc(
          Object.entries(result.filter)
            .map(([k, v]) => `${k}=${String(v)}`)
            .join(', '),
        );
  const best = result.best
    ? `Cheapest setting reaching recall ${fmt(result.target)} with 95% confidence: <strong>${esc(result.best.label)}</strong> (recall ${fmt(result.best.recall)}, 95% interval ${fmt(result.best.recallInterval[0])}–${fmt(result.best.recallInterval[1])}, p50 ${fmt(result.best.p50Ms)} ms).`
    : `No setting that uses the index reached recall ${fmt(result.target)} with 95% confidence.`;
  const warning = result.usesIndex
    ? ''
    : '<p class="warning">PostgreSQL did not use the index for these queries (sequential scan), so every answer was exact.</p>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2rem;color:#222}table{border-collapse:collapse}td,th{padding:4px 10px;border-bottom:1px solid #ddd;text-align:right}td:first-child,th:first-child{text-align:left}tr.best{background:#e8f5e9}.warning{color:#b00}</style>
</head><body>
<h1>${esc(title)}</h1>
<p>${esc(result.distance)} distance, k = ${result.k}, ${result.queries} queries (${result.queryRows === 'given' ? 'given' : result.queryRows === 'self-excluded' ? 'rows of the table, each left out of its own answers' : 'rows of the table, each counted as its own neighbour'}), filter: ${filter}; index ${esc(result.index.name)} (${result.index.method}, ${esc(result.index.opclass)}).
Exact search: p50 ${fmt(result.exact.p50Ms)} ms, p95 ${fmt(result.exact.p95Ms)} ms.</p>
<p>${best}</p>${warning}
<figure>${recallChartSvg(result)}</figure>
<table><thead><tr><th>setting</th><th>recall@${result.k}</th><th>95% interval</th><th>min recall</th><th>index used</th><th>p50 ms</th><th>p95 ms</th><th>rows</th></tr></thead>
<tbody>
${rows}
</tbody></table>
<p><small>Generated by vecpg${options.generatedAt ? ` on ${esc(options.generatedAt.toISOString())}` : ''}.</small></p>
</body></html>
`;
}
