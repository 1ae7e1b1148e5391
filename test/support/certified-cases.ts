/**
 * The certified searches every integration's test runs: both distances with a prefix bound (l2, cosine), in
 * the half form (no `certified` options) and in the prefix form (`prefixSearch`, sized for that test's data).
 */
export function certifiedCases<P extends { form: 'prefix'; prefix: number; candidates: number }>(prefixSearch: P) {
  return [
    ['l2', undefined],
    ['cosine', undefined],
    ['l2', prefixSearch],
    ['cosine', prefixSearch],
  ] as const;
}
