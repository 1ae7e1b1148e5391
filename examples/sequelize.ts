/**
 * "Adding pgvector to Django", step by step, with Sequelize 6 and vecpg (docs/sequelize.md shows this code).
 *
 *   DATABASE_URL=postgres://… npx tsx examples/sequelize.ts
 */
import { SparseVector } from 'vecpg';
import {
  BIT,
  SPARSEVEC,
  VECTOR,
  type SequelizeDistance,
  addVectorIndex,
  cosineDistance,
  createVectorExtension,
  dropVectorExtension,
  hammingDistance,
  jaccardDistance,
  l1Distance,
  l2Distance,
  maxInnerProduct,
  pgvectorInfo,
  removeVectorIndex,
  setVectorStorage,
  vectorSearch,
} from 'vecpg/sequelize';
import { DataTypes, type Model, type ModelStatic, type QueryInterface, QueryTypes, Sequelize } from 'sequelize';

// Step 1: turn on the extension in a migration (sequelize-cli / umzug style), reversible:
export const enableVector = {
  async up(queryInterface: QueryInterface) {
    await createVectorExtension(queryInterface); // CREATE EXTENSION IF NOT EXISTS vector
  },
  async down(queryInterface: QueryInterface) {
    await dropVectorExtension(queryInterface); // DROP EXTENSION IF EXISTS vector
  },
};

// Steps 2 and 3: the tables, in a migration. VECTOR(4) is Django's VectorField(dimensions=4),
// SPARSEVEC(10000) its SparseVectorField(dimensions=10000).
export const createTables = {
  async up(queryInterface: QueryInterface) {
    await queryInterface.createTable('documents', {
      id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
      title: { type: DataTypes.STRING(255), allowNull: false },
      embedding: { type: VECTOR(4), allowNull: false },
      bits: { type: BIT(8) }, // binary data, for Hamming and Jaccard
    });
    await queryInterface.createTable('science_data', {
      id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
      name: { type: DataTypes.STRING(100), allowNull: false },
      features: { type: SPARSEVEC(10000), allowNull: false },
    });
    await setVectorStorage(queryInterface, 'documents', 'embedding'); // STORAGE MAIN: vectors stay in the row
    await setVectorStorage(queryInterface, 'science_data', 'features');
    await addVectorIndex(queryInterface, {
      table: 'science_data', column: 'features', type: 'sparsevec', distance: 'cosine', method: 'hnsw', m: 16, efConstruction: 64,
    }); // CREATE INDEX IF NOT EXISTS "science_data_features_hnsw_cosine_idx" … USING hnsw ("features" sparsevec_cosine_ops)
  },
  async down(queryInterface: QueryInterface) {
    await removeVectorIndex(queryInterface, 'science_data_features_hnsw_cosine_idx');
    await queryInterface.dropTable('science_data');
    await queryInterface.dropTable('documents');
  },
};

// The models, with the same data types.
export interface DocumentAttributes {
  id?: number;
  title: string;
  embedding: number[];
  bits?: string | null;
}
export interface ScienceDataAttributes {
  id?: number;
  name: string;
  features: SparseVector;
}

export function defineModels(sequelize: Sequelize) {
  const Document: ModelStatic<Model<DocumentAttributes, DocumentAttributes>> = sequelize.define(
    'Document',
    {
      title: { type: DataTypes.STRING(255), allowNull: false },
      embedding: { type: VECTOR(4), allowNull: false },
      bits: { type: BIT(8) },
    },
    { tableName: 'documents', timestamps: false },
  );
  const ScienceData: ModelStatic<Model<ScienceDataAttributes, ScienceDataAttributes>> = sequelize.define(
    'ScienceData',
    {
      name: { type: DataTypes.STRING(100), allowNull: false },
      features: { type: SPARSEVEC(10000), allowNull: false },
    },
    { tableName: 'science_data', timestamps: false },
  );
  return { Document, ScienceData };
}

