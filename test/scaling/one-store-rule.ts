/**
 * The rule a statement must follow for Citus to send it to one shard: it names exactly one store.
 *
 * A statement is read as a tree of query blocks (each SELECT, each side of a UNION, each subquery).
 * Every reference to a keyed table (a table with a store column; see `storeKeys`) must be pinned to
 * one store by its block, in one of three ways:
 *
 *   1. an equality `<alias>.store_id = $n` (or a literal) at the top level of the block's WHERE / ON,
 *      unqualified when the table is the block's only keyed table;
 *   2. an equality `<alias>.store_id = <other>.store_id` with a reference that is pinned, in the same
 *      block or an enclosing one (a join or a correlated subquery on the store column);
 *   3. for the target of an INSERT, a column list naming the store column whose value in every row
 *      (each VALUES tuple, or the SELECT list) is `$n` (or a literal).
 *
 * Then every value pinning a reference must be one string, and all of them the same one. What
 * fails: a keyed table with no such condition (a scan across stores), `store_id = ANY($1)` or
 * `IN (...)` (several stores), a store condition only inside parentheses or beside a top-level OR
 * (it may not apply to every row), two different stores, and any table with no store column at all.
 */

/** For each table: the column that names its store. */
export type StoreKeys = ReadonlyMap<string, string>;

export interface StatementVerdict {
  /** The stores the statement names (one, or none when it touches no table). */
  stores: string[];
  /** Why it does not name exactly one store; empty when it does. */
  problems: string[];
}

interface Ref {
  table: string;
  qualifier: string;
  key: string;
  /** The value tokens ($n or a literal) that pin it; empty while unpinned. */
  pins: string[];
  insert: boolean;
}

interface Block {
  /** The block's text with subqueries replaced by `(#n)`; parentheses kept. */
  text: string;
  /** The same with everything inside parentheses removed: what applies to the block as a whole. */
  level: string;
  children: Block[];
  parent: Block | null;
  refs: Ref[];
}

const REF = /\b(from|join|update|into|using)\s+(?:only\s+)?([a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)?)(\s*\(\))?(?:\s+(?:as\s+)?([a-z_][a-z0-9_]*))?(\s*,)?/g;
const NOT_ALIAS = new Set([
  "where", "set", "on", "using", "join", "left", "right", "inner", "outer", "full", "cross", "natural", "order", "group", "limit",
  "offset", "for", "returning", "values", "select", "union", "intersect", "except", "having", "window", "do", "default", "of",
  "skip", "nowait", "fetch", "lateral", "with", "and", "or",
]);
const VALUE = String.raw`(\$\d+|\$l\d+)(?:::[a-z_ ]+?(\[\])?)?(?![\w(\[])`;

/** Lower case, one space between words, string literals replaced by `$l<n>` (their text kept aside). */
function normalize(sql: string): { text: string; literals: string[] } {
  const literals: string[] = [];
  const text = sql
    .replace(/--[^\n]*/g, " ")
    .replace(/'(?:[^']|'')*'/g, (m) => `$l${literals.push(m.slice(1, -1).replace(/''/g, "'")) - 1}`)
    .replace(/"([a-z_][a-z0-9_]*)"/gi, "$1")
    .toLowerCase()
    .replace(/\s+/g, " ")
    .trim();
  return { text, literals };
}

/** The index of the parenthesis closing the one at `open`. */
function closing(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === "(") depth++;
    else if (text[i] === ")" && --depth === 0) return i;
  }
  throw new Error(`unbalanced parentheses in: ${text}`);
}

/** Replaces every subquery (a parenthesized SELECT or WITH) with `(#n)`, collecting their texts. */
function extractSubqueries(text: string, subs: string[]): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== "(") {
      out += text[i];
      continue;
    }
    const end = closing(text, i);
    const inner = text.slice(i + 1, end).trim();
    if (/^(select|with)\b/.test(inner)) out += `(#${subs.push(inner) - 1})`;
    else out += `(${extractSubqueries(inner, subs)})`;
    i = end;
  }
  return out;
}

function topLevel(text: string): string {
  let out = "";
  let depth = 0;
  for (const ch of text) {
    if (ch === "(") {
      if (depth === 0) out += "(";
      depth++;
    } else if (ch === ")") {
      depth--;
      if (depth === 0) out += ")";
    } else if (depth === 0) out += ch;
  }
  return out;
}

