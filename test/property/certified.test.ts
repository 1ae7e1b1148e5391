/**
 * Certified exact search against brute force, on adversarial data, on both databases, every metric
 * with a certificate (l2, ip, cosine, l1):
 *   - the lemma the certificate rests on, row by row: the server's exact distance of every row is >=
 *     bound(key of that row) (docs/certified-search.md), so no row outside the candidates can beat it;
 *   - the answer of `search({ exact: 'certified' })` has exactly the k smallest distances the server
 *     computes over all rows (a brute-force scan, NaN last as PostgreSQL sorts), each returned id with its
 *     own distance, whether it was proven on a try or fell back to the exact scan;
 *   - small candidate counts force retries and fallbacks, so every branch of the loop runs.
 * Data kinds: uniform, float16-exact (e = 0: the bound is at its tightest), clusters of near-ties, exact
 * duplicates, float16 rounding ties, large values around and beyond 65504 and up to 1e30, tiny values
 * down to float32 subnormals, mixed magnitudes, zero vectors. Fixed seed (PROPERTY_RUNS, PROPERTY_SEED).
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { addCertifiedColumnsSql, roundToHalf, search, Vector } from 'vecpg';
import { buildCertifiedQuery, prepareCertifiedQuery, type CertifiedDistance } from 'vecpg/sql';
import { describeEachTarget, type TestDb } from '../support/db.ts';
import { propertyParams } from './arbitraries.ts';

const KINDS = [
  'uniform',
  'halfExact',
  'clustered',
  'duplicates',
  'halfTies',
  'large',
  'tiny',
  'mixed',
  'zeros',
] as const;
type Kind = (typeof KINDS)[number];
const DISTANCES: CertifiedDistance[] = ['l2', 'ip', 'cosine', 'l1'];

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Deterministic adversarial rows of one kind; the query is a new vector or (30 %) a copy of a row. */
function makeData(kind: Kind, dims: number, count: number, seed: number): { rows: number[][]; query: number[] } {
  const r = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const centres = Array.from({ length: 3 }, () => Array.from({ length: dims }, () => r() * 2 - 1));
  const bases = Array.from({ length: 4 }, () => Array.from({ length: dims }, () => roundToHalf(r() * 4 - 2)));
  const element = (j: number, centre: number[]): number => {
    switch (kind) {
      case 'uniform':
        return r() * 2 - 1;
      case 'halfExact':
        return roundToHalf(r() * 8 - 4);
      case 'clustered':
        return centre[j]! + 1e-4 * (r() - 0.5);
      case 'halfTies': // exactly halfway between two float16 values
        return (
          (r() < 0.5 ? -1 : 1) * (1 + (2 * Math.floor(r() * 1024) + 1) * 2 ** -11) * 2 ** (Math.floor(r() * 20) - 10)
        );
      case 'large':
        return pick([65504, -65504, 65519, 65520, 70000, 1e5, 1e30, 6e4 + r() * 5e3, r() * 2 - 1]);
      case 'tiny':
        return pick([1e-6, 1e-8, -3e-8, 1e-30, 2 ** -140, 2 ** -149, 0]) * (r() + 0.5);
      case 'mixed':
        return (r() - 0.5) * 10 ** Math.floor(r() * 24 - 12);
      default:
        return r() * 2 - 1;
    }
  };
  const vector = (): number[] => {
    if (kind === 'duplicates') return [...pick(bases)];
    if (kind === 'zeros' && r() < 0.3) return new Array<number>(dims).fill(0);
    const centre = pick(centres);
    return Array.from({ length: dims }, (_, j) => element(j, centre));
  };
  const rows = Array.from({ length: count }, vector);
  const query = r() < 0.3 ? [...pick(rows)] : vector();
  return { rows, query };
}

const OPERATOR: Record<CertifiedDistance, string> = { l2: '<->', ip: '<#>', cosine: '<=>', l1: '<+>' };

/** PostgreSQL's ascending float8 order: NaN after everything. */
function ascending(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
  if (Number.isNaN(b)) return -1;
  return a - b;
}

async function setUp(db: TestDb, dims: number, rows: number[][], prefix?: number): Promise<void> {
  await db.query('DROP TABLE IF EXISTS cert');
  await db.query(`CREATE TABLE cert (id int PRIMARY KEY, embedding vector(${dims}))`);
  for (let i = 0; i < rows.length; i += 50) {
    const chunk = rows.slice(i, i + 50);
    await db.query(
      'INSERT INTO cert (id, embedding) SELECT id, v::vector FROM unnest($1::int[], $2::text[]) AS u(id, v)',
      [chunk.map((_, j) => i + j), chunk.map((v) => new Vector(v).toSql())],
    );
  }
  await db.query(
    prefix === undefined
      ? addCertifiedColumnsSql('cert', 'embedding', dims, DISTANCES)
      : addCertifiedColumnsSql('cert', 'embedding', dims, PREFIX_DISTANCES, { form: 'prefix', prefix }),
  );
}

/** The distances the prefix form has a bound for. */
const PREFIX_DISTANCES: CertifiedDistance[] = ['l2', 'cosine'];

const data = fc.record({
  kind: fc.constantFrom(...KINDS),
  dims: fc.integer({ min: 1, max: 12 }),
  count: fc.integer({ min: 1, max: 70 }),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  k: fc.integer({ min: 1, max: 8 }),
});

