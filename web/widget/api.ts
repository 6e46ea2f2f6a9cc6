/** What went wrong, in the terms the widgets show: a token to renew, the program paused, or another refusal. */
export class WidgetError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly details: Record<string, unknown> = {}) {
    super(message);
  }
}

export interface MemberApi {
  get<T>(path: string, query?: Record<string, string | number | undefined>): Promise<T>;
  post<T>(path: string, body: unknown, idempotencyKey?: string): Promise<T>;
}

/** Calls `/v1/me…` on `base` with the member's token (CORS across origins: the store lists this page's origin). */
export function memberApi(base: string, token: string): MemberApi {
  async function send<T>(method: string, path: string, body?: unknown, idempotencyKey?: string): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (body !== undefined) headers["content-type"] = "application/json";
    if (idempotencyKey) headers["idempotency-key"] = idempotencyKey;
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), mode: "cors", credentials: "omit" });
    } catch {
      throw new WidgetError(0, "network", "offline");
    }
    const json = await res.json().catch(() => null);
    if (!res.ok) throw new WidgetError(res.status, json?.code ?? "error", json?.detail ?? res.statusText, json ?? {});
    return json as T;
  }
  return {
    get: (path, query) => {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) q.set(k, String(v));
      return send("GET", q.toString() ? `${path}?${q}` : path);
    },
    post: (path, body, key) => send("POST", path, body, key),
  };
}

export const newKey = () => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`);
