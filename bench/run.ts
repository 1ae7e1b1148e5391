/**
 * `npm run bench`: every benchmark, one after the other, each in its own process (so one part's JIT and
 * garbage do not weigh on the next), printing markdown and writing it to bench/results/latest.md.
 *
 *   codecs      encode/decode 10,000 dense 1536-d and 10,000 sparse vectors (CPU only)
 *   fetch       10,000 rows of vector(1536): pgvector's registerTypes vs vecpg text vs vecpg binary
 *   exact-scan  exact top-10 over 100,000 × 768: default table vs vecpg's, serial and parallel
 *   import      bulk load (bench/import.ts, minutes: only with BENCH_IMPORT=1)
 *
 * DATABASE_URL selects the server (default postgres://postgres@127.0.0.1:5432/test); BENCH_ONLY=codecs,fetch
 * runs a subset. The machine's load average is recorded before and after: timings on a shared machine are noisy.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { machine } from './util.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const parts = ['codecs', 'fetch', 'exact-scan', ...(process.env.BENCH_IMPORT === '1' ? ['import'] : [])];
const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());
const load = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(', ');

const out: string[] = [
  `# vecpg benchmarks, ${new Date().toISOString()}`,
  '',
  machine(),
  '',
  `Load average at start: ${load()}`,
];
let failed = false;
for (const part of parts) {
  if (only && !only.includes(part)) continue;
  console.error(`— ${part} (load ${load()})`);
  const started = Date.now();
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', `${here}${part}.ts`], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    env: process.env,
  });
  const text = r.stdout ?? '';
  process.stdout.write(text);
  out.push(text.trim(), '', `(${part}: ${((Date.now() - started) / 1000).toFixed(0)} s, exit ${r.status})`, '');
  if (r.status !== 0) failed = true;
}
out.push(`Load average at end: ${load()}`);
let commit = 'unknown';
try {
  commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
} catch {
  // not a git checkout
}
out.push(`Commit: ${commit}`);
mkdirSync(`${here}results`, { recursive: true });
writeFileSync(`${here}results/latest.md`, `${out.join('\n')}\n`);
console.error(`written to bench/results/latest.md`);
process.exitCode = failed ? 1 : 0;
