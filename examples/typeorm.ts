/**
 * "Adding pgvector to Django", step by step, with TypeORM and vecpg (docs/typeorm.md shows this code).
 *
 *   DATABASE_URL=postgres://… npx tsx examples/typeorm.ts   # a server with pgvector
 *   npx tsx examples/typeorm.ts                             # embedded PGlite, nothing to set up
 */
import 'reflect-metadata';
import { SparseVector } from 'vecpg';
import {
  BitColumn,
  type DistanceExpression,
  SparsevecColumn,
  VectorColumn,
  VectorExtension,
  VectorIndex,
  cosineDistance,
  createVectorExtension,
  dropVectorExtension,
  getManyWithDistance,
  hammingDistance,
  jaccardDistance,
  l1Distance,
  l2Distance,
  maxInnerProduct,
  pgvectorInfo,
  pgliteOptions,
  registerVectorTypes,
  setVectorStorage,
  createVectorIndexes,
  vectorSearch,
} from 'vecpg/typeorm';
import { Column, DataSource, type DataSourceOptions, Entity, type MigrationInterface, PrimaryGeneratedColumn, type QueryRunner } from 'typeorm';

// Step 1: turn on the extension in a migration. Django's `VectorExtension()`:
export class EnableVector1700000000000 extends VectorExtension {}

// …or spelled out, like Django's RunSQL with IF NOT EXISTS and a reverse:
export class EnableVectorSql1700000000000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await createVectorExtension(queryRunner); // CREATE EXTENSION IF NOT EXISTS vector
  }
  async down(queryRunner: QueryRunner): Promise<void> {
    await dropVectorExtension(queryRunner); // DROP EXTENSION IF EXISTS vector
  }
}

// Step 2: dense vectors. Django's `VectorField(dimensions=4)`:
@Entity()
export class Document {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 255 }) title!: string;
  @VectorColumn(4) embedding!: number[];
  @BitColumn(8, { nullable: true }) bits!: string | null; // binary data, for Hamming and Jaccard
}

// Step 3: sparse vectors. Django's `SparseVectorField(dimensions=10000)`:
@Entity()
export class ScienceData {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ type: 'varchar', length: 100 }) name!: string;
  @SparsevecColumn(10000)
  @VectorIndex({ name: 'science_data_features_hnsw', distance: 'cosine', method: 'hnsw' })
  features!: SparseVector;
}

// The tables, as `typeorm migration:generate` writes them, plus vecpg's storage and index lines.
export class CreateTables1700000000001 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "document" ("id" SERIAL NOT NULL, "title" character varying(255) NOT NULL, "embedding" vector(4) NOT NULL, "bits" bit(8), CONSTRAINT "PK_e57d3357f83f3cdc0acffc3d777" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "science_data" ("id" SERIAL NOT NULL, "name" character varying(100) NOT NULL, "features" sparsevec(10000) NOT NULL, CONSTRAINT "PK_8afc702c73fa1e8781aef51a205" PRIMARY KEY ("id"))`,
    );
    await setVectorStorage(queryRunner, 'document', 'embedding'); // STORAGE MAIN: vectors stay in the row
    await setVectorStorage(queryRunner, 'science_data', 'features');
    await createVectorIndexes(queryRunner, [ScienceData]); // the @VectorIndex above, with its opclass
  }
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "science_data"`);
    await queryRunner.query(`DROP TABLE "document"`);
  }
}

/** The DataSource: registerVectorTypes teaches it sparsevec and vecpg's codecs (nothing global changes). */
export function createDataSource(connection: DataSourceOptions): DataSource {
  return registerVectorTypes(
    new DataSource({
      ...connection,
      entities: [Document, ScienceData],
      migrations: [EnableVector1700000000000, CreateTables1700000000001],
    }),
  );
}

