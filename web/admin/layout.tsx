import { useEffect } from "preact/hooks";
import { dateTime } from "./format.ts";
import { href, useRoute } from "./router.ts";
import { screens, type ScreenEntry } from "./screens/index.ts";
import { useCan, useSession } from "./session.ts";

function NavLink({ entry, active }: { entry: ScreenEntry; active: boolean }) {
  return <li><a href={href(entry.path)} aria-current={active ? "page" : undefined}>{entry.title}</a></li>;
}

/** On a phone the navigation is one row that scrolls sideways: bring the current screen's link into it. */
function showCurrentLink(): void {
  const nav = document.querySelector<HTMLElement>(".sidebar");
  const link = nav?.querySelector<HTMLElement>('[aria-current="page"]');
  if (!nav || !link || nav.scrollWidth <= nav.clientWidth) return;
  const n = nav.getBoundingClientRect();
  const l = link.getBoundingClientRect();
  nav.scrollLeft += l.left - n.left - (n.width - l.width) / 2;
}

/** The frame around every screen: the store, the key's role, the sandbox clock, and the screens this role may use. */
export function Layout() {
  const session = useSession();
  const route = useRoute();
  const canAdmin = useCan("admin");
  const allowed = screens.filter((s) => (s.role !== "admin" || canAdmin) && (!s.sandboxOnly || session.store.sandbox));
  const current = allowed.find((s) => s.path === (route[0] ?? "dashboard")) ?? allowed[0]!;
  // Moving to another screen puts focus on its heading, so keyboard and screen-reader users follow.
  useEffect(() => {
    showCurrentLink();
    document.getElementById("page-title")?.focus();
    document.title = `${current.title} · ${session.store.name} · Pointbook`;
  }, [current.path]);
  const Screen = current.component;
  return (
    <div class="shell">
      <a class="skip" href="#main">Skip to content</a>
      <header class="topbar">
        <span class="brand">Pointbook</span>
        <span class="store" title={session.store.id}>{session.store.name}</span>
        {session.store.sandbox ? <span class="badge sandbox" title="This store runs on its own test clock">Sandbox · {dateTime(session.store.clock, session.store.timezone)}</span> : null}
        <span class="badge role">{session.key.role.replace("_", " ")}</span>
        <button type="button" class="link" onClick={session.signOut}>Sign out</button>
      </header>
      <nav class="sidebar" aria-label="Screens">
        <ul>{allowed.map((s) => <NavLink key={s.path} entry={s} active={s === current} />)}</ul>
      </nav>
      <main id="main">
        <Screen route={route.slice(1)} />
      </main>
    </div>
  );
}
