/** Credit balances per workspace, in the vendor's smallest unit. Unknown workspaces are unlimited. */
export class CreditLedger {
  #balances = new Map<string, number>();

  constructor(private readonly initial: ReadonlyMap<string, number>) {
    this.reset();
  }

  balance(workspace: string): number {
    return this.#balances.get(workspace) ?? Number.POSITIVE_INFINITY;
  }

  /** Takes `amount` if the workspace can pay it; false (and nothing taken) otherwise. */
  charge(workspace: string, amount: number): boolean {
    const balance = this.balance(workspace);
    if (balance < amount) return false;
    if (Number.isFinite(balance)) this.#balances.set(workspace, balance - amount);
    return true;
  }

  /** Gives back a charge, e.g. when the job it paid for failed. */
  refund(workspace: string, amount: number): void {
    const balance = this.balance(workspace);
    if (Number.isFinite(balance)) this.#balances.set(workspace, balance + amount);
  }

  /** Balances of the workspaces with a configured one (the unlimited ones are absent). */
  balances(): ReadonlyMap<string, number> {
    return new Map(this.#balances);
  }

  reset(): void {
    this.#balances = new Map(this.initial);
  }
}
