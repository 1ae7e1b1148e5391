import { describe, expect, it } from 'vitest';
import {
  columnTypeSql,
  createExtensionSql,
  createIndexSql,
  dropExtensionSql,
  dropIndexSql,
  setStorageSql,
  type ColumnStorage,
  type CreateIndexOptions,
  type VectorType,
} from 'vecpg';
import { binaryQuantizeExpression, castExpression, defaultIndexName } from 'vecpg/sql';
import { codeOf } from '../support/errors.ts';

describe('extension', () => {
  it.each<[string, string]>([
    [createExtensionSql(), 'CREATE EXTENSION IF NOT EXISTS vector'],
    [createExtensionSql({ ifNotExists: false }), 'CREATE EXTENSION vector'],
    [createExtensionSql({ schema: 'extensions' }), 'CREATE EXTENSION IF NOT EXISTS vector SCHEMA "extensions"'],
    [dropExtensionSql(), 'DROP EXTENSION IF EXISTS vector'],
    [dropExtensionSql({ cascade: true }), 'DROP EXTENSION IF EXISTS vector CASCADE'],
    [dropExtensionSql({ ifExists: false }), 'DROP EXTENSION vector'],
  ])('%s', (actual, expected) => {
    expect(actual).toBe(expected);
  });
});

describe('columnTypeSql', () => {
  it.each<[VectorType, number, string]>([
    ['vector', 3, 'vector(3)'],
    ['vector', 16000, 'vector(16000)'],
    ['halfvec', 3072, 'halfvec(3072)'],
    ['sparsevec', 10000, 'sparsevec(10000)'],
    ['sparsevec', 1_000_000_000, 'sparsevec(1000000000)'],
    ['bit', 8, 'bit(8)'],
    ['bit', 64000, 'bit(64000)'],
  ])('%s(%d)', (type, dims, expected) => {
    expect(columnTypeSql(type, dims)).toBe(expected);
  });

  it.each<[string, VectorType, unknown, string]>([
    ['missing dimensions', 'vector', undefined, 'INVALID_DIMENSIONS'],
    ['a bare bit', 'bit', undefined, 'INVALID_DIMENSIONS'],
    ['zero', 'halfvec', 0, 'INVALID_DIMENSIONS'],
    ['a fraction', 'vector', 2.5, 'INVALID_DIMENSIONS'],
    ['vector over 16,000', 'vector', 16001, 'INVALID_DIMENSIONS'],
    ['halfvec over 16,000', 'halfvec', 16001, 'INVALID_DIMENSIONS'],
    ['sparsevec over 1e9', 'sparsevec', 1_000_000_001, 'INVALID_DIMENSIONS'],
    ['bit over PostgreSQL limit', 'bit', 83_886_081, 'INVALID_DIMENSIONS'],
    ['unknown type', 'float4' as VectorType, 3, 'INVALID_OPTION'],
  ])('refuses %s', (_label, type, dims, code) => {
    expect(codeOf(() => columnTypeSql(type, dims as number))).toBe(code);
  });
});

describe('expressions', () => {
  it('casts and quantizes', () => {
    expect(castExpression('embedding', 'halfvec', 3072)).toBe('"embedding"::halfvec(3072)');
    expect(binaryQuantizeExpression('embedding', 3072)).toBe('binary_quantize("embedding")::bit(3072)');
  });
});

