/**
 * `vecpg index create|list|drop`: HNSW and IVFFlat indexes with the right operator class,
 * validated options, refusals (with the fix) for what pgvector cannot index, and build
 * progress on a server terminal.
 */
import { VecpgError, isVecpgError } from '../../errors.ts';
import { queryFailed } from '../../drivers/query-error.ts';
import { dropIndexSql } from '../../sql/ddl.ts';
import type { SqlExecutor } from '../../sql/executor.ts';
import { isCitus } from '../../sql/citus.ts';
import { listVectorIndexes } from '../../sql/catalog.ts';
import { planIndex } from '../../tune/index-plan.ts';
import { formatIndexBuildProgress, watchIndexBuild } from '../../tune/progress.ts';
import {
  CliUsageError,
  choiceFlag,
  intFlag,
  parseCommandArgs,
  requireFlag,
  stringFlag,
  resolveVectorColumn,
  vectorColumnFlags,
  VECTOR_COLUMN_OPTIONS,
} from '../args.ts';
import type { CliCommand, CliIO } from '../command.ts';
import { tableName, withConnection, type CliConnection } from '../connect.ts';
import { formatTable, print, Progress, PROGRESS_OPTIONS, toJson } from '../output.ts';
import { describeVectorColumn } from '../../sql/catalog.ts';
import { estimateHnswBuildMemory, memorySetting } from '../../tune/build-memory.ts';
import { quoteIdent, quoteQualified } from '../../sql/identifiers.ts';

const USAGE = `Usage: vecpg index create --table T [--column C] --distance D [options]
       vecpg index list [--table T]
       vecpg index drop --name N [--concurrently]

create options:
  --method M             hnsw (default) | ivfflat
  --distance D           l2 | ip | cosine | l1 | hamming | jaccard (picks the operator class)
  --m N                  HNSW connections per layer, 2-100 (default 16)
  --ef-construction N    HNSW build candidate list, 4-1000, at least 2 x m (default 64)
  --lists N              IVFFlat lists, 1-32768 (default rows/1000, sqrt(rows) above 1M rows)
  --as halfvec|bit       index column::halfvec(n) (up to 4,000 dims) or binary_quantize(column)::bit(n)
  --name N               index name (default <table>_<column>_<method>_<distance>_idx)
  --concurrently         build without blocking writes (CREATE INDEX CONCURRENTLY)
  --if-not-exists        do nothing when an index of that name exists
  --maintenance-work-mem SIZE
                         memory for this build only (e.g. 512MB, 2GB); before an HNSW build vecpg
                         estimates the graph's size and warns with the figure needed
  --parallel-workers N   max_parallel_maintenance_workers for this build only (0 = none)
  --dry-run              print the statement without running it
  --progress, --quiet    progress lines every few seconds even on a terminal / none at all
Ctrl-C or SIGTERM cancels the build on the server, waits for it to stop, and exits with 130.
common: --schema S, --json, --database-url URL`;

