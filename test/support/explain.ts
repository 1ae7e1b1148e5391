/**
 * What a search statement makes PostgreSQL do per row, read from `EXPLAIN (VERBOSE, FORMAT JSON)`:
 * a scan node's `Output` lists every expression it evaluates for each row (the Sort and Limit above
 * it only pass them on), and an index scan names its index. Used to check that a search computes its
 * distance once per row, and that an approximate search can still be served by the vector index.
 */
import type { SqlExecutor, VecpgDb } from '../../src/sql/executor.ts';

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  Output?: string[];
  Plans?: PlanNode[];
}

export interface ScanReport {
  /** The expressions the scan nodes output (evaluate per row). */
  outputs: string[];
  /** The indexes the plan scans. */
  indexes: string[];
}

/** EXPLAIN a statement (with its bound parameters) and report its scan nodes. */
export async function explainScans(db: SqlExecutor, text: string, values: readonly unknown[]): Promise<ScanReport> {
  const rows = await db.query(`EXPLAIN (VERBOSE, FORMAT JSON) ${text}`, values);
  const json = Object.values(rows[0]!)[0];
  const plan = (typeof json === 'string' ? JSON.parse(json) : json) as Array<{ Plan: PlanNode }>;
  const report: ScanReport = { outputs: [], indexes: [] };
  const walk = (node: PlanNode): void => {
    if (/Scan/.test(node['Node Type'])) report.outputs.push(...(node.Output ?? []));
    if (node['Index Name'] !== undefined) report.indexes.push(node['Index Name']);
    for (const child of node.Plans ?? []) walk(child);
  };
  for (const entry of plan) walk(entry.Plan);
  return report;
}

/** As {@link explainScans}, with sequential scans disabled: any index that can serve the statement is used. */
export function explainScansWithoutSeqScan(db: VecpgDb, text: string, values: readonly unknown[]): Promise<ScanReport> {
  return db.transaction(async (tx) => {
    await tx.query('SET LOCAL enable_seqscan = off');
    return explainScans(tx, text, values);
  });
}

/** How many times `operator` (`'<->'`, `'<=>'`, …) appears in the scan nodes' output: distances computed per row. */
export function evaluations(report: ScanReport, operator: string): number {
  return report.outputs.join(' ').split(operator).length - 1;
}