describe('createIndexSql', () => {
  const base = { table: 'items', column: 'embedding' } as const;
  it.each<[CreateIndexOptions, string]>([
    [
      { ...base, type: 'vector', distance: 'l2', method: 'hnsw' },
      'CREATE INDEX "items_embedding_hnsw_l2_idx" ON "items" USING hnsw ("embedding" vector_l2_ops)',
    ],
    [
      { ...base, type: 'vector', distance: 'cosine' },
      'CREATE INDEX "items_embedding_hnsw_cosine_idx" ON "items" USING hnsw ("embedding" vector_cosine_ops)',
    ],
    [
      { ...base, type: 'vector', distance: 'ip', method: 'hnsw', m: 16, efConstruction: 64 },
      'CREATE INDEX "items_embedding_hnsw_ip_idx" ON "items" USING hnsw ("embedding" vector_ip_ops) WITH (m = 16, ef_construction = 64)',
    ],
    [
      {
        ...base,
        type: 'halfvec',
        distance: 'l1',
        method: 'hnsw',
        name: 'my idx',
        ifNotExists: true,
        concurrently: true,
      },
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS "my idx" ON "items" USING hnsw ("embedding" halfvec_l1_ops)',
    ],
    [
      { ...base, table: ['app', 'items'], type: 'vector', distance: 'l2', method: 'ivfflat', lists: 100 },
      'CREATE INDEX "items_embedding_ivfflat_l2_idx" ON "app"."items" USING ivfflat ("embedding" vector_l2_ops) WITH (lists = 100)',
    ],
    [
      { ...base, type: 'sparsevec', distance: 'ip', method: 'hnsw' },
      'CREATE INDEX "items_embedding_hnsw_ip_idx" ON "items" USING hnsw ("embedding" sparsevec_ip_ops)',
    ],
    [
      { ...base, type: 'bit', distance: 'hamming', method: 'ivfflat', lists: 1 },
      'CREATE INDEX "items_embedding_ivfflat_hamming_idx" ON "items" USING ivfflat ("embedding" bit_hamming_ops) WITH (lists = 1)',
    ],
    [
      {
        table: 'items',
        expression: castExpression('embedding', 'halfvec', 3072),
        type: 'halfvec',
        distance: 'cosine',
        dimensions: 3072,
      },
      'CREATE INDEX "items_embedding_halfvec_3072_hnsw_cosine_idx" ON "items" USING hnsw (("embedding"::halfvec(3072)) halfvec_cosine_ops)',
    ],
    [
      {
        table: 'items',
        expression: binaryQuantizeExpression('embedding', 3072),
        type: 'bit',
        distance: 'hamming',
        dimensions: 3072,
      },
      'CREATE INDEX "items_binary_quantize_embedding_bit_3072_hnsw_hamming_idx" ON "items" USING hnsw ((binary_quantize("embedding")::bit(3072)) bit_hamming_ops)',
    ],
    [
      { ...base, table: 'a.b', type: 'vector', distance: 'l2', m: 2, efConstruction: 4 },
      'CREATE INDEX "a.b_embedding_hnsw_l2_idx" ON "a.b" USING hnsw ("embedding" vector_l2_ops) WITH (m = 2, ef_construction = 4)',
    ],
    [
      { ...base, type: 'vector', distance: 'l2', m: 100, efConstruction: 1000 },
      'CREATE INDEX "items_embedding_hnsw_l2_idx" ON "items" USING hnsw ("embedding" vector_l2_ops) WITH (m = 100, ef_construction = 1000)',
    ],
    [
      { ...base, type: 'vector', distance: 'l2', method: 'ivfflat', lists: 32768 },
      'CREATE INDEX "items_embedding_ivfflat_l2_idx" ON "items" USING ivfflat ("embedding" vector_l2_ops) WITH (lists = 32768)',
    ],
  ])('%j', (options, expected) => {
    expect(createIndexSql(options)).toBe(expected);
  });

  it.each<[string, Partial<CreateIndexOptions>, string]>([
    ['m below 2', { m: 1 }, 'INVALID_OPTION'],
    ['m above 100', { m: 101, efConstruction: 1000 }, 'INVALID_OPTION'],
    ['a fractional m', { m: 8.5 }, 'INVALID_OPTION'],
    ['ef_construction below 4', { efConstruction: 3, m: 2 }, 'INVALID_OPTION'],
    ['ef_construction above 1000', { efConstruction: 1001 }, 'INVALID_OPTION'],
    ['ef_construction < 2·m', { m: 40, efConstruction: 64 }, 'INVALID_OPTION'],
    ['m = 33 with the default ef_construction 64', { m: 33 }, 'INVALID_OPTION'],
    ['lists on HNSW', { lists: 10 }, 'INVALID_OPTION'],
    ['m on IVFFlat', { method: 'ivfflat', m: 16 }, 'INVALID_OPTION'],
    ['lists 0', { method: 'ivfflat', lists: 0 }, 'INVALID_OPTION'],
    ['lists 32769', { method: 'ivfflat', lists: 32769 }, 'INVALID_OPTION'],
    ['IVFFlat on sparsevec', { method: 'ivfflat', type: 'sparsevec' }, 'UNSUPPORTED'],
    ['l1 with IVFFlat', { method: 'ivfflat', distance: 'l1' }, 'UNSUPPORTED'],
    ['hamming on vector', { distance: 'hamming' }, 'UNSUPPORTED'],
    ['vector(2001)', { dimensions: 2001 }, 'UNSUPPORTED'],
    ['halfvec(4001)', { type: 'halfvec', dimensions: 4001 }, 'UNSUPPORTED'],
    ['both column and expression', { expression: '"x"::halfvec(3)' }, 'INVALID_OPTION'],
    ['neither column nor expression', { column: undefined as unknown as string }, 'INVALID_OPTION'],
    ['a bad table name', { table: '' }, 'INVALID_IDENTIFIER'],
    ['a 64-byte index name', { name: 'i'.repeat(64) }, 'INVALID_IDENTIFIER'],
  ])('refuses %s', (_label, patch, code) => {
    const options = {
      table: 'items',
      column: 'embedding',
      type: 'vector',
      distance: 'l2',
      ...patch,
    } as CreateIndexOptions;
    if ('column' in patch && patch.column === undefined) delete options.column;
    expect(codeOf(() => createIndexSql(options))).toBe(code);
  });

  it('keeps long default names within 63 bytes, deterministic and distinct', () => {
    const a = defaultIndexName(
      'a_very_long_table_name_for_documents',
      'embedding_of_the_title_and_body',
      'hnsw',
      'cosine',
    );
    const b = defaultIndexName('a_very_long_table_name_for_documents', 'embedding_of_the_title_and_body', 'hnsw', 'l2');
    expect(new TextEncoder().encode(a).length).toBeLessThanOrEqual(63);
    expect(a).toMatch(/^a_very_long_table_name_for_documents_embedding_of_the_.*_[0-9a-f]{8}$/);
    expect(a).toBe(
      defaultIndexName('a_very_long_table_name_for_documents', 'embedding_of_the_title_and_body', 'hnsw', 'cosine'),
    );
    expect(a).not.toBe(b);
    expect(defaultIndexName(['s', 'items'], 'embedding', 'ivfflat', 'ip')).toBe('items_embedding_ivfflat_ip_idx');
  });
});

