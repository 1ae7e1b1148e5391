/**
 * `vecpg doctor`: checks the database for what makes vector search slow or silently wrong,
 * and prints each finding with its fix. Exit code 1 when there is an error-level finding.
 */
import { DISTANCES, type DistanceName } from '../../sql/operators.ts';
import { doctor, type Finding } from '../../tune/doctor.ts';
import { CliUsageError, listFlag, parseCommandArgs, stringFlag } from '../args.ts';
import type { CliCommand } from '../command.ts';
import { tableName, withConnection } from '../connect.ts';
import { print, toJson } from '../output.ts';

const USAGE = `Usage: vecpg doctor [--table T] [--distance D | --distance table.column=D …] [--json]

Checks: the vector extension and its version; vector columns without dimensions; bare bit
columns (bit(1)); indexes whose operator class does not match the distances your queries use;
indexes left invalid; columns over the index limits; maintenance_work_mem too small for an
HNSW build; NULL and zero vectors a cosine index skips; vectors stored out of line (TOAST).

Options:
  --table T                only this table (--schema S to qualify it)
  --distance D             the distance your queries use (l2, ip, cosine, l1, hamming, jaccard),
                           for every column or as table.column=D; repeatable. Without it the
                           doctor reads pg_stat_statements when loaded.
  --json, --database-url URL
Exit code: 0 without errors, 1 when a finding has severity error.`;

/**
 * Parse `--distance` flags: plain distances apply to every column, `table.column=D` to one.
 *
 * @example
 * parseDistanceFlags(['items.embedding=cosine']) // { 'items.embedding': ['cosine'] }
 */
export function parseDistanceFlags(items: string[]): DistanceName[] | Record<string, DistanceName[]> | undefined {
  if (items.length === 0) return undefined;
  const check = (d: string): DistanceName => {
    if (!Object.hasOwn(DISTANCES, d))
      throw new CliUsageError(
        `--distance must be one of ${Object.keys(DISTANCES).join(', ')}, got ${JSON.stringify(d)}`,
      );
    return d as DistanceName;
  };
  if (items.every((i) => !i.includes('='))) return items.map(check);
  const map: Record<string, DistanceName[]> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq <= 0)
      throw new CliUsageError(
        `--distance ${JSON.stringify(item)}: use table.column=D for every --distance, or plain distances only`,
      );
    const key = item.slice(0, eq);
    map[key] = [...(map[key] ?? []), check(item.slice(eq + 1))];
  }
  return map;
}

const MARK: Record<Finding['severity'], string> = { error: 'ERROR', warning: 'WARN ', info: 'info ' };

/**
 * The `doctor` command.
 *
 * @example
 * await main(['doctor', '--distance', 'cosine'], io);
 */
export const doctorCommand: CliCommand = {
  name: 'doctor',
  summary: 'check the database for vector search pitfalls and how to fix them',
  usage: USAGE,
  async run(argv, io) {
    const { values } = parseCommandArgs(argv, {
      table: { type: 'string' },
      schema: { type: 'string' },
      distance: { type: 'string', multiple: true },
    });
    const t = stringFlag(values, 'table');
    const distances = parseDistanceFlags(listFlag(values, 'distance'));
    return withConnection(values, io, async ({ db, target }) => {
      const findings = await doctor(db, {
        ...(t === undefined ? {} : { table: tableName(t, stringFlag(values, 'schema')) }),
        ...(distances === undefined ? {} : { distances }),
      });
      const errors = findings.filter((f) => f.severity === 'error').length;
      if (values.json === true) {
        print(io, toJson({ target, findings }));
        return errors > 0 ? 1 : 0;
      }
      print(io, `vecpg doctor: ${target}\n\n`);
      for (const f of findings) {
        print(io, `${MARK[f.severity]} ${f.code}: ${f.message}\n`);
        if (f.fix !== null) print(io, `      fix: ${f.fix}\n`);
      }
      const warnings = findings.filter((f) => f.severity === 'warning').length;
      print(io, `\n${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}\n`);
      return errors > 0 ? 1 : 0;
    });
  },
};