/** Where `pattern` first matches outside parentheses (the text's length if nowhere). */
function topLevelIndex(text: string, pattern: RegExp): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "(") depth++;
    else if (text[i] === ")") depth--;
    else if (depth === 0 && new RegExp(`^(?:${pattern.source})`).test(text.slice(i))) return i;
  }
  return text.length;
}

/** Splits at commas outside parentheses. */
function splitTopCommas(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "(") depth++;
    else if (text[i] === ")") depth--;
    else if (text[i] === "," && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts;
}

/** The blocks of one query text: one per side of a top-level UNION / INTERSECT / EXCEPT. */
function parseBlocks(sql: string, parent: Block | null): Block[] {
  const subs: string[] = [];
  const text = extractSubqueries(sql, subs);
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "(") depth++;
    else if (text[i] === ")") depth--;
    else if (depth === 0) {
      const m = /^ (union all|union|intersect|except) /.exec(text.slice(i));
      if (m) {
        parts.push(text.slice(start, i));
        start = i + m[0].length;
        i = start - 1;
      }
    }
  }
  parts.push(text.slice(start));
  return parts.map((part) => {
    const block: Block = { text: part, level: topLevel(part), children: [], parent, refs: [] };
    for (const m of part.matchAll(/\(#(\d+)\)/g)) block.children.push(...parseBlocks(subs[Number(m[1])]!, block));
    return block;
  });
}

const ITEM = /^\s*(?:lateral\s+)?([a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)?)(\s*\(\))?(?:\s+(?:as\s+)?([a-z_][a-z0-9_]*))?(\s*,)?/;

function collectRefs(block: Block, keys: StoreKeys, unkeyed: Set<string>, tables: ReadonlySet<string>): void {
  const add = (verb: string, name: string, call: string | undefined, alias: string | undefined) => {
    const table = name.includes(".") ? name.split(".")[1]! : name;
    if (call && verb !== "into") return; // a set-returning function (jsonb_to_recordset, unnest, …)
    if (!tables.has(table)) return; // SET, OF, a CTE or a function's alias: not a table
    const key = keys.get(table);
    if (!key) {
      unkeyed.add(table);
      return;
    }
    const qualifier = alias && !NOT_ALIAS.has(alias) ? alias : table;
    block.refs.push({ table, qualifier, key, pins: [], insert: verb === "into" });
  };
  for (const m of block.level.matchAll(REF)) {
    const [whole, verb, name, call, alias, comma] = m;
    add(verb!, name!, call, alias);
    // FROM a, b, c: each item is a table (needing its own store condition) or a function.
    let rest = comma && (verb === "from" || verb === "using") ? block.level.slice(m.index + whole.length) : null;
    while (rest !== null) {
      const item = ITEM.exec(rest);
      if (!item) break;
      add(verb!, item[1]!, item[2], item[3]);
      rest = item[4] ? rest.slice(item[0].length) : null;
    }
  }
  for (const child of block.children) collectRefs(child, keys, unkeyed, tables);
}

/** What the block's WHERE / ON say at their top level: `a.col = value` and `a.col = b.col`. */
function equalities(block: Block): Array<{ left: { q: string | null; col: string }; value?: string; right?: { q: string | null; col: string } }> {
  let level = block.level;
  // An UPDATE's SET list assigns; it does not filter.
  if (/^update\b/.test(level)) level = level.replace(/ set .*?(?= from | where | returning |$)/, " ");
  const col = String.raw`(?:([a-z_][a-z0-9_]*)\.)?([a-z_][a-z0-9_]*)`;
  const found: ReturnType<typeof equalities> = [];
  const byValue = new RegExp(String.raw`(?<![\w.$:])${col}\s*=\s*${VALUE}`, "g");
  for (const m of level.matchAll(byValue)) if (!m[4]) found.push({ left: { q: m[1] ?? null, col: m[2]! }, value: m[3]! });
  const valueFirst = new RegExp(String.raw`${VALUE}\s*=\s*${col}(?![\w(.])`, "g");
  for (const m of level.matchAll(valueFirst)) if (!m[2]) found.push({ left: { q: m[3] ?? null, col: m[4]! }, value: m[1]! });
  const byColumn = new RegExp(String.raw`(?<![\w.$:])${col}\s*=\s*${col}(?![\w(.])`, "g");
  for (const m of level.matchAll(byColumn)) found.push({ left: { q: m[1] ?? null, col: m[2]! }, right: { q: m[3] ?? null, col: m[4]! } });
  return found;
}

/** The reference a column names in this block or an enclosing one (unqualified: the block's only keyed table). */
function resolve(block: Block, c: { q: string | null; col: string }): Ref | null {
  for (let b: Block | null = block; b; b = b.parent) {
    const own = b.refs.filter((r) => !r.insert);
    const ref = c.q === null ? (own.length === 1 ? own[0]! : null) : own.find((r) => r.qualifier === c.q);
    if (ref) return ref.key === c.col ? ref : null;
    if (c.q === null && own.length > 1) return null;
  }
  return null;
}

function pinInsert(block: Block, ref: Ref, problems: string[]): void {
  const m = /^insert into [a-z0-9_.]+ \(([^()]*)\) (values|select) (.*)$/.exec(block.text);
  if (!m) {
    problems.push(`INSERT INTO ${ref.table} without a column list naming ${ref.key}`);
    return;
  }
  const index = m[1]!.split(",").map((s) => s.trim()).indexOf(ref.key);
  if (index < 0) {
    problems.push(`INSERT INTO ${ref.table} does not set ${ref.key}`);
    return;
  }
  const rest = m[3]!;
  const rows: string[][] = [];
  if (m[2] === "values") {
    for (let i = 0; i < rest.length && rest[i] === "("; ) {
      const end = closing(rest, i);
      rows.push(splitTopCommas(rest.slice(i + 1, end)));
      const next = /^\s*,\s*/.exec(rest.slice(end + 1));
      i = next ? end + 1 + next[0].length : rest.length;
    }
  } else {
    rows.push(splitTopCommas(rest.slice(0, topLevelIndex(rest, / (?:from|where|on conflict|returning|order by|limit)\b/))));
  }
  const value = new RegExp(`^${VALUE}$`);
  for (const row of rows) {
    const v = value.exec(row[index] ?? "");
    if (!v || v[2]) problems.push(`INSERT INTO ${ref.table}: ${ref.key} is "${row[index] ?? ""}", not one value`);
    else ref.pins.push(v[1]!);
  }
}

function allBlocks(blocks: Block[]): Block[] {
  return blocks.flatMap((b) => [b, ...allBlocks(b.children)]);
}

/** Checks one statement with the parameters it ran with. */
export function checkStatement(sql: string, params: readonly unknown[], keys: StoreKeys, tables: ReadonlySet<string>): StatementVerdict {
  const { text, literals } = normalize(sql);
  const problems: string[] = [];
  const roots = parseBlocks(text, null);
  const unkeyed = new Set<string>();
  for (const b of roots) collectRefs(b, keys, unkeyed, tables);
  for (const t of unkeyed) problems.push(`${t}: a table with no store column`);
  const blocks = allBlocks(roots);

  for (const b of blocks) {
    if (b.refs.some((r) => !r.insert) && /\bor\b/.test(b.level.replace(/ on conflict .*$/, ""))) {
      problems.push("an OR at the top level of a WHERE: the store condition may not hold for every row");
    }
    for (const r of b.refs.filter((x) => x.insert)) pinInsert(b, r, problems);
  }
  // Values first, then joins to pinned references until nothing changes.
  const eqs = blocks.map((b) => ({ b, list: equalities(b) }));
  for (const { b, list } of eqs) {
    for (const e of list) {
      if (e.value === undefined) continue;
      const ref = resolve(b, e.left);
      if (ref) ref.pins.push(e.value);
    }
  }
  for (let changed = true; changed; ) {
    changed = false;
    for (const { b, list } of eqs) {
      for (const e of list) {
        if (!e.right) continue;
        const [x, y] = [resolve(b, e.left), resolve(b, e.right)];
        if (!x || !y || x === y) continue;
        for (const [to, from] of [[x, y], [y, x]] as const) {
          if (to.pins.length === 0 && from.pins.length > 0) {
            to.pins.push(...from.pins);
            changed = true;
          }
        }
      }
    }
  }

  const stores = new Set<string>();
  for (const r of blocks.flatMap((b) => b.refs)) {
    if (r.pins.length === 0) {
      if (!r.insert) problems.push(`${r.table}${r.qualifier !== r.table ? ` ${r.qualifier}` : ""}: no condition ${r.qualifier}.${r.key} = <one store>`);
      continue;
    }
    for (const pin of r.pins) {
      const value = pin.startsWith("$l") ? literals[Number(pin.slice(2))] : params[Number(pin.slice(1)) - 1];
      if (typeof value !== "string") problems.push(`${r.table}.${r.key} = ${pin}, which is ${JSON.stringify(value)}, not one store id`);
      else stores.add(value);
    }
  }
  if (stores.size > 1) problems.push(`names ${stores.size} stores: ${[...stores].join(", ")}`);
  return { stores: [...stores], problems };
}
