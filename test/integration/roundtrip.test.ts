/**
 * Every pgvector type through every driver: text parameters in, parsed rows out; our `toSql()`
 * against the server's own `::text`, our `toBinary()` against the server's send functions, and the
 * server's binary decoded with `fromBinary`.
 */
import { expect, it } from 'vitest';
import { Bit, HalfVector, SparseVector, Vector, formatFloat32 } from 'vecpg';
import { describeEachTarget } from '../support/db.ts';
import { bytesOf, randomArray, seededRandom } from '../support/random.ts';

describeEachTarget('round trips', (db) => {
  it('vector: 3 and 16,000 dimensions, text and binary agree with the server', async () => {
    await db().query('CREATE TABLE rt_vector (id int PRIMARY KEY, v vector)');
    const rand = seededRandom(1);
    const inputs = [[0.5, 0.2, 0.9, 0.3], [0.1, -2.5e-7, 3.4028234e38, 1e-38], randomArray(rand, 16_000, 100)];
    for (const [i, values] of inputs.entries()) {
      await db().query('INSERT INTO rt_vector VALUES ($1, $2)', [i, new Vector(values)]);
    }
    const rows = await db().query<{ id: number; v: number[]; t: string; b: Uint8Array }>(
      'SELECT id, v, v::text AS t, vector_send(v) AS b FROM rt_vector ORDER BY id',
    );
    expect(rows).toHaveLength(3);
    for (const [i, values] of inputs.entries()) {
      const row = rows[i]!;
      const expected = new Vector(values);
      // What comes back is the stored float32, e.g. 0.1 → Math.fround(0.1).
      expect(row.v).toEqual(values.map(Math.fround));
      expect(expected.toSql()).toBe(row.t);
      expect(Vector.fromSql(row.t).equals(expected)).toBe(true);
      expect(bytesOf(row.b)).toEqual(Array.from(expected.toBinary()));
      expect(Vector.fromBinary(row.b).toArray()).toEqual(row.v);
    }
    expect(rows[2]!.v).toHaveLength(16_000);
  });

  it('halfvec: values come back rounded to float16, as HalfVector rounds them', async () => {
    await db().query('CREATE TABLE rt_halfvec (id int PRIMARY KEY, h halfvec)');
    const rand = seededRandom(2);
    const inputs = [[0.1], [1, -2, 65504, 6e-8, 0.333], randomArray(rand, 4000, 1000)];
    for (const [i, values] of inputs.entries()) {
      await db().query('INSERT INTO rt_halfvec VALUES ($1, $2)', [i, new HalfVector(values)]);
    }
    // Also as plain text, rounded by the server itself.
    await db().query('INSERT INTO rt_halfvec VALUES (99, $1)', ['[0.1]']);
    const rows = await db().query<{ id: number; h: number[]; t: string; b: Uint8Array }>(
      'SELECT id, h, h::text AS t, halfvec_send(h) AS b FROM rt_halfvec ORDER BY id',
    );
    // 0.1 in binary16: 0x2e66 = 1638 / 16384.
    expect(rows[0]!.h).toEqual([1638 / 16384]);
    expect(rows[3]!.h).toEqual([1638 / 16384]);
    expect(rows[0]!.h).toEqual(new HalfVector([0.1]).toArray());
    for (const [i, values] of inputs.entries()) {
      const row = rows[i]!;
      const expected = new HalfVector(values);
      expect(row.h).toEqual(expected.toArray());
      expect(expected.toSql()).toBe(row.t);
      expect(bytesOf(row.b)).toEqual(Array.from(expected.toBinary()));
      expect(HalfVector.fromBinary(row.b).toArray()).toEqual(row.h);
    }
  });

  it('sparsevec: empty, 1e9 dimensions, and the seed value with its 1-based text', async () => {
    await db().query('CREATE TABLE rt_sparse (id int PRIMARY KEY, s sparsevec)');
    const inputs = [
      new SparseVector({}, 5),
      new SparseVector({ 0: 5.5, 42: 1.2 }, 10000),
      new SparseVector({ 999_999_999: 1.5, 0: -2 }, 1_000_000_000),
      new SparseVector({ 0: 1, 2: 2, 4: 3 }, 5),
    ];
    for (const [i, s] of inputs.entries()) await db().query('INSERT INTO rt_sparse VALUES ($1, $2)', [i, s]);
    const rows = await db().query<{ id: number; s: SparseVector; t: string; b: Uint8Array }>(
      'SELECT id, s, s::text AS t, sparsevec_send(s) AS b FROM rt_sparse ORDER BY id',
    );
    expect(rows.map((r) => r.t)).toEqual([
      '{}/5',
      '{1:5.5,43:1.2}/10000',
      '{1:-2,1000000000:1.5}/1000000000',
      '{1:1,3:2,5:3}/5',
    ]);
    for (const [i, expected] of inputs.entries()) {
      const row = rows[i]!;
      expect(row.s).toBeInstanceOf(SparseVector);
      expect(row.s.equals(expected)).toBe(true);
      expect(expected.toSql()).toBe(row.t);
      expect(bytesOf(row.b)).toEqual(Array.from(expected.toBinary()));
      expect(SparseVector.fromBinary(row.b).equals(expected)).toBe(true);
    }
    expect(rows[1]!.s.indices).toEqual([0, 42]);
    expect(rows[1]!.s.values).toEqual([Math.fround(5.5), Math.fround(1.2)]);
    expect(rows[2]!.s.dimensions).toBe(1_000_000_000);
  });

  it('bit: bit(24) from bytes fe 07 00, as a string by default', async () => {
    await db().query('CREATE TABLE rt_bit (id int PRIMARY KEY, b bit(24), vb varbit)');
    const bit = Bit.fromBytes(new Uint8Array([0xfe, 0x07, 0x00]), 24);
    await db().query('INSERT INTO rt_bit VALUES (1, $1, $2)', [bit, new Bit('10110')]);
    const [row] = await db().query<{ b: string; vb: string; t: string; s: Uint8Array; vs: Uint8Array }>(
      'SELECT b, vb, b::text AS t, varbit_send(b) AS s, varbit_send(vb) AS vs FROM rt_bit',
    );
    expect(row!.b).toBe('111111100000011100000000');
    expect(row!.t).toBe(bit.toSql());
    expect(row!.vb).toBe('10110');
    expect(bytesOf(row!.s)).toEqual([0, 0, 0, 24, 0xfe, 0x07, 0x00]);
    expect(bytesOf(row!.s)).toEqual(Array.from(bit.toBinary()));
    expect(Bit.fromBinary(row!.s).equals(bit)).toBe(true);
    expect(Bit.fromBinary(row!.vs).toString()).toBe('10110');
  });

  it('NULL comes back as null for every type', async () => {
    const [row] = await db().query(
      'SELECT NULL::vector AS v, NULL::halfvec AS h, NULL::sparsevec AS s, NULL::bit(3) AS b, $1::vector AS p',
      [null],
    );
    expect(row).toEqual({ v: null, h: null, s: null, b: null, p: null });
  });

  it('arrays of vectors parse element by element (NULLs, 2-D, sparse)', async () => {
    const [row] = await db().query<{ a: unknown; m: unknown; s: (SparseVector | null)[]; h: unknown }>(
      `SELECT ARRAY['[1,2]'::vector, NULL, '[0.1,3]'] AS a, ARRAY[['[1]', '[2]'], ['[3]', '[4]']]::vector[] AS m,
        ARRAY['{1:1}/3'::sparsevec, NULL] AS s, ARRAY['[0.1]'::halfvec] AS h`,
    );
    expect(row!.a).toEqual([[1, 2], null, [Math.fround(0.1), 3]]);
    expect(row!.m).toEqual([
      [[1], [2]],
      [[3], [4]],
    ]);
    expect(row!.s).toHaveLength(2);
    expect(row!.s[0]!.toSql()).toBe('{1:1}/3');
    expect(row!.s[1]).toBeNull();
    expect(row!.h).toEqual([[1638 / 16384]]);
  });

  it("float32 text is the server's float4out, including ties and rounding boundaries", async () => {
    const rand = seededRandom(3);
    const values: number[] = [5.73828125, 95617024, 0.1, 1e-45, 3.4028235e38, 16777217, 1e6, 123456.7];
    for (let i = 0; i < 3000; i++) {
      const e = Math.floor(rand() * 80) - 40;
      values.push((rand() < 0.5 ? -1 : 1) * (Math.floor(rand() * 4096) + 1) * 2 ** e); // few mantissa bits: exact ties
      values.push(Math.fround((rand() * 2 - 1) * 10 ** (Math.floor(rand() * 60) - 30)));
    }
    const rows = await db().query<{ t: string }>(
      'SELECT x::float4::text AS t FROM unnest($1::float8[]) WITH ORDINALITY AS u(x, i) ORDER BY i',
      [values.map(Math.fround)],
    );
    const mismatches = rows.filter((r, i) => r.t !== formatFloat32(values[i]!)).length;
    expect(rows).toHaveLength(values.length);
    expect(mismatches).toBe(0);
  });

  it("Vector#toSql is the server's vector_out for every kind of float32 (random bit patterns, ties, edges)", async () => {
    // The values reach the server as float8[] (exact for a float32), not through the text under test.
    const rand = seededRandom(5);
    const f32 = new Float32Array(1);
    const u32 = new Uint32Array(f32.buffer);
    const fromBits = (bits: number) => {
      u32[0] = bits;
      return f32[0]!;
    };
    const values: number[] = [];
    // 1e-4, 1e6 and the powers of ten and two between them, with their neighbours: the edges of the
    // fixed-notation fast path, asymmetric intervals, and shortest forms that change length.
    const edges = [1e-4, 1e6, 2 ** -13, 2 ** 19, 0.001, 0.01, 0.1, 1, 10, 100, 1000, 10000, 100000, 0.5, 2 ** 10];
    for (const e of edges) {
      f32[0] = e;
      const bits = u32[0]!;
      for (let d = -3; d <= 3; d++) values.push(fromBits(bits + d), -fromBits(bits + d));
    }
    for (let i = 0; i < 6000; i++) {
      // any finite bit pattern, and one whose exponent is in the fixed-notation range [1e-4, 1e6)
      const any = fromBits((rand() * 2 ** 32) >>> 0);
      if (Number.isFinite(any)) values.push(any);
      const sign = rand() < 0.5 ? 2 ** 31 : 0;
      values.push(fromBits(sign + (113 << 23) + Math.floor(rand() * (37 << 23)))); // biased exponents 113..149
      // few mantissa bits: exact ties between two shortest candidates
      values.push(Math.fround((Math.floor(rand() * 4096) + 1) * 2 ** (Math.floor(rand() * 34) - 24)));
    }
    const got: string[] = [];
    const ours: string[] = [];
    for (let start = 0; start < values.length; start += 8000) {
      const chunk = values.slice(start, start + 8000);
      const [row] = await db().query<{ t: string }>('SELECT $1::float8[]::vector::text AS t', [chunk]);
      got.push(row!.t);
      ours.push(new Vector(chunk).toSql());
    }
    const theirs = got.flatMap((t) => t.slice(1, -1).split(','));
    const mine = ours.flatMap((t) => t.slice(1, -1).split(','));
    expect(theirs).toHaveLength(values.length);
    const mismatches = mine.filter((t, i) => t !== theirs[i]).length;
    expect(mismatches).toBe(0);
    expect(ours).toEqual(got);
  });

  it("the Django walkthrough's inserts round-trip", async () => {
    await db().query('CREATE TABLE document (id bigserial PRIMARY KEY, title varchar(255), embedding vector(4))');
    await db().query(
      'CREATE TABLE science_data (id bigserial PRIMARY KEY, name varchar(100), features sparsevec(10000))',
    );
    await db().query('INSERT INTO document (title, embedding) VALUES ($1, $2)', [
      'My First Doc',
      new Vector([0.5, 0.2, 0.9, 0.3]),
    ]);
    await db().query('INSERT INTO science_data (name, features) VALUES ($1, $2)', [
      'Sample A',
      new SparseVector({ 0: 5.5, 42: 1.2 }, 10000),
    ]);
    const [doc] = await db().query<{ title: string; embedding: number[]; t: string }>(
      'SELECT title, embedding, embedding::text AS t FROM document',
    );
    expect(doc).toEqual({
      title: 'My First Doc',
      embedding: [0.5, 0.2, 0.9, 0.3].map(Math.fround),
      t: '[0.5,0.2,0.9,0.3]',
    });
    const [sci] = await db().query<{ name: string; features: SparseVector; t: string }>(
      'SELECT name, features, features::text AS t FROM science_data',
    );
    expect(sci!.t).toBe('{1:5.5,43:1.2}/10000');
    expect(sci!.features.toObject()).toEqual({ 0: 5.5, 42: Math.fround(1.2) });
    expect(sci!.features.dimensions).toBe(10000);
    // The Django walkthrough's 0- vs 1-based example: {0:1,2:2,4:3}/5 is stored as '{1:1,3:2,5:3}/5'.
    const [ex] = await db().query<{ t: string }>('SELECT $1::sparsevec::text AS t', [
      new SparseVector({ 0: 1, 2: 2, 4: 3 }, 5),
    ]);
    expect(ex!.t).toBe('{1:1,3:2,5:3}/5');
  });
});
