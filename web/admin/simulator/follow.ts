import { useEffect, useState } from "preact/hooks";
import { ApiError, unwrap } from "../api.ts";
import { useSession } from "../session.ts";
import type { Simulation } from "./model.ts";

const POLL_MS = 500;

/**
 * Follows a simulation every half second while it runs (GET /v1/simulations/{id}): the latest
 * seen (null before the first answer, or when it was not running to begin with), or the error
 * that stopped the following. `onFinished` is told once it is done or failed.
 */
export function useFollowedSimulation(id: string, running: boolean, onFinished?: (sim: Simulation) => void): { sim: Simulation | null; error: ApiError | undefined } {
  const { client } = useSession();
  const [sim, setSim] = useState<Simulation | null>(null);
  const [error, setError] = useState<ApiError | undefined>();
  useEffect(() => {
    if (!running) return;
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const s = await unwrap(client.GET("/v1/simulations/{id}", { params: { path: { id } } }));
        if (!live) return;
        setSim(s);
        if (s.status === "running") timer = setTimeout(() => void poll(), POLL_MS);
        else onFinished?.(s);
      } catch (e) {
        if (live) setError(e instanceof ApiError ? e : new ApiError({ status: 0, code: "client", detail: String(e) }));
      }
    };
    void poll();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [id, running]);
  return { sim, error };
}
