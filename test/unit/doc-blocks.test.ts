/**
 * The checker behind every `docs/<orm>.md` ↔ `examples/<orm>.ts` test (test/support/doc-blocks.ts): it
 * finds the blocks the docs really have, and it fails — naming the doc line — when a block is changed.
 * Changes are made to temporary copies of the docs, never to docs/*.md.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type DocBlock,
  blockMismatch,
  codeBlocks,
  compareDocBlocks,
  expectDocBlocksIn,
} from '../support/doc-blocks.ts';

describe('codeBlocks', () => {
  const md = [
    '# Title', // 1
    '```ts', // 2
    'const a = 1;', // 3
    '```', // 4
    '```typescript', // 5
    'not ts', // 6
    '```', // 7
    '  ```ts title="x.ts"', // 8
    '  indented();', // 9
    '  ```', // 10
    '````ts', // 11
    'const md = `', // 12
    '```', // 13
    '`;', // 14
    '````', // 15
    '~~~prisma', // 16
    'model A {}', // 17
    '~~~', // 18
    '```', // 19
    'no language', // 20
    '```', // 21
  ].join('\n');

  it.each<[string[], Array<Pick<DocBlock, 'language' | 'line' | 'text'>>]>([
    [
      ['ts'],
      [
        { language: 'ts', line: 3, text: 'const a = 1;' },
        { language: 'ts', line: 9, text: '  indented();' },
        { language: 'ts', line: 12, text: 'const md = `\n```\n`;' },
      ],
    ],
    [['typescript'], [{ language: 'typescript', line: 6, text: 'not ts' }]],
    [['prisma'], [{ language: 'prisma', line: 17, text: 'model A {}' }]],
    [[''], [{ language: '', line: 20, text: 'no language' }]],
    [['sql'], []],
  ])('languages %j', (languages, expected) => {
    expect(codeBlocks(md, languages)).toMatchObject(expected);
  });

  it('reads CRLF files like LF ones', () => {
    expect(codeBlocks(md.replace(/\n/g, '\r\n'), ['ts'])).toEqual(codeBlocks(md, ['ts']));
  });

  it('throws on an unclosed fence instead of checking nothing', () => {
    expect(() => codeBlocks('text\n```ts\nconst a = 1;\n', ['ts'])).toThrow(/unclosed code fence at line 2/);
    expect(() => codeBlocks('````ts\na\n```\n', ['ts'])).toThrow(/unclosed code fence at line 1/);
  });
});

describe('blockMismatch', () => {
  const source = [
    'export async function main() {',
    '  // The seed: three items.',
    '  const a = 1;',
    '',
    '  const b = 2;',
    '  return a + b;',
    '}',
  ].join('\n');
  const block = (text: string): DocBlock => ({ language: 'ts', meta: '', line: 10, text });

  it.each<[string, string, { line: number; text: string } | undefined]>([
    ['a dedented excerpt', '// The seed: three items.\nconst a = 1;\n\nconst b = 2;', undefined],
    ['leading and trailing blank lines of the block', '\n\nconst a = 1;\n\n', undefined],
    ['a changed comment', '// The seed: four items.\nconst a = 1;', { line: 10, text: '// The seed: four items.' }],
    ['a changed line', 'const a = 1;\n\nconst b = 3;\nreturn a + b;', { line: 12, text: 'const b = 3;' }],
    ['a missing blank line', 'const a = 1;\nconst b = 2;', { line: 11, text: 'const b = 2;' }],
    // A blank line only shows as absent once the next line follows it.
    ['an extra blank line', 'const b = 2;\n\nreturn a + b;', { line: 12, text: 'return a + b;' }],
    ['a dropped line', 'const a = 1;\n\nreturn a + b;', { line: 12, text: 'return a + b;' }],
    ['swapped lines', 'return a + b;\nconst b = 2;', { line: 11, text: 'const b = 2;' }],
    // A block's first and last lines may be parts of source lines, as in the checks this replaced.
    ['a line split in two', 'const a =\n1;', { line: 11, text: '1;' }],
    ['parts of lines at both ends', 'a = 1;\n\nconst b', undefined],
  ])('%s', (_name, text, expected) => {
    const b = block(text);
    expect(blockMismatch(b, source)).toEqual(expected && { block: b, ...expected });
  });
});

// A doc whose blocks are excerpts of a source file (the guides themselves are programs now: test/guides).
const SOURCE = [
  'export function walkthrough() {',
  '  const a = 1;',
  '',
  '  const b = a + 1;',
  '  return b;',
  '}',
  '',
].join('\n');
const DOC = [
  '# Doc',
  '',
  '```ts',
  'const a = 1;',
  '',
  'const b = a + 1;',
  '```',
  '',
  'text',
  '',
  '```ts',
  'return b;',
  '}',
  '```',
  '',
].join('\n');
const DOCS: Array<[doc: string, source: string, languages: string[], minBlocks: number]> = [
  ['doc.md', 'source.ts', ['ts'], 2],
];

describe('a changed block in a copy of a doc', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vecpg-doc-blocks-'));
    await writeFile(join(dir, 'doc.md'), DOC);
    await writeFile(join(dir, 'source.ts'), SOURCE);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each(DOCS)('%s against %s (%j)', async (docName, sourceName, languages, minBlocks) => {
    const original = await readFile(join(dir, docName), 'utf8');
    const source = join(dir, sourceName);
    const copy = join(dir, docName.replace(/\W/g, '_'));
    await writeFile(copy, original);
    const unchanged = await compareDocBlocks(copy, source, languages);
    expect(unchanged.mismatches).toEqual([]);
    expect(unchanged.blocks.length).toBeGreaterThanOrEqual(minBlocks);

    // Change one line in the middle of each block in turn: the checker reports that block at that line.
    const lines = original.split('\n');
    let last = '';
    for (const b of unchanged.blocks) {
      const offsets = b.text.split('\n').flatMap((l, i) => (l.trim() === '' ? [] : [i]));
      const at = b.line - 1 + offsets[Math.floor(offsets.length / 2)]!;
      const changed = lines.with(at, lines[at]!.replace(/^(\s*)/, '$1changed '));
      await writeFile(copy, changed.join('\n'));
      const report = await compareDocBlocks(copy, source, languages);
      expect(report.mismatches.map((m) => [m.block.line, m.line, m.text])).toEqual([[b.line, at + 1, changed[at]]]);
      last = `${copy}:${at + 1} (block at line ${b.line}): ${changed[at]!.trim()}`;
    }

    // The assertion the integration tests call fails on the same kind of change, naming the line.
    await expect(expectDocBlocksIn(copy, source, { languages, minBlocks })).rejects.toThrow(last);
    await writeFile(copy, original);
    await expect(expectDocBlocksIn(copy, source, { languages, minBlocks })).resolves.toBeUndefined();
  });

  it('fails when the fences are renamed away, even though nothing mismatches', async () => {
    const source = join(dir, 'source.ts');
    await writeFile(source, 'const a = 1;\nconst b = 2;\n');
    const copy = join(dir, 'renamed.md');
    await writeFile(copy, '```typescript\nconst a = 1;\n```\n\n```typescript\nconst b = 2;\n```\n');
    expect((await compareDocBlocks(copy, source, ['ts'])).blocks).toEqual([]);
    await expect(expectDocBlocksIn(copy, source, { languages: ['ts'], minBlocks: 2 })).rejects.toThrow(/ts blocks in/);
  });
});