/** Steps 4 to 8 of the walkthrough; returns what it found so the test can check it. */
export async function walkthrough(sequelize: Sequelize) {
  const { Document, ScienceData } = defineModels(sequelize);

  // Step 4: save data. A plain array for dense vectors…
  await Document.create({ title: 'My First Doc', embedding: [0.5, 0.2, 0.9, 0.3], bits: '10110000' });
  await Document.create({ title: 'Second Doc', embedding: [0.4, 0.3, 0.8, 0.2], bits: '10100011' });
  // …and a SparseVector (0-based positions, total dimensions) for sparse ones.
  await ScienceData.create({ name: 'Sample A', features: new SparseVector({ 0: 5.5, 42: 1.2 }, 10000) });
  await ScienceData.create({ name: 'Sample B', features: new SparseVector({ 0: 1, 9999: 1 }, 10000) });
  await ScienceData.create({ name: 'Sample C', features: new SparseVector({ 42: 3 }, 10000) });

  // Step 5: querying, the same way for dense and sparse vectors.
  const target = new SparseVector({ 0: 5.1, 42: 1.0 }, 10000);
  const distance = cosineDistance('features', target);

  // 1. Just ordering (d.exact keeps the top-k exact even if an index exists).
  const orderedItems = await ScienceData.findAll({ order: [[distance.exact, 'ASC']], limit: 10, bind: distance.bind });

  // 2. Just annotating: the distance is an extra attribute, `item.get('distance')`.
  const annotatedItems = await ScienceData.findAll({
    attributes: { include: [[distance.literal, 'distance']] },
    bind: distance.bind,
  });

  // 3. Annotate, filter and order.
  const similarItems = await ScienceData.findAll({
    attributes: { include: [[distance.literal, 'distance']] },
    where: distance.below(0.2),
    order: [[distance.exact, 'ASC']],
    bind: distance.bind,
  });

  // Step 6: the other distances. Bit columns take hammingDistance / jaccardDistance.
  const nearestDocuments = (d: SequelizeDistance) =>
    Document.findAll({ attributes: ['title', [d.literal, 'distance']], order: [[d.exact, 'ASC']], bind: d.bind });
  const query = [0.5, 0.2, 0.9, 0.3];
  const others = {
    l2: await nearestDocuments(l2Distance('embedding', query)),
    maxInnerProduct: await nearestDocuments(maxInnerProduct('embedding', query)),
    l1: await nearestDocuments(l1Distance('embedding', query)),
    hamming: await nearestDocuments(hammingDistance('bits', '10100000')),
    jaccard: await nearestDocuments(jaccardDistance('bits', '10100000')),
  };

  // Step 7: exact by default, with or without an index; approximate only when asked.
  const exact = await vectorSearch(ScienceData, { column: 'features', query: target, distance: 'cosine', k: 2 });
  const approximate = await vectorSearch(ScienceData, {
    column: 'features', query: target, distance: 'cosine', k: 2, approximate: { efSearch: 100 },
  });

  // Step 8: 0-based in TypeScript, 1-based in the database's text.
  const [stored] = await sequelize.query<{ text: string }>(
    `SELECT features::text AS text FROM science_data WHERE name = 'Sample A'`,
    { type: QueryTypes.SELECT },
  );
  const info = await pgvectorInfo(sequelize);

  return { orderedItems, annotatedItems, similarItems, others, exact, approximate, stored, info };
}

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('set DATABASE_URL to a PostgreSQL server with pgvector');
  const sequelize = new Sequelize(url, { dialect: 'postgres', logging: false });
  const queryInterface = sequelize.getQueryInterface();
  try {
    await enableVector.up(queryInterface);
    await createTables.up(queryInterface);
    const r = await walkthrough(sequelize);
    console.log(`pgvector ${r.info.version}`);
    console.log('ordered:', r.orderedItems.map((x) => x.get('name')));
    console.log('annotated:', r.annotatedItems.map((x) => `${x.get('name')} ${Number(x.get('distance')).toFixed(4)}`));
    console.log('similar (< 0.2):', r.similarItems.map((x) => x.get('name')));
    console.log('stored as:', r.stored?.text);
    await createTables.down(queryInterface);
  } finally {
    await sequelize.close();
  }
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) await main();
