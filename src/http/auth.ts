import { timingSafeEqual } from "node:crypto";
import type { FastifyRequest } from "fastify";
import { DomainError } from "../core/errors.ts";
import type { Role } from "../core/ports/records.ts";
import { authenticateKey } from "../services/api-keys.ts";
import type { Actor, Services } from "../services/context.ts";

const RANK: Record<Role, number> = { viewer: 1, points_manager: 2, admin: 3 };

export interface Caller {
  storeId: string;
  actor: Actor;
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

export function requireOperator(request: FastifyRequest, operatorToken: string): Actor {
  if (!sameSecret(bearer(request), operatorToken)) throw new DomainError("unauthorized", "the operator token is required");
  return { id: "operator", role: "operator" };
}

/** Resolves the store key and checks its role; a key only ever sees its own store. */
export async function requireRole(request: FastifyRequest, services: Services, role: Role): Promise<Caller> {
  const key = await authenticateKey(services, bearer(request));
  if (!key) throw new DomainError("unauthorized", "the API key is not valid");
  if (RANK[key.role] < RANK[role]) throw new DomainError("forbidden", `this action needs the ${role} role; the key has ${key.role}`);
  return { storeId: key.storeId, actor: { id: key.id, role: key.role } };
}
