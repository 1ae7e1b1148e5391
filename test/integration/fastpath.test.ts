/**
 * Every fast path returns exactly what the plain text path returns: vectors bound as binary parameters
 * (pgvector's send format) give the same stored value as text parameters, and `search` reading the
 * vector column back as binary (`vector_send`) gives the same rows as reading it as text — all four types,
 * random values, both databases. Also: the column storage conversion really moves vectors back in line.
 */
import { expect, it } from 'vitest';
import {
  Bit,
  HalfVector,
  SparseVector,
  Vector,
  convertStorageSql,
  search,
  type Row,
  type SqlExecutor,
  type VecpgDb,
  type VectorType,
} from 'vecpg';
import { decodeVectorColumn, vectorParam, vectorParamBinary } from 'vecpg/sql';
import { textParsers, oidsFromRows, VECTOR_TYPES_SQL, type TypeRow } from '../../src/drivers/vector-types.ts';
import { describeEachTarget } from '../support/db.ts';
import { randomArray, seededRandom } from '../support/random.ts';

type Made = {
  type: VectorType;
  sqlType: string;
  make: (rand: () => number) => Vector | HalfVector | SparseVector | Bit;
};

const DIMS = 64;
const TYPES: Made[] = [
  // Spread over many magnitudes, so every float layout (fixed, exponent, subnormal-ish) is exercised.
  {
    type: 'vector',
    sqlType: `vector(${DIMS})`,
    make: (r) => new Vector(randomArray(r, DIMS).map((x) => x * 10 ** Math.floor(r() * 20 - 10))),
  },
  { type: 'halfvec', sqlType: `halfvec(${DIMS})`, make: (r) => new HalfVector(randomArray(r, DIMS, 1000)) },
  {
    type: 'sparsevec',
    sqlType: 'sparsevec(10000)',
    make: (r) => {
      const m = new Map<number, number>();
      while (m.size < 20) m.set(Math.floor(r() * 10000), (r() * 2 - 1) * 10 ** Math.floor(r() * 8 - 4));
      return new SparseVector(m, 10000);
    },
  },
  {
    type: 'bit',
    sqlType: `bit(${DIMS})`,
    make: (r) => Bit.fromBooleans(Array.from({ length: DIMS }, () => r() < 0.5)),
  },
];

/** The same database with every fast path switched off: text parameters, vectors read as text. */
function textOnly(db: VecpgDb): VecpgDb {
  return {
    kind: db.kind,
    query: (t, p) => db.query(t, p),
    transaction: (fn) => db.transaction((tx) => fn({ query: (t, p) => tx.query(t, p) })),
  };
}

/** Record each statement and its parameters. */
function recording(
  db: VecpgDb,
  log: Array<{ text: string; params: readonly unknown[]; binaryColumns?: readonly number[] }>,
): VecpgDb {
  const wrap = (ex: SqlExecutor): SqlExecutor => {
    const binary = ex.queryBinaryColumns;
    return {
      query: <R extends Row>(text: string, params?: readonly unknown[]) => {
        log.push({ text, params: params ?? [] });
        return ex.query<R>(text, params);
      },
      ...(binary === undefined
        ? {}
        : {
            queryBinaryColumns: <R extends Row>(
              text: string,
              params: readonly unknown[],
              binaryColumns: readonly number[],
            ) => {
              log.push({ text, params, binaryColumns });
              return binary<R>(text, params, binaryColumns);
            },
          }),
    };
  };
  return { ...db, ...wrap(db), transaction: (fn) => db.transaction((tx) => fn(wrap(tx))) };
}

