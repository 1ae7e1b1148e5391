/**
 * The binary COPY encoder writes exactly the bytes PostgreSQL itself writes for the same values:
 * compare against the server's own `COPY (SELECT …) TO … (FORMAT binary)`.
 */
import { expect, it } from 'vitest';
import type { PGlite } from '@electric-sql/pglite';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { Bit, HalfVector, SparseVector, Vector } from 'vecpg';
import { COPY_HEADER, COPY_TRAILER, CopyEncoder, type CopyType } from 'vecpg/load';
import { describeEachTarget } from '../support/db.ts';

const CASES: [CopyType, string, unknown][] = [
  ['vector', "'[1,-2.5,3e-8]'::vector", new Vector([1, -2.5, 3e-8])],
  ['halfvec', "'[1,0.1,-65504]'::halfvec", new HalfVector([1, 0.1, -65504])],
  ['sparsevec', "'{1:1.5,3:2,5:3}/6'::sparsevec", SparseVector.fromIndices([0, 2, 4], [1.5, 2, 3], 6)],
  ['bit', "B'111111100000011100000000'", Bit.fromBytes(new Uint8Array([0xfe, 0x07, 0x00]))],
  ['text', '\'héllo, "world"\'::text', 'héllo, "world"'],
  ['int2', '(-12)::int2', -12],
  ['int4', '2147483647::int4', 2147483647],
  ['int8', '(-9007199254740993)::int8', -9007199254740993n],
  ['float4', '0.1::float4', 0.1],
  ['float8', '(-1e300)::float8', -1e300],
  ['bool', 'true', true],
  // jsonb's output adds spaces after ':' and ','; a scalar has none to add
  ['jsonb', `'"héllo"'::jsonb`, 'héllo'],
  ['jsonb', `'-1.5'::jsonb`, -1.5],
  ['json', `'{"a":[1,2]}'::json`, { a: [1, 2] }],
  ['uuid', "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid", 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'],
  ['bytea', "'\\x00ff10'::bytea", new Uint8Array([0, 255, 16])],
  ['int4', 'NULL::int4', null],
];

describeEachTarget('binary COPY encoder', (db, target) => {
  async function serverCopy(select: string): Promise<Buffer> {
    if (target === 'pglite') {
      const result = await (db().raw as PGlite).query(`COPY (${select}) TO '/dev/blob' WITH (FORMAT binary)`);
      return Buffer.from(await result.blob!.arrayBuffer());
    }
    const client = await (db().raw as pg.Pool).connect();
    try {
      const parts: Buffer[] = [];
      for await (const chunk of client.query(copyTo(`COPY (${select}) TO STDOUT WITH (FORMAT binary)`)))
        parts.push(chunk as Buffer);
      return Buffer.concat(parts);
    } finally {
      client.release();
    }
  }

  it.each(CASES)('%s %s', async (type, sql, value) => {
    const encoder = new CopyEncoder([type]);
    encoder.addRow([value]);
    const ours = Buffer.concat([COPY_HEADER, encoder.take(), COPY_TRAILER]);
    expect(ours.toString('hex')).toBe((await serverCopy(`SELECT ${sql}`)).toString('hex'));
  });

  it('a whole multi-column row, and a bad value leaves no partial tuple behind', async () => {
    const encoder = new CopyEncoder(['int4', 'text', 'vector']);
    encoder.addRow([1, 'a', new Vector([1, 2])]);
    expect(() => encoder.addRow([2, 'b', 'not a vector'])).toThrow(/column 3/);
    expect(() => encoder.addRow(['x', 'b', new Vector([1, 2])])).toThrow(/not a valid int4/);
    encoder.addRow([3, null, new Vector([3, 4])]);
    const ours = Buffer.concat([COPY_HEADER, encoder.take(), COPY_TRAILER]);
    const server = await serverCopy("VALUES (1, 'a', '[1,2]'::vector), (3, NULL, '[3,4]'::vector)");
    expect(ours.toString('hex')).toBe(server.toString('hex'));
  });
});
