import { timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { DomainError } from "../core/errors.ts";
import type { Role } from "../core/ports/records.ts";
import type { Actor } from "../services/context.ts";
import type { KeyAuthenticator } from "./key-cache.ts";
import type { Services } from "../services/context.ts";
import { looksLikeJwt, verifyMemberToken } from "../services/member-tokens.ts";

/** Who may call a route: a store role, the operator token, or anyone. Declared once per route. */
/** `member`: a member token, for the member's own routes (`/v1/me…`) and nothing else. */
export type RouteRole = Role | "operator" | "member" | "none";

const RANK: Record<Role, number> = { viewer: 1, points_manager: 2, admin: 3 };

export interface Caller {
  storeId: string;
  actor: Actor;
}

declare module "fastify" {
  interface FastifyContextConfig {
    role?: RouteRole;
  }
  interface FastifyRequest {
    caller?: Caller;
    operator?: Actor;
    /** The member a verified member token names (routes with the `member` role). */
    member?: { storeId: string; memberId: string };
  }
}

function bearer(request: FastifyRequest): string {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  if (!match) throw new DomainError("unauthorized", "send an API key as 'Authorization: Bearer <key>'");
  return match[1]!;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The store key's caller, set by the authentication hook before the route ran. */
export function callerOf(request: FastifyRequest): Caller {
  if (!request.caller) throw new Error(`route ${request.routeOptions.url} has no store role declared`);
  return request.caller;
}

export function operatorOf(request: FastifyRequest): Actor {
  if (!request.operator) throw new Error(`route ${request.routeOptions.url} is not an operator route`);
  return request.operator;
}

/** Routes served by plugins (the API docs) are public; every other route must declare its role. */
const PUBLIC_PLUGIN_ROUTES = /^\/(docs|openapi\.json)(\/|$)/;

/**
 * Authentication runs in `onRequest`, before any body is read, so a caller without a valid key
 * costs the server a header check and nothing more. A route that forgets to declare its role
 * fails at start-up rather than being served open.
 */
export function registerAuthentication(app: FastifyInstance, keys: KeyAuthenticator, operatorToken: string, services: Services): void {
  app.addHook("onRoute", (route) => {
    if (route.config?.role) return;
    if (PUBLIC_PLUGIN_ROUTES.test(route.url)) {
      route.config = { ...route.config, role: "none" };
      return;
    }
    throw new Error(`route ${route.method} ${route.url} declares no role`);
  });
  app.addHook("onRequest", async (request) => {
    const role = request.routeOptions.config?.role;
    if (!role || role === "none") return;
    if (role === "operator") {
      if (!sameSecret(bearer(request), operatorToken)) throw new DomainError("unauthorized", "the operator token is required");
      request.operator = { id: "operator", role: "operator" };
      return;
    }
    const credential = bearer(request);
    // A member token opens the member's own routes only, and a staff key never opens them (SPEC §3).
    if (role === "member") {
      if (!looksLikeJwt(credential)) throw new DomainError("invalid_token", "these routes take a member token (POST /v1/member-tokens), not a staff key");
      request.member = await verifyMemberToken(services, credential);
      return;
    }
    if (looksLikeJwt(credential)) throw new DomainError("invalid_token", "a member token opens only /v1/me…; this route needs a staff key");
    const key = await keys.authenticate(credential);
    if (!key) throw new DomainError("unauthorized", "the API key is not valid");
    if (RANK[key.role] < RANK[role]) throw new DomainError("forbidden", `this action needs the ${role} role; the key has ${key.role}`);
    request.caller = { storeId: key.storeId, actor: { id: key.id, role: key.role } };
  });
}