/** Steps 4 to 7 of the walkthrough; returns what it found so the test can check it. */
export async function walkthrough(dataSource: DataSource) {
  const documents = dataSource.getRepository(Document);
  const science = dataSource.getRepository(ScienceData);

  // Step 4: save data. A plain array for dense vectors…
  await documents.save({ title: 'My First Doc', embedding: [0.5, 0.2, 0.9, 0.3], bits: '10110000' });
  await documents.save({ title: 'Second Doc', embedding: [0.4, 0.3, 0.8, 0.2], bits: '10100011' });
  // …and a SparseVector (0-based positions, total dimensions) for sparse ones.
  await science.save({ name: 'Sample A', features: new SparseVector({ 0: 5.5, 42: 1.2 }, 10000) });
  await science.save({ name: 'Sample B', features: new SparseVector({ 0: 1, 9999: 1 }, 10000) });
  await science.save({ name: 'Sample C', features: new SparseVector({ 42: 3 }, 10000) });

  // Step 5: querying, the same way for dense and sparse vectors.
  const target = new SparseVector({ 0: 5.1, 42: 1.0 }, 10000);
  const distance = cosineDistance('data.features', target);

  // 1. Just ordering (exactSql keeps the top-k exact even if an index exists).
  const orderedItems = await science
    .createQueryBuilder('data')
    .orderBy(distance.exactSql)
    .setParameters(distance.parameters)
    .limit(10)
    .getMany();

  // 2. Just annotating: each entity with its distance.
  const annotatedItems = await getManyWithDistance(
    science.createQueryBuilder('data').addSelect(distance.sql, 'distance').setParameters(distance.parameters),
  );

  // 3. Annotate, filter and order.
  const similarItems = await getManyWithDistance(
    science
      .createQueryBuilder('data')
      .addSelect(distance.sql, 'distance')
      .where(`${distance.sql} < :maxDistance`, { maxDistance: 0.2 })
      .orderBy(distance.exactSql)
      .setParameters(distance.parameters),
  );

  // Step 6: the other distances. Bit columns take hammingDistance / jaccardDistance.
  const nearestDocuments = (d: DistanceExpression) =>
    getManyWithDistance(
      documents.createQueryBuilder('doc').addSelect(d.sql, 'distance').orderBy(d.exactSql).setParameters(d.parameters),
    );
  const query = [0.5, 0.2, 0.9, 0.3];
  const others = {
    l2: await nearestDocuments(l2Distance('doc.embedding', query)),
    maxInnerProduct: await nearestDocuments(maxInnerProduct('doc.embedding', query)),
    l1: await nearestDocuments(l1Distance('doc.embedding', query)),
    hamming: await nearestDocuments(hammingDistance('doc.bits', '10100000')),
    jaccard: await nearestDocuments(jaccardDistance('doc.bits', '10100000')),
  };

  // Step 7: exact by default, with or without an index; approximate only when asked.
  const exact = await vectorSearch(science, { column: 'features', query: target, distance: 'cosine', k: 2 });
  const approximate = await vectorSearch(science, {
    column: 'features', query: target, distance: 'cosine', k: 2, approximate: { efSearch: 100 },
  });

  // Step 8: 0-based in TypeScript, 1-based in the database's text.
  const [stored] = await dataSource.query(`SELECT features::text AS text FROM science_data WHERE name = 'Sample A'`);
  const info = await pgvectorInfo(dataSource);

  return { orderedItems, annotatedItems, similarItems, others, exact, approximate, stored, info };
}

async function main(): Promise<void> {
  let connection: DataSourceOptions;
  let close = async () => {};
  if (process.env.DATABASE_URL) connection = { type: 'postgres', url: process.env.DATABASE_URL };
  else {
    const { openPglite } = await import('vecpg/pglite');
    const db = await openPglite();
    connection = pgliteOptions(db.pglite);
    close = () => db.pglite.close();
  }
  const dataSource = createDataSource(connection);
  await dataSource.initialize();
  try {
    await dataSource.runMigrations();
    const r = await walkthrough(dataSource);
    console.log(`pgvector ${r.info.version}`);
    console.log('ordered:', r.orderedItems.map((x) => x.name));
    console.log('annotated:', r.annotatedItems.map((x) => `${x.entity.name} ${x.distance.toFixed(4)}`));
    console.log('similar (< 0.2):', r.similarItems.map((x) => x.entity.name));
    console.log('stored as:', r.stored.text);
    await dataSource.undoLastMigration();
    await dataSource.undoLastMigration();
  } finally {
    await dataSource.destroy();
    await close();
  }
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) await main();
