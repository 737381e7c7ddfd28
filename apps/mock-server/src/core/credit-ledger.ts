/**
 * An exact decimal amount of money: an integer count of `10^-scale` units. Binary floating point
 * cannot hold 0.1, so a balance of 0.3 paid out at 0.1 a time ran out after two purchases (the
 * third saw 0.09999999999999998); sums, differences and products of these are exact.
 */
export class Amount {
  static readonly ZERO = new Amount(0n, 0);

  private constructor(
    /** The amount in units of `10^-scale`. */
    readonly units: bigint,
    /** Decimal places; the smallest that holds the amount exactly. */
    readonly scale: number,
  ) {}

  /**
   * The amount a JSON number, a decimal string (`'0.1'`, `'1e-7'`) or a bigint stands for. A
   * number is read as the shortest decimal that round-trips to it, which is what the config or
   * catalog file wrote (`0.1`, never 0.1000000000000000055...).
   */
  static of(value: number | string | bigint | Amount): Amount {
    if (value instanceof Amount) return value;
    if (typeof value === 'bigint') return new Amount(value, 0);
    if (typeof value === 'number') {
      // A price is one of a few numbers, charged on every job: parsed once (amounts never change).
      const known = NUMBER_AMOUNTS.get(value);
      if (known !== undefined) return known;
      if (!Number.isFinite(value)) throw new RangeError(`an amount must be finite, got ${value}`);
      if (NUMBER_AMOUNTS.size >= MAX_NUMBER_AMOUNTS) NUMBER_AMOUNTS.clear();
      const amount = Amount.#parse(value);
      NUMBER_AMOUNTS.set(value, amount);
      return amount;
    }
    return Amount.#parse(value);
  }

  static #parse(value: number | string): Amount {
    const text = String(value).trim();
    const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i.exec(text);
    if (!match || `${match[2]}${match[3] ?? ''}` === '') throw new RangeError(`not a decimal amount: ${JSON.stringify(value)}`);
    const [, sign, whole = '', fraction = '', exponent = '0'] = match;
    const digits = BigInt(`${whole}${fraction}` || '0') * (sign === '-' ? -1n : 1n);
    const scale = fraction.length - Number(exponent);
    return scale >= 0 ? Amount.normalized(digits, scale) : new Amount(digits * 10n ** BigInt(-scale), 0);
  }

  plus(other: Amount | number): Amount {
    const [a, b, scale] = aligned(this, Amount.of(other));
    return Amount.normalized(a + b, scale);
  }

  minus(other: Amount | number): Amount {
    const [a, b, scale] = aligned(this, Amount.of(other));
    return Amount.normalized(a - b, scale);
  }

  times(other: Amount | number): Amount {
    const factor = Amount.of(other);
    return Amount.normalized(this.units * factor.units, this.scale + factor.scale);
  }

  /** Negative, zero or positive as this amount is below, equal to or above `other`. */
  compare(other: Amount | number): -1 | 0 | 1 {
    const [a, b] = aligned(this, Amount.of(other));
    return a < b ? -1 : a > b ? 1 : 0;
  }

  /** The nearest JS number, for arithmetic outside money (a JSON answer that is a number). */
  toNumber(): number {
    return Number(this.toString());
  }

  /**
   * Plain decimal notation, never an exponent: `0.1`, `100`, `-2.5`. `minDecimals` pads the
   * fraction (`$0.0404`, `$0.0000` with 4); digits beyond it are shown, never rounded away.
   */
  toString(minDecimals = 0): string {
    const negative = this.units < 0n;
    const digits = (negative ? -this.units : this.units).toString().padStart(this.scale + 1, '0');
    const whole = digits.slice(0, digits.length - this.scale);
    const fraction = digits.slice(digits.length - this.scale).padEnd(minDecimals, '0');
    return `${negative ? '-' : ''}${whole}${fraction === '' ? '' : `.${fraction}`}`;
  }

  toJSON(): string {
    return this.toString();
  }

  private static normalized(units: bigint, scale: number): Amount {
    while (scale > 0 && units % 10n === 0n) {
      units /= 10n;
      scale -= 1;
    }
    return new Amount(units, scale);
  }
}

/** Amounts already read from numbers, by number; cleared when full so odd values cannot grow it. */
const NUMBER_AMOUNTS = new Map<number, Amount>();
const MAX_NUMBER_AMOUNTS = 1024;

function aligned(a: Amount, b: Amount): [bigint, bigint, number] {
  const scale = Math.max(a.scale, b.scale);
  return [a.units * 10n ** BigInt(scale - a.scale), b.units * 10n ** BigInt(scale - b.scale), scale];
}

