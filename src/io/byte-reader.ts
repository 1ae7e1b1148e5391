/**
 * Pull exact byte counts out of a chunked stream (binary formats: .npy, fvecs, bvecs),
 * holding at most one chunk plus one record in memory.
 */
export class ByteReader {
  readonly #it: AsyncIterator<Uint8Array>;
  #buf: Uint8Array = new Uint8Array(0);
  #pos = 0;
  #done = false;
  /** Bytes consumed so far. */
  offset = 0;

  constructor(chunks: AsyncIterable<Uint8Array>) {
    this.#it = chunks[Symbol.asyncIterator]();
  }

  /** Stop reading the input: its iterator's `finally` blocks run (a file source closes its file). */
  async close(): Promise<void> {
    this.#done = true;
    await this.#it.return?.();
  }

  /** Bytes buffered and not yet consumed (what {@link tryRead} can hand out without waiting). */
  get buffered(): number {
    return this.#buf.length - this.#pos;
  }

  /** The next `n` bytes when they are already buffered, without consuming them; else undefined. */
  peek(n: number): Uint8Array | undefined {
    return this.#buf.length - this.#pos < n ? undefined : this.#buf.subarray(this.#pos, this.#pos + n);
  }

  /**
   * The next `n` bytes when they are already buffered (no await: the common case for small records),
   * else undefined, consuming nothing. Valid until the next call.
   */
  tryRead(n: number): Uint8Array | undefined {
    if (this.#buf.length - this.#pos < n) return undefined;
    const out = this.#buf.subarray(this.#pos, this.#pos + n);
    this.#pos += n;
    this.offset += n;
    return out;
  }

  /**
   * The next `n` bytes, or fewer at the end of the input (0 bytes at a clean end). The result is
   * only valid until the next call.
   */
  async read(n: number): Promise<Uint8Array> {
    if (this.#buf.length - this.#pos >= n) {
      const out = this.#buf.subarray(this.#pos, this.#pos + n);
      this.#pos += n;
      this.offset += n;
      return out;
    }
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      if (this.#pos >= this.#buf.length) {
        if (this.#done) break;
        const next = await this.#it.next();
        if (next.done) {
          this.#done = true;
          break;
        }
        this.#buf = next.value;
        this.#pos = 0;
        continue;
      }
      const take = Math.min(n - filled, this.#buf.length - this.#pos);
      out.set(this.#buf.subarray(this.#pos, this.#pos + take), filled);
      this.#pos += take;
      filled += take;
    }
    this.offset += filled;
    return filled === n ? out : out.subarray(0, filled);
  }
}
