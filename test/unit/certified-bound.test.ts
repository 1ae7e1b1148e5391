import { expect, it } from 'vitest';
import { float32SumError, prepareCertifiedQuery, type CertifiedDistance } from 'vecpg/sql';

it.each<[string, number[], CertifiedDistance]>([
  ['an element beyond float16', [1, 70000], 'l2'],
  ['an element beyond float16, ip', [-65520, 0], 'ip'],
  ['an element beyond float16, l1', [65505, 0], 'l1'],
  ['a zero query under cosine', [0, 0], 'cosine'],
  ['a norm below 1e-12 under cosine', [1e-13, 0], 'cosine'],
  ['a norm above 1e18 under cosine', [2e18, 0], 'cosine'],
])('has no certificate for %s', (_, query, distance) => {
  expect(typeof prepareCertifiedQuery(query, distance)).toBe('string');
});

it('accepts the float16 limit itself and large cosine queries', () => {
  expect(typeof prepareCertifiedQuery([65504, -65504], 'l2')).toBe('object');
  expect(typeof prepareCertifiedQuery([70000, 1], 'cosine')).toBe('object');
});

it('rounds the query to float16 like the server, half-way to even', () => {
  const p = prepareCertifiedQuery([1 + 2 ** -11, 1 + 3 * 2 ** -11, 0.1], 'l2');
  if (typeof p === 'string') throw new Error(p);
  expect(p.half).toEqual([1, 1 + 2 ** -9, 0.0999755859375]);
  const c = prepareCertifiedQuery([3, 4], 'cosine');
  if (typeof c === 'string') throw new Error(c);
  expect(c.half).toEqual([0.60009765625, 0.7998046875]); // h(0.6), h(0.8)
});

it('gives a bound that is monotone and below the key (distances are never over-promised)', () => {
  for (const distance of ['l2', 'ip', 'cosine', 'l1'] as const) {
    const p = prepareCertifiedQuery([0.25, 0.5, 0.75], distance);
    if (typeof p === 'string') throw new Error(p);
    let last = -Infinity;
    for (const key of [-10, -1, 0, 0.001, 0.5, 1, 2, 100]) {
      const b = p.bound(key);
      expect(b).toBeGreaterThanOrEqual(last);
      if (distance !== 'cosine' && key > 0) expect(b).toBeLessThan(key);
      last = b;
    }
  }
  // γ for n = 768: (768 + 8) · 2^-24 / (1 − …)
  expect(float32SumError(768)).toBe((776 * 2 ** -24) / (1 - 776 * 2 ** -24));
});

it('prefix form: compacts only the prefix, refuses what it has no bound for, and checks the prefix', () => {
  const p = prepareCertifiedQuery([0.1, 3, 4, 12], 'l2', { form: 'prefix', prefix: 2 });
  if (typeof p === 'string') throw new Error(p);
  expect(p.form).toBe('prefix');
  expect(p.half).toEqual([0.0999755859375, 3]); // h(0.1), 3
  expect(p.coefficients[3]).toBe(Math.hypot(4, 12)); // ρ_q = ‖(4, 12)‖ = 12.649…, the rest of the query
  const c = prepareCertifiedQuery([0, 0, 3, 4], 'cosine', { form: 'prefix', prefix: 2 });
  if (typeof c === 'string') throw new Error(c);
  expect(c.half).toEqual([0, 0]);
  expect(c.coefficients[3]).toBe(1); // the rest of q/‖q‖ = (0.6, 0.8)
  expect(typeof prepareCertifiedQuery([1, 70000, 1], 'l2', { form: 'prefix', prefix: 1 })).toBe('string');
  for (const distance of ['ip', 'l1'] as const)
    expect(() => prepareCertifiedQuery([1, 2, 3], distance, { form: 'prefix', prefix: 1 })).toThrow(
      /prefix form has a bound for l2 and cosine/,
    );
  for (const prefix of [0, 3, 1.5, undefined])
    expect(() => prepareCertifiedQuery([1, 2, 3], 'l2', { form: 'prefix', prefix: prefix! })).toThrow(
      /1 <= prefix < 3/,
    );
});

it('prefix form: the bound is monotone and below what the squared-distance key promises', () => {
  for (const distance of ['l2', 'cosine'] as const) {
    const p = prepareCertifiedQuery([0.25, 0.5, 0.75, 1], distance, { form: 'prefix', prefix: 2 });
    if (typeof p === 'string') throw new Error(p);
    let last = -Infinity;
    for (const key of [0, 1e-6, 0.25, 1, 4, 100]) {
      const b = p.bound(key);
      expect(b).toBeGreaterThanOrEqual(last);
      // the key is a squared distance: l2 bound below √key, cosine below key/2
      expect(b).toBeLessThan(distance === 'l2' ? Math.sqrt(Math.max(0, key)) + 1e-300 : key / 2 + 1e-300);
      last = b;
    }
    expect(p.bound(0)).toBeLessThan(0); // a row without a compact form (key 0) is never excluded
  }
});
