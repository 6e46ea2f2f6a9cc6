import { useState } from "preact/hooks";
import type { ApiError } from "../api.ts";
import { TextField } from "../ui/fields.tsx";

export function SignIn(props: { error: ApiError | undefined; onSignIn(key: string): Promise<boolean> }) {
  const [key, setKey] = useState("");
  const [busy, setBusy] = useState(false);
  const message = props.error ? (props.error.problem.status === 401 ? "That key is not valid, or it was revoked." : props.error.message) : undefined;
  return (
    <main class="sign-in">
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          await props.onSignIn(key.trim());
          setBusy(false);
        }}
      >
        <h1>Pointbook back office</h1>
        <p>Sign in with a staff key of your store. The key stays in this browser tab only and is forgotten when you close it.</p>
        <TextField name="key" label="Staff key" type="password" autoComplete="off" value={key} onInput={setKey} required error={message}
          hint="The server prints a key when it creates a demo store; an admin can make more under Staff keys." />
        <button type="submit" class="primary" disabled={busy || key.trim() === ""}>{busy ? "Signing in…" : "Sign in"}</button>
      </form>
    </main>
  );
}
