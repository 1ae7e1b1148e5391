/** The `code` of what a call threw (or of an error value), for assertions on codes, not wording. */
export function codeOf(thrown: unknown): string | undefined {
  if (typeof thrown === 'function') {
    try {
      (thrown as () => unknown)();
    } catch (error) {
      return codeOf(error);
    }
    return undefined;
  }
  const code = (thrown as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The `code` of the error a promise rejects with (`undefined` when it resolves). */
export async function codeOfRejection(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    return codeOf(error);
  }
  return undefined;
}
