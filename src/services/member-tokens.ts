import { decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify, SignJWT } from "jose";
import { DomainError, notFound } from "../core/errors.ts";
import { randomChars } from "../core/ids.ts";
import type { MemberTokenSecrets } from "../core/ports/member-tokens.ts";
import type { Repositories } from "../core/ports/repositories.ts";
import { recordChange } from "./audit.ts";
import { requireStore, type Actor, type Services } from "./context.ts";

/** SPEC §3: a token lives at most 24 hours; Pointbook's own default is one hour. */
export const MAX_TOKEN_TTL_SECONDS = 86_400;
export const DEFAULT_TOKEN_TTL_SECONDS = 3_600;
/** The secret before a rotation keeps verifying this long, so tokens already handed out keep working. */
export const PREVIOUS_SECRET_GRACE_MS = 24 * 3_600_000;

const keyOf = (secret: string) => new TextEncoder().encode(secret);
const newSecret = () => `pbmt_${randomChars(43)}`;
const refuse = (why: string) => new DomainError("invalid_token", `the member token is not valid: ${why}`);

/** The store's secrets, made on first need (a store has none until a token is asked for). */
async function secretsFor(repos: Repositories, storeId: string, now: Date): Promise<MemberTokenSecrets> {
  const found = await repos.memberTokens.lock(storeId);
  if (found) return found;
  const made: MemberTokenSecrets = { secret: newSecret(), previous: null, previousUntil: null, rotatedAt: now };
  await repos.memberTokens.save(storeId, made);
  return made;
}

/** A token for one member of the store, signed with the store's current secret (wall time: browsers check it). */
export async function issueMemberToken(repos: Repositories, services: Services, storeId: string, memberId: string, ttlSeconds: number): Promise<{ token: string; expiresAt: Date }> {
  await requireStore(repos, storeId);
  if (!(await repos.members.get(storeId, memberId))) throw notFound("member");
  const now = services.clock.now();
  const { secret } = await secretsFor(repos, storeId, now);
  const iat = Math.floor(now.getTime() / 1000);
  const token = await new SignJWT({}).setProtectedHeader({ alg: "HS256", typ: "JWT" }).setIssuer(storeId).setSubject(memberId)
    .setIssuedAt(iat).setExpirationTime(iat + ttlSeconds).sign(keyOf(secret));
  return { token, expiresAt: new Date((iat + ttlSeconds) * 1000) };
}

/** A new secret; the one it replaces verifies for 24 hours more. Audited without either secret. */
export async function rotateMemberTokenSecret(repos: Repositories, services: Services, storeId: string, actor: Actor): Promise<{ secret: string; previousValidUntil: Date | null }> {
  await requireStore(repos, storeId);
  const now = services.clock.now();
  const before = await repos.memberTokens.lock(storeId);
  const next: MemberTokenSecrets = {
    secret: newSecret(), previous: before?.secret ?? null, previousUntil: before ? new Date(now.getTime() + PREVIOUS_SECRET_GRACE_MS) : null, rotatedAt: now,
  };
  await repos.memberTokens.save(storeId, next);
  await recordChange(repos, storeId, actor, { action: "member_token_secret.rotated", entityType: "member_token_secret", entityId: storeId, before: before ? { rotatedAt: before.rotatedAt } : null, after: { rotatedAt: now } }, now);
  return { secret: next.secret, previousValidUntil: next.previousUntil };
}

/** Whether a bearer credential has the shape of a JWT (three base64url parts), as opposed to an API key. */
export const looksLikeJwt = (credential: string) => /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(credential);

/**
 * The store and member a token names, once it verifies: HS256 only (so `alg: none` and every other
 * algorithm are refused), signed with the store's current secret or its previous one within 24 h,
 * `exp` and `iat` present, at most 24 h apart and not expired, and the member known. Every refusal
 * is the same `401 invalid_token`, with the reason in its detail.
 */
export async function verifyMemberToken(services: Services, token: string): Promise<{ storeId: string; memberId: string }> {
  let alg: unknown;
  let claims: ReturnType<typeof decodeJwt>;
  try {
    alg = decodeProtectedHeader(token).alg;
    claims = decodeJwt(token);
  } catch {
    throw refuse("it is not a JWT");
  }
  if (alg !== "HS256") throw refuse(`it is signed with ${String(alg)}, and only HS256 is accepted`);
  const storeId = claims.iss;
  if (typeof storeId !== "string" || storeId.length === 0 || storeId.length > 200) throw refuse("it names no store (iss)");
  const now = services.clock.now();
  const secrets = await (services.tx.read ?? services.tx.run)((repos) => repos.memberTokens.get(storeId));
  if (!secrets) throw refuse("its store issues no member tokens");
  const candidates = [secrets.secret, ...(secrets.previous && secrets.previousUntil && secrets.previousUntil > now ? [secrets.previous] : [])];
  let verified: Awaited<ReturnType<typeof jwtVerify>> | null = null;
  for (const secret of candidates) {
    try {
      verified = await jwtVerify(token, keyOf(secret), { algorithms: ["HS256"], issuer: storeId, requiredClaims: ["exp", "iat", "sub"], currentDate: now });
      break;
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw refuse("it has expired");
      if (error instanceof joseErrors.JWTClaimValidationFailed) throw refuse(`its ${error.claim} claim is not acceptable`);
    }
  }
  if (!verified) throw refuse("its signature does not match the store's secret");
  const { exp, iat, sub } = verified.payload;
  if (typeof exp !== "number" || typeof iat !== "number" || exp - iat > MAX_TOKEN_TTL_SECONDS) throw refuse("it lives longer than 24 hours");
  if (typeof sub !== "string" || sub.length === 0 || sub.length > 200) throw refuse("it names no member (sub)");
  const member = await (services.tx.read ?? services.tx.run)((repos) => repos.members.get(storeId, sub));
  if (!member) throw refuse("its member is not known to the store");
  return { storeId, memberId: sub };
}
