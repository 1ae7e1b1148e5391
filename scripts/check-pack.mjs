// Build, `npm pack`, unpack the tarball into .cache/pack-check/node_modules/vecpg and import every
// subpath of its "exports" map from there — proving the published package works, not just the sources.
// Peer dependencies resolve from the repository's node_modules (the unpack dir lives inside it).
// Then, for each subpath, the declarations it pulls in may import only that subpath's own host packages.
// The tarball ships no source maps (it ships no sources for them to point at).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const dir = join(root, '.cache/pack-check');
rmSync(dir, { recursive: true, force: true });
mkdirSync(join(dir, 'node_modules/vecpg'), { recursive: true });
execFileSync('npm', ['run', '-s', 'build'], { cwd: root, stdio: 'inherit' });
const out = execFileSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: root, encoding: 'utf8' });
const tarball = join(dir, JSON.parse(out)[0].filename);
execFileSync('tar', ['-xzf', tarball, '-C', join(dir, 'node_modules/vecpg'), '--strip-components=1']);

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const problems = [];
const lines = [];
for (const [key, target] of Object.entries(pkg.exports)) {
  if (typeof target === 'string') continue;
  const spec = key === '.' ? 'vecpg' : `vecpg/${key.slice(2)}`;
  for (const f of [target.types, target.default]) {
    if (!existsSync(join(dir, 'node_modules/vecpg', f))) problems.push(`${spec}: ${f} is not in the package`);
  }
  lines.push(
    `try { const m = await import('${spec}'); const n = Object.keys(m).length; if (!n) throw new Error('no exports'); console.log('ok ${spec} (' + n + ' exports)'); } catch (e) { console.log('FAIL ${spec}: ' + e.message); process.exitCode = 1; }`,
  );
}
if (pkg.bin) {
  for (const [name, f] of Object.entries(pkg.bin)) {
    if (!existsSync(join(dir, 'node_modules/vecpg', f))) problems.push(`bin ${name}: ${f} is not in the package`);
  }
}
writeFileSync(join(dir, 'check.mjs'), lines.join('\n') + '\n');
for (const p of problems) console.log(`FAIL ${p}`);
const problemsBefore = problems.length;
try {
  execFileSync('node', ['check.mjs'], { cwd: dir, stdio: 'inherit' });
} catch {
  process.exitCode = 1;
}
if (problems.length) process.exitCode = 1;

// No source maps, and no reference to one, in the package.
const unpacked = join(dir, 'node_modules/vecpg');
const walk = (d) =>
  readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]));
for (const f of walk(unpacked)) {
  if (f.endsWith('.map')) problems.push(`${f.slice(unpacked.length + 1)}: a source map in the package`);
  else if (/\.(js|d\.ts)$/.test(f) && readFileSync(f, 'utf8').includes('sourceMappingURL'))
    problems.push(`${f.slice(unpacked.length + 1)}: names a source map`);
}

// Each subpath's declarations import only its own host packages: a consumer with `skipLibCheck: false`
// and only that host installed must not hit TS2307 (`vecpg/load` needing PGlite's types was the bug).
// This walks the import graph of the packed .d.ts files; the version matrix (npm run test:matrix,
// "types only" lines) type-checks real consumers with only one host installed.
const HOSTS = {
  vecpg: [],
  'vecpg/sql': [],
  'vecpg/tune': [],
  'vecpg/load': [],
  'vecpg/pg': ['pg'],
  'vecpg/postgres': ['postgres'],
  'vecpg/pglite': ['@electric-sql/pglite', '@electric-sql/pglite-pgvector'],
  'vecpg/prisma': ['@prisma/client'],
  'vecpg/typeorm': ['typeorm'],
  'vecpg/sequelize': ['sequelize'],
  'vecpg/drizzle': ['drizzle-orm'],
  'vecpg/kysely': ['kysely'],
  'vecpg/knex': ['knex'],
  'vecpg/mikro-orm': ['@mikro-orm/core', '@mikro-orm/postgresql'],
};
const packageOf = (s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]);
for (const [key, target] of Object.entries(pkg.exports)) {
  if (typeof target === 'string') continue;
  const spec = key === '.' ? 'vecpg' : `vecpg/${key.slice(2)}`;
  const allowed = new Set(['vecpg', ...(HOSTS[spec] ?? [])]);
  if (!HOSTS[spec]) problems.push(`${spec}: no host list in scripts/check-pack.mjs`);
  const seen = new Set();
  const stack = [join(unpacked, target.types)];
  while (stack.length > 0) {
    const file = stack.pop();
    if (seen.has(file) || !existsSync(file)) continue;
    seen.add(file);
    // Comments out first: prose such as 'apart from "the statement failed"' is not an import.
    const code = readFileSync(file, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/^\s*\/\/.*$/gm, '');
    for (const m of code.matchAll(/(?:\bfrom\s+|\bimport\(\s*)['"]([^'"]+)['"]/g)) {
      const s = m[1];
      if (s.startsWith('.')) stack.push(join(dirname(file), s.replace(/\.(js|ts)$/, '.d.ts')));
      else if (!s.startsWith('node:') && !allowed.has(packageOf(s))) {
        problems.push(
          `types ${spec}: ${file.slice(unpacked.length + 1)} imports '${s}' (only ${[...allowed].join(', ')} may be needed)`,
        );
      }
    }
  }
  console.log(`ok types ${spec}: ${seen.size} declaration files, imports only ${[...allowed].join(', ')}`);
}
for (const p of problems.slice(problemsBefore)) console.log(`FAIL ${p}`);
if (problems.length) process.exitCode = 1;
