/**
 * `{{name}}` placeholders in message templates. A name the message does not know stays as written,
 * so a typo in a merchant's template shows in a test message instead of vanishing.
 */

const PLACEHOLDER = /\{\{\s*([A-Za-z][A-Za-z0-9_]*)\s*\}\}/g;

/** Replaces the placeholders whose names `values` holds; in HTML the values are escaped, the template is not. */
export function fillPlaceholders(
  template: string,
  values: Readonly<Record<string, string>>,
  mode: "text" | "html",
): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => {
    if (!Object.hasOwn(values, name)) return whole;
    const value = values[name] ?? "";
    return mode === "html" ? escapeHtml(value) : value;
  });
}

export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/** An HTML body for a plain-text template: its words escaped, its lines kept, its placeholders left to fill. */
export function htmlFromText(template: string): string {
  const paragraphs = template
    .trim()
    .split(/\r?\n\s*\r?\n/)
    .map((p) => `<p>${p.split(/\r?\n/).map(escapeHtml).join("<br>\n")}</p>`);
  return paragraphs.join("\n");
}
