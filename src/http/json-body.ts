import type { FastifyInstance, FastifyRequest } from "fastify";
import secureJson from "secure-json-parse";
import { DomainError, invalid } from "../core/errors.ts";

export const MAX_JSON_DEPTH = 32;

declare module "fastify" {
  interface FastifyContextConfig {
    /** The route checks strings item by item (a batch answers each item on its own). */
    checksOwnStrings?: boolean;
  }
}

/**
 * How deep arrays and objects nest, found in one pass over the text before it is parsed, so a
 * megabyte of `[[[[…` costs a linear scan, not a parser's recursion or a quadratic walk.
 */
export function nestingDepth(text: string, limit: number): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      if (++depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    } else if (c === 93 || c === 125) depth--;
  }
  return max;
}

// With the u flag, a paired surrogate is one code point, so this matches lone halves only.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Why a string cannot be stored: PostgreSQL refuses U+0000, and lone surrogates are not Unicode. */
export function badString(s: string): string | null {
  if (s.includes("\u0000")) return "must not contain the NUL character (U+0000)";
  if (LONE_SURROGATE.test(s)) return "must be valid Unicode (it holds a lone surrogate)";
  return null;
}

/** The path and problem of the first string (value or key) that cannot be stored, or null. */
export function findBadString(value: unknown, path: string[] = []): { path: string; message: string } | null {
  if (typeof value === "string") {
    const message = badString(value);
    return message ? { path: path.join(".") || "body", message } : null;
  }
  if (value === null || typeof value !== "object") return null;
  const entries: Array<[string, unknown]> = Array.isArray(value) ? value.map((v, i) => [String(i), v]) : Object.entries(value);
  for (const [k, v] of entries) {
    path.push(k);
    const keyProblem = Array.isArray(value) ? null : badString(k);
    const found = keyProblem ? { path: path.join("."), message: keyProblem } : findBadString(v, path);
    path.pop();
    if (found) return found;
  }
  return null;
}

function parseJson(request: FastifyRequest, text: string): unknown {
  // Many clients send `Content-Type: application/json` with no body on a bodiless POST.
  if (text.trim() === "") return {};
  if (nestingDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
    throw new DomainError("invalid_json", `the JSON body nests deeper than ${MAX_JSON_DEPTH} levels`, { errors: [{ path: "body", message: `nests deeper than ${MAX_JSON_DEPTH} levels` }] });
  }
  let value: unknown;
  try {
    value = secureJson.parse(text, undefined, { protoAction: "error", constructorAction: "error" });
  } catch (error) {
    const message = error instanceof SyntaxError ? error.message : "the body holds a forbidden key (__proto__ or constructor.prototype)";
    throw new DomainError("invalid_json", `the body is not valid JSON: ${message}`, { errors: [{ path: "body", message }] });
  }
  if (!request.routeOptions.config?.checksOwnStrings) {
    const bad = findBadString(value);
    if (bad) throw invalid(bad.path, bad.message);
  }
  return value;
}

/** JSON bodies: an empty body is `{}`, nesting is limited, strings must be storable. */
export function registerJsonBody(app: FastifyInstance): void {
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    try {
      done(null, parseJson(request, body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}
