// Issue 15 row 2: money is exact. Binary floats lost credits (0.3 at 0.1 a time bought two images,
// then "the balance is 0.09999999999999998"); amounts are decimals, balances print as written.
import { describe, expect, it } from 'vitest';

import { Amount, CreditLedger } from '../src/core/credit-ledger.js';
import { random } from './seeded-random.js';

describe('Amount: exact decimal arithmetic', () => {
  it.each([
    { a: 0.1, b: 0.2, sum: '0.3', difference: '-0.1', product: '0.02' },
    { a: 0.3, b: 0.1, sum: '0.4', difference: '0.2', product: '0.03' },
    { a: 100, b: 0.0404, sum: '100.0404', difference: '99.9596', product: '4.04' },
    { a: 1e-7, b: 1, sum: '1.0000001', difference: '-0.9999999', product: '0.0000001' },
    { a: 1e21, b: 2, sum: '1000000000000000000002', difference: '999999999999999999998', product: '2000000000000000000000' },
    { a: '12.50', b: '-0.5', sum: '12', difference: '13', product: '-6.25' },
  ])('$a and $b', ({ a, b, sum, difference, product }) => {
    expect(Amount.of(a).plus(Amount.of(b)).toString()).toBe(sum);
    expect(Amount.of(a).minus(Amount.of(b)).toString()).toBe(difference);
    expect(Amount.of(a).times(Amount.of(b)).toString()).toBe(product);
  });

  it('pads to a minimum of decimals without rounding digits away', () => {
    expect(Amount.of(0).toString(4)).toBe('0.0000');
    expect(Amount.of(0.0404).toString(4)).toBe('0.0404');
    expect(Amount.of(0.00005).toString(4)).toBe('0.00005');
    expect(Amount.of(2).toString()).toBe('2');
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, '', '.', '1.2.3', 'ten'])('refuses %s', (value) => {
    expect(() => Amount.of(value)).toThrow(RangeError);
  });
});

/** `units` x 10^-scale written out, the way a person writes the amount (no trailing zeros). */
function decimal(units: bigint, scale: number): string {
  const digits = units.toString().padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return scale === 0 ? text : text.replace(/\.?0+$/, '');
}

describe('CreditLedger: a balance of exactly k prices buys exactly k, whatever the price', () => {
  it('holds for 2,000 random unit prices, group multipliers and image counts (seeded)', () => {
    const next = random(15_002);
    const int = (below: number) => Math.floor(next() * below);
    for (let run = 0; run < 2000; run++) {
      // price = p / 10^a, multiplier = m / 10^b: as a catalog file writes them (0.1, 0.21, 0.7, 1.25).
      const [p, a, m, b] = [BigInt(1 + int(2000)), int(4), BigInt(1 + int(200)), int(3)];
      const n = 1 + int(4);
      const k = int(6);
      const priceUnits = p * m * BigInt(n);
      const scale = a + b;
      const remainderUnits = BigInt(int(Number(priceUnits)));
      const startingBalance = Number(decimal(priceUnits * BigInt(k) + remainderUnits, scale));
      const ledger = new CreditLedger(new Map([['ws', startingBalance]]));
      const price = Amount.of(Number(decimal(p, a))).times(Number(decimal(m, b))).times(n);
      const context = `price ${decimal(p, a)} x ${decimal(m, b)} x ${n}, balance ${startingBalance}`;

      expect(price.toString(), context).toBe(decimal(priceUnits, scale));
      let bought = 0;
      while (ledger.charge('ws', price)) bought++;
      expect(bought, context).toBe(k);
      expect(ledger.balance('ws')?.toString(), context).toBe(decimal(remainderUnits, scale));
      // A refund gives back exactly what was taken.
      if (k > 0) {
        ledger.refund('ws', price);
        expect(ledger.canPay('ws', price), context).toBe(true);
        expect(ledger.balance('ws')?.toString(), context).toBe(decimal(priceUnits + remainderUnits, scale));
      }
      ledger.reset();
      expect(ledger.balance('ws')?.toString(), context).toBe(decimal(priceUnits * BigInt(k) + remainderUnits, scale));
    }
  });

  it('keeps unknown workspaces unlimited', () => {
    const ledger = new CreditLedger(new Map());
    expect(ledger.charge('anyone', 1e9)).toBe(true);
    expect(ledger.balance('anyone')).toBeUndefined();
  });
});
