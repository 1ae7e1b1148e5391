/**
 * Matrix smoke for vecpg/sequelize (server only: Sequelize has no PGlite dialect): queryInterface
 * migrations, VECTOR/SPARSEVEC model attributes, vectorSearch(), registerVectorTypes for raw queries.
 */
import { DataTypes, type Model, type ModelStatic, QueryTypes, Sequelize } from 'sequelize';
import type { SparseVector } from 'vecpg';
import {
  SPARSEVEC,
  VECTOR,
  addVectorIndex,
  createVectorExtension,
  requirePgvector,
  vectorSearch,
} from 'vecpg/sequelize';
import * as c from './check.ts';

interface ItemAttributes {
  id?: number;
  name: string;
  embedding: number[];
  features: SparseVector;
}

async function scenario(url: string | undefined): Promise<void> {
  if (!url) throw new Error('the Sequelize smoke needs DATABASE_URL (Sequelize has no PGlite dialect)');
  const sequelize = new Sequelize(url, { dialect: 'postgres', logging: false });
  try {
    const qi = sequelize.getQueryInterface();
    await qi.dropTable(c.TABLE);
    await createVectorExtension(qi);
    c.expectVersion((await requirePgvector(qi, 'sparsevec')).version);
    await qi.createTable(c.TABLE, {
      id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
      name: { type: DataTypes.TEXT, allowNull: false },
      embedding: { type: VECTOR(3), allowNull: false },
      features: { type: SPARSEVEC(10), allowNull: false },
    });
    await addVectorIndex(qi, { table: c.TABLE, column: 'embedding', type: 'vector', distance: 'l2' });
    const Item: ModelStatic<Model<ItemAttributes, ItemAttributes>> = sequelize.define(
      'Item',
      {
        name: { type: DataTypes.TEXT, allowNull: false },
        embedding: { type: VECTOR(3), allowNull: false },
        features: { type: SPARSEVEC(10), allowNull: false },
      },
      { tableName: c.TABLE, timestamps: false },
    );
    await Item.bulkCreate(c.ITEMS);
    for (const metric of c.METRICS) {
      const rows = await vectorSearch(Item, { column: 'embedding', query: c.QUERY, distance: metric, k: 4 });
      c.expectSearch(
        metric,
        rows.map((r) => ({ name: r.instance.get('name'), distance: r.distance })),
      );
    }
    const d = await Item.findOne({ where: { name: 'D' }, rejectOnEmpty: true });
    c.expectFeatures(d.get('features'));
    c.expectEmbedding(d.get('embedding'));
    const stored = await sequelize.query<{ text: string }>(c.STORED_TEXT_SQL, { type: QueryTypes.SELECT });
    c.expectStoredText(stored[0]?.text);
    const indexes = await sequelize.query<{ indexdef: string }>(c.INDEXES_SQL, { type: QueryTypes.SELECT });
    c.expectIndex(indexes.map((r) => r.indexdef));
  } finally {
    await sequelize.close();
  }
}

await c.main('sequelize', scenario);
