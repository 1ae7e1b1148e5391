/** One line of a text input, without its line terminator (`\n` or `\r\n`). */
export interface Line {
  /** 1-based line number. */
  readonly number: number;
  readonly text: string;
}

/**
 * Split a byte stream into UTF-8 lines, in constant memory (one chunk plus one partial line).
 *
 * @example
 * for await (const { number, text } of readLines(fileSource('a.svm').chunks())) …
 */
export async function* readLines(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Line> {
  const decoder = new TextDecoder('utf-8', { fatal: false });
  let pending = '';
  let number = 0;
  let first = true;
  for await (const chunk of chunks) {
    let text = pending + decoder.decode(chunk, { stream: true });
    if (first && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a UTF-8 byte order mark
      first = false;
    }
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl === -1) break;
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      yield { number: ++number, text: text.slice(start, end) };
      start = nl + 1;
    }
    pending = text.slice(start);
  }
  pending += decoder.decode();
  if (pending.length > 0) {
    yield { number: ++number, text: pending.endsWith('\r') ? pending.slice(0, -1) : pending };
  }
}
