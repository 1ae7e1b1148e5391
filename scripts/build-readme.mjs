// README.md includes the walkthroughs in docs/*.md between `<!-- docs:NAME -->` and `<!-- /docs:NAME -->`
// markers, with headings moved down two levels. docs/ is the source (its code blocks are checked against
// the executed examples by the tests); this keeps README in step:
//   node scripts/build-readme.mjs          # rewrite README.md
//   node scripts/build-readme.mjs --check  # exit 1 when README.md is out of date
import { readFileSync, writeFileSync } from 'node:fs';

const root = new URL('..', import.meta.url);
const readmePath = new URL('README.md', root);

/** Move headings so the doc's top level becomes `###`, and make its relative links work from the root. */
export function demote(markdown) {
  const lines = markdown.split('\n');
  let fence = false;
  const isHeading = lines.map((line) => {
    if (/^(```|~~~)/.test(line)) fence = !fence;
    return !fence && /^#{1,6} /.test(line);
  });
  const top = Math.min(...lines.filter((_, i) => isHeading[i]).map((l) => l.indexOf(' ')));
  const shift = Number.isFinite(top) ? 3 - top : 0;
  return lines
    .map((line, i) => {
      if (isHeading[i] && shift > 0) return '#'.repeat(shift) + line;
      return isHeading[i] ? line : line.replace(/\]\(\.\.\//g, '](');
    })
    .join('\n')
    .trim();
}

export function build(readme) {
  return readme.replace(/<!-- docs:([a-z-]+) -->[\s\S]*?<!-- \/docs:\1 -->/g, (_m, name) => {
    const doc = readFileSync(new URL(`docs/${name}.md`, root), 'utf8');
    return `<!-- docs:${name} -->\n${demote(doc)}\n<!-- /docs:${name} -->`;
  });
}

const current = readFileSync(readmePath, 'utf8');
const next = build(current);
if (process.argv.includes('--check')) {
  if (next !== current) {
    console.error('README.md is out of date with docs/*.md: run node scripts/build-readme.mjs');
    process.exit(1);
  }
} else if (next !== current) {
  writeFileSync(readmePath, next);
}
