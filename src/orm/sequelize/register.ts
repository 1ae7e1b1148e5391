/**
 * Parsing pgvector values in raw Sequelize queries. Model attributes typed with vecpg's data types
 * are parsed by the types themselves; `sequelize.query(…)` and `raw: true` results go through the
 * `pg` type parsers of the Sequelize instance's connection manager. {@link registerVectorTypes}
 * adds vecpg's parsers there — that instance only: `pg`'s global parsers and Sequelize's global
 * `DataTypes` are left alone.
 */
import type { Sequelize } from 'sequelize';
import { VecpgError } from '../../errors.ts';
import { type TextParser, type VectorTypeOptions, textParsers } from '../../drivers/vector-types.ts';

/** The parts of Sequelize's PostgreSQL connection manager used here. */
interface PgConnectionManager {
  nameOidMap: Record<string, { oid: number; arrayOid?: number }>;
  oidParserMap: Map<number, TextParser>;
  refreshTypeParser(dataTypes: unknown): void;
  _refreshDynamicOIDs(): Promise<void>;
}

const REGISTERED = Symbol.for('vecpg.sequelize.registered');

function apply(manager: PgConnectionManager, options: VectorTypeOptions): void {
  const map = manager.nameOidMap;
  const vector = map.vector;
  if (!vector) return; // the extension is not installed (yet): nothing to parse
  const parsers = textParsers(
    {
      vector: vector.oid,
      halfvec: map.halfvec?.oid,
      sparsevec: map.sparsevec?.oid,
      arrays: { vector: vector.arrayOid ?? 0, halfvec: map.halfvec?.arrayOid, sparsevec: map.sparsevec?.arrayOid },
      schema: '',
    },
    options,
  );
  for (const [oid, parse] of parsers) manager.oidParserMap.set(oid, parse);
}

/**
 * Make raw queries on this Sequelize instance return `number[]` for vector/halfvec and
 * `SparseVector` for sparsevec (and `Bit` for bit with `{ bit: 'class' }`). Explicit and per
 * instance; it re-applies itself whenever Sequelize reloads type OIDs.
 *
 * @example
 * const sequelize = new Sequelize(process.env.DATABASE_URL, { dialect: 'postgres' });
 * await registerVectorTypes(sequelize);
 * const [row] = await sequelize.query('SELECT embedding FROM documents LIMIT 1', { type: QueryTypes.SELECT });
 */
export async function registerVectorTypes(sequelize: Sequelize, options: VectorTypeOptions = {}): Promise<void> {
  if (sequelize.getDialect() !== 'postgres') {
    throw new VecpgError(
      'UNSUPPORTED',
      `vecpg/sequelize needs the postgres dialect, got ${JSON.stringify(sequelize.getDialect())}`,
    );
  }
  const manager = (sequelize as unknown as { connectionManager: PgConnectionManager & { [REGISTERED]?: true } })
    .connectionManager;
  if (!manager[REGISTERED]) {
    const refresh = manager.refreshTypeParser.bind(manager);
    manager.refreshTypeParser = (dataTypes) => {
      refresh(dataTypes);
      apply(manager, options);
    };
    Object.defineProperty(manager, REGISTERED, { value: true });
  }
  await manager._refreshDynamicOIDs();
}
