import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { expect, it } from 'vitest';
import { CHROMIUM_ARGS, NO_BROWSER_REASON, findChromium } from '../support/browser.ts';
import { describeEachCliTarget } from './harness.ts';

const CHROMIUM = findChromium();

interface Point {
  label: string;
  recall: number;
  meanRows: number;
  usesIndex: boolean;
  recallInterval: [number, number];
}

describeEachCliTarget('vecpg recall', (t) => {
  let dir = '';

  it('sets up random rows and a weak HNSW index', async () => {
    dir = await mkdtemp(join(tmpdir(), 'vecpg-recall-'));
    await t().sql([
      'SELECT setseed(0.3)',
      'CREATE TABLE pts (id int PRIMARY KEY, tenant int NOT NULL, embedding vector(8))',
      `INSERT INTO pts SELECT i, i % 2, (SELECT array_agg(random())::vector(8) FROM generate_series(1, 8) g WHERE i > 0) FROM generate_series(1, 800) i`,
      'CREATE INDEX pts_hnsw ON pts USING hnsw (embedding vector_l2_ops) WITH (m = 2, ef_construction = 4)',
      'ANALYZE pts',
    ]);
    expect((await t().sql('SELECT count(*)::int AS n FROM pts'))[0]?.n).toBe(800);
  });

  it('measures a sweep, picks the cheapest setting and writes a self-contained report', async () => {
    const r = await t().run(
      [
        'recall',
        '--table',
        'pts',
        '--column',
        'embedding',
        '--distance',
        'l2',
        '--queries',
        '20',
        '--sweep',
        'ef_search=40,1,10',
        '--target',
        '0.5',
        '--report',
        'report.html',
        '--json',
      ],
      { cwd: dir },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as {
      queries: number;
      usesIndex: boolean;
      queryRows: string;
      points: Point[];
      best: Point | null;
    };
    expect(result.queries).toBe(20);
    expect(result.usesIndex).toBe(true);
    expect(result.queryRows).toBe('self-excluded');
    expect(result.points.map((p) => p.label)).toEqual(['ef_search=1', 'ef_search=10', 'ef_search=40']);
    // ef_search=1 returns a single row — the sampled row itself, left out of its own answer: recall <= 0.1
    expect(result.points[0]?.meanRows).toBeLessThanOrEqual(1);
    expect(result.points[0]?.recall).toBeLessThanOrEqual(0.1);
    // the cheapest index-using point whose whole 95% interval reaches the target
    expect(result.best?.label).toBe(result.points.find((p) => p.usesIndex && p.recallInterval[0] >= 0.5)?.label);

    const html = await readFile(join(dir, 'report.html'), 'utf8');
    expect(html).not.toMatch(/<script|<link|src=/); // self-contained
  });

  it.skipIf(CHROMIUM === undefined)(
    `Chromium draws the report's chart and table${CHROMIUM === undefined ? ` (${NO_BROWSER_REASON})` : ''}`,
    async () => {
      const browser = await chromium.launch({ executablePath: CHROMIUM!, args: CHROMIUM_ARGS });
      try {
        const page = await browser.newPage();
        await page.goto(pathToFileURL(join(dir, 'report.html')).href);
        const chart = await page.locator('svg.recall-chart').boundingBox();
        expect(chart?.width).toBeGreaterThan(100);
        expect(chart?.height).toBeGreaterThan(100);
        // Runs in the page (a string: the test's TypeScript has no DOM types).
        const drawn = await page.evaluate<{ lineWidth: number; linePoints: number; circles: number[] }>(`(() => {
        const line = document.querySelector('svg.recall-chart polyline.series');
        const circles = [...document.querySelectorAll('svg.recall-chart circle.point')];
        return {
          lineWidth: line ? line.getBBox().width : 0,
          linePoints: line ? line.points.numberOfItems : 0,
          circles: circles.map((c) => c.getBoundingClientRect()).map((b) => b.width * b.height),
        };
      })()`);
        expect(drawn.linePoints).toBe(3);
        expect(drawn.lineWidth).toBeGreaterThan(0);
        expect(drawn.circles).toHaveLength(3);
        for (const area of drawn.circles) expect(area).toBeGreaterThan(0);
        expect(await page.locator('table tbody tr').count()).toBe(3);
      } finally {
        await browser.close();
      }
    },
  );

  it('prints a table; filtered queries are measured with and without iterative scans; queries from @file', async () => {
    await writeFile(join(dir, 'queries.txt'), '[0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5]\n[0.1,0.9,0.1,0.9,0.1,0.9,0.1,0.9]\n');
    const r = await t().run(
      [
        'recall',
        '--table',
        'pts',
        '--column',
        'embedding',
        '--distance',
        'l2',
        '--queries',
        '@queries.txt',
        '--filter',
        'tenant=1',
        '--sweep',
        'ef_search=10',
      ],
      { cwd: dir },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('l2 distance, k=10, 2 queries (given), filter tenant=1');
    expect(r.stdout).toMatch(/^setting\s+recall@10\s+95% interval\s+min recall\s+index\s+p50 ms\s+p95 ms\s+rows$/m);
    expect(r.stdout).toMatch(/^ef_search=10\s/m);
    expect(r.stdout).toMatch(
      /^ef_search=10 iterative=relaxed_order\s+[\d.]+\s+[\d.]+-[\d.]+\s+[\d.]+\s+(yes|NO)\s+[\d.]+\s+[\d.]+\s+10$/m,
    );
    expect(r.stdout).toMatch(/about \d+ queries \(--queries \d+/);
  });

  it('refuses a bad sweep and a distance no index serves', async () => {
    const s = await t().run([
      'recall',
      '--table',
      'pts',
      '--column',
      'embedding',
      '--distance',
      'l2',
      '--sweep',
      'ef_search=10,abc',
    ]);
    expect(s.code).toBe(2);
    expect(s.stderr).toContain('--sweep ef_search value #2 must be an integer from 1 to 1000, got "abc"');
    const d = await t().run([
      'recall',
      '--table',
      'pts',
      '--column',
      'embedding',
      '--distance',
      'cosine',
      '--queries',
      '2',
    ]);
    expect(d.code).toBe(1);
    expect(d.stderr).toContain('vecpg index create --table pts --column embedding --distance cosine');
  });
});
