import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeEachCliTarget } from './harness.ts';

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describeEachCliTarget('vecpg import --create --certified, vecpg search --certified', (t) => {
  it('creates the compact columns, and search --certified answers as the exact search with its certificate', async () => {
    const r = prng(3);
    const dir = await mkdtemp(join(tmpdir(), 'vecpg-cert-'));
    const lines = Array.from({ length: 200 }, (_, i) =>
      JSON.stringify({ id: i, embedding: Array.from({ length: 8 }, () => Math.round(r() * 1000) / 1000) }),
    );
    await writeFile(join(dir, 'items.jsonl'), `${lines.join('\n')}\n`);
    const imported = await t().run(
      ['import', 'items.jsonl', '--table', 'certs', '--create', '--certified', '--certified-distance', 'l2,cosine'],
      { cwd: dir },
    );
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    const columns = await t().sql(
      "SELECT attname, attstorage FROM pg_attribute WHERE attrelid = 'certs'::regclass AND attnum > 0 ORDER BY attname",
    );
    expect(columns.map((c) => c.attname)).toEqual([
      'embedding',
      'embedding_half',
      'embedding_half_l2err',
      'embedding_unit_half',
      'embedding_unit_half_l2err',
      'id',
    ]);
    expect(columns.find((c) => c.attname === 'embedding')?.attstorage).toBe('e');

    for (const distance of ['l2', 'cosine']) {
      const args = [
        'search',
        '--table',
        'certs',
        '--column',
        'embedding',
        '--query',
        '[0.5,0.1,0.9,0.3,0.2,0.8,0.4,0.6]',
        '--distance',
        distance,
        '-k',
        '5',
        '--json',
      ];
      const exact = JSON.parse((await t().run(args)).stdout) as { rows: unknown[] };
      const res = await t().run([...args, '--certified']);
      expect(res.stderr).toBe('');
      const out = JSON.parse(res.stdout) as {
        mode: string;
        certificate: Record<string, unknown>;
        rows: Array<Record<string, unknown>>;
      };
      expect(out.mode).toBe('certified');
      expect(out.rows).toEqual(exact.rows);
      expect(out.rows[0]).not.toHaveProperty('embedding_half');
      expect(out.certificate).toMatchObject({ proven: true, firstTry: true, tries: 1, candidates: 40, fallback: null });
      const human = await t().run(args.filter((a) => a !== '--json').concat('--certified'));
      expect(human.stdout).toMatch(/exact, certified with 40 candidates/);
      // Without --column: the compact copies are generated columns, so `embedding` is the only candidate.
      const implicit = await t().run(
        args.filter((a, i) => a !== '--column' && args[i - 1] !== '--column').concat('--certified'),
      );
      expect(implicit.stderr).toBe('');
      expect((JSON.parse(implicit.stdout) as { rows: unknown[] }).rows).toEqual(exact.rows);
    }
    const bad = await t().run([
      'search',
      '--table',
      'certs',
      '--column',
      'embedding',
      '--query',
      '[1,2,3,4,5,6,7,8]',
      '--certified',
      '--approximate',
    ]);
    expect(bad.code).not.toBe(0);
    const noCreate = await t().run(['import', 'items.jsonl', '--table', 'certs', '--certified'], { cwd: dir });
    expect(noCreate.code).not.toBe(0);
  });

  it('import --certified-prefix creates the prefix form, and search --certified-prefix answers exactly with it', async () => {
    const r = prng(5);
    const dir = await mkdtemp(join(tmpdir(), 'vecpg-cert-prefix-'));
    const lines = Array.from({ length: 150 }, (_, i) =>
      JSON.stringify({ id: i, embedding: Array.from({ length: 8 }, () => Math.round(r() * 1000) / 1000) }),
    );
    await writeFile(join(dir, 'items.jsonl'), `${lines.join('\n')}\n`);
    const flags = ['--table', 'prefixed', '--create', '--certified', '--certified-distance', 'l2,cosine'];
    const imported = await t().run(['import', 'items.jsonl', ...flags, '--certified-prefix', '3'], { cwd: dir });
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    const columns = await t().sql(
      "SELECT attname, format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = 'prefixed'::regclass AND attnum > 0 ORDER BY attname",
    );
    expect(columns.map((c) => [c.attname, c.type])).toEqual([
      ['embedding', 'vector(8)'],
      ['embedding_prefix', 'halfvec(3)'],
      ['embedding_prefix_l2err', 'double precision'],
      ['embedding_rest_norm', 'double precision'],
      ['embedding_unit_prefix', 'halfvec(3)'],
      ['embedding_unit_prefix_l2err', 'double precision'],
      ['embedding_unit_rest_norm', 'double precision'],
      ['id', 'bigint'],
    ]);
    for (const distance of ['l2', 'cosine']) {
      const args = [
        'search',
        '--table',
        'prefixed',
        '--column',
        'embedding',
        '--query',
        '[0.5,0.1,0.9,0.3,0.2,0.8,0.4,0.6]',
      ];
      const all = [...args, '--distance', distance, '-k', '5', '--json'];
      const exact = JSON.parse((await t().run(all)).stdout) as { rows: unknown[] };
      for (const parallel of [[], ['--certified-parallel', 'serial'], ['--certified-parallel', 'server']]) {
        const res = await t().run([...all, '--certified', '--certified-prefix', '3', ...parallel]);
        expect(res.stderr).toBe('');
        const out = JSON.parse(res.stdout) as { mode: string; certificate: Record<string, unknown>; rows: unknown[] };
        expect(out.mode).toBe('certified');
        expect(out.rows).toEqual(exact.rows);
        expect(out.rows[0]).not.toHaveProperty('embedding_prefix');
        expect(out.certificate).toMatchObject({ proven: true, fallback: null });
      }
    }
    const search = ['search', '--table', 'prefixed', '--column', 'embedding', '--query', '[1,2,3,4,5,6,7,8]'];
    const badParallel = await t().run([...search, '--certified', '--certified-parallel', 'fast']);
    expect(badParallel.code).toBe(2);
    expect(badParallel.stderr).toMatch(/--certified-parallel must be auto, serial or server, got "fast"/);
    const parallelAlone = await t().run([...search, '--certified-parallel', 'serial']);
    expect(parallelAlone.code).toBe(2);
    expect(parallelAlone.stderr).toMatch(/--certified-parallel goes with --certified/);
    const wrong = await t().run([
      'search',
      '--table',
      'prefixed',
      '--column',
      'embedding',
      '--query',
      '[1,2,3,4,5,6,7,8]',
      '--certified',
      '--certified-prefix',
      '4',
    ]);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/certified.prefix 4 is not the length of the table's prefix column/);
    const alone = await t().run([
      'search',
      '--table',
      'prefixed',
      '--column',
      'embedding',
      '--query',
      '[1,2,3,4,5,6,7,8]',
      '--certified-prefix',
      '3',
    ]);
    expect(alone.code).not.toBe(0);
    expect(alone.stderr).toMatch(/--certified-prefix goes with --certified/);
  });
});
