import { useState } from "preact/hooks";
import { newIdempotencyKey, unwrap } from "../api.ts";
import { dateTime } from "../format.ts";
import { useSession, type Role } from "../session.ts";
import { ConfirmDialog } from "../ui/dialog.tsx";
import { Select, TextField } from "../ui/fields.tsx";
import { Card, ErrorBanner, Loading, Notice, Page } from "../ui/page.tsx";
import { useAction } from "../ui/use-action.ts";
import { useLoad } from "../ui/use-load.ts";
import type { ScreenProps } from "./screen.ts";

interface Key { id: string; name: string; role: Role; createdAt: string; revokedAt?: string | null }

const ROLES: Array<{ value: Role; label: string }> = [
  { value: "viewer", label: "Viewer: sees everything, changes nothing" },
  { value: "points_manager", label: "Points manager: adds and deducts points, records orders and redemptions" },
  { value: "admin", label: "Admin: also changes the program, keys, webhooks and connections" },
];

export function KeysScreen(_: ScreenProps) {
  const { client, store, key: me } = useSession();
  const keys = useLoad(() => unwrap(client.GET("/v1/keys", { params: { query: { limit: 500 } } })), []);
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>("viewer");
  const [created, setCreated] = useState<{ name: string; key: string | null } | null>(null);
  const [revoking, setRevoking] = useState<Key | null>(null);
  const create = useAction(async () => {
    const k = await unwrap(client.POST("/v1/keys", { params: { header: { "idempotency-key": newIdempotencyKey() } }, body: { name, role } }));
    setCreated(k);
    setName("");
    keys.reload();
  });
  const revoke = useAction(async (id: string) => {
    await unwrap(client.DELETE("/v1/keys/{id}", { params: { path: { id } } }));
    keys.reload();
  });
  return (
    <Page title="Staff keys" intro="Each person or system gets its own key, with the role it needs. Activity and the audit log show which key did what.">
      <Card title="New key">
        <form class="row" noValidate aria-label="New key" onSubmit={(e) => { e.preventDefault(); setCreated(null); void create.run(); }}>
          <TextField name="name" label="Who or what it is for" required value={name} error={create.fieldError("name")} onInput={setName} />
          <Select name="role" label="Role" value={role} options={ROLES} error={create.fieldError("role")} onChange={setRole} />
          <button type="submit" class="primary" disabled={create.busy}>Create key</button>
        </form>
        <ErrorBanner error={create.error} fieldsShown />
        {created ? <Notice>{created.key ? <>Key for {created.name}, shown this once: <code data-new-key>{created.key}</code></> : <>The key for {created.name} was created by an earlier click; it was shown then.</>}</Notice> : null}
      </Card>
      <ErrorBanner error={keys.error ?? revoke.error} />
      {!keys.data ? <Loading /> : (
        <div class="table-wrap">
          <table aria-label="Keys">
            <thead><tr><th scope="col">Name</th><th scope="col">Id</th><th scope="col">Role</th><th scope="col">Created</th><th scope="col">Status</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
            <tbody>
              {keys.data.data.map((k) => (
                <tr key={k.id}>
                  <th scope="row">{k.name}{k.id === me.id ? " (you)" : ""}</th><td><code>{k.id}</code></td><td>{k.role.replace("_", " ")}</td>
                  <td>{dateTime(k.createdAt, store.timezone)}</td><td>{k.revokedAt ? `revoked ${dateTime(k.revokedAt, store.timezone)}` : "active"}</td>
                  <td>{k.revokedAt || k.id === me.id ? null : <button type="button" class="danger" aria-label={`Revoke ${k.name}`} onClick={() => setRevoking(k)}>Revoke</button>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ConfirmDialog open={revoking !== null} title={`Revoke the key “${revoking?.name ?? ""}”?`} confirmLabel="Revoke" danger busy={revoke.busy}
        onCancel={() => setRevoking(null)} onConfirm={async () => { if (revoking && (await revoke.run(revoking.id))) setRevoking(null); }}>
        Whoever uses it is refused from now on, on every server within 10 seconds. This cannot be undone.
      </ConfirmDialog>
    </Page>
  );
}
