import { cpus, totalmem } from 'node:os';

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Milliseconds of CPU this process used (user + system): steadier than wall time on a busy, shared machine. */
export function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * Run `fn` `runs` times (after one warm-up) and return the median milliseconds: wall time by default,
 * or this process's CPU time with `clock: 'cpu'` (for pure-JavaScript work on a shared machine).
 */
export async function bench(
  fn: () => unknown | Promise<unknown>,
  runs = 7,
  clock: 'wall' | 'cpu' = 'wall',
): Promise<number> {
  const now = clock === 'cpu' ? cpuMs : () => performance.now();
  await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = now();
    await fn();
    times.push(now() - t);
  }
  return median(times);
}

export function machine(): string {
  const c = cpus();
  return `Machine: ${c.length} × ${c[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
}

export function printTable(header: string[], rows: string[][]): void {
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map(() => '---').join('|')}|`);
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
}

/** A small deterministic PRNG (mulberry32), so every run measures the same data. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Like {@link bench}, measuring both clocks: wall time, and this process's CPU time (the client's share). */
export async function benchBoth(
  fn: () => unknown | Promise<unknown>,
  runs = 7,
): Promise<{ wall: number; cpu: number }> {
  await fn();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const c = cpuMs();
    await fn();
    cpu.push(cpuMs() - c);
    wall.push(performance.now() - t);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

/**
 * Like the tests, the benchmarks create what they need: the vector extension in the target database
 * (a server database without it used to stop `npm run bench` at `type "vector" does not exist`).
 */
export async function ensureVectorExtension(db: { query(text: string): Promise<unknown> }): Promise<void> {
  await db.query('CREATE EXTENSION IF NOT EXISTS vector');
}
