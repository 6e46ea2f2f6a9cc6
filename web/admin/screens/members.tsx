import { useState } from "preact/hooks";
import { unwrap } from "../api.ts";
import { useSession } from "../session.ts";
import { href, navigate } from "../router.ts";
import { points } from "../format.ts";
import { TextField } from "../ui/fields.tsx";
import { Empty, ErrorBanner, Loading, Page } from "../ui/page.tsx";
import { useLoad } from "../ui/use-load.ts";
import { useCan } from "../session.ts";
import { BulkAdd } from "./member-bulk.tsx";
import { MemberDetail } from "./member-detail.tsx";
import type { ScreenProps } from "./screen.ts";


export function MembersScreen({ route }: ScreenProps) {
  if (route[0] === "bulk") return <BulkAdd />;
  if (route[0]) return <MemberDetail memberId={route[0]} />;
  return <MemberSearch />;
}

function MemberSearch() {
  const { client } = useSession();
  const canAdjust = useCan("points_manager");
  const [query, setQuery] = useState("");
  const [submitted, setSubmitted] = useState("");
  const [cursor, setCursor] = useState<string | null>(null);
  const found = useLoad(() => unwrap(client.GET("/v1/members", { params: { query: { q: submitted, limit: 50, ...(cursor ? { cursor } : {}) } } })), [submitted, cursor]);
  const rows = found.data?.data ?? [];
  return (
    <Page title="Members" actions={canAdjust ? <a class="button secondary" href={href("members", "bulk")}>Bulk add points</a> : null}>
      <form role="search" class="row search" onSubmit={(e) => {
        e.preventDefault();
        const q = query.trim();
        // An exact id opens the member; anything else lists matches.
        setCursor(null);
        setSubmitted(q);
      }}>
        <TextField name="q" label="Find a member by id, email or phone (its first letters)" value={query} onInput={setQuery} />
        <button type="submit" class="primary">Search</button>
      </form>
      <ErrorBanner error={found.error} />
      {found.loading && !found.data ? <Loading /> : rows.length === 0 ? (
        submitted ? <Empty title="No member found">No member's id, email or phone starts with “{submitted}”.</Empty>
          : <Empty title="No members yet">Members appear with their first order or event, when you import them, or when you add points to a new id.</Empty>
      ) : (
        <>
          <div class="table-wrap">
            <table aria-label="Members">
              <thead><tr><th scope="col">Member</th><th scope="col">Email</th><th scope="col">Phone</th><th scope="col">Tier</th><th scope="col" class="num">Balance</th><th scope="col" class="num">Pending</th><th scope="col" class="num">Held</th></tr></thead>
              <tbody>
                {rows.map((m) => (
                  <tr key={m.memberId}>
                    <th scope="row"><a href={href("members", m.memberId)}>{m.memberId}</a>{m.isMember ? null : <span class="badge">guest</span>}</th>
                    <td>{m.email ?? "—"}</td><td>{m.phone ?? "—"}</td><td>{m.tier ?? "—"}</td>
                    <td class="num">{points(m.balance)}</td><td class="num">{points(m.pending)}</td><td class="num">{points(m.held)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {found.data?.nextCursor ? <button type="button" class="secondary" onClick={() => setCursor(found.data!.nextCursor)}>Next page</button> : null}
        </>
      )}
      {submitted && rows.length === 0 && !found.loading ? <p><button type="button" class="link" onClick={() => navigate("members", submitted)}>Open “{submitted}” as a member id</button></p> : null}
    </Page>
  );
}

