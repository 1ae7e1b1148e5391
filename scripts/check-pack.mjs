// Build, `npm pack`, unpack the tarball into .cache/pack-check/node_modules/vecpg and import every
// subpath of its "exports" map from there — proving the published package works, not just the sources.
// Peer dependencies resolve from the repository's node_modules (the unpack dir lives inside it).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

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
  lines.push(`try { const m = await import('${spec}'); const n = Object.keys(m).length; if (!n) throw new Error('no exports'); console.log('ok ${spec} (' + n + ' exports)'); } catch (e) { console.log('FAIL ${spec}: ' + e.message); process.exitCode = 1; }`);
}
if (pkg.bin) {
  for (const [name, f] of Object.entries(pkg.bin)) {
    if (!existsSync(join(dir, 'node_modules/vecpg', f))) problems.push(`bin ${name}: ${f} is not in the package`);
  }
}
writeFileSync(join(dir, 'check.mjs'), lines.join('\n') + '\n');
for (const p of problems) console.log(`FAIL ${p}`);
try {
  execFileSync('node', ['check.mjs'], { cwd: dir, stdio: 'inherit' });
} catch {
  process.exitCode = 1;
}
if (problems.length) process.exitCode = 1;
