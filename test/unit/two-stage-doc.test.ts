/**
 * docs/two-stage-search.md: the SQL it shows is the statement buildRerankQuery writes (modulo layout and
 * comments), and the index expression it names is quantizedExpression's.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { quantizedExpression } from 'vecpg';
import { buildRerankQuery } from 'vecpg/sql';
import { ROOT } from '../support/paths.ts';

const doc = readFileSync(join(ROOT, 'docs/two-stage-search.md'), 'utf8');
const squash = (s: string) =>
  s
    .replace(/--[^\n]*/g, '')
    .replace(/\s+/g, ' ')
    .replace(/"/g, '')
    .trim();

it('the SQL in the doc is what buildRerankQuery writes', () => {
  const shown = /```sql\n([\s\S]*?)```/.exec(doc)![1]!;
  const { text } = buildRerankQuery({
    table: 'items',
    column: 'embedding',
    query: new Array<number>(768).fill(0.5),
    distance: 'cosine',
    k: 10,
    rerank: { using: 'binary', candidates: 200 },
  });
  // The doc writes literals where the statement binds them: candidates 200 ($2) and k 10 ($4).
  const bound = squash(text)
    .replace('LIMIT $2', 'LIMIT 200')
    .replace('LIMIT $4', 'LIMIT 10')
    .replace(/\(SELECT \* FROM items ORDER BY/, '(SELECT * FROM items ORDER BY');
  expect(bound).toBe(squash(shown));
});

it('the index expression in the doc is quantizedExpression’s', () => {
  expect(doc).toContain(`// ${quantizedExpression('embedding', 'binary', 768)}`);
  expect(quantizedExpression('embedding', 'halfvec', 768)).toBe('"embedding"::halfvec(768)');
});
