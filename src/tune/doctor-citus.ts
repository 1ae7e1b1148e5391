/**
 * The doctor's Citus checks: pgvector on every node at one version, each vector index present and valid
 * on every shard, search settings that differ between the coordinator and the workers (Citus does not
 * propagate `ALTER SYSTEM` / `ALTER DATABASE` / `ALTER ROLE` settings), and shard count against workers.
 */
import { type CitusTableInfo, citusTableInfo } from '../sql/citus.ts';
import type { Row, SqlExecutor } from '../sql/executor.ts';
import { quoteIdent, quoteQualified } from '../sql/identifiers.ts';
import type { VectorIndexInfo } from '../sql/catalog.ts';
import type { Finding } from './findings.ts';

/** The search settings vecpg applies per query; a server-wide value must be the same on every node. */
const SEARCH_GUCS = [
  'hnsw.ef_search',
  'hnsw.iterative_scan',
  'hnsw.max_scan_tuples',
  'ivfflat.probes',
  'ivfflat.iterative_scan',
  'ivfflat.max_probes',
];

type NodeResult = Row & { nodename: string; nodeport: number; success: boolean; result: string };

async function onWorkers(db: SqlExecutor, command: string): Promise<NodeResult[]> {
  const rows = await db.query<NodeResult>(
    'SELECT nodename, nodeport, success, result FROM run_command_on_workers($1) ORDER BY nodeport',
    [command],
  );
  return rows.map((r) => ({ ...r, nodeport: Number(r.nodeport) }));
}

const node = (r: { nodename: string; nodeport: number }): string => `${r.nodename}:${r.nodeport}`;

/**
 * Findings about the Citus cluster the database belongs to (only call it where Citus is installed).
 *
 * @example
 * findings.push(...(await citusFindings(db, indexes, '0.8.0', 'public', [{ schema: 'public', table: 'items' }])));
 */
