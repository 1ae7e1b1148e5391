/**
 * Hostile identifiers through every CLI command that takes names (`index create`, `search`,
 * `import`, `export`, `doctor`), on both databases: schema, table and column all carry the hostile
 * name. The canary table survives, decoy tables (case-folded name; same name in `public`) are left
 * untouched, the right table is read and written, and names over 63 bytes are refused.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { quoteIdent, quoteQualified } from 'vecpg';
import { describeEachCliTarget } from '../cli/harness.ts';
import { CANARY, HOSTILE_VALUE, TOO_LONG_NAMES, naiveFold } from './hostile-names.ts';

// Few names (each CLI run on PGlite reopens the database); the SQL-layer suite covers the full list.
const NAMES = [`x"; DROP TABLE ${CANARY}; --`, 'Ünï.Cødé 表'];
const FILTER = 'tag';

function tableSql(name: readonly string[], column: string, idBase: number): string[] {
  const t = quoteQualified(name);
  return [
    `CREATE TABLE ${t} (id int PRIMARY KEY, ${quoteIdent(column)} vector(3), ${FILTER} text)`,
    `INSERT INTO ${t} VALUES (${idBase + 1}, '[1,0,0]', 'a'), (${idBase + 2}, '[0,1,0]', 'b'), (${idBase + 3}, '[0,0,1]', ${"'" + HOSTILE_VALUE.replaceAll("'", "''") + "'"})`,
  ];
}

describeEachCliTarget('security: hostile identifiers through the CLI', (t, target) => {
  // Every CLI run on PGlite reopens the embedded database (seconds each): fewer names there.
  const names = target === 'pglite' ? NAMES.slice(0, 1) : NAMES;
  const tooLong = target === 'pglite' ? TOO_LONG_NAMES.slice(1, 2) : TOO_LONG_NAMES.slice(0, 2);
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vecpg-sec-cli-'));
    await t().sql([`CREATE TABLE ${CANARY} (id int)`, `INSERT INTO ${CANARY} VALUES (1)`]);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function counts(name: string): Promise<{ canary: number; hostile: number; folded: number; decoy: number }> {
    const folded =
      naiveFold(name) !== name ? `(SELECT count(*)::int FROM ${quoteQualified([name, naiveFold(name)])})` : '-1';
    const rows = await t().sql(
      `SELECT (SELECT count(*)::int FROM ${CANARY}) AS canary, (SELECT count(*)::int FROM ${quoteQualified([name, name])}) AS hostile, ` +
        `${folded} AS folded, (SELECT count(*)::int FROM ${quoteQualified(['public', name])}) AS decoy`,
    );
    return rows[0] as { canary: number; hostile: number; folded: number; decoy: number };
  }

  for (const [n, name] of names.entries()) {
    it(`index create, search, import, export and doctor on ${JSON.stringify(name)}`, async () => {
      await t().sql([
        `CREATE SCHEMA ${quoteIdent(name)}`,
        ...tableSql([name, name], name, 0),
        ...(naiveFold(name) !== name ? tableSql([name, naiveFold(name)], name, 90) : []),
        ...tableSql(['public', name], name, 80),
      ]);
      const where = ['--schema', name, '--table', name, '--column', name];

      const index = await t().run(['index', 'create', ...where, '--distance', 'l2', '--json']);
      // With --json the statement goes to stderr before the build, and nothing else does.
      expect(index.stderr.startsWith('vecpg index: running CREATE INDEX ')).toBe(true);
      expect(index.stderr).not.toMatch(/error/i);
      expect(index.code).toBe(0);
      const indexName = (JSON.parse(index.stdout) as { name: string }).name;
      const found = await t().sql([
        [`SELECT tablename FROM pg_indexes WHERE schemaname = $1 AND indexname = $2`, [name, indexName]],
      ]);
      expect(found).toEqual([{ tablename: name }]);

      const s = await t().run(['search', ...where, '--query', '[0.9,0.1,0]', '-k', '2', '--select', 'id', '--json']);
      expect(s.stderr).toBe('');
      expect((JSON.parse(s.stdout) as { rows: Array<{ id: number }> }).rows.map((r) => r.id)).toEqual([1, 2]);
      const f = await t().run([
        'search',
        ...where,
        '--query',
        '[0.9,0.1,0]',
        '--filter',
        // A value with quotes is written quoted, '' for a quote (docs/cli.md); unquoted it is refused below.
        `${FILTER}='${HOSTILE_VALUE.replaceAll("'", "''")}'`,
        '--select',
        'id',
        '--json',
      ]);
      expect(f.stderr).toBe('');
      expect((JSON.parse(f.stdout) as { rows: Array<{ id: number }> }).rows.map((r) => r.id)).toEqual([3]);
      const unquoted = await t().run([
        'search',
        ...where,
        '--query',
        '[0.9,0.1,0]',
        '--filter',
        `${FILTER}=${HOSTILE_VALUE}`,
      ]);
      expect(unquoted.code).toBe(2);
      expect(unquoted.stderr).toContain("unterminated 'quoted value'");

      const file = join(dir, `in-${n}.jsonl`);
      await writeFile(file, `${JSON.stringify({ id: 10, [name]: [1, 1, 1], [FILTER]: HOSTILE_VALUE })}\n`);
      const imp = await t().run(['import', file, ...where]);
      expect(imp.stderr).toBe('');
      expect(imp.code).toBe(0);

      const out = join(dir, `out-${n}.jsonl`);
      const exp = await t().run(['export', ...where, '--format', 'jsonl', '--out', out]);
      expect(exp.code).toBe(0);
      const exported = (await readFile(out, 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(exported.map((r) => r.id).sort((a, b) => Number(a) - Number(b))).toEqual([1, 2, 3, 10]);

      const doc = await t().run(['doctor', '--schema', name, '--table', name, '--json']);
      expect(doc.stderr).toBe('');

      expect(await counts(name)).toEqual({
        canary: 1,
        hostile: 4,
        folded: naiveFold(name) !== name ? 3 : -1,
        decoy: 3,
      });
    });
  }

  /** What PostgreSQL would make of a long name: its first 63 bytes, cut at a character boundary. */
  function truncated(name: string): string {
    let out = '';
    for (const ch of name) {
      if (new TextEncoder().encode(out + ch).length > 63) break;
      out += ch;
    }
    return out;
  }

  it('names over 63 bytes are refused by every command, never resolved to the table their first 63 bytes name', async () => {
    for (const name of tooLong) {
      // The decoy a silent truncation would reach: a table (and column) named by the first 63 bytes.
      const short = truncated(name);
      await t().sql(tableSql(['public', short], short, 0));
      for (const argv of [
        ['index', 'create', '--table', name, '--column', short, '--distance', 'l2'],
        ['index', 'create', '--table', short, '--column', name, '--distance', 'l2'],
        ['search', '--table', name, '--column', short, '--query', '[1,2,3]'],
        ['search', '--schema', name, '--table', 't', '--column', 'v', '--query', '[1,2,3]'],
        ['export', '--table', name, '--format', 'jsonl'],
      ]) {
        const r = await t().run(argv);
        expect(r.code, argv.join(' ')).not.toBe(0);
        expect(r.stdout, argv.join(' ')).toBe('');
        expect(r.stderr, argv.join(' ')).toMatch(/INVALID_IDENTIFIER|INVALID_VALUE|does not exist/);
      }
      const indexes = await t().sql([
        ["SELECT indexname FROM pg_indexes WHERE tablename = $1 AND indexdef LIKE '%USING hnsw%'", [short]],
      ]);
      expect(indexes, `an index was built on ${short}`).toEqual([]);
    }
    expect((await t().sql(`SELECT count(*)::int AS n FROM ${CANARY}`))[0]).toEqual({ n: 1 });
  });
});