describeEachTarget('certified exact search against brute force', (db) => {
  it('every row satisfies distance >= bound(key), and search() returns the brute-force top-k', async () => {
    let proven = 0;
    let fellBack = 0;
    await fc.assert(
      fc.asyncProperty(data, async ({ kind, dims, count, seed, k }) => {
        const { rows, query } = makeData(kind, dims, count, seed);
        await setUp(db(), dims, rows);
        for (const distance of DISTANCES) {
          const truth = await db().query<{ id: number; d: number }>(
            `SELECT id, (embedding ${OPERATOR[distance]} $1::vector) + 0 AS d FROM cert`,
            [new Vector(query).toSql()],
          );
          const byId = new Map(truth.map((t) => [t.id, Number(t.d)]));
          // The lemma, row by row.
          const prepared = prepareCertifiedQuery(new Vector(query).toFloat32Array(), distance);
          if (typeof prepared !== 'string') {
            const all = buildCertifiedQuery({
              table: 'cert',
              column: 'embedding',
              query: new Vector(query),
              prepared: prepared,
              candidates: rows.length,
              k: rows.length,
            });
            for (const row of await db().query(all.text, all.values)) {
              const key = row['__vecpg_key'] as number | null;
              if (key === null) continue;
              const d = byId.get(row['id'] as number)!;
              if (!Number.isNaN(d))
                expect(prepared.bound(Number(key)), `${kind} ${distance} row ${String(row['id'])}`).toBeLessThanOrEqual(
                  d,
                );
            }
          }
          // The search, with a small N so that retries and fallbacks happen.
          for (const candidates of [k, Math.max(40, 4 * k)]) {
            const got = await search(db(), {
              table: 'cert',
              column: 'embedding',
              query,
              distance,
              k,
              select: ['id'],
              exact: 'certified',
              certified: { candidates, growth: 2, maxTries: 2 },
            });
            const expected = [...byId.values()].sort(ascending).slice(0, k);
            const label = `${kind} ${distance} dims ${dims} rows ${count} k ${k} N ${candidates}`;
            expect(
              got.map((r) => r.distance),
              label,
            ).toEqual(expected);
            expect(new Set(got.map((r) => r.id)).size, label).toBe(got.length);
            for (const r of got) expect(byId.get(r.id as number), label).toEqual(r.distance);
            if (got.certificate.proven) proven++;
            else fellBack++;
          }
        }
      }),
      { ...propertyParams, numRuns: propertyParams.numRuns * 2 },
    );
    // Both branches ran (and most answers were proven, not scanned).
    expect(proven).toBeGreaterThan(0);
    expect(fellBack).toBeGreaterThan(0);
  }, 240_000);
});

const prefixData = fc.record({
  kind: fc.constantFrom(...KINDS),
  dims: fc.integer({ min: 2, max: 12 }),
  count: fc.integer({ min: 1, max: 70 }),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  k: fc.integer({ min: 1, max: 8 }),
  prefixShare: fc.double({ min: 0, max: 1, noNaN: true }),
});

describeEachTarget('certified exact search, prefix form, against brute force', (db) => {
  it('every row satisfies distance >= bound(key), and search() returns the brute-force top-k', async () => {
    let proven = 0;
    let fellBack = 0;
    await fc.assert(
      fc.asyncProperty(prefixData, async ({ kind, dims, count, seed, k, prefixShare }) => {
        const prefix = Math.min(dims - 1, 1 + Math.floor(prefixShare * (dims - 1)));
        const layout = { form: 'prefix', prefix } as const;
        const { rows, query } = makeData(kind, dims, count, seed);
        await setUp(db(), dims, rows, prefix);
        for (const distance of PREFIX_DISTANCES) {
          const truth = await db().query<{ id: number; d: number }>(
            `SELECT id, (embedding ${OPERATOR[distance]} $1::vector) + 0 AS d FROM cert`,
            [new Vector(query).toSql()],
          );
          const byId = new Map(truth.map((t) => [t.id, Number(t.d)]));
          const label0 = `${kind} ${distance} dims ${dims} prefix ${prefix} rows ${count} k ${k}`;
          // The lemma, row by row: the key of every row bounds its distance.
          const prepared = prepareCertifiedQuery(new Vector(query).toFloat32Array(), distance, layout);
          if (typeof prepared !== 'string') {
            const all = buildCertifiedQuery({
              table: 'cert',
              column: 'embedding',
              query: new Vector(query),
              prepared,
              candidates: rows.length,
              k: rows.length,
            });
            for (const row of await db().query(all.text, all.values)) {
              const key = row['__vecpg_key'] as number | null;
              if (key === null) continue;
              const d = byId.get(row['id'] as number)!;
              if (!Number.isNaN(d))
                expect(prepared.bound(Number(key)), `${label0} row ${String(row['id'])}`).toBeLessThanOrEqual(d);
            }
          }
          for (const candidates of [k, Math.max(40, 4 * k)]) {
            const got = await search(db(), {
              table: 'cert',
              column: 'embedding',
              query,
              distance,
              k,
              select: ['id'],
              exact: 'certified',
              certified: { ...layout, candidates, growth: 2, maxTries: 2 },
            });
            const expected = [...byId.values()].sort(ascending).slice(0, k);
            const label = `${label0} N ${candidates}`;
            expect(
              got.map((r) => r.distance),
              label,
            ).toEqual(expected);
            expect(new Set(got.map((r) => r.id)).size, label).toBe(got.length);
            for (const r of got) expect(byId.get(r.id as number), label).toEqual(r.distance);
            if (got.certificate.proven) proven++;
            else fellBack++;
          }
        }
      }),
      { ...propertyParams, numRuns: propertyParams.numRuns * 2 },
    );
    expect(proven).toBeGreaterThan(0);
    expect(fellBack).toBeGreaterThan(0);
  }, 240_000);
});
