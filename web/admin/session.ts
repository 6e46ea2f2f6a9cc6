import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { PointbookClient } from "../api/client.ts";
import type { Api } from "./api.ts";

export type Role = "viewer" | "points_manager" | "admin";

export interface Session {
  /** The typed client generated from /openapi.json (web/api): paths, parameters and answers checked by the compiler. */
  client: PointbookClient;
  /** Untyped calls by path, for the few screens that build paths at run time. */
  api: Api;
  key: { id: string; role: Role };
  store: { id: string; name: string; currency: string; timezone: string; sandbox: boolean; clock?: string | null };
  /** Re-reads the session (the sandbox clock moved). */
  refresh(): Promise<void>;
  signOut(): void;
}

const RANK: Record<Role, number> = { viewer: 1, points_manager: 2, admin: 3 };

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("no session");
  return session;
}

/** Whether the signed-in key may do what `role` may: screens hide what it may not. */
export function useCan(role: Role): boolean {
  return RANK[useSession().key.role] >= RANK[role];
}

/** The key lives for this browser tab only (sessionStorage), never on disk. */
const STORAGE = "pointbook.key";
export const storedKey = () => sessionStorage.getItem(STORAGE);
export const storeKey = (key: string) => sessionStorage.setItem(STORAGE, key);
export const forgetKey = () => sessionStorage.removeItem(STORAGE);
