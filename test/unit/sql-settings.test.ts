import { describe, expect, it } from 'vitest';
import { compareVersions, validateSearchSettings, type SearchSettings } from 'vecpg';
import { citusSearchSettingsSql, searchSettingsSql } from 'vecpg/sql';
import { codeOf } from '../support/errors.ts';

describe('search settings', () => {
  it.each<[SearchSettings, Array<[string, string]>]>([
    [{}, []],
    [{ efSearch: 1 }, [['hnsw.ef_search', '1']]],
    [{ efSearch: 1000 }, [['hnsw.ef_search', '1000']]],
    [
      { iterativeScan: 'relaxed_order', maxScanTuples: 50000, scanMemMultiplier: 2.5 },
      [
        ['hnsw.iterative_scan', 'relaxed_order'],
        ['hnsw.max_scan_tuples', '50000'],
        ['hnsw.scan_mem_multiplier', '2.5'],
      ],
    ],
    [{ iterativeScan: 'strict_order' }, [['hnsw.iterative_scan', 'strict_order']]],
    [
      { probes: 32768, ivfflatIterativeScan: 'relaxed_order', maxProbes: 100 },
      [
        ['ivfflat.probes', '32768'],
        ['ivfflat.iterative_scan', 'relaxed_order'],
        ['ivfflat.max_probes', '100'],
      ],
    ],
  ])('%j', (settings, expected) => {
    expect(validateSearchSettings(settings)).toEqual(expected);
  });

  it.each<[string, unknown]>([
    ['efSearch 0', { efSearch: 0 }],
    ['efSearch 1001', { efSearch: 1001 }],
    ['efSearch 10.5', { efSearch: 10.5 }],
    ['efSearch as a string', { efSearch: '100' }],
    ['iterativeScan unknown', { iterativeScan: 'fast' }],
    ['ivfflat strict_order (not supported by IVFFlat)', { ivfflatIterativeScan: 'strict_order' }],
    ['maxScanTuples 0', { maxScanTuples: 0 }],
    ['maxScanTuples beyond int32', { maxScanTuples: 2 ** 31 }],
    ['scanMemMultiplier 0.5', { scanMemMultiplier: 0.5 }],
    ['scanMemMultiplier 1001', { scanMemMultiplier: 1001 }],
    ['probes 0', { probes: 0 }],
    ['probes 32769', { probes: 32769 }],
    ['maxProbes 0', { maxProbes: 0 }],
    ['an unknown key (snake_case)', { ef_search: 100 }],
    ['not an object', null],
  ])('refuses %s with INVALID_OPTION', (_label, settings) => {
    expect(codeOf(() => validateSearchSettings(settings as SearchSettings))).toBe('INVALID_OPTION');
  });

  it('builds one set_config statement with bound values (SET LOCAL semantics)', () => {
    expect(searchSettingsSql({ efSearch: 100, iterativeScan: 'relaxed_order' })).toEqual({
      text: "SELECT set_config('hnsw.ef_search', $1, true), set_config('hnsw.iterative_scan', $2, true)",
      values: ['100', 'relaxed_order'],
    });
    expect(searchSettingsSql({})).toBeNull();
  });

  it('on Citus: SET LOCAL statements with propagation to the shards switched on first', () => {
    expect(citusSearchSettingsSql(validateSearchSettings({ efSearch: 100, iterativeScan: 'relaxed_order' }))).toEqual([
      "SET LOCAL citus.propagate_set_commands = 'local'",
      "SET LOCAL hnsw.ef_search = '100'",
      "SET LOCAL hnsw.iterative_scan = 'relaxed_order'",
    ]);
    expect(citusSearchSettingsSql(validateSearchSettings({ scanMemMultiplier: 2.5 }))).toEqual([
      "SET LOCAL citus.propagate_set_commands = 'local'",
      "SET LOCAL hnsw.scan_mem_multiplier = '2.5'",
    ]);
    expect(citusSearchSettingsSql([])).toEqual([]);
    // Values are spliced (SET takes no parameters): anything but a validated value is refused.
    expect(() => citusSearchSettingsSql([['hnsw.ef_search', "1'; DROP TABLE t; --"]])).toThrow(TypeError);
  });
});

describe('compareVersions', () => {
  it.each<[string, string, number]>([
    ['0.8.0', '0.8.0', 0],
    ['0.8.0', '0.7.0', 1],
    ['0.6.2', '0.7.0', -1],
    ['0.10.0', '0.9.1', 1],
    ['0.7', '0.7.0', 0],
    ['0.8.7', '0.8.0', 1],
  ])('%s vs %s → %d', (a, b, expected) => {
    expect(compareVersions(a, b)).toBe(expected);
  });
});
