import { useEffect, useState } from "preact/hooks";
import { createPointbookClient } from "../api/client.ts";
import { ApiError, createApi, unwrap } from "./api.ts";
import { Layout } from "./layout.tsx";
import { SignIn } from "./screens/sign-in.tsx";
import { forgetKey, SessionContext, storedKey, storeKey, type Session } from "./session.ts";

type SessionData = Pick<Session, "key" | "store">;

/** Signs in with a staff key (checked against the API), then shows the screens its role allows. */
export function App() {
  const [session, setSession] = useState<Session | null>(null);
  const [checking, setChecking] = useState(() => storedKey() !== null);
  const [error, setError] = useState<ApiError | undefined>();

  async function signIn(key: string): Promise<boolean> {
    const api = createApi(key);
    const client = createPointbookClient(location.origin, key);
    const read = (): Promise<SessionData> => unwrap(client.GET("/v1/session"));
    try {
      const data = await read();
      storeKey(key);
      const make = (d: SessionData): Session => ({
        ...d, api, client,
        refresh: async () => setSession(make(await read())),
        signOut: () => {
          forgetKey();
          setSession(null);
          location.hash = "";
        },
      });
      setSession(make(data));
      setError(undefined);
      return true;
    } catch (e) {
      forgetKey();
      setError(e instanceof ApiError ? e : undefined);
      return false;
    } finally {
      setChecking(false);
    }
  }

  useEffect(() => {
    const key = storedKey();
    if (key) void signIn(key);
  }, []);

  if (checking) return <p class="loading" role="status">Signing in…</p>;
  if (!session) return <SignIn error={error} onSignIn={signIn} />;
  return (
    <SessionContext.Provider value={session}>
      <Layout />
    </SessionContext.Provider>
  );
}
