/**
 * Serializes a flat object as `application/x-www-form-urlencoded`, like curl's `-d name=value`:
 * numbers and booleans as their text, `undefined` and `null` fields left out. Nested values have
 * no documented form encoding, so they throw a `TypeError` rather than go out as `[object Object]`.
 * It takes `unknown` values because openapi-fetch hands it the spec's body type, whose catch-all
 * for model parameters is `unknown`; `run()` itself accepts only `FormValue`s.
 */
export function formBody(fields: Record<string, unknown>): string {
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined || value === null) continue;
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new TypeError(`Form field ${name} must be a finite number, got ${value}`);
    }
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw new TypeError(`Form field ${name} must be a string, number or boolean, got ${typeof value}`);
    }
    form.append(name, String(value));
  }
  return form.toString();
}
