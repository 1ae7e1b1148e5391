/**
 * Objection.js models with pgvector columns. Objection runs on Knex, so the Knex helpers
 * (distances, `applySimilarity`, migrations) work on its query builders unchanged; this adds
 * the write side: plain arrays and `SparseVector`s converted for the declared columns.
 */
import type { Model, Pojo } from 'objection';
import { VecpgError } from '../../errors.ts';
import { type VectorColumnSpec, toVectorParam } from './columns.ts';

/**
 * An Objection model class, typed by its shape rather than with `typeof Model` so that `vecpg/knex`
 * type-checks in a Knex project without Objection installed.
 */
export interface ObjectionModelClass {
  new (...args: never[]): { $toDatabaseJson(...args: never[]): object };
}

/**
 * A subclass of your Objection model whose `$toDatabaseJson` converts the given vector
 * columns (plain arrays, `Vector`, `SparseVector`, `{ indices, values, dimensions }`, bit strings)
 * to pgvector's text form and checks their dimensions. Reads need the parsers registered on the
 * Knex pool (`withVectorTypes`). The model class itself is not modified.
 *
 * @example
 * class Document extends withVectorColumns(Model, { embedding: { type: 'vector', dimensions: 4 } }) {
 *   static override tableName = 'documents';
 *   declare id: number;
 *   declare embedding: number[];
 * }
 * await Document.query().insert({ embedding: [0.5, 0.2, 0.9, 0.3] });
 */
export function withVectorColumns<M extends ObjectionModelClass>(
  Base: M,
  columns: Readonly<Record<string, VectorColumnSpec>>,
): M {
  const spec = { ...columns };
  const WithVectors = class extends (Base as unknown as typeof Model) {
    override $toDatabaseJson(...args: []): Pojo {
      const json = super.$toDatabaseJson(...args);
      // Objection deep-clones objects on the way (a SparseVector would lose its class):
      // convert from the model's own, uncloned values.
      const own = this as unknown as Record<string, unknown>;
      for (const [name, column] of Object.entries(spec)) {
        if (!Object.hasOwn(json, name)) continue;
        const value = own[name];
        if (value !== null && typeof value === 'object' && typeof (value as { toSQL?: unknown }).toSQL === 'function')
          continue;
        try {
          json[name] = toVectorParam(value, column.type, column.dimensions);
        } catch (error) {
          if (error instanceof VecpgError) {
            throw new VecpgError(error.code, `${this.constructor.name}.${name}: ${error.message}`, {
              cause: error,
              details: { column: name },
            });
          }
          throw error;
        }
      }
      return json;
    }
  };
  return WithVectors as unknown as M;
}
