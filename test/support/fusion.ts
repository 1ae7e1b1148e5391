/**
 * What every independent hybrid-search answer in the tests needs: real English text (paragraphs of this
 * repository's docs), Reciprocal Rank Fusion of two ranked lists done in TypeScript, and a vector literal.
 * Nothing here calls vecpg.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './paths.ts';

/** Paragraphs of the repository's docs: real English text for full-text search. */
export function paragraphs(limit = 400): string[] {
  const files = ['README.md', 'DESIGN.md', ...readdirSync(join(ROOT, 'docs')).map((f) => join('docs', f))].sort();
  const out: string[] = [];
  for (const f of files) {
    for (const p of readFileSync(join(ROOT, f), 'utf8').split(/\n\s*\n/)) {
      const text = p.split(/\s+/).join(' ').trim();
      if (text.length > 60 && !/^(#|```|\||<)/.test(text)) out.push(text);
    }
  }
  return out.slice(0, limit);
}

export interface Ranked {
  id: number;
  rank: number;
}

export interface Fused {
  id: number;
  vectorRank: number | null;
  textRank: number | null;
  score: number;
}

/** RRF fusion of two ranked lists, ties as vecpg breaks them (vector rank, then text rank). */
export function fuse(vector: Ranked[], text: Ranked[], k: number, wv = 1, wt = 1, rrf = 60): Fused[] {
  const rows = new Map<number, Fused>();
  for (const r of vector) rows.set(r.id, { id: r.id, vectorRank: r.rank, textRank: null, score: wv / (rrf + r.rank) });
  for (const r of text) {
    const row = rows.get(r.id) ?? { id: r.id, vectorRank: null, textRank: null, score: 0 };
    row.textRank = r.rank;
    row.score += wt / (rrf + r.rank);
    rows.set(r.id, row);
  }
  const last = (x: number | null) => x ?? Infinity;
  return [...rows.values()]
    .sort((a, b) => b.score - a.score || last(a.vectorRank) - last(b.vectorRank) || last(a.textRank) - last(b.textRank))
    .slice(0, k);
}

/** A vector as pgvector's text literal. */
export const lit = (v: readonly number[]): string => `[${v.join(',')}]`;