describeEachTarget('fast paths', (db) => {
  it('the drivers under test advertise binary parameters and their vector output', () => {
    expect(db().binaryParams).toBe(true);
    expect(db().vectorOutput).toEqual({});
  });

  for (const { type, sqlType, make } of TYPES) {
    it(`${type}: a binary parameter stores exactly what the text parameter stores`, async () => {
      const rand = seededRandom(type.length * 7919);
      const values = Array.from({ length: 40 }, () => make(rand));
      const table = `fp_param_${type}`;
      await db().query(`CREATE TABLE ${table} (id int, via text, v ${sqlType})`);
      const cast = type === 'bit' ? `bit(${DIMS})` : type;
      for (const [i, v] of values.entries()) {
        await db().query(`INSERT INTO ${table} VALUES ($1, 'text', $2::${cast})`, [i, vectorParam(v, type)]);
        const binary = vectorParamBinary(v, type);
        expect(binary).toBeInstanceOf(Uint8Array);
        await db().query(`INSERT INTO ${table} VALUES ($1, 'binary', $2::${cast})`, [i, binary]);
      }
      const rows = await db().query<{ id: number; t: string; b: string }>(
        `SELECT a.id, a.v::text AS t, b.v::text AS b FROM ${table} a JOIN ${table} b ON a.id = b.id AND b.via = 'binary' WHERE a.via = 'text' ORDER BY a.id`,
      );
      expect(rows).toHaveLength(values.length);
      for (const [i, row] of rows.entries()) {
        expect(row.b).toBe(row.t);
        // And both are what our own text encoder writes (the server's ::text, compared value by value).
        expect(row.t).toBe(values[i]!.toSql());
      }
    });

    it(`${type}: search with the fast paths returns the same rows as the text path`, async () => {
      const rand = seededRandom(type.length * 104729);
      const table = `fp_search_${type}`;
      await db().query(`CREATE TABLE ${table} (id int PRIMARY KEY, embedding ${sqlType})`);
      const stored = Array.from({ length: 60 }, () => make(rand));
      for (const [i, v] of stored.entries())
        await db().query(`INSERT INTO ${table} VALUES ($1, $2)`, [i, vectorParam(v, type)]);
      await db().query(`INSERT INTO ${table} VALUES (1000, NULL)`);
      const distance = type === 'bit' ? 'hamming' : 'l2';
      const log: Array<{ text: string; params: readonly unknown[]; binaryColumns?: readonly number[] }> = [];
      for (let q = 0; q < 3; q++) {
        const query = make(rand);
        // The third search is approximate: it runs inside a transaction (SET LOCAL), through the transaction's executor.
        const mode = q === 2 ? { approximate: { efSearch: 100 } } : {};
        const options = {
          table,
          column: 'embedding',
          query,
          type,
          distance,
          k: 61,
          select: ['id', 'embedding'],
          ...mode,
        } as const;
        const fast = await search(recording(db(), log), options);
        const plain = await search(textOnly(db()), options);
        expect(fast).toHaveLength(61);
        expect(fast).toEqual(plain);
      }
      // The fast paths were really taken: a binary parameter, and (except for bit) the send function.
      // On PGlite the column itself is asked for in binary result format (position 1 of the select list);
      // on the server it is selected through the send function, as a bytea.
      const searches = log.filter((entry) => entry.text.includes(`FROM "${table}"`));
      expect(searches).toHaveLength(3);
      for (const entry of searches) {
        expect(entry.params[0]).toBeInstanceOf(Uint8Array);
        if (type === 'bit') {
          expect([entry.text.includes('_send('), entry.binaryColumns]).toEqual([false, undefined]);
        } else if (db().target === 'pglite') {
          expect([entry.text.includes('_send('), entry.binaryColumns]).toEqual([false, [1]]);
        } else {
          expect(entry.text).toContain(`${type}_send("embedding") AS "embedding"`);
        }
      }
    });
  }

  it('decodes the send format into exactly what each text parser option returns', async () => {
    const rand = seededRandom(5);
    await db().query('CREATE TABLE fp_decode (id int, v vector(300), h halfvec(300), s sparsevec(5000))');
    for (let i = 0; i < 20; i++) {
      const s = new Map<number, number>();
      for (let k = 0; k < 30; k++) s.set(Math.floor(rand() * 5000), rand() - 0.5);
      await db().query('INSERT INTO fp_decode VALUES ($1, $2, $3, $4)', [
        i,
        vectorParam(randomArray(rand, 300, 1e3), 'vector'),
        vectorParam(randomArray(rand, 300, 10), 'halfvec'),
        vectorParam(new SparseVector(s, 5000), 'sparsevec'),
      ]);
    }
    const oids = oidsFromRows(await db().query<TypeRow>(VECTOR_TYPES_SQL));
    const rows = await db().query<Record<string, unknown>>(
      'SELECT v::text AS vt, vector_send(v) AS vb, h::text AS ht, halfvec_send(h) AS hb, s::text AS st, sparsevec_send(s) AS sb FROM fp_decode ORDER BY id',
    );
    for (const dense of ['array', 'float32', 'class'] as const) {
      const parsers = textParsers(oids, { dense });
      for (const row of rows) {
        const cases: Array<[VectorType & ('vector' | 'halfvec' | 'sparsevec'), number | undefined, string, string]> = [
          ['vector', oids.vector, 'vt', 'vb'],
          ['halfvec', oids.halfvec, 'ht', 'hb'],
          ['sparsevec', oids.sparsevec, 'st', 'sb'],
        ];
        for (const [type, oid, textKey, binKey] of cases) {
          const fromText = parsers.get(oid!)!(row[textKey] as string);
          const fromBinary = decodeVectorColumn(row[binKey], type, { dense });
          expect(fromBinary).toEqual(fromText);
          expect(Object.getPrototypeOf(fromBinary)).toBe(Object.getPrototypeOf(fromText));
        }
      }
    }
  });

  it('binary parameters keep the edge values: -0, subnormal, float32 max, float16 extremes', async () => {
    const cases: Array<[VectorType, Vector | HalfVector, string]> = [
      ['vector', new Vector([-0, 1e-45, 3.4028234663852886e38, -1.1754942e-38, 1e-7, 123456.5, 1e6]), 'vector(7)'],
      ['halfvec', new HalfVector([-0, 6e-8, 65504, -65504, 0.1]), 'halfvec(5)'],
    ];
    for (const [type, value, cast] of cases) {
      const [row] = await db().query<{ b: string; t: string }>(
        `SELECT $1::${cast}::text AS b, $2::${cast}::text AS t`,
        [vectorParamBinary(value, type), vectorParam(value, type)],
      );
      expect(row!.b).toBe(row!.t);
      expect(row!.b).toBe(value.toSql());
    }
  });

  it('vector text (the byte writer behind toSql) equals the server text for float32 values of every exponent', async () => {
    const rand = seededRandom(99);
    const bits = new Uint32Array(1);
    const f32 = new Float32Array(bits.buffer);
    const values: number[] = [];
    while (values.length < 16_000) {
      bits[0] = Math.floor(rand() * 2 ** 32);
      if (Number.isFinite(f32[0]!)) values.push(f32[0]!);
    }
    const v = new Vector(values);
    const [row] = await db().query<{ t: string; b: string }>('SELECT $1::vector::text AS t, $2::vector::text AS b', [
      v.toSql(),
      v.toBinary(),
    ]);
    expect(row!.b).toBe(v.toSql());
    expect(row!.t).toBe(v.toSql());
  });

  it('decodes bytea given as hex text, and refuses malformed hex with INVALID_BINARY', async () => {
    const [row] = await db().query<{ h: string }>(`SELECT encode(vector_send('[1.5,-2]'::vector), 'hex') AS h`);
    expect(decodeVectorColumn(`\\x${row!.h}`, 'vector', {})).toEqual([1.5, -2]);
    expect(() => decodeVectorColumn('\\x0g', 'vector', {})).toThrow(
      expect.objectContaining({ code: 'INVALID_BINARY' }),
    );
    expect(() => decodeVectorColumn('[1,2]', 'vector', {})).toThrow(
      expect.objectContaining({ code: 'INVALID_BINARY' }),
    );
    expect(() => convertStorageSql('t', 'c', { type: 'sparsevec', rewrite: 'update' })).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED' }),
    );
  });

  it('convertStorageSql moves vectors stored out of line (TOAST) back into the row', async () => {
    await db().query('CREATE TABLE fp_storage (id int PRIMARY KEY, embedding vector(768))');
    await db().query(
      // Random floats: incompressible, like real embeddings (MAIN may compress a value, EXTERNAL never does).
      `INSERT INTO fp_storage SELECT i, (SELECT array_agg(random()::real) FROM generate_series(1, 768) j WHERE i > 0)::vector
       FROM generate_series(1, 200) i`,
    );
    const before = await db().query<{ t: string }>('SELECT embedding::text AS t FROM fp_storage ORDER BY id');
    const chunks = async (): Promise<number> => {
      const [r] = await db().query<{ toast: string }>(
        `SELECT reltoastrelid::regclass::text AS toast FROM pg_class WHERE oid = 'fp_storage'::regclass`,
      );
      const [c] = await db().query<{ n: number }>(`SELECT count(*)::int AS n FROM ${r!.toast}`);
      return c!.n;
    };
    // Default storage (pgvector's types default to EXTERNAL): a 3 kB vector goes to TOAST, 2 chunks of ~2 kB.
    const [typ] = await db().query<{ s: string }>(`SELECT typstorage::text AS s FROM pg_type WHERE typname = 'vector'`);
    expect(typ!.s).toBe('e');
    expect(await chunks()).toBe(400);
    // UPDATE col = col is not enough: PostgreSQL keeps an unchanged out-of-line value where it is.
    await db().query('ALTER TABLE fp_storage ALTER COLUMN embedding SET STORAGE MAIN');
    await db().query('UPDATE fp_storage SET embedding = embedding');
    await db().query('VACUUM fp_storage');
    expect(await chunks()).toBe(400);
    const statements = convertStorageSql('fp_storage', 'embedding', { rewrite: 'update' });
    expect(statements).toEqual([
      'ALTER TABLE "fp_storage" ALTER COLUMN "embedding" SET STORAGE MAIN',
      'UPDATE "fp_storage" SET "embedding" = subvector("embedding", 1, vector_dims("embedding")) WHERE "embedding" IS NOT NULL',
      'VACUUM (ANALYZE) "fp_storage"',
    ]);
    for (const sql of statements) await db().query(sql);
    expect(await chunks()).toBe(0);
    const [attr] = await db().query<{ s: string }>(
      `SELECT attstorage::text AS s FROM pg_attribute WHERE attrelid = 'fp_storage'::regclass AND attname = 'embedding'`,
    );
    expect(attr!.s).toBe('m');
    // Same values after the rewrite.
    expect(await db().query<{ t: string }>('SELECT embedding::text AS t FROM fp_storage ORDER BY id')).toEqual(before);
    // VACUUM FULL also moves them back in line.
    await db().query('CREATE TABLE fp_storage2 (id int PRIMARY KEY, embedding vector(768))');
    await db().query('INSERT INTO fp_storage2 SELECT * FROM fp_storage');
    const toastPages = async (): Promise<number> => {
      const [r] = await db().query<{ n: number }>(
        `SELECT (pg_relation_size(reltoastrelid) / 8192)::int AS n FROM pg_class WHERE oid = 'fp_storage2'::regclass`,
      );
      return r!.n;
    };
    expect(await toastPages()).toBeGreaterThan(0);
    for (const sql of convertStorageSql('fp_storage2', 'embedding')) await db().query(sql);
    expect(await toastPages()).toBe(0);
    expect(await db().query<{ t: string }>('SELECT embedding::text AS t FROM fp_storage2 ORDER BY id')).toEqual(before);
  });
});
