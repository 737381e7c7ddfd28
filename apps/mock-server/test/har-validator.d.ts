// har-validator ships no types; the one call the tests make.
declare module 'har-validator' {
  /** Resolves with `data` when it is a valid HAR 1.2 document; rejects with the schema errors otherwise. */
  export function har<T>(data: T): Promise<T>;
  const validator: { har: typeof har };
  export default validator;
}