describe('dropIndexSql / setStorageSql', () => {
  it.each<[string, string]>([
    [dropIndexSql('items_embedding_idx'), 'DROP INDEX IF EXISTS "items_embedding_idx"'],
    [dropIndexSql(['app', 'idx']), 'DROP INDEX IF EXISTS "app"."idx"'],
    [dropIndexSql('idx', { concurrently: true, ifExists: false }), 'DROP INDEX CONCURRENTLY "idx"'],
    [setStorageSql('items', 'embedding', 'plain'), 'ALTER TABLE "items" ALTER COLUMN "embedding" SET STORAGE PLAIN'],
    [
      setStorageSql(['app', 'items'], 'embedding', 'main'),
      'ALTER TABLE "app"."items" ALTER COLUMN "embedding" SET STORAGE MAIN',
    ],
    [setStorageSql('items', 'e', 'extended'), 'ALTER TABLE "items" ALTER COLUMN "e" SET STORAGE EXTENDED'],
    [setStorageSql('items', 'e', 'external'), 'ALTER TABLE "items" ALTER COLUMN "e" SET STORAGE EXTERNAL'],
  ])('%s', (actual, expected) => {
    expect(actual).toBe(expected);
  });

  it('refuses an unknown storage', () => {
    expect(codeOf(() => setStorageSql('items', 'e', 'toast' as ColumnStorage))).toBe('INVALID_OPTION');
  });
});
