import { isVecpgError } from '../../src/errors.ts';

/** What a `VecpgError` says in place of its code when something else was thrown: an assertion on a code then fails. */
function notVecpg(error: unknown): string {
  return `not a VecpgError: ${String(error)}`;
}

/**
 * The `code` of the `VecpgError` a call threw (or of an error value), for assertions on codes, not wording.
 * `undefined` when the call did not throw; anything thrown that is not a `VecpgError` gives a string that
 * no code equals.
 */
export function codeOf(thrown: unknown): string | undefined {
  if (typeof thrown === 'function') {
    try {
      (thrown as () => unknown)();
    } catch (error) {
      return codeOf(error);
    }
    return undefined;
  }
  return isVecpgError(thrown) ? thrown.code : notVecpg(thrown);
}

/** The `code` of the `VecpgError` a promise rejects with (`undefined` when it resolves). */
export async function codeOfRejection(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    return isVecpgError(error) ? error.code : notVecpg(error);
  }
  return undefined;
}
