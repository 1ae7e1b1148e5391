/** Matrix smoke for vecpg/typeorm: registerVectorTypes, EntitySchema columns, synchronize, vectorSearch(). */
import 'reflect-metadata';
import { DataSource, type DataSourceOptions, EntitySchema, type EntitySchemaColumnOptions } from 'typeorm';
import type { SparseVector } from 'vecpg';
import {
  createVectorExtension,
  createVectorIndex,
  pgliteOptions,
  pgvectorInfo,
  registerVectorTypes,
  vectorColumnOptions,
  vectorSearch,
} from 'vecpg/typeorm';
import * as c from './check.ts';

interface Item {
  id: number;
  name: string;
  embedding: number[];
  features: SparseVector;
}

const ItemSchema = new EntitySchema<Item>({
  name: 'Item',
  tableName: c.TABLE,
  columns: {
    id: { type: Number, primary: true, generated: true },
    name: { type: 'text' },
    embedding: vectorColumnOptions('vector', 3) as EntitySchemaColumnOptions,
    features: vectorColumnOptions('sparsevec', 10) as EntitySchemaColumnOptions,
  },
});

async function scenario(url: string | undefined): Promise<void> {
  let connection: DataSourceOptions;
  let closePglite = async (): Promise<void> => {};
  if (url) {
    connection = { type: 'postgres', url };
  } else {
    const { openPglite } = await import('vecpg/pglite');
    const { pglite } = await openPglite();
    connection = pgliteOptions(pglite);
    closePglite = () => pglite.close();
  }
  const dataSource = registerVectorTypes(new DataSource({ ...connection, entities: [ItemSchema] }));
  await dataSource.initialize();
  try {
    await dataSource.query(`DROP TABLE IF EXISTS ${c.TABLE}`);
    await createVectorExtension(dataSource);
    c.expectVersion((await pgvectorInfo(dataSource)).version);
    await dataSource.synchronize();
    // TypeORM reads the dimensions back: a second synchronize has nothing to change.
    const pending = await dataSource.driver.createSchemaBuilder().log();
    if (pending.upQueries.length > 0)
      throw new Error(`synchronize is not idempotent: ${pending.upQueries.map((q) => q.query).join('; ')}`);
    const items = dataSource.getRepository(ItemSchema);
    await items.save(c.ITEMS.map((item) => ({ ...item })));
    for (const metric of c.METRICS) {
      const rows = await vectorSearch(items, { column: 'embedding', query: c.QUERY, distance: metric, k: 4 });
      c.expectSearch(
        metric,
        rows.map((r) => ({ name: r.entity.name, distance: r.distance })),
      );
    }
    const d = await items.findOneByOrFail({ name: 'D' });
    c.expectFeatures(d.features);
    c.expectEmbedding(d.embedding);
    c.expectStoredText(((await dataSource.query(c.STORED_TEXT_SQL)) as Array<{ text: string }>)[0]?.text);
    await createVectorIndex(dataSource, { table: c.TABLE, column: 'embedding', type: 'vector', distance: 'l2' });
    c.expectIndex(((await dataSource.query(c.INDEXES_SQL)) as Array<{ indexdef: string }>).map((r) => r.indexdef));
  } finally {
    await dataSource.destroy();
    await closePglite();
  }
}

await c.main('typeorm', scenario);
