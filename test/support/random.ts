/** A small deterministic PRNG (mulberry32) so failures reproduce. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` values uniform in [-scale, scale). */
export function randomArray(rand: () => number, n: number, scale = 1): number[] {
  return Array.from({ length: n }, () => (rand() * 2 - 1) * scale);
}

/** Bytes from the driver (pg gives a Buffer, PGlite a Uint8Array) as a plain number array. */
export function bytesOf(value: unknown): number[] {
  if (!(value instanceof Uint8Array)) throw new Error(`expected bytes, got ${typeof value}`);
  return Array.from(value);
}