const CREATE_OPTIONS = {
  ...VECTOR_COLUMN_OPTIONS,
  method: { type: 'string' },
  m: { type: 'string' },
  'ef-construction': { type: 'string' },
  lists: { type: 'string' },
  as: { type: 'string' },
  name: { type: 'string' },
  concurrently: { type: 'boolean' },
  'if-not-exists': { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  'maintenance-work-mem': { type: 'string' },
  'parallel-workers': { type: 'string' },
  ...PROGRESS_OPTIONS,
} as const;

/**
 * The `index` command.
 *
 * @example
 * await main(['index', 'create', '--table', 'items', '--column', 'embedding', '--distance', 'cosine'], io);
 */
export const indexCommand: CliCommand = {
  name: 'index',
  summary: 'create, list or drop HNSW / IVFFlat indexes',
  usage: USAGE,
  async run(argv, io) {
    const [action, ...rest] = argv;
    switch (action) {
      case 'create':
        return create(rest, io);
      case 'list':
        return list(rest, io);
      case 'drop':
        return drop(rest, io);
      default:
        throw new CliUsageError(
          action === undefined
            ? 'missing action: create, list or drop'
            : `unknown action ${JSON.stringify(action)}: create, list or drop`,
        );
    }
  },
};

async function create(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs(argv, CREATE_OPTIONS);
  const { table, column: columnFlag, distance } = vectorColumnFlags(values);
  if (distance === undefined) throw new CliUsageError('--distance is required: it decides the operator class');
  const method = choiceFlag(values, 'method', ['hnsw', 'ivfflat'] as const) ?? 'hnsw';
  const as = choiceFlag(values, 'as', ['halfvec', 'bit'] as const);
  const m = intFlag(values, 'm', 2, 100);
  const efConstruction = intFlag(values, 'ef-construction', 4, 1000);
  const lists = intFlag(values, 'lists', 1, 32768);
  if (method === 'hnsw' && lists !== undefined)
    throw new CliUsageError('--lists is an IVFFlat option; HNSW takes --m and --ef-construction');
  if (method === 'ivfflat' && (m !== undefined || efConstruction !== undefined)) {
    throw new CliUsageError('--m and --ef-construction are HNSW options; IVFFlat takes --lists');
  }
  const name = stringFlag(values, 'name');
  const memory = memoryFlag(stringFlag(values, 'maintenance-work-mem'));
  const workers = intFlag(values, 'parallel-workers', 0, 1024);
  const settings: BuildSettings = {
    ...(memory === undefined ? {} : { maintenanceWorkMem: memory }),
    ...(workers === undefined ? {} : { parallelWorkers: workers }),
  };
  return withConnection(values, io, async (conn) => {
    const column = await resolveVectorColumn(conn.db, table, columnFlag, 'index');
    const plan = await planIndex(conn.db, {
      table,
      column,
      distance,
      method,
      ...(as === undefined ? {} : { as }),
      ...(name === undefined ? {} : { name }),
      ...(m === undefined ? {} : { m }),
      ...(efConstruction === undefined ? {} : { efConstruction }),
      ...(lists === undefined ? {} : { lists }),
      ...(values.concurrently === true ? { concurrently: true } : {}),
      ...(values['if-not-exists'] === true ? { ifNotExists: true } : {}),
    });
    const dryRun = values['dry-run'] === true;
    const memoryCheck =
      plan.method === 'hnsw' ? await checkBuildMemory(conn, table, column, plan, m ?? 16, memory) : undefined;
    if (memoryCheck?.warning !== undefined && values.json !== true)
      io.stderr.write(`warning: ${memoryCheck.warning}\n`);
    const json = values.json === true;
    // The statement is shown before the build, which can take long (or wait for writers, CONCURRENTLY):
    // on stdout as always; with --json on stderr, so that stdout stays the one JSON document.
    if (json) {
      if (!dryRun) io.stderr.write(`vecpg index: running ${plan.sql};\n`);
    } else {
      print(io, `${plan.sql};\n`);
      for (const note of plan.notes) print(io, `note: ${note}\n`);
    }
    let ms = 0;
    const notices: string[] = [];
    if (!dryRun) {
      const started = performance.now();
      try {
        await build(
          conn,
          plan.sql,
          table,
          io,
          settings,
          values['concurrently'] === true,
          { quiet: values.quiet === true, progress: values.progress === true },
          (n) => {
            notices.push(n);
            io.stderr.write(`notice from PostgreSQL: ${n}\n`);
          },
        );
      } catch (error) {
        if (isVecpgError(error) && error.code === 'CANCELLED' && values.concurrently === true) {
          throw new VecpgError(
            'CANCELLED',
            `${error.message}; an interrupted CREATE INDEX CONCURRENTLY leaves an INVALID index: DROP INDEX ${quoteQualified(typeof table === 'string' ? plan.name : [table[0], plan.name])}`,
            { cause: error },
          );
        }
        throw error;
      }
      ms = performance.now() - started;
    }
    if (json) {
      print(io, toJson({ ...plan, created: !dryRun, ms: Math.round(ms), memory: memoryCheck ?? null, notices }));
      return 0;
    }
    if (!dryRun)
      print(
        io,
        `created index ${plan.name} (${plan.method}, ${plan.opclass}) on ${plan.rows} rows in ${(ms / 1000).toFixed(2)} s\n`,
      );
    return 0;
  });
}

/** Per-build settings: `SET LOCAL` around a plain build, session `SET` + `RESET` around a concurrent one. */
interface BuildSettings {
  maintenanceWorkMem?: string;
  parallelWorkers?: number;
}

function settingStatements(settings: BuildSettings, scope: 'LOCAL' | 'SESSION'): string[] {
  const set = scope === 'LOCAL' ? 'SET LOCAL' : 'SET';
  const out: string[] = [];
  // Values are checked by memoryFlag / intFlag: digits and a unit only.
  if (settings.maintenanceWorkMem !== undefined)
    out.push(`${set} maintenance_work_mem = '${settings.maintenanceWorkMem}'`);
  if (settings.parallelWorkers !== undefined)
    out.push(`${set} max_parallel_maintenance_workers = ${settings.parallelWorkers}`);
  return out;
}

async function build(
  conn: CliConnection,
  sql: string,
  table: string | [string, string],
  io: CliIO,
  settings: BuildSettings,
  concurrently: boolean,
  progressOptions: { quiet: boolean; progress: boolean },
  onNotice: (message: string) => void,
): Promise<void> {
  const pool = conn.pool;
  if (pool === undefined) {
    // The embedded database: one connection, no progress view.
    const sets = settingStatements(settings, concurrently ? 'SESSION' : 'LOCAL');
    if (concurrently) {
      try {
        for (const s of sets) await conn.db.query(s);
        await conn.db.query(sql);
      } finally {
        if (settings.maintenanceWorkMem !== undefined) await conn.db.query('RESET maintenance_work_mem');
        if (settings.parallelWorkers !== undefined) await conn.db.query('RESET max_parallel_maintenance_workers');
      }
    } else if (sets.length === 0) await conn.db.query(sql);
    else
      await conn.db.transaction(async (tx) => {
        for (const s of sets) await tx.query(s);
        await tx.query(sql);
      });
    return;
  }
  if (
    concurrently &&
    settingStatements(settings, 'SESSION').length > 0 &&
    (await isCitus((text, values) => conn.db.query(text, values), conn.db))
  )
    throw new VecpgError(
      'UNSUPPORTED',
      'on Citus, --maintenance-work-mem and --parallel-workers reach the shards only in a transaction, which CREATE INDEX CONCURRENTLY cannot run in: drop --concurrently, or set them on the workers (ALTER SYSTEM)',
    );
  // A dedicated connection: its settings, its notices ("hnsw graph no longer fits into maintenance_work_mem").
  const client = await pool.connect();
  const listener = (n: {
    message?: string | undefined;
    detail?: string | undefined;
    hint?: string | undefined;
  }): void => {
    onNotice([n.message, n.detail, n.hint].filter((x) => x !== undefined && x !== '').join(' '));
  };
  client.on('notice', listener);
  const watcher: SqlExecutor = { query: async (text, params) => (await pool.query(text, params as unknown[])).rows };
  const progress = new Progress(io, progressOptions);
  progress.update('starting index build…');
  const stop = progressOptions.quiet
    ? async () => undefined
    : watchIndexBuild(watcher, table, (p) => progress.update(formatIndexBuildProgress(p)));
  let broken: Error | undefined;
  try {
    if (concurrently) {
      // CREATE INDEX CONCURRENTLY cannot run in a transaction block: session settings, reset afterwards.
      try {
        for (const s of settingStatements(settings, 'SESSION')) await client.query(s);
        await client.query(sql);
      } finally {
        await client
          .query('RESET maintenance_work_mem; RESET max_parallel_maintenance_workers')
          .catch((e: Error) => (broken = e));
      }
    } else {
      const sets = settingStatements(settings, 'LOCAL');
      // Citus builds the index of each shard on the workers: the settings reach those builds only as
      // SET LOCAL with propagation switched on (see src/sql/citus.ts).
      if (sets.length > 0 && (await isCitus((text, values) => conn.db.query(text, values), conn.db)))
        sets.unshift("SET LOCAL citus.propagate_set_commands = 'local'");
      await client.query('BEGIN');
      try {
        for (const s of sets) await client.query(s);
        await client.query(sql);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch((e: Error) => (broken = e));
        throw error;
      }
    }
  } catch (error) {
    throw queryFailed(error, sql);
  } finally {
    client.removeListener('notice', listener);
    client.release(broken);
    await stop();
    progress.done();
  }
}

/** `--maintenance-work-mem`: a size PostgreSQL accepts (`64MB`, `1GB`, `524288kB`, a bare number of kB). */
function memoryFlag(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const m = /^\s*(\d+)\s*(kB|MB|GB|TB)?\s*$/i.exec(raw);
  if (!m)
    throw new CliUsageError(`--maintenance-work-mem must be a size such as 512MB or 2GB, got ${JSON.stringify(raw)}`);
  const unit = (m[2] ?? 'kB').toLowerCase();
  const canonical = { kb: 'kB', mb: 'MB', gb: 'GB', tb: 'TB' }[unit]!;
  return `${m[1]}${canonical}`;
}

const UNIT_BYTES: Record<string, number> = { kB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };

/** The HNSW graph size estimate against the memory the build will have, with a warning naming the figure. */
async function checkBuildMemory(
  conn: CliConnection,
  table: string | [string, string],
  column: string,
  plan: { rows: number; type: import('../../sql/operators.ts').VectorType },
  m: number,
  memory: string | undefined,
): Promise<{ neededBytes: number; availableBytes: number; warning: string | undefined }> {
  const info = await describeVectorColumn(conn.db, table, column);
  let avg: number | undefined;
  if (plan.type === 'sparsevec') {
    const r = await conn.db.query<{ a: unknown }>(
      `SELECT avg(pg_column_size(${quoteIdent(column)})) AS a FROM (SELECT ${quoteIdent(column)} FROM ${quoteQualified(table)} LIMIT 1000) s`,
    );
    avg = Number(r[0]?.a ?? 0);
  }
  const neededBytes = estimateHnswBuildMemory({
    rows: plan.rows,
    m,
    type: plan.type,
    dimensions: info.dimensions,
    avgValueBytes: avg,
  });
  let availableBytes: number;
  if (memory !== undefined) {
    const mm = /^(\d+)(kB|MB|GB|TB)$/.exec(memory)!;
    availableBytes = Number(mm[1]) * UNIT_BYTES[mm[2]!]!;
  } else {
    const r = await conn.db.query<{ b: unknown }>(
      "SELECT setting::bigint * 1024 AS b FROM pg_settings WHERE name = 'maintenance_work_mem'",
    );
    availableBytes = Number(r[0]?.b ?? 0);
  }
  const warning =
    neededBytes > availableBytes
      ? `the HNSW graph of ${plan.rows} rows needs about ${memorySetting(neededBytes)} of maintenance_work_mem but the build has ${Math.round(availableBytes / 1024 / 1024)} MB: it will spill to disk and take much longer; give --maintenance-work-mem ${memorySetting(neededBytes)} (the server must have that memory free)`
      : undefined;
  return { neededBytes, availableBytes, warning };
}

async function list(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs(argv, { table: { type: 'string' }, schema: { type: 'string' } });
  const t = stringFlag(values, 'table');
  return withConnection(values, io, async ({ db }) => {
    const indexes = await listVectorIndexes(
      db,
      t === undefined ? undefined : tableName(t, stringFlag(values, 'schema')),
    );
    if (values.json === true) {
      print(io, toJson(indexes));
      return 0;
    }
    if (indexes.length === 0) {
      print(io, 'no HNSW or IVFFlat indexes\n');
      return 0;
    }
    const rows = indexes.map((i) => ({
      name: i.name,
      table: i.schema === 'public' ? i.table : `${i.schema}.${i.table}`,
      column: i.column ?? i.expression,
      method: i.method,
      opclass: i.opclass,
      options: i.options.join(','),
      size: formatBytes(i.sizeBytes),
      valid: i.valid ? 'yes' : 'NO',
    }));
    print(io, formatTable(['name', 'table', 'column', 'method', 'opclass', 'options', 'size', 'valid'], rows));
    return 0;
  });
}

async function drop(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs(argv, {
    name: { type: 'string' },
    schema: { type: 'string' },
    concurrently: { type: 'boolean' },
  });
  const name = requireFlag(values, 'name');
  const schema = stringFlag(values, 'schema');
  return withConnection(values, io, async ({ db }) => {
    const found = (await listVectorIndexes(db)).find(
      (i) => i.name === name && (schema === undefined || i.schema === schema),
    );
    if (!found) {
      throw new VecpgError(
        'INVALID_VALUE',
        `no HNSW or IVFFlat index named ${JSON.stringify(name)}${schema ? ` in schema ${schema}` : ''}`,
      );
    }
    const sql = dropIndexSql([found.schema, found.name], {
      ifExists: false,
      concurrently: values.concurrently === true,
    });
    await db.query(sql);
    if (values.json === true) print(io, toJson({ dropped: found.name, sql }));
    else print(io, `${sql};\ndropped index ${found.name}\n`);
    return 0;
  });
}

/** Human size: 8192 → "8 kB". */
export function formatBytes(n: number): string {
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}
