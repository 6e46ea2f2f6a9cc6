import createClient, { type Client } from "openapi-fetch";
import type { components, paths } from "./schema.js";

export type { components, paths };
/** The API's named schemas: `Schemas["Member"]`, `Schemas["Problem"]`… */
export type Schemas = components["schemas"];
/** Every refusal's body (RFC 9457): branch on `code`; `errors` names the fields in error. */
export type Problem = components["schemas"]["Problem"];
export type PointbookClient = Client<paths>;

/**
 * The Pointbook API, typed from /openapi.json (web/api/schema.d.ts): paths, parameters, bodies,
 * answers and refusals. Fetch only, so it runs in a browser bundle as well as in Node 20.
 *
 *   const api = createPointbookClient("", key);
 *   const { data, error } = await api.GET("/v1/members/{memberId}", { params: { path: { memberId } } });
 *
 * `data` is the member on 200; `error` is a Problem on a refusal.
 */
export function createPointbookClient(baseUrl: string, key: string, options: { fetch?: typeof fetch } = {}): PointbookClient {
  return createClient<paths>({
    baseUrl,
    headers: { authorization: `Bearer ${key}` },
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}
