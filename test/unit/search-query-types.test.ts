/**
 * The query vector is `VectorInput` in the core `search()` and in every integration's search helper:
 * `query: 42` must not type-check anywhere (the `@ts-expect-error` lines fail `npm run typecheck` if
 * it ever does again), and the option's type is exactly `VectorInput`.
 */
import type { Model } from 'sequelize';
import { describe, expectTypeOf, it } from 'vitest';
import type { SearchOptions, VectorInput } from 'vecpg';
import type { VectorSearchOptions as DrizzleSearchOptions } from 'vecpg/drizzle';
import type { VectorSearchOptions as KnexSearchOptions } from 'vecpg/knex';
import type { VectorSearchOptions as KyselySearchOptions } from 'vecpg/kysely';
import type { VectorSearchOptions as MikroSearchOptions } from 'vecpg/mikro-orm';
import type { VectorSearchOptions as SequelizeSearchOptions } from 'vecpg/sequelize';
import type { VectorSearchOptions as TypeormSearchOptions } from 'vecpg/typeorm';
import type { PgTable } from 'drizzle-orm/pg-core';

describe('the query vector is typed VectorInput', () => {
  it('in the core search() and every ORM search helper', () => {
    expectTypeOf<SearchOptions['query']>().toEqualTypeOf<VectorInput | undefined>(); // or likeId
    expectTypeOf<DrizzleSearchOptions<PgTable>['query']>().toEqualTypeOf<VectorInput | undefined>();
    expectTypeOf<KyselySearchOptions<{ items: { embedding: string } }, 'items'>['query']>().toEqualTypeOf<
      VectorInput | undefined
    >();
    expectTypeOf<KnexSearchOptions['query']>().toEqualTypeOf<VectorInput | undefined>();
    expectTypeOf<MikroSearchOptions<object>['query']>().toEqualTypeOf<VectorInput | undefined>();
    expectTypeOf<SequelizeSearchOptions<Model>['query']>().toEqualTypeOf<VectorInput | undefined>();
    expectTypeOf<TypeormSearchOptions<object>['query']>().toEqualTypeOf<VectorInput | undefined>();
  });

  it('rejects query: 42', () => {
    const base = { table: 'items', column: 'embedding', distance: 'cosine' } as const;
    // @ts-expect-error a number is not a query vector
    const core: SearchOptions = { ...base, query: 42 };
    // @ts-expect-error a number is not a query vector
    const knex: KnexSearchOptions = { ...base, query: 42 };
    // @ts-expect-error a number is not a query vector
    const mikro: MikroSearchOptions<object> = { column: 'embedding', distance: 'cosine', query: 42 };
    // @ts-expect-error a number is not a query vector
    const sequelize: SequelizeSearchOptions<Model> = { column: 'embedding', distance: 'cosine', query: 42 };
    // @ts-expect-error a number is not a query vector
    const typeorm: TypeormSearchOptions<object> = { column: 'embedding', distance: 'cosine', query: 42 };
    const good: SearchOptions = { ...base, query: [1, 2, 3] };
    expectTypeOf(good.query).toEqualTypeOf<VectorInput | undefined>();
    expectTypeOf([core, knex, mikro, sequelize, typeorm]).not.toBeAny();
  });
});
