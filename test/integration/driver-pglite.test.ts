/** vecpg/pglite: the embedded database, its options, and what `wrapPglite` does to an instance. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bit, HalfVector, SparseVector, Vector } from 'vecpg';
import {
  defaultDataDir,
  openDefaultDatabase,
  openPglite,
  wrapPglite,
  registerVectorTypes,
  type PgliteDb,
} from 'vecpg/pglite';
import { importDriver } from '../../src/drivers/optional-import.ts';
import { pgliteTemplate } from '../support/db.ts';
import { codeOfRejection as codeOf } from '../support/errors.ts';

const SELECT_ALL = `SELECT '[0.1,2,3]'::vector AS v, '[0.1,2]'::halfvec AS h, '{1:5.5,43:1.2}/10000'::sparsevec AS s, B'101' AS b`;

describe('vecpg/pglite', () => {
  let template: Blob;
  const dirs: string[] = [];
  beforeAll(async () => {
    template = await pgliteTemplate();
  });
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('defaultDataDir: VECPG_HOME, then XDG_CACHE_HOME, then ~/.cache', () => {
    expect(defaultDataDir({ home: '/x' }, { VECPG_HOME: '/y' })).toBe('/x/default');
    expect(defaultDataDir({}, { VECPG_HOME: '/y', XDG_CACHE_HOME: '/c' })).toBe('/y/default');
    expect(defaultDataDir({}, { XDG_CACHE_HOME: '/c' })).toBe('/c/vecpg/default');
    expect(defaultDataDir({}, {}).endsWith(join('.cache', 'vecpg', 'default'))).toBe(true);
  });

  it('a persistent data directory keeps its rows; openDefaultDatabase reopens it', { timeout: 240_000 }, async () => {
    const home = await mkdtemp(join(tmpdir(), 'vecpg-pglite-'));
    dirs.push(home);
    const first = await openPglite({ dataDir: defaultDataDir({ home }), loadDataDir: template });
    await first.query('CREATE TABLE kept (id int PRIMARY KEY, v vector(3), s sparsevec(5))');
    await first.query('INSERT INTO kept VALUES (1, $1, $2)', [new Vector([1, 2, 3]), new SparseVector({ 4: 1 }, 5)]);
    await first.pglite.close();
    const again = await openDefaultDatabase({ home });
    try {
      expect(again.kind).toBe('pglite');
      expect(again.pglite.dataDir).toBe(join(home, 'default'));
      const [row] = await again.query<{ v: number[]; s: SparseVector }>('SELECT v, s FROM kept');
      expect(row!.v).toEqual([1, 2, 3]);
      expect(row!.s.toSql()).toBe('{5:1}/5');
    } finally {
      await again.pglite.close();
    }
  });

  it(
    'parsers are per instance, with their own options; an unwrapped PGlite is untouched',
    { timeout: 180_000 },
    async () => {
      const plain = await openPglite({ loadDataDir: template });
      const classes = await openPglite({ loadDataDir: template, dense: 'class', bit: 'class' });
      const raw = await PGlite.create({ loadDataDir: template, extensions: { vector } });
      try {
        const [p] = await plain.query(SELECT_ALL);
        expect(p!.v).toEqual([Math.fround(0.1), 2, 3]);
        expect(p!.h).toEqual(new HalfVector([0.1, 2]).toArray());
        expect((p!.s as SparseVector).toSql()).toBe('{1:5.5,43:1.2}/10000');
        expect(p!.b).toBe('101');
        const [c] = await classes.query(SELECT_ALL);
        expect(c!.v).toBeInstanceOf(Vector);
        expect((c!.v as Vector).toSql()).toBe('[0.1,2,3]');
        expect(c!.h).toBeInstanceOf(HalfVector);
        expect(c!.b).toBeInstanceOf(Bit);
        expect((c!.b as Bit).toString()).toBe('101');
        const { rows } = await raw.query<Record<string, unknown>>(SELECT_ALL);
        expect(rows[0]).toEqual({ v: '[0.1,2,3]', h: '[0.099975586,2]', s: '{1:5.5,43:1.2}/10000', b: '101' });
      } finally {
        await plain.pglite.close();
        await classes.pglite.close();
        await raw.close();
      }
    },
  );

  it(
    'transaction: commits, rolls back and rethrows; failed statements are QUERY_FAILED',
    { timeout: 120_000 },
    async () => {
      const db: PgliteDb = await openPglite({ loadDataDir: template });
      try {
        await db.query('CREATE TABLE tx (id int PRIMARY KEY, v vector(2))');
        const n = await db.transaction(async (tx) => {
          await tx.query('INSERT INTO tx VALUES (1, $1)', [new Vector([1, 2])]);
          return (await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM tx'))[0]!.n;
        });
        expect(n).toBe(1);
        const boom = new Error('boom');
        await expect(
          db.transaction(async (tx) => {
            await tx.query('INSERT INTO tx VALUES (2, $1)', [new Vector([3, 4])]);
            throw boom;
          }),
        ).rejects.toBe(boom);
        expect(await db.query('SELECT id, v FROM tx')).toEqual([{ id: 1, v: [1, 2] }]);
        const error = await db.query('SELECT $1::vector(3)', [new Vector([1, 2])]).catch((e: unknown) => e);
        expect(error).toMatchObject({ code: 'QUERY_FAILED', details: { sqlstate: '22000' } });
      } finally {
        await db.pglite.close();
      }
    },
  );

  it(
    'EXTENSION_MISSING without the extension; created by default; found in another schema',
    { timeout: 180_000 },
    async () => {
      const source = await openPglite({ loadDataDir: template });
      await source.pglite.exec('DROP EXTENSION vector');
      expect(await codeOf(registerVectorTypes(source.pglite))).toBe('EXTENSION_MISSING');
      const unextended = await wrapPglite(source.pglite); // wrapping never requires the extension
      expect(await codeOf(unextended.query("SELECT '[1,2]'::vector AS v"))).toBe('EXTENSION_MISSING');
      const bare = await source.pglite.dumpDataDir('gzip');
      await source.pglite.exec('CREATE SCHEMA extensions; CREATE EXTENSION vector SCHEMA extensions');
      const moved = await wrapPglite(source.pglite);
      try {
        const [row] = await moved.query(`SELECT '[1,2]'::extensions.vector AS v, '{2:1}/3'::extensions.sparsevec AS s`);
        expect(row!.v).toEqual([1, 2]);
        expect((row!.s as SparseVector).toObject()).toEqual({ 1: 1 });
      } finally {
        await source.pglite.close();
      }
      const without = await openPglite({ loadDataDir: bare, createExtension: false });
      try {
        expect(await codeOf(without.query("SELECT '[1,2]'::vector AS v"))).toBe('EXTENSION_MISSING');
      } finally {
        await without.pglite.close();
      }
      const created = await openPglite({ loadDataDir: bare });
      try {
        const [row] = await created.query<{ v: number[] }>(`SELECT '[3,4]'::vector AS v`);
        expect(row!.v).toEqual([3, 4]);
      } finally {
        await created.pglite.close();
      }
    },
  );

  it('a missing optional driver is DRIVER_MISSING naming the package', async () => {
    const error = await importDriver('vecpg-no-such-driver', 'vecpg/test').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'DRIVER_MISSING', details: { package: 'vecpg-no-such-driver' } });
    expect((error as Error).message).toContain('npm install vecpg-no-such-driver');
  });

  it('a missing driver that comes with a partner names both in the install line (PGlite + its pgvector plugin)', async () => {
    const error = await importDriver('vecpg-no-such-driver', 'vecpg/test', [
      'vecpg-no-such-driver',
      'vecpg-no-such-plugin',
    ]).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'DRIVER_MISSING',
      details: { package: 'vecpg-no-such-driver', install: ['vecpg-no-such-driver', 'vecpg-no-such-plugin'] },
    });
  });
});
