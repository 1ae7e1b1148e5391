/**
 * `vecpg index create|list|drop`: HNSW and IVFFlat indexes with the right operator class,
 * validated options, refusals (with the fix) for what pgvector cannot index, and build
 * progress on a server terminal.
 */
import { VecpgError } from '../../errors.ts';
import { dropIndexSql } from '../../sql/ddl.ts';
import type { SqlExecutor } from '../../sql/executor.ts';
import { listVectorIndexes } from '../../tune/catalog.ts';
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
import { formatTable, print, Progress, toJson } from '../output.ts';

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
  --dry-run              print the statement without running it
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
          action === undefined ? 'missing action: create, list or drop' : `unknown action ${JSON.stringify(action)}: create, list or drop`,
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
  if (method === 'hnsw' && lists !== undefined) throw new CliUsageError('--lists is an IVFFlat option; HNSW takes --m and --ef-construction');
  if (method === 'ivfflat' && (m !== undefined || efConstruction !== undefined)) {
    throw new CliUsageError('--m and --ef-construction are HNSW options; IVFFlat takes --lists');
  }
  const name = stringFlag(values, 'name');
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
    if (!dryRun) {
      const started = performance.now();
      await build(conn, plan.sql, table, io);
      ms = performance.now() - started;
    }
    if (json) {
      print(io, toJson({ ...plan, created: !dryRun, ms: Math.round(ms) }));
      return 0;
    }
    if (!dryRun) print(io, `created index ${plan.name} (${plan.method}, ${plan.opclass}) on ${plan.rows} rows in ${(ms / 1000).toFixed(2)} s\n`);
    return 0;
  });
}

async function build(conn: CliConnection, sql: string, table: string | [string, string], io: CliIO): Promise<void> {
  const pool = conn.pool;
  if (!io.isTTY || pool === undefined) {
    await conn.db.query(sql);
    return;
  }
  const watcher: SqlExecutor = { query: async (text, params) => (await pool.query(text, params as unknown[])).rows };
  const progress = new Progress(io);
  progress.update('starting index build…');
  const stop = watchIndexBuild(watcher, table, (p) => progress.update(formatIndexBuildProgress(p)));
  try {
    await conn.db.query(sql);
  } finally {
    await stop();
    progress.done();
  }
}

async function list(argv: string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs(argv, { table: { type: 'string' }, schema: { type: 'string' } });
  const t = stringFlag(values, 'table');
  return withConnection(values, io, async ({ db }) => {
    const indexes = await listVectorIndexes(db, t === undefined ? undefined : tableName(t, stringFlag(values, 'schema')));
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
  const { values } = parseCommandArgs(argv, { name: { type: 'string' }, schema: { type: 'string' }, concurrently: { type: 'boolean' } });
  const name = requireFlag(values, 'name');
  const schema = stringFlag(values, 'schema');
  return withConnection(values, io, async ({ db }) => {
    const found = (await listVectorIndexes(db)).find((i) => i.name === name && (schema === undefined || i.schema === schema));
    if (!found) {
      throw new VecpgError('INVALID_VALUE', `no HNSW or IVFFlat index named ${JSON.stringify(name)}${schema ? ` in schema ${schema}` : ''}`);
    }
    const sql = dropIndexSql([found.schema, found.name], { ifExists: false, concurrently: values.concurrently === true });
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

