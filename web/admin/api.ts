/**
 * The back office's only way to the server: the public HTTP API with the signed-in key. Every
 * call resolves to its JSON or throws an ApiError carrying the problem+json (code, detail, and
 * the field errors forms show next to their fields).
 */
export interface FieldError {
  path: string;
  message: string;
}

export interface Problem {
  status: number;
  code: string;
  title?: string;
  detail?: string;
  errors?: FieldError[];
  [key: string]: unknown;
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title ?? `request failed (${problem.status})`);
  }
  /** The message for one field (`award.points`), or for any field under it. */
  fieldError(path: string): string | undefined {
    return this.problem.errors?.find((e) => e.path === path || e.path.startsWith(`${path}.`))?.message;
  }
}

export type Query = Record<string, string | number | boolean | undefined | null>;

/**
 * A typed call's answer (openapi-fetch's `{data, error, response}`): the data, or the refusal thrown
 * as an ApiError, so screens handle every call the same way.
 */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await call;
  } catch {
    throw new ApiError({ status: 0, code: "network", detail: "The server could not be reached. Check your connection and try again." });
  }
  if (result.response.ok) return result.data as T;
  const body = result.error && typeof result.error === "object" ? result.error : { detail: String(result.error ?? result.response.statusText) };
  throw new ApiError({ status: result.response.status, code: "error", ...body } as Problem);
}

export interface Api {
  get<T = any>(path: string, query?: Query): Promise<T>;
  post<T = any>(path: string, body?: unknown, options?: { idempotencyKey?: string; contentType?: string }): Promise<T>;
  put<T = any>(path: string, body: unknown): Promise<T>;
  patch<T = any>(path: string, body: unknown): Promise<T>;
  del<T = any>(path: string): Promise<T>;
  /** A file the API streams (CSV exports), saved by the browser under `filename`. */
  download(path: string, filename: string): Promise<void>;
}

const withQuery = (path: string, query?: Query) => {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== "") params.set(k, String(v));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
};

export function createApi(key: string, base = ""): Api {
  async function send<T>(method: string, path: string, body?: unknown, options: { idempotencyKey?: string; contentType?: string } = {}): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${key}` };
    let payload: BodyInit | undefined;
    if (body !== undefined) {
      headers["content-type"] = options.contentType ?? "application/json";
      payload = typeof body === "string" || body instanceof Blob ? body : JSON.stringify(body);
    }
    if (options.idempotencyKey) headers["idempotency-key"] = options.idempotencyKey;
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, { method, headers, body: payload });
    } catch {
      throw new ApiError({ status: 0, code: "network", detail: "The server could not be reached. Check your connection and try again." });
    }
    const text = await res.text();
    const json = text ? safeJson(text) : null;
    if (!res.ok) throw new ApiError({ status: res.status, code: "error", ...(json && typeof json === "object" ? json : { detail: text || res.statusText }) } as Problem);
    return json as T;
  }
  return {
    get: (path, query) => send("GET", withQuery(path, query)),
    post: (path, body, options) => send("POST", path, body, options),
    put: (path, body) => send("PUT", path, body),
    patch: (path, body) => send("PATCH", path, body),
    del: (path) => send("DELETE", path),
    async download(path, filename) {
      const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${key}` } });
      if (!res.ok) throw new ApiError({ status: res.status, code: "error", ...(safeJson(await res.text()) ?? {}) } as Problem);
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement("a");
      a.href = url;
      a.download = filename;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    },
  };
}

function safeJson(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** A fresh Idempotency-Key per user action, so a double click or a retry never applies twice. */
export const newIdempotencyKey = () => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`);
