import { VecpgError, describeValue } from '../errors.ts';

/** A nested array as PostgreSQL prints it, elements parsed, `NULL` as null. */
export type ParsedArray<T> = (T | null | ParsedArray<T>)[];

/**
 * Parse PostgreSQL's array text (`{"[1,2]","[3,4]"}`, nested for more dimensions) and hand each
 * element's text to `parseElement` — the element's own codec. Only the array syntax is read here.
 *
 * @example
 * parseArrayText('{"[1,2]",NULL}', (t) => Vector.fromSql(t)); // [Vector [1,2], null]
 */
export function parseArrayText<T>(text: string, parseElement: (text: string) => T): ParsedArray<T> {
  // Arrays with non-default lower bounds are printed as `[0:1]={...}`.
  let i = text.charCodeAt(0) === 91 /* [ */ ? text.indexOf('=') + 1 : 0;
  const fail = (why: string): never => {
    throw new VecpgError('INVALID_TEXT', `malformed array literal ${describeValue(text)}: ${why} at position ${i}`);
  };
  const parseLevel = (): ParsedArray<T> => {
    if (text[i] !== '{') fail('expected "{"');
    i++;
    const out: ParsedArray<T> = [];
    if (text[i] === '}') {
      i++;
      return out;
    }
    for (;;) {
      const c = text[i];
      if (c === '{') out.push(parseLevel());
      else if (c === '"') {
        let value = '';
        i++;
        for (;;) {
          const d = text[i];
          if (d === undefined) fail('unterminated quoted element');
          if (d === '"') break;
          if (d === '\\') i++;
          value += text[i];
          i++;
        }
        i++;
        out.push(parseElement(value));
      } else {
        let end = i;
        while (end < text.length && text[end] !== ',' && text[end] !== '}') end++;
        const raw = text.slice(i, end);
        if (raw.length === 0) fail('empty element');
        out.push(raw === 'NULL' ? null : parseElement(raw));
        i = end;
      }
      const sep = text[i];
      i++;
      if (sep === '}') return out;
      if (sep !== ',') fail('expected "," or "}"');
    }
  };
  const result = parseLevel();
  if (i !== text.length) fail('trailing characters');
  return result;
}
