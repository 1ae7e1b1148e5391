/** `a` is an older version than `b` (x.y.z, numerically). */
export declare function older(a: string, b: string): boolean;
/** `version` satisfies one `||` alternative of a peer range (^, >=, >, <=, <, = with full x.y.z versions). */
export declare function satisfies(version: string, alternative: string): boolean;
/** Peer ranges against the lines that passed: the table rows and what the lines do not prove. */
export declare function checkPeerRanges(
  peerDependencies: Readonly<Record<string, string>>,
  passed: ReadonlyArray<{ deps: Readonly<Record<string, string>> }>,
): { rows: string[]; problems: string[] };
