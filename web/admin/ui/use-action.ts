import { useState } from "preact/hooks";
import { ApiError } from "../api.ts";

export interface Action<A extends unknown[]> {
  run(...args: A): Promise<boolean>;
  busy: boolean;
  error: ApiError | undefined;
  /** The API's message for a field of the form (its path, e.g. `award.points`). */
  fieldError(path: string): string | undefined;
  clear(): void;
}

/** A write the user asked for: busy while it runs, the refusal kept for the form to show. */
export function useAction<A extends unknown[]>(fn: (...args: A) => Promise<unknown>): Action<A> {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  return {
    busy,
    error,
    fieldError: (path) => error?.fieldError(path),
    clear: () => setError(undefined),
    async run(...args) {
      setBusy(true);
      setError(undefined);
      try {
        await fn(...args);
        return true;
      } catch (e) {
        setError(e instanceof ApiError ? e : new ApiError({ status: 0, code: "client", detail: String(e) }));
        return false;
      } finally {
        setBusy(false);
      }
    },
  };
}
