import { sleep } from "./server.ts";

/** A request that got an answer: the status and the parsed body. */
export interface Answer {
  status: number;
  // The body is checked field by field by the caller.
  body: any;
  /** The server said it replayed a stored response (`idempotent-replayed: true`). */
  replayed: boolean;
  attempts: number;
  /**
   * An earlier answer to the same request that the client threw away as if the connection had
   * dropped just before it arrived (see `RetryingClient.unreliable`). The write was applied then,
   * so the answer finally kept must say the same thing.
   */
  lost?: { status: number; body: any };
}

/** Thrown when a request got no usable answer before the give-up deadline. */
export class Unanswered extends Error {}

export class HttpStats {
  /** Every HTTP attempt, first tries and retries. */
  requests = 0;
  /** Attempts beyond the first of a request. */
  retries = 0;
  /** Attempts that got no answer: refused or reset connection (a kill), or a time-out. */
  noAnswer = 0;
  /** Of those, attempts the client stopped waiting for on purpose. */
  abandoned = 0;
  /** Answers the client received and then threw away on purpose. */
  discarded = 0;
  /** 5xx answers. The contract says a 5xx is a bug, so they are reported (and retried). */
  serverErrors = 0;
  serverErrorSamples: string[] = [];
  /** 429 answers (rate limit), retried after Retry-After. */
  throttled = 0;
  /** Requests on the wire right now (how many a kill cuts off). */
  inFlight = 0;
}

export interface SendOptions {
  token: string;
  body?: unknown;
  idempotencyKey?: string;
}

/** While the network is unreliable: the share of first attempts whose answer is thrown away. */
const DISCARD_SHARE = 0.08;
/** … and the share of attempts the client stops waiting for after 20–250 ms. */
const ABANDON_SHARE = 0.05;

/**
 * Sends a request and, while it gets no answer or a 5xx, sends exactly the same request again
 * (same body, same Idempotency-Key) until it is answered: what a careful integration does when the
 * server goes away in the middle of a write.
 */
export class RetryingClient {
  /**
   * A kill cuts off only the few answers that were between the commit and the socket. While this
   * is set, answers also get lost on purpose, so that every run retries writes that were applied:
   * some answers are received and thrown away (the retry must get the same outcome, not a second
   * write), and some attempts are given up after a few tens of milliseconds (the retry then often
   * races the first attempt, which is still running on the server).
   */
  unreliable = false;

  constructor(
    private readonly baseUrl: string,
    readonly stats: HttpStats,
    private readonly options = { attemptTimeoutMs: 15_000, giveUpMs: 90_000 },
  ) {}

  async send(method: string, path: string, opts: SendOptions): Promise<Answer> {
    const headers: Record<string, string> = { authorization: `Bearer ${opts.token}` };
    if (opts.body !== undefined) headers["content-type"] = "application/json";
    if (opts.idempotencyKey !== undefined) headers["idempotency-key"] = opts.idempotencyKey;
    // Serialized once, so every retry carries byte-for-byte the same body.
    const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const giveUpAt = Date.now() + this.options.giveUpMs;
    const discard = this.unreliable && method !== "GET" && Math.random() < DISCARD_SHARE;
    let lost: Answer["lost"];
    for (let attempt = 1; ; attempt++) {
      this.stats.requests++;
      if (attempt > 1) this.stats.retries++;
      let wait = backoff(attempt);
      const abandon = this.unreliable && Math.random() < ABANDON_SHARE;
      const timeoutMs = abandon ? 20 + Math.random() * 230 : this.options.attemptTimeoutMs;
      this.stats.inFlight++;
      try {
        const res = await fetch(`${this.baseUrl}${path}`, { method, headers, body: payload, signal: AbortSignal.timeout(timeoutMs) });
        const text = await res.text();
        if (res.status >= 500) {
          this.stats.serverErrors++;
          if (this.stats.serverErrorSamples.length < 5) this.stats.serverErrorSamples.push(`${method} ${path} → ${res.status} ${text.slice(0, 300)}`);
        } else if (res.status === 429) {
          this.stats.throttled++;
          wait = Math.max(wait, 1000 * Number(res.headers.get("retry-after") ?? "1"));
        } else {
          const body = text.length > 0 ? JSON.parse(text) : null;
          if (discard && lost === undefined) {
            this.stats.discarded++;
            lost = { status: res.status, body };
          } else {
            return { status: res.status, body, replayed: res.headers.get("idempotent-replayed") === "true", attempts: attempt, ...(lost ? { lost } : {}) };
          }
        }
      } catch {
        // Connection refused or reset (the server was killed), or no answer in time: try again.
        this.stats.noAnswer++;
        if (abandon) this.stats.abandoned++;
      } finally {
        this.stats.inFlight--;
      }
      if (Date.now() + wait > giveUpAt) throw new Unanswered(`${method} ${path}: no answer after ${attempt} attempts`);
      await sleep(wait);
    }
  }
}

/** 50 ms doubling up to 800 ms, with jitter so the clients do not come back in lockstep. */
function backoff(attempt: number): number {
  return Math.min(800, 50 * 2 ** (attempt - 1)) * (0.5 + Math.random());
}