export async function citusFindings(
  db: SqlExecutor,
  indexes: readonly VectorIndexInfo[],
  vectorVersion: string,
  vectorSchema: string,
  tables: ReadonlyArray<{ schema: string; table: string }>,
): Promise<Finding[]> {
  const out: Finding[] = [];
  // 1. pgvector on every worker, at the coordinator's version.
  const versions = await onWorkers(db, "SELECT extversion FROM pg_extension WHERE extname = 'vector'");
  const missing = versions.filter((v) => !v.success || v.result === '');
  const differ = versions.filter((v) => v.success && v.result !== '' && v.result !== vectorVersion);
  if (missing.length > 0)
    out.push({
      severity: 'error',
      code: 'CITUS_VECTOR_MISSING',
      message: `the vector extension is missing on worker ${missing.map(node).join(', ')}: queries on distributed vector tables fail there`,
      fix: 'install pgvector on every node (the same package as the coordinator), then on the coordinator: CREATE EXTENSION IF NOT EXISTS vector; (Citus propagates it)',
      subject: null,
    });
  if (differ.length > 0)
    out.push({
      severity: 'error',
      code: 'CITUS_VECTOR_VERSION',
      message: `pgvector ${vectorVersion} on the coordinator but ${differ.map((d) => `${d.result} on ${node(d)}`).join(', ')}: shards can answer differently (settings, operators)`,
      fix: `install pgvector ${vectorVersion} on every node, then ALTER EXTENSION vector UPDATE; on the coordinator`,
      subject: null,
    });
  if (missing.length === 0 && differ.length === 0)
    out.push({
      severity: 'info',
      code: 'CITUS_CLUSTER',
      message: `Citus cluster: pgvector ${vectorVersion} on the coordinator and on all ${versions.length} workers`,
      fix: null,
      subject: null,
    });

  // 2. Settings a node-level ALTER leaves different on the workers. pgvector's settings exist once its
  // library is loaded: the vector literal in FROM is folded at plan time, which loads it first.
  const settingsSql = `SELECT string_agg(name || '=' || coalesce(current_setting(name, true), ''), ',' ORDER BY name) AS s
    FROM unnest(ARRAY[${SEARCH_GUCS.map((g) => `'${g}'`).join(', ')}]) AS name,
         (SELECT '[1]'::${quoteIdent(vectorSchema)}.vector AS v) AS vecpg_load`;
  const parse = (text: string): Map<string, string> =>
    new Map(text.split(',').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  const here = parse((await db.query<{ s: string | null }>(settingsSql))[0]?.s ?? '');
  const there = (await onWorkers(db, settingsSql))
    .filter((t) => t.success)
    .map((t) => ({ ...t, settings: parse(t.result) }));
  for (const [name, setting] of here) {
    const other = there.filter((t) => t.settings.get(name) !== setting);
    if (other.length > 0)
      out.push({
        severity: 'warning',
        code: 'CITUS_SETTING_DIFFERS',
        message: `${name} is ${setting} on the coordinator but ${other.map((o) => `${o.settings.get(name) ?? '?'} on ${node(o)}`).join(', ')}: Citus does not propagate ALTER SYSTEM / DATABASE / ROLE settings, and the shards' searches use the workers' value`,
        fix: `set it per query (vecpg's approximate settings are propagated to the shards), or on every node: SELECT run_command_on_workers($$ALTER SYSTEM SET ${name} = '${setting}'$$); SELECT run_command_on_workers('SELECT pg_reload_conf()');`,
        subject: null,
      });
  }

  // 3. Per distributed table: shards against workers, and every vector index on every shard.
  const workers = versions.length;
  for (const t of tables) {
    const name = quoteQualified([t.schema, t.table]);
    const info: CitusTableInfo | undefined = await citusTableInfo(db, [t.schema, t.table]);
    if (info?.type !== 'distributed') continue;
    const subject = `${t.schema}.${t.table}`;
    if (info.shardCount < workers)
      out.push({
        severity: 'warning',
        code: 'CITUS_SHARDS',
        message: `${subject} has ${info.shardCount} shards for ${workers} workers: some workers hold none of it and sit idle during its searches`,
        fix: `SELECT alter_distributed_table('${name}', shard_count => ${workers * 4});`,
        subject,
      });
    else
      out.push({
        severity: 'info',
        code: 'CITUS_SHARDS',
        message: `${subject} is distributed by ${info.distributionColumn ?? '?'} over ${info.shardCount} shards on ${workers} workers${info.shardCount % workers === 0 ? '' : ' (not a multiple: some workers hold one shard more)'}; every search without a filter on ${info.distributionColumn ?? 'the distribution column'} runs on all ${info.shardCount}, each returning its own top-k`,
        fix: null,
        subject,
      });
    for (const index of indexes.filter((i) => i.schema === t.schema && i.table === t.table)) {
      const counts = await db.query<{
        shardid: string;
        nodename: string;
        nodeport: number;
        result: string;
        success: boolean;
      }>(
        `SELECT r.shardid, s.nodename, s.nodeport, r.success, r.result
           FROM run_command_on_shards($1, $2) r JOIN citus_shards s USING (shardid)`,
        [
          name,
          // run_command_on_shards formats the command: %s is the shard, a literal % is written %%.
          `SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
            WHERE i.indrelid = '%s'::regclass AND i.indisvalid
              AND starts_with(c.relname, '${`${index.name}_`.replaceAll("'", "''").replaceAll('%', '%%')}')`,
        ],
      );
      const bad = counts.filter((c) => !c.success || c.result !== '1');
      if (bad.length > 0)
        out.push({
          severity: 'error',
          code: 'CITUS_INDEX_MISSING',
          message: `index ${index.name} is missing or invalid on ${bad.length} of ${counts.length} shards of ${subject} (${[...new Set(bad.map((b) => `${b.nodename}:${b.nodeport}`))].join(', ')}): searches on those shards scan every row`,
          fix: `DROP INDEX ${quoteQualified([index.schema, index.name])}; then create it again (Citus builds it on every shard): ${index.definition};`,
          subject: `${index.schema}.${index.name}`,
        });
    }
  }
  return out;
}
