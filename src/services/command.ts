import { DomainError } from "../core/errors.ts";
import type { OutboxRepository, Repositories, StampedMessage, StoredOutcome } from "../core/ports/repositories.ts";
import type { Services } from "./context.ts";
import { DEFAULT_IDEMPOTENCY_TTL_MS, REQUEST_KEY_SCOPE } from "./idempotency.ts";

/** What a command ended in: its value, or the refusal (a domain error, never an HTTP reply). */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: DomainError };

export interface Command<T> {
  storeId: string;
  /**
   * A caller's idempotency key and the fingerprint of its request: the command runs once per key,
   * and a later request under the key gets the stored outcome (or a conflict for another request).
   */
  idempotency?: { key: string; fingerprint: string };
  /** The change, in the runner's transaction. Its value must be JSON-ready: a replay gets the stored JSON. */
  run(repos: Repositories): Promise<T>;
  /** What is stored for replays when it differs from the value (a secret shown once is left out). */
  stored?(value: T): unknown;
}

export interface CommandResult<T> {
  outcome: Outcome<T>;
  /** The outcome was stored by an earlier request under the same idempotency key. */
  replayed: boolean;
}

/**
 * The one way a write runs, whoever asks (HTTP routes, platform receivers, the CLI): one
 * transaction; the idempotency record (claim, then the outcome, refusals included) stored with the
 * change; outgoing events collected and written once at the end, so a refused command leaves none.
 * Unexpected errors are thrown, and the transaction is rolled back.
 */
export async function runCommand<T>(services: Services, command: Command<T>): Promise<CommandResult<T>> {
  try {
    return await services.tx.run((repos) => (command.idempotency ? runOnce(services, repos, command, command.idempotency) : runPlain(repos, command)));
  } catch (error) {
    if (error instanceof DomainError) return { outcome: { ok: false, error }, replayed: false };
    throw error;
  }
}

async function runPlain<T>(repos: Repositories, command: Command<T>): Promise<CommandResult<T>> {
  return { outcome: { ok: true, value: await withOutbox(repos, command.run) }, replayed: false };
}

async function runOnce<T>(
  services: Services,
  repos: Repositories,
  command: Command<T>,
  idempotency: { key: string; fingerprint: string },
): Promise<CommandResult<T>> {
  const now = services.clock.now();
  const ttlMs = services.idempotencyTtlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS;
  const claim = await repos.idempotency.claim(command.storeId, REQUEST_KEY_SCOPE, idempotency.key, idempotency.fingerprint, now, new Date(now.getTime() - ttlMs));
  if (claim !== "claimed") {
    if (claim.fingerprint !== idempotency.fingerprint) {
      throw new DomainError("idempotency_conflict", "this idempotency key was used with a different request");
    }
    if (claim.outcome === null) {
      // Only this transaction can see its own claim before completing it: a key used twice within it.
      throw new DomainError("idempotency_conflict", "this idempotency key is in use by a request still running");
    }
    return { outcome: revive(claim.outcome) as Outcome<T>, replayed: true };
  }
  let outcome: Outcome<T>;
  try {
    // A refusal undoes the command's own writes only; the claim stays and stores the refusal.
    outcome = { ok: true, value: await repos.savepoint(() => withOutbox(repos, command.run)) };
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    outcome = { ok: false, error };
  }
  await repos.idempotency.complete(command.storeId, REQUEST_KEY_SCOPE, idempotency.key, storedOf(outcome, command));
  return { outcome, replayed: false };
}

/** Runs `fn` with an outbox that keeps events in memory, then writes them, in order, at its end. */
async function withOutbox<T>(repos: Repositories, fn: (repos: Repositories) => Promise<T>): Promise<T> {
  const pending = new Map<string, StampedMessage[]>();
  const outbox: OutboxRepository = {
    ...repos.outbox,
    async add(storeId, messages) {
      pending.set(storeId, [...(pending.get(storeId) ?? []), ...messages]);
    },
  };
  const value = await fn({ ...repos, outbox });
  for (const [storeId, messages] of pending) await repos.outbox.add(storeId, messages);
  return value;
}

/** The JSON form kept for replays: dates as ISO strings, no undefined fields. */
function storedOf<T>(outcome: Outcome<T>, command: Command<T>): StoredOutcome {
  if (!outcome.ok) {
    return { ok: false, error: { code: outcome.error.code, message: outcome.error.message, details: toJson(outcome.error.details) as Record<string, unknown> } };
  }
  return { ok: true, value: toJson(command.stored ? command.stored(outcome.value) : outcome.value) };
}

function revive(stored: StoredOutcome): Outcome<unknown> {
  if (stored.ok) return { ok: true, value: stored.value };
  return { ok: false, error: new DomainError(stored.error.code, stored.error.message, stored.error.details) };
}

function toJson(value: unknown): unknown {
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}
