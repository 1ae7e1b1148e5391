/**
 * Loading word-embedding files (GloVe / word2vec / fastText text, word2vec binary) and CSV with its
 * header naming columns, into a table `load` creates; and the messages a user sees when it fails.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type LoadTarget, load } from 'vecpg/load';
import { isVecpgError, type VecpgError } from 'vecpg';
import { importCommand } from '../../src/cli/commands/import.ts';
import type { CliIO } from '../../src/cli/command.ts';
import { describeEachTarget } from '../support/db.ts';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'vecpg-embeddings-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function failure(promise: Promise<unknown>): Promise<VecpgError> {
  const e = await promise.then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!isVecpgError(e)) throw new Error(`expected a VecpgError, got ${String(e)}`);
  return e;
}

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

describeEachTarget('load word embeddings', (db, target) => {
  const lt = (): LoadTarget => db().raw as LoadTarget;

  it('a GloVe .txt (no header) is recognised from its first line; tokens with " , # land in the word column', async () => {
    const file = join(tmp, `glove-${target}.txt`);
    await writeFile(file, 'the 0.5 -1 2\n"quote 1 2 3\n, 4 5 6\n#x 7 8 9\n');
    const result = await load(lt(), { file, table: 'glove', create: true });
    expect(result).toMatchObject({
      format: 'vec',
      type: 'vector',
      dimensions: 3,
      rows: 4,
      indexBase: undefined,
      columns: ['word'],
    });
    const rows = await db().query<{ word: string; v: string }>(
      'SELECT word, embedding::text AS v FROM glove ORDER BY id',
    );
    expect(rows).toEqual([
      { word: 'the', v: '[0.5,-1,2]' },
      { word: '"quote', v: '[1,2,3]' },
      { word: ',', v: '[4,5,6]' },
      { word: '#x', v: '[7,8,9]' },
    ]);
    const types = await db().query<{ t: string }>(
      "SELECT format_type(atttypid, atttypmod) AS t FROM pg_attribute WHERE attrelid = 'glove'::regclass AND attname = 'word'",
    );
    expect(types[0]?.t).toBe('text');
  });

  it("a word2vec binary file into a token column of the user's choice", async () => {
    const file = join(tmp, `w-${target}.bin`);
    const head = new TextEncoder().encode('2 2\n');
    const rec = (token: string, a: number, b: number): Uint8Array => {
      const t = new TextEncoder().encode(`${token} `);
      const out = new Uint8Array(t.length + 9);
      out.set(t);
      const view = new DataView(out.buffer);
      view.setFloat32(t.length, a, true);
      view.setFloat32(t.length + 4, b, true);
      out[out.length - 1] = 0x0a;
      return out;
    };
    await writeFile(file, Buffer.concat([head, rec('king', 0.25, -2), rec('queen', 1.5, 3)]));
    const result = await load(lt(), { file, table: 'w2v', create: true, tokenColumn: 'token' });
    expect(result).toMatchObject({ format: 'word2vec', rows: 2, dimensions: 2 });
    const rows = await db().query<{ token: string; v: string }>(
      'SELECT token, embedding::text AS v FROM w2v ORDER BY id',
    );
    expect(rows).toEqual([
      { token: 'king', v: '[0.25,-2]' },
      { token: 'queen', v: '[1.5,3]' },
    ]);
  });

  it('records that all fail: the first failure names file and line, not "give the type"', async () => {
    const file = join(tmp, `bad-${target}.csv`);
    await writeFile(file, 'word\nthe 0.1 0.2\nof 0.3 0.4\n');
    const e = await failure(load(lt(), { file, table: 'bad_csv', create: true }));
    expect(e.code).toBe('IMPORT_FAILED');
    expect(e.details).toMatchObject({ line: 2 });
    expect(e.message).toContain(`${file}:2`);
  });

  it('a CSV header maps to columns when creating: non-numeric fields and id become columns', async () => {
    const file = join(tmp, `words-${target}.csv`);
    await writeFile(file, 'id,word,x,y\n7,cat,1,2\n8,dog,3,4\n');
    const result = await load(lt(), { file, table: 'words_csv', create: true });
    expect(result.columns.sort()).toEqual(['id', 'word']);
    const rows = await db().query<{ id: string; word: string; v: string }>(
      'SELECT id::text, word, embedding::text AS v FROM words_csv ORDER BY id',
    );
    expect(rows).toEqual([
      { id: '7', word: 'cat', v: '[1,2]' },
      { id: '8', word: 'dog', v: '[3,4]' },
    ]);
  });

  it('vecpg import --delimiter, --quote none; the summary names no index base for dense data', async () => {
    const file = join(tmp, `cli-${target}.data`);
    await writeFile(file, 'tok|a|b\n"x|1|2\ny"|3|4\n');
    const stdout = new Capture();
    const stderr = new Capture();
    const env = target === 'server' ? { DATABASE_URL: db().url } : { VECPG_HOME: join(tmp, 'pglite') };
    const io: CliIO = { stdout: stdout, stderr, env, cwd: tmp, isTTY: false };
    const code = await importCommand.run(
      [file, '--table', 'cli_pipe', '--create', '--format', 'csv', '--delimiter', '|', '--quote', 'none'],
      io,
    );
    expect(stderr.text).toBe('');
    expect(code).toBe(0);
    expect(stdout.text).toMatch(/Loaded 2 rows .*\(csv\) in/);
    expect(stdout.text).not.toMatch(/based indices/);
    if (target === 'server') {
      const rows = await db().query<{ tok: string; v: string }>(
        'SELECT tok, embedding::text AS v FROM cli_pipe ORDER BY id',
      );
      expect(rows).toEqual([
        { tok: '"x', v: '[1,2]' },
        { tok: 'y"', v: '[3,4]' },
      ]);
    }
  });
});
