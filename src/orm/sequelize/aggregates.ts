/**
 * pgvector's `avg` and `sum` for Sequelize: a `fn`-based attribute for `findAll({ attributes, group })`
 * over a model's `VECTOR`/`HALFVEC` attribute, and a parser that reads the result as the attribute reads
 * (`number[]`): an aggregate is a raw value, which no attribute type parses.
 */
import { type Model, type ModelStatic, cast, fn, literal } from 'sequelize';
import { VecpgError, describeValue } from '../../errors.ts';
import { type AggregateType, type VectorAggregate, checkAggregate, checkAggregateType } from '../../sql/aggregates.ts';
import { quoteQualified } from '../../sql/identifiers.ts';
import { PgvectorDataType, toModelValue } from './types.ts';

/** An aggregate of a vector attribute, for `attributes: [[a.fn, 'centroid']]`, and its parser. */
export interface SequelizeAggregate {
  /** `CAST(avg("Model"."column") AS TEXT)`: text whatever parsers the connection has, so `parse` reads every setup alike. */
  readonly fn: ReturnType<typeof cast>;
  /** The attribute's pgvector type. */
  readonly type: AggregateType;
  /** The raw result as the attribute reads: `number[]`, or null where SQL's aggregate is null. */
  parse(raw: unknown): number[] | null;
}

/**
 * `avg` or `sum` of `model`'s vector attribute, its type read from the model: UNSUPPORTED for a
 * SPARSEVEC or BIT attribute (pgvector aggregates vector and halfvec only).
 *
 * @example
 * const total = vectorAggregate('sum', Item, 'embedding');
 * const [row] = await Item.findAll({ attributes: [[total.fn, 'total']], raw: true });
 * total.parse(row.total); // number[]
 */
export function vectorAggregate<M extends Model>(
  aggregate: VectorAggregate,
  model: ModelStatic<M>,
  attribute: keyof M['_attributes'] & string,
): SequelizeAggregate {
  const name = checkAggregate(aggregate);
  const definition = model.getAttributes()[attribute as keyof M['_attributes']];
  if (definition === undefined) {
    throw new VecpgError('INVALID_OPTION', `${model.name} has no attribute ${describeValue(attribute)}`, {
      details: { model: model.name, attribute },
    });
  }
  const dataType: unknown = definition.type;
  const type = checkAggregateType(
    dataType instanceof PgvectorDataType ? dataType.vectorType : String(dataType),
    `${model.name}.${attribute}`,
  );
  // Qualified by the model name, as Sequelize aliases the model's table in findAll.
  const column = literal(quoteQualified([model.name, definition.field ?? attribute]));
  return {
    fn: cast(fn(name, column), 'text'),
    type,
    parse: (raw) => (raw === null || raw === undefined ? null : (toModelValue(type, raw) as number[])),
  };
}

/**
 * pgvector's `avg`: the centroid, summed in float8 and rounded once to float32 (float16 for HALFVEC).
 *
 * @example
 * const avg = vectorAvg(Item, 'embedding');
 * const rows = await Item.findAll({ attributes: ['category', [avg.fn, 'centroid']], group: ['category'], raw: true });
 * rows.map((r) => avg.parse(r.centroid)); // number[][]
 */
export function vectorAvg<M extends Model>(
  model: ModelStatic<M>,
  attribute: keyof M['_attributes'] & string,
): SequelizeAggregate {
  return vectorAggregate('avg', model, attribute);
}

/**
 * pgvector's `sum`, added row by row in the attribute's precision (float32, float16).
 *
 * @example
 * const sum = vectorSum(Item, 'embedding');
 */
export function vectorSum<M extends Model>(
  model: ModelStatic<M>,
  attribute: keyof M['_attributes'] & string,
): SequelizeAggregate {
  return vectorAggregate('sum', model, attribute);
}
