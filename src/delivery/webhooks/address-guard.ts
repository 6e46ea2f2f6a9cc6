import { promises as dns } from "node:dns";
import ipaddr from "ipaddr.js";

/**
 * Which addresses a webhook may be sent to (SPEC §3 Webhooks): a merchant-supplied URL must not
 * make the server reach its own loopback, private network, link-local or cloud metadata addresses,
 * unless the operator allows private targets (`POINTBOOK_WEBHOOK_ALLOW_PRIVATE=true`).
 */
export interface ResolvedAddress {
  address: string;
  family: number;
}

/** The shape of `dns.promises.lookup(host, {all: true})`, injectable so tests need no network. */
export type LookupAll = (hostname: string, options: { all: true }) => Promise<ResolvedAddress[]>;

export interface GuardOptions {
  allowPrivate: boolean;
  lookup?: LookupAll;
}

export type GuardRefusal = "bad_url" | "forbidden_address" | "dns_failed";

export type GuardResult =
  | { ok: true; address: string; family: 4 | 6 }
  | { ok: false; code: GuardRefusal; reason: string };

// RFC 6761 reserves these names for the local machine whatever a resolver says.
const LOCAL_NAMES = /^(localhost|localhost\.localdomain|ip6-localhost|ip6-loopback)$|\.localhost$/;

/**
 * Resolves the URL's host and decides whether it may be sent to. The address returned is the one
 * the sender must connect to: resolving again at connect time would let a hostile DNS server
 * answer a public address here and a private one there (DNS rebinding).
 */
export async function checkTarget(url: string, options: GuardOptions): Promise<GuardResult> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, code: "bad_url", reason: "not a valid URL" };
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    return { ok: false, code: "bad_url", reason: "scheme must be https or http" };
  }
  const host = hostOf(parsed);
  if (host === "") return { ok: false, code: "bad_url", reason: "no host" };

  const literal = parseLiteral(host);
  if (literal) {
    const problem = options.allowPrivate ? null : forbiddenRange(literal);
    if (problem) return refuse(host, problem);
    return { ok: true, address: literal.toString(), family: literal.kind() === "ipv4" ? 4 : 6 };
  }

  const name = host.replace(/\.$/, "").toLowerCase();
  if (!options.allowPrivate && LOCAL_NAMES.test(name)) return refuse(host, "a name for this machine");

  let resolved: ResolvedAddress[];
  try {
    resolved = await (options.lookup ?? defaultLookup)(host, { all: true });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return { ok: false, code: "dns_failed", reason: `could not resolve ${host}${typeof code === "string" ? ` (${code})` : ""}` };
  }
  if (resolved.length === 0) return { ok: false, code: "dns_failed", reason: `${host} has no address` };

  const addresses: (ipaddr.IPv4 | ipaddr.IPv6)[] = [];
  for (const r of resolved) {
    if (!ipaddr.isValid(r.address)) return { ok: false, code: "dns_failed", reason: `${host} resolved to an unreadable address` };
    addresses.push(ipaddr.parse(r.address));
  }
  if (!options.allowPrivate) {
    // Every answer must be allowed: which one a later lookup puts first is not ours to choose.
    for (const a of addresses) {
      const problem = forbiddenRange(a);
      if (problem) return refuse(host, `${problem} (${a.toString()})`);
    }
  }
  const first = addresses[0]!;
  return { ok: true, address: first.toString(), family: first.kind() === "ipv4" ? 4 : 6 };
}

/** Why an address is refused, or null when it is a public unicast address. */
export function forbiddenRange(address: ipaddr.IPv4 | ipaddr.IPv6): string | null {
  if (address.kind() === "ipv4") {
    const range = (address as ipaddr.IPv4).range();
    return range === "unicast" ? null : describe(range);
  }
  const v6 = address as ipaddr.IPv6;
  const range = v6.range();
  // These carry an IPv4 address that is what is finally reached, so that address decides.
  if (range === "ipv4Mapped" || range === "rfc6145" || range === "rfc6052") {
    return forbiddenRange(embeddedIPv4(v6));
  }
  if (range !== "unicast") return describe(range);
  // ::a.b.c.d (IPv4-compatible, deprecated) is not in the library's list; nothing public lives there.
  if (v6.parts.slice(0, 6).every((p) => p === 0)) return "an IPv4-compatible IPv6 address";
  return null;
}

function embeddedIPv4(v6: ipaddr.IPv6): ipaddr.IPv4 {
  const bytes = v6.toByteArray();
  return new ipaddr.IPv4(bytes.slice(12, 16));
}

function describe(range: string): string {
  switch (range) {
    case "loopback": return "a loopback address";
    case "private": return "a private-network address";
    case "uniqueLocal": return "a private-network (unique local) address";
    case "linkLocal": return "a link-local or metadata address";
    case "carrierGradeNat": return "a carrier-grade NAT address";
    case "unspecified": return "an unspecified address";
    case "multicast": return "a multicast address";
    case "broadcast": return "the broadcast address";
    default: return `a non-public address (${range})`;
  }
}

function refuse(host: string, why: string): GuardResult {
  return {
    ok: false,
    code: "forbidden_address",
    reason: `${host} is ${why}; set POINTBOOK_WEBHOOK_ALLOW_PRIVATE=true to allow private targets`,
  };
}

/** The URL's host as a resolver or socket wants it: IPv6 literals without their brackets. */
export function hostOf(url: URL): string {
  const h = url.hostname;
  return h.startsWith("[") && h.endsWith("]") ? h.slice(1, -1) : h;
}

function parseLiteral(host: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  // The URL parser has already turned 0x7f.1, 2130706433 and the like into dotted quads.
  if (ipaddr.IPv4.isValidFourPartDecimal(host)) return ipaddr.IPv4.parse(host);
  if (host.includes(":") && ipaddr.IPv6.isValid(host)) return ipaddr.IPv6.parse(host);
  return null;
}

const defaultLookup: LookupAll = (hostname, options) => dns.lookup(hostname, options);
