/**
 * What `console.log` and `util.inspect` print for the value types: the type, its dimensions and the
 * first values, truncated for long vectors. Node looks the hook up by the registered symbol
 * `Symbol.for('nodejs.util.inspect.custom')`, so the core needs no import of `node:util` and stays
 * runtime-agnostic (other runtimes ignore the symbol).
 */
import { formatFloat32 } from './float-format.ts';

/** Node's `util.inspect.custom`, by its registered name. */
export const INSPECT_CUSTOM: unique symbol = Symbol.for('nodejs.util.inspect.custom');

/** How many elements (values, non-zeros) a printed vector shows before `… n more`. */
export const INSPECT_ELEMENTS = 10;
/** How many bits a printed `Bit` shows. */
export const INSPECT_BITS = 64;

function more(shown: number, total: number, what: string): string {
  return total > shown ? `, … ${total - shown} more${what}` : '';
}

/**
 * `Vector(3) [0.5, 0.2, 0.9]`: the type, dimensions and the first values in their shortest float32 form.
 *
 * @example
 * inspectDense('Vector', [0.5, 0.2]); // 'Vector(2) [0.5, 0.2]'
 */
export function inspectDense(type: string, values: ArrayLike<number>): string {
  const n = Math.min(values.length, INSPECT_ELEMENTS);
  const shown: string[] = [];
  for (let i = 0; i < n; i++) shown.push(formatFloat32(values[i]!));
  return `${type}(${values.length}) [${shown.join(', ')}${more(n, values.length, '')}]`;
}

/**
 * `SparseVector(10000, nnz 2) {0: 5.5, 42: 1.2}`: 0-based indices, as in memory and in `toObject()`.
 *
 * @example
 * inspectSparse(6, [0, 2], [1.5, 2]); // 'SparseVector(6, nnz 2) {0: 1.5, 2: 2}'
 */
export function inspectSparse(dimensions: number, indices: readonly number[], values: readonly number[]): string {
  const n = Math.min(indices.length, INSPECT_ELEMENTS);
  const shown: string[] = [];
  for (let k = 0; k < n; k++) shown.push(`${indices[k]}: ${formatFloat32(values[k]!)}`);
  return `SparseVector(${dimensions}, nnz ${indices.length}) {${shown.join(', ')}${more(n, indices.length, ' non-zeros')}}`;
}

/**
 * `Bit(24) 111111100000011100000000`, the first {@link INSPECT_BITS} bits of longer strings.
 *
 * @example
 * inspectBit('101'); // 'Bit(3) 101'
 */
export function inspectBit(bits: string): string {
  if (bits.length <= INSPECT_BITS) return `Bit(${bits.length}) ${bits}`;
  return `Bit(${bits.length}) ${bits.slice(0, INSPECT_BITS)}… ${bits.length - INSPECT_BITS} more bits`;
}
