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
