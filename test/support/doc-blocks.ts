/**
 * Docs show code that the suite runs: every fenced block of the chosen languages in a Markdown file
 * must appear, as one contiguous piece, in a source file (an example the tests execute, or a fixture).
 * Indentation is ignored line by line, because the docs dedent excerpts taken from inside functions;
 * everything else counts: blank lines, comments and the order of lines.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { expect } from 'vitest';
import { ROOT } from './paths.ts';

export interface DocBlock {
  /** The fence's language, the first word of its info string (`ts` for a fence opened with ```` ```ts ````). */
  readonly language: string;
  /** The rest of the info string after the language (`file=main.ts` for ```` ```ts file=main.ts ````). */
  readonly meta: string;
  /** 1-based line of the doc holding the block's first line (the line after the opening fence). */
  readonly line: number;
  readonly text: string;
}

export interface BlockMismatch {
  readonly block: DocBlock;
  /** 1-based line of the doc where the block stops matching the source. */
  readonly line: number;
  /** That line of the doc, as written. */
  readonly text: string;
}

export interface DocBlockReport {
  /** The blocks of the requested languages, in document order. */
  readonly blocks: DocBlock[];
  /** The blocks not found in the source, each with the first line that breaks the match. */
  readonly mismatches: BlockMismatch[];
}

const FENCE = /^\s*(`{3,}|~{3,})\s*([^\s`]*)([^`]*)$/;

/**
 * The fenced code blocks of `markdown` whose language is one of `languages`. A fence closes on a line
 * holding only a fence of the same character at least as long, as in CommonMark. An unclosed fence
 * throws: a doc that swallows the rest of itself into one block would otherwise check nothing.
 */
export function codeBlocks(markdown: string, languages: readonly string[]): DocBlock[] {
  const lines = markdown.split(/\r?\n/);
  const blocks: DocBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]!);
    if (!open) continue;
    const fence = open[1]!;
    const closing = new RegExp(`^\\s*${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`);
    let end = i + 1;
    while (end < lines.length && !closing.test(lines[end]!)) end++;
    if (end === lines.length) throw new Error(`unclosed code fence at line ${i + 1}: ${lines[i]}`);
    if (languages.includes(open[2]!))
      blocks.push({ language: open[2]!, meta: open[3]!.trim(), line: i + 2, text: lines.slice(i + 1, end).join('\n') });
    i = end;
  }
  return blocks;
}

const squash = (lines: readonly string[]) => lines.map((l) => l.trim()).join('\n');

/**
 * Where `block` stops matching `source`, or undefined when the whole block is in it. Both are compared
 * with each line trimmed (indentation ignored) and the block's leading and trailing blank lines dropped;
 * the reported line is the first whose addition makes the block's prefix absent from the source.
 */
export function blockMismatch(block: DocBlock, source: string): BlockMismatch | undefined {
  const haystack = squash(source.split(/\r?\n/));
  const lines = block.text.split('\n');
  let first = 0;
  let last = lines.length - 1;
  while (first <= last && lines[first]!.trim() === '') first++;
  while (last >= first && lines[last]!.trim() === '') last--;
  if (haystack.includes(squash(lines.slice(first, last + 1)))) return undefined;
  let bad = first;
  while (bad < last && haystack.includes(squash(lines.slice(first, bad + 1)))) bad++;
  return { block, line: block.line + bad, text: lines[bad]! };
}

/** Compare the `languages` blocks of the Markdown file `doc` with the file `source` (paths from the repository root, or absolute). */
export async function compareDocBlocks(
  doc: string,
  source: string,
  languages: readonly string[],
): Promise<DocBlockReport> {
  const [markdown, code] = await Promise.all([
    readFile(resolve(ROOT, doc), 'utf8'),
    readFile(resolve(ROOT, source), 'utf8'),
  ]);
  const blocks = codeBlocks(markdown, languages);
  const mismatches = blocks.map((b) => blockMismatch(b, code)).filter((m) => m !== undefined);
  return { blocks, mismatches };
}

/**
 * Assert that `doc` has at least `minBlocks` blocks of `languages` (so a renamed fence cannot empty the
 * check) and that each of them is in `source`. A failure names the doc line where each block diverges.
 */
export async function expectDocBlocksIn(
  doc: string,
  source: string,
  options: { languages: readonly string[]; minBlocks: number },
): Promise<void> {
  const { blocks, mismatches } = await compareDocBlocks(doc, source, options.languages);
  expect(blocks.length, `${options.languages.join('/')} blocks in ${doc}`).toBeGreaterThanOrEqual(options.minBlocks);
  const missing = mismatches.map((m) => `${doc}:${m.line} (block at line ${m.block.line}): ${m.text.trim()}`);
  expect(missing, `blocks of ${doc} not in ${source}:\n${missing.join('\n')}\n`).toEqual([]);
}
