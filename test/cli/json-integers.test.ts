import { expect, it } from 'vitest';
import { jsonInteger } from '../../src/io/json-integer.ts';
import { toJson } from '../../src/cli/output.ts';
import { describeEachCliTarget } from './harness.ts';

// 2^53 + 1: the first integer a JavaScript number cannot hold (Number() rounds it to ...992).
const BIG = '9007199254740993';

it('one rule for 64-bit integers: a number when exact, else a decimal string', () => {
  expect(jsonInteger(7n)).toBe(7);
  expect(jsonInteger('7')).toBe(7);
  expect(jsonInteger('-9007199254740991')).toBe(-9007199254740991);
  expect(jsonInteger(BIG)).toBe(BIG);
  expect(jsonInteger(BigInt(`-${BIG}`))).toBe(`-${BIG}`);
  expect(toJson({ a: 7n, b: BigInt(BIG) })).toBe(`{\n  "a": 7,\n  "b": "${BIG}"\n}\n`);
});

describeEachCliTarget('bigint ids in JSON output', (t) => {
  it('sets up a table with a small and a huge bigint id', async () => {
    await t().sql([
      'CREATE TABLE big_ids (id bigint PRIMARY KEY, n bigint, embedding vector(2))',
      `INSERT INTO big_ids VALUES (7, 1, '[1,0]'), (${BIG}, ${BIG}, '[0,1]')`,
    ]);
    // the server holds the exact value (checked as text: no JavaScript number in between)
    expect((await t().sql(`SELECT id::text AS id FROM big_ids ORDER BY id`)).map((r) => r.id)).toEqual(['7', BIG]);
  });

  it('vecpg search --json', async () => {
    const r = await t().run([
      'search',
      '--table',
      'big_ids',
      '--column',
      'embedding',
      '--query',
      '[1,0]',
      '-k',
      '2',
      '--json',
    ]);
    expect(r.stderr).toBe('');
    const rows = (JSON.parse(r.stdout) as { rows: Array<{ id: unknown; n: unknown }> }).rows;
    expect(rows.map((row) => [row.id, row.n])).toEqual([
      [7, 1],
      [BIG, BIG],
    ]);
  });

  it('vecpg export --format jsonl', async () => {
    const r = await t().run(['export', '--table', 'big_ids', '--format', 'jsonl']);
    expect(r.code).toBe(0);
    const rows = r.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: unknown; n: unknown });
    expect(rows.map((row) => [row.id, row.n]).sort((a, b) => String(a[0]).length - String(b[0]).length)).toEqual([
      [7, 1],
      [BIG, BIG],
    ]);
  });
});
