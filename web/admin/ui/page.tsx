import type { ComponentChildren } from "preact";
import type { ApiError } from "../api.ts";

export function Page(props: { title: string; actions?: ComponentChildren; children: ComponentChildren; intro?: ComponentChildren }) {
  return (
    <section class="page" aria-labelledby="page-title">
      <header class="page-head">
        <h1 id="page-title" tabIndex={-1}>{props.title}</h1>
        {props.actions ? <div class="actions">{props.actions}</div> : null}
      </header>
      {props.intro ? <p class="intro">{props.intro}</p> : null}
      {props.children}
    </section>
  );
}

export function Card(props: { title?: string; children: ComponentChildren; class?: string }) {
  return (
    <div class={`card ${props.class ?? ""}`}>
      {props.title ? <h2>{props.title}</h2> : null}
      {props.children}
    </div>
  );
}

/** A refusal that belongs to no one field: the API's own words, and its field errors listed. */
export function ErrorBanner(props: { error: ApiError | undefined; fieldsShown?: boolean }) {
  if (!props.error) return null;
  const p = props.error.problem;
  return (
    <div class="banner error" role="alert">
      <strong>{p.title ?? "Not done"}</strong> {p.detail ?? props.error.message}
      {!props.fieldsShown && p.errors && p.errors.length > 0 ? (
        <ul>{p.errors.map((e) => <li key={e.path}><code>{e.path}</code>: {e.message}</li>)}</ul>
      ) : null}
    </div>
  );
}

export function Notice(props: { children: ComponentChildren; kind?: "ok" | "info" }) {
  return <div class={`banner ${props.kind ?? "ok"}`} role="status">{props.children}</div>;
}

/** What a new merchant sees where a list is empty: what it is for, and what to do next. */
export function Empty(props: { title: string; children: ComponentChildren; action?: ComponentChildren }) {
  return (
    <div class="empty">
      <h2>{props.title}</h2>
      <p>{props.children}</p>
      {props.action}
    </div>
  );
}

export function Loading() {
  return <p class="loading" role="status">Loading…</p>;
}