/**
 * Credit balances per workspace, in the vendor's own unit (LumixAI credit micros, Lumen credits,
 * Luma US dollars), kept as exact decimals. Unknown workspaces are unlimited.
 */
export class CreditLedger {
  #balances = new Map<string, Amount>();
  readonly #initial: ReadonlyMap<string, Amount>;
  /** What each workspace paid and got back since start or reset, unlimited ones included. */
  #movements = new Map<string, { charged: Amount; refunded: Amount; charges: number; refunds: number }>();
  /** The unit amounts are in, as people read it (`credits`, `USD`). Default: `credits`. */
  unit = 'credits';

  /**
   * A ledger from an API's `workspaces` setting (workspaces without `credits` are unlimited),
   * refusing a workspace listed twice, which would silently take the last balance.
   */
  static fromWorkspaces(slug: string, workspaces: ReadonlyArray<{ id: string; credits?: number }>): CreditLedger {
    const balances = new Map<string, number>();
    const listed = new Map<string, number>();
    for (const [index, { id, credits }] of workspaces.entries()) {
      const first = listed.get(id);
      if (first !== undefined) throw new Error(`apis.${slug}.workspaces[${index}]: workspace ${JSON.stringify(id)} is listed twice (also workspaces[${first}]); list each once`);
      listed.set(id, index);
      if (credits !== undefined) balances.set(id, credits);
    }
    return new CreditLedger(balances);
  }

  constructor(initial: ReadonlyMap<string, number | string | Amount>) {
    this.#initial = new Map([...initial].map(([workspace, credits]) => [workspace, Amount.of(credits)]));
    this.reset();
  }

  /** The workspace's balance; undefined when it is unlimited. */
  balance(workspace: string): Amount | undefined {
    return this.#balances.get(workspace);
  }

  /** Whether the workspace could pay `amount` now. */
  canPay(workspace: string, amount: Amount | number): boolean {
    const balance = this.#balances.get(workspace);
    return balance === undefined || balance.compare(amount) >= 0;
  }

  /** Takes `amount` if the workspace can pay it; false (and nothing taken) otherwise. */
  charge(workspace: string, amount: Amount | number): boolean {
    const balance = this.#balances.get(workspace);
    if (balance !== undefined) {
      if (balance.compare(amount) < 0) return false;
      this.#balances.set(workspace, balance.minus(amount));
    }
    const moved = this.#movementsOf(workspace);
    moved.charged = moved.charged.plus(amount);
    moved.charges += 1;
    return true;
  }

  /** Gives back a charge, e.g. when the job it paid for failed. */
  refund(workspace: string, amount: Amount | number): void {
    const balance = this.#balances.get(workspace);
    if (balance !== undefined) this.#balances.set(workspace, balance.plus(amount));
    const moved = this.#movementsOf(workspace);
    moved.refunded = moved.refunded.plus(amount);
    moved.refunds += 1;
  }

  /**
   * Every workspace with a configured balance or a charge since start or reset: its starting and
   * current balance (undefined when unlimited) and what it was charged and refunded, exactly.
   */
  statement(): LedgerLine[] {
    const workspaces = new Set([...this.#initial.keys(), ...this.#movements.keys()]);
    return [...workspaces].map((workspace) => {
      const moved = this.#movements.get(workspace);
      return {
        workspace,
        initial: this.#initial.get(workspace),
        balance: this.#balances.get(workspace),
        charged: moved?.charged ?? Amount.ZERO,
        refunded: moved?.refunded ?? Amount.ZERO,
        charges: moved?.charges ?? 0,
        refunds: moved?.refunds ?? 0,
      };
    });
  }

  /** Balances of the workspaces with a configured one (the unlimited ones are absent). */
  balances(): ReadonlyMap<string, Amount> {
    return new Map(this.#balances);
  }

  reset(): void {
    this.#balances = new Map(this.#initial);
    this.#movements.clear();
  }

  #movementsOf(workspace: string) {
    let moved = this.#movements.get(workspace);
    if (!moved) this.#movements.set(workspace, (moved = { charged: Amount.ZERO, refunded: Amount.ZERO, charges: 0, refunds: 0 }));
    return moved;
  }
}

/** One workspace's money in a {@link CreditLedger}: amounts in the ledger's unit. */
export interface LedgerLine {
  workspace: string;
  /** The configured starting balance; undefined when the workspace is unlimited. */
  initial: Amount | undefined;
  /** The balance now; undefined when the workspace is unlimited. */
  balance: Amount | undefined;
  charged: Amount;
  refunded: Amount;
  /** How many charges and refunds were made. */
  charges: number;
  refunds: number;
}
