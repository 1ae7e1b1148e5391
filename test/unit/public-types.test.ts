/**
 * The public generic types, checked by the compiler: `npm run typecheck` covers this file, so a type that
 * drifts (a row losing `distance`, a sparse column selecting a string, a certified result without its
 * certificate) fails CI even though nothing here runs a query. The runtime halves of these promises are
 * tested against the databases elsewhere (search, drizzle, kysely and hybrid-search tests).
 */
import { pgTable, serial, text } from 'drizzle-orm/pg-core';
import type { Insertable, Selectable, Updateable } from 'kysely';
import { describe, expectTypeOf, it } from 'vitest';
import {
  type Bit,
  type Certificate,
  type HalfVector,
  type HybridRows,
  type SparseVector,
  type Vector,
  type VecpgDb,
  type VectorInput,
  hybridSearch,
  rerankSearch,
  search,
} from 'vecpg';
import { type VectorSearchRow, bit, halfvec, sparsevec, vector } from 'vecpg/drizzle';
import type { BitColumn, HalfvecColumn, SparsevecColumn, VectorColumn } from 'vecpg/kysely';

declare const db: VecpgDb;
const query: VectorInput = [1, 2, 3];

describe('core search results', () => {
  it('search() rows are the caller’s row type plus a numeric distance', () => {
    const rows = () =>
      search<{ id: number; title: string }>(db, { table: 'items', column: 'e', query, distance: 'l2' });
    expectTypeOf(rows).returns.resolves.items.toEqualTypeOf<{ id: number; title: string } & { distance: number }>();
  });

  it('certified search carries its certificate; a plain exact search does not claim one', () => {
    const certified = () =>
      search<{ id: number }>(db, { table: 'items', column: 'e', query, distance: 'l2', exact: 'certified' });
    expectTypeOf(certified).returns.resolves.toHaveProperty('certificate').toEqualTypeOf<Certificate>();
    const plain = () => search(db, { table: 'items', column: 'e', query, distance: 'l2' });
    expectTypeOf(plain).returns.resolves.not.toHaveProperty('certificate');
  });

  it('hybrid rows add the fused score and both ranks (null when that side missed), plus the note', () => {
    const hybrid = () =>
      hybridSearch<{ id: number }>(db, {
        table: 'docs',
        column: 'e',
        query,
        distance: 'cosine',
        text: 'cats',
        textColumn: 'body',
      });
    type Rows = Awaited<ReturnType<typeof hybrid>>;
    expectTypeOf(hybrid).returns.resolves.toEqualTypeOf<HybridRows<{ id: number }>>();
    expectTypeOf<Rows[number]['score']>().toEqualTypeOf<number>();
    expectTypeOf<Rows[number]['vectorRank']>().toEqualTypeOf<number | null>();
    expectTypeOf<Rows[number]['textRank']>().toEqualTypeOf<number | null>();
    expectTypeOf<Rows[number]['id']>().toEqualTypeOf<number>();
    expectTypeOf<Rows['note']>().toEqualTypeOf<string | undefined>();
  });

  it('two-stage rows are the row type plus distance', () => {
    const rerank = () =>
      rerankSearch<{ id: number }>(db, {
        table: 'items',
        column: 'e',
        query,
        distance: 'l2',
        rerank: { using: 'binary' },
      });
    expectTypeOf(rerank).returns.resolves.items.toEqualTypeOf<{ id: number } & { distance: number }>();
  });

  it('a query vector is any of the value types, an array or a typed array — never a number', () => {
    expectTypeOf<Vector>().toMatchTypeOf<VectorInput>();
    expectTypeOf<HalfVector>().toMatchTypeOf<VectorInput>();
    expectTypeOf<SparseVector>().toMatchTypeOf<VectorInput>();
    expectTypeOf<Bit>().toMatchTypeOf<VectorInput>();
    expectTypeOf<number[]>().toMatchTypeOf<VectorInput>();
    expectTypeOf<Float32Array>().toMatchTypeOf<VectorInput>();
    expectTypeOf<number>().not.toMatchTypeOf<VectorInput>();
  });
});

describe('Drizzle columns', () => {
  const items = pgTable('items', {
    id: serial('id').primaryKey(),
    title: text('title').notNull(),
    embedding: vector('embedding', { dimensions: 3 }).notNull(),
    half: halfvec('half', { dimensions: 3 }),
    features: sparsevec('features', { dimensions: 10000 }),
    hash: bit('hash', { dimensions: 8 }),
  });

  it('select dense columns as number[], sparse as SparseVector, bit as a 0/1 string; nullable unless notNull', () => {
    type Item = typeof items.$inferSelect;
    expectTypeOf(items.embedding.dataType).toBeString();
    expectTypeOf<Item['embedding']>().toEqualTypeOf<number[]>();
    expectTypeOf<Item['half']>().toEqualTypeOf<number[] | null>();
    expectTypeOf<Item['features']>().toEqualTypeOf<SparseVector | null>();
    expectTypeOf<Item['hash']>().toEqualTypeOf<string | null>();
  });

  it('vectorSearch rows are the table’s select type plus distance', () => {
    expectTypeOf<VectorSearchRow<typeof items>>().toEqualTypeOf<typeof items.$inferSelect & { distance: number }>();
    expectTypeOf<VectorSearchRow<typeof items>['embedding']>().toEqualTypeOf<number[]>();
  });
});

describe('Kysely columns', () => {
  interface Items {
    embedding: VectorColumn;
    half: HalfvecColumn<null>;
    features: SparsevecColumn;
    hash: BitColumn;
  }

  it('select what the driver plugin returns', () => {
    expectTypeOf<Selectable<Items>>().toEqualTypeOf<{
      embedding: number[];
      half: number[] | null;
      features: SparseVector;
      hash: string;
    }>();
  });

  it('insert and update accept the value types and plain arrays, but not a string for a dense column', () => {
    expectTypeOf<Vector>().toMatchTypeOf<Insertable<Items>['embedding']>();
    expectTypeOf<Float32Array>().toMatchTypeOf<Insertable<Items>['embedding']>();
    expectTypeOf<number[]>().toMatchTypeOf<Insertable<Items>['embedding']>();
    expectTypeOf<string>().not.toMatchTypeOf<Insertable<Items>['embedding']>();
    expectTypeOf<SparseVector>().toMatchTypeOf<Insertable<Items>['features']>();
    expectTypeOf<null>().toMatchTypeOf<Updateable<Items>['half']>();
    expectTypeOf<null>().not.toMatchTypeOf<Insertable<Items>['embedding']>();
  });
});
