/**
 * The widgets' styles, inside their shadow roots: nothing leaks into the page and the page's CSS
 * does not reach in. A page themes them with custom properties, which do cross the boundary:
 * --pb-accent, --pb-text, --pb-muted, --pb-background, --pb-surface, --pb-border, --pb-radius, --pb-font.
 */
export const css = `
:host { display: block; font-family: var(--pb-font, system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans CJK TC", sans-serif);
  color: var(--pb-text, #1d2330); background: var(--pb-background, transparent); line-height: 1.45; }
:host([hidden]) { display: none; }
* { box-sizing: border-box; }
.pb { display: grid; gap: 12px; }
p { margin: 0; }
.card { background: var(--pb-surface, #fff); border: 1px solid var(--pb-border, #dde1e8); border-radius: var(--pb-radius, 10px); padding: 14px 16px; }
h2 { font-size: 1rem; margin: 0 0 8px; }
.pb > h2 { margin: 0; }
.figures { display: flex; flex-wrap: wrap; gap: 16px 28px; align-items: baseline; }
.figure .label { display: block; font-size: 0.85em; color: var(--pb-muted, #5b6474); }
.figure .value { font-size: 1.6rem; font-weight: 700; font-variant-numeric: tabular-nums; }
.figure.small .value { font-size: 1.1rem; }
ul { list-style: none; margin: 0; padding: 0; }
li { display: flex; justify-content: space-between; gap: 12px; padding: 6px 0; border-bottom: 1px solid var(--pb-border, #eceff3); }
li:last-child { border-bottom: 0; }
.muted { color: var(--pb-muted, #5b6474); font-size: 0.9em; }
.num { font-variant-numeric: tabular-nums; white-space: nowrap; }
.plus { color: #067647; }
.minus { color: #b42318; }
.pending { color: var(--pb-muted, #5b6474); }
.rules { white-space: pre-line; margin: 0; }
button { font: inherit; font-weight: 600; border-radius: 8px; padding: 6px 12px; cursor: pointer; border: 1px solid var(--pb-accent, #2458d6);
  background: var(--pb-accent, #2458d6); color: var(--pb-accent-text, #fff); }
button.quiet { background: transparent; color: var(--pb-accent, #2458d6); }
button:disabled { opacity: 0.5; cursor: not-allowed; }
button:focus-visible, input:focus-visible { outline: 3px solid #f5b400; outline-offset: 2px; }
.reward { align-items: center; }
.message { border-radius: 8px; padding: 10px 12px; background: #eff4ff; border: 1px solid #c7d7fe; }
.message.error { background: #fef3f2; border-color: #fecdca; color: #7a271a; }
.message.ok { background: #ecfdf3; border-color: #abefc6; color: #054f31; }
code { font-family: ui-monospace, Menlo, monospace; font-size: 1.05em; letter-spacing: 0.04em; }
label { font-weight: 600; font-size: 0.92em; display: block; margin-bottom: 4px; }
input { font: inherit; padding: 6px 10px; border: 1px solid var(--pb-border, #b8c0cc); border-radius: 8px; width: 9em; }
.row { display: flex; gap: 8px; align-items: flex-end; flex-wrap: wrap; }
`;
