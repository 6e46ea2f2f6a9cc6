import { invalid, notFound } from "../../core/errors.ts";
import { newId } from "../../core/ids.ts";
import type { Repositories } from "../../core/ports/repositories.ts";
import type { WebhookEndpointRecord } from "../../core/ports/webhooks.ts";
import type { WebhookEndpointInput, WebhookEndpointPatch } from "../../core/webhooks/endpoint.ts";
import { checkTarget, type LookupAll } from "../../delivery/webhooks/address-guard.ts";
import { generateSecret } from "../../delivery/webhooks/secret.ts";
import type { Actor } from "../context.ts";

/** How long the secret before a rotation keeps signing, so receivers can switch without losing events. */
export const PREVIOUS_SECRET_GRACE_MS = 24 * 60 * 60 * 1000;

/** An endpoint as the API shows it: never its secrets. */
export function endpointView(e: WebhookEndpointRecord) {
  return { id: e.id, url: e.url, events: e.events, description: e.description, enabled: e.enabled, createdAt: e.createdAt, updatedAt: e.updatedAt };
}

/**
 * Refuses a URL whose host is a loopback, private, link-local or metadata address (422 naming
 * `url`) unless private targets are allowed. A name that does not resolve yet is accepted: every
 * delivery checks the address again before it connects.
 */
export async function checkEndpointUrl(url: string, options: { allowPrivate: boolean; lookup?: LookupAll }): Promise<void> {
  const result = await checkTarget(url, options);
  if (!result.ok && result.code !== "dns_failed") throw invalid("url", result.reason);
}

export async function createEndpoint(repos: Repositories, storeId: string, input: WebhookEndpointInput, actor: Actor, now: Date): Promise<WebhookEndpointRecord> {
  const endpoint: WebhookEndpointRecord = {
    id: newId("whe"), url: input.url, events: [...input.events], description: input.description ?? null, enabled: input.enabled ?? true,
    secret: generateSecret(), previousSecret: null, previousSecretUntil: null, createdAt: now, updatedAt: now,
  };
  await repos.webhooks.insertEndpoint(storeId, endpoint);
  await audit(repos, storeId, actor, now, "webhook_endpoint.created", endpoint.id, null, endpointView(endpoint));
  return endpoint;
}

export async function getEndpoint(repos: Repositories, storeId: string, id: string): Promise<WebhookEndpointRecord> {
  const endpoint = await repos.webhooks.getEndpoint(storeId, id);
  if (!endpoint) throw notFound("webhook endpoint");
  return endpoint;
}

export async function patchEndpoint(repos: Repositories, storeId: string, id: string, patch: WebhookEndpointPatch, actor: Actor, now: Date): Promise<WebhookEndpointRecord> {
  const before = await getEndpoint(repos, storeId, id);
  const after: WebhookEndpointRecord = {
    ...before,
    ...(patch.url !== undefined ? { url: patch.url } : {}),
    ...(patch.events !== undefined ? { events: [...patch.events] } : {}),
    ...(patch.description !== undefined ? { description: patch.description } : {}),
    ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
    updatedAt: now,
  };
  await repos.webhooks.updateEndpoint(storeId, after);
  await audit(repos, storeId, actor, now, "webhook_endpoint.updated", id, endpointView(before), endpointView(after));
  return after;
}

export async function deleteEndpoint(repos: Repositories, storeId: string, id: string, actor: Actor, now: Date): Promise<WebhookEndpointRecord> {
  const before = await getEndpoint(repos, storeId, id);
  await repos.webhooks.deleteEndpoint(storeId, id, now);
  await audit(repos, storeId, actor, now, "webhook_endpoint.deleted", id, endpointView(before), null);
  return before;
}

/** A new secret; the one it replaces keeps signing for 24 h (one previous secret at a time). */
export async function rotateEndpointSecret(repos: Repositories, storeId: string, id: string, actor: Actor, now: Date): Promise<string> {
  const before = await getEndpoint(repos, storeId, id);
  const secret = generateSecret();
  await repos.webhooks.updateEndpoint(storeId, {
    ...before, secret, previousSecret: before.secret, previousSecretUntil: new Date(now.getTime() + PREVIOUS_SECRET_GRACE_MS), updatedAt: now,
  });
  await audit(repos, storeId, actor, now, "webhook_endpoint.secret_rotated", id, null, null);
  return secret;
}

/** The secrets that sign at `now`: the current one, then the previous one while its grace lasts. */
export function signingSecrets(e: WebhookEndpointRecord, now: Date): string[] {
  const previous = e.previousSecret !== null && e.previousSecretUntil !== null && e.previousSecretUntil.getTime() > now.getTime();
  return previous ? [e.secret, e.previousSecret!] : [e.secret];
}

async function audit(repos: Repositories, storeId: string, actor: Actor, at: Date, action: string, entityId: string, before: unknown, after: unknown): Promise<void> {
  await repos.audit.insert(storeId, { id: newId("aud"), at, actor: actor.id, action, entityType: "webhook_endpoint", entityId, before, after });
}
