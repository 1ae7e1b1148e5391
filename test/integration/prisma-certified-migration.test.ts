/**
 * vecpg/prisma's certifiedColumnsMigration: its `up` adds the columns certified search reads (both forms),
 * its `down` removes exactly those, and its `schema` lines are valid Prisma schema (`prisma validate`)
 * whose types are the catalog's types of the columns `up` created.
 */
import { expect, it } from 'vitest';
import { certifiedColumnsMigration } from 'vecpg/prisma';
import { describeEachTarget } from '../support/db.ts';
import { prismaValidate } from '../support/prisma-validate.ts';

const DIMS = 12;
const LAYOUTS = [{}, { form: 'prefix', prefix: 5 }] as const;

it('the schema lines are valid Prisma schema, one per generated column, never migrated (dbgenerated)', async () => {
  const lines = [
    ...certifiedColumnsMigration('Document', 'embedding', DIMS, ['l2', 'ip', 'cosine', 'l1']).schema,
    ...certifiedColumnsMigration('Document', 'embedding', DIMS, ['l2', 'cosine'], LAYOUTS[1]).schema,
  ];
  expect(lines).toHaveLength(4 + 2 + 6); // half: half, l2err, norm, l1err, unit_half, unit l2err; prefix: 3 per distance
  for (const line of lines) expect(line).toMatch(/ @default\(dbgenerated\(\)\)$/);
  const model = `model Document {\n  id Int @id\n  embedding Unsupported("vector(${DIMS})")?\n  ${lines.join('\n  ')}\n}\n`;
  expect(await prismaValidate(`datasource db {\n  provider = "postgresql"\n}\n\n${model}`)).toContain('is valid');
});

describeEachTarget('prisma: certifiedColumnsMigration', (db) => {
  it('up adds the columns with the types its schema lines declare; down removes them, rows intact', async () => {
    await db().query(`CREATE TABLE "Document" (id int PRIMARY KEY, embedding vector(${DIMS}))`);
    await db().query(
      `INSERT INTO "Document" SELECT i, array(SELECT sin(i * j) FROM generate_series(1, ${DIMS}) AS j)::vector FROM generate_series(1, 50) AS i`,
    );
    const columns = async () =>
      db().query<{ name: string; type: string }>(
        `SELECT attname::text AS name, format_type(atttypid, atttypmod) AS type FROM pg_attribute
          WHERE attrelid = '"Document"'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
      );
    const before = await db().query<{ s: string }>(
      `SELECT md5(string_agg(embedding::text, ',' ORDER BY id)) AS s FROM "Document"`,
    );
    const migrations = LAYOUTS.map((layout) =>
      certifiedColumnsMigration('Document', 'embedding', DIMS, ['l2', 'cosine'], layout),
    );
    for (const m of migrations) for (let i = 0; i < 2; i++) await db().query(m.up); // re-runnable
    const added = (await columns()).slice(2);
    // what the schema lines declare, read independently of the code that wrote them
    const declared = migrations.flatMap((m) =>
      m.schema.map((line) => {
        const [, name, type] = /^(\w+) (?:Unsupported\("([^"]+)"\)\?|Float\?) @default\(dbgenerated\(\)\)$/.exec(line)!;
        return { name: name!, type: type ?? 'double precision' };
      }),
    );
    expect(added).toEqual(declared);
    expect(added.map((c) => c.name)).toEqual([
      'embedding_half',
      'embedding_half_l2err',
      'embedding_unit_half',
      'embedding_unit_half_l2err',
      'embedding_prefix',
      'embedding_prefix_l2err',
      'embedding_rest_norm',
      'embedding_unit_prefix',
      'embedding_unit_prefix_l2err',
      'embedding_unit_rest_norm',
    ]);
    expect(added[0]).toEqual({ name: 'embedding_half', type: `halfvec(${DIMS})` });
    expect(added[4]).toEqual({ name: 'embedding_prefix', type: 'halfvec(5)' });
    // every row has its compact copies, computed by the server
    const [filled] = await db().query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "Document" WHERE embedding_half IS NOT NULL AND embedding_unit_prefix IS NOT NULL`,
    );
    expect(filled!.n).toBe(50);
    for (const m of [...migrations].reverse()) for (let i = 0; i < 2; i++) await db().query(m.down);
    expect((await columns()).map((c) => c.name)).toEqual(['id', 'embedding']);
    expect(await db().query(`SELECT md5(string_agg(embedding::text, ',' ORDER BY id)) AS s FROM "Document"`)).toEqual(
      before,
    );
    await db().query('DROP TABLE "Document"');
  });
});
