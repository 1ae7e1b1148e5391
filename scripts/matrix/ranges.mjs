// The version matrix's peer-range arithmetic (scripts/matrix.mjs): just the comparators package.json
// uses, so the matrix needs no dependency; test/unit/matrix-ranges.test.ts checks it.

/** `a` is an older version than `b` (x.y.z, numerically). */
export function older(a, b) {
  const [x, y] = [a, b].map((v) => v.split('.').map(Number));
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] < y[i];
  return false;
}

/** `version` satisfies one `||` alternative of a peer range (^, >=, >, <=, <, = with full x.y.z versions). */
export function satisfies(version, alternative) {
  return alternative
    .trim()
    .split(/\s+/)
    .every((comparator) => {
      const m = /^(\^|>=|<=|>|<|=)?(\d+)\.(\d+)\.(\d+)$/.exec(comparator);
      if (!m) throw new Error(`package.json: peer range comparator ${comparator} is not op + x.y.z`);
      const bound = `${m[2]}.${m[3]}.${m[4]}`;
      const before = older(version, bound);
      const same = version === bound;
      switch (m[1]) {
        case '^': {
          // npm's caret: the next major, or below 1.0.0 the next minor, or below 0.1.0 the next patch.
          const [major, minor, patch] = [m[2], m[3], m[4]].map(Number);
          const next = major > 0 ? `${major + 1}.0.0` : minor > 0 ? `0.${minor + 1}.0` : `0.0.${patch + 1}`;
          return !before && older(version, next);
        }
        case '>=':
          return !before;
        case '>':
          return !before && !same;
        case '<=':
          return before || same;
        case '<':
          return before;
        default:
          return same;
      }
    });
}

/**
 * Peer ranges (package.json's `peerDependencies`) against the lines that passed (each with its `deps`):
 * each alternative's lower end is a version the matrix ran, and every version it ran is inside the
 * range. Returns the table rows and the problems.
 */
export function checkPeerRanges(peerDependencies, passed) {
  const rows = [];
  const problems = [];
  for (const [name, range] of Object.entries(peerDependencies)) {
    const tested = [...new Set(passed.map((line) => line.deps[name]).filter(Boolean))].sort((a, b) =>
      older(a, b) ? -1 : older(b, a) ? 1 : 0,
    );
    const alternatives = range.split('||');
    for (const alternative of alternatives) {
      const lower = /(?:\^|>=)(\d+\.\d+\.\d+)/.exec(alternative)?.[1];
      if (!lower || !tested.includes(lower))
        problems.push(
          `${name}: the lower end of "${alternative.trim()}" (${lower ?? 'none'}) is not a version that passed`,
        );
      if (!tested.some((v) => satisfies(v, alternative)))
        problems.push(`${name}: no passing line inside "${alternative.trim()}"`);
    }
    for (const v of tested)
      if (!alternatives.some((a) => satisfies(v, a)))
        problems.push(`${name}: ${v} passed but is outside the peer range "${range}"`);
    rows.push(`| ${name} | \`${range.replaceAll('|', '\\|')}\` | ${tested.join(', ') || '-'} |`);
  }
  return { rows, problems };
}
