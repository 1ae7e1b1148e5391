import { VecpgError } from '../errors.ts';

/** A read-only view over bytes in pgvector's (big-endian) binary formats. */
export function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The big-endian int32 at byte `at` (no DataView: creating one costs more than a header's four reads). */
export function readInt32(bytes: Uint8Array, at: number): number {
  return (bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!;
}

/** Throw INVALID_BINARY unless `bytes` is exactly `expected` long. */
export function expectLength(bytes: Uint8Array, expected: number, typeName: string, what: string): void {
  if (bytes.byteLength !== expected) {
    const how = bytes.byteLength < expected ? 'truncated' : 'trailing bytes after';
    throw new VecpgError(
      'INVALID_BINARY',
      `invalid ${typeName} binary: ${how} data (${what} needs ${expected} bytes, got ${bytes.byteLength})`,
      { details: { expected, actual: bytes.byteLength } },
    );
  }
}

/** Accept any byte container (Uint8Array, Buffer, ArrayBuffer) as a Uint8Array without copying. */
export function asBytes(input: Uint8Array | ArrayBuffer | ArrayBufferView, typeName: string): Uint8Array {
  if (input instanceof Uint8Array) return input;
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  throw new VecpgError('INVALID_BINARY', `invalid ${typeName} binary: expected bytes, got ${typeof input}`);
}
