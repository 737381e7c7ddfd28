// Type helpers over the types openapi-typescript generates from a spec (`@imagegen/spec/<slug>/types`),
// so a vendor folder derives its error vocabulary from the spec instead of listing it.

/** The JSON body of every response in `components.responses` (never for one without a JSON body). */
export type JsonResponseBody<Components extends { responses: object }> = {
  [K in keyof Components['responses']]: Components['responses'][K] extends { content: { 'application/json': infer Body } } ? Body : never;
}[keyof Components['responses']];
