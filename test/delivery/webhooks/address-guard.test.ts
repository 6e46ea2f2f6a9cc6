import { describe, expect, it } from "vitest";
import { checkTarget, type LookupAll } from "../../../src/delivery/webhooks/address-guard.ts";

/** A resolver that answers from a table, so no test touches the network. */
function fakeLookup(table: Record<string, string[]>): LookupAll & { calls: string[] } {
  const calls: string[] = [];
  const lookup = async (hostname: string) => {
    calls.push(hostname);
    const answers = table[hostname];
    if (!answers) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
    return answers.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  };
  return Object.assign(lookup, { calls });
}

const dns = fakeLookup({
  "shop.example.com": ["93.184.216.34"],
  "v6.example.com": ["2606:2800:220:1:248:1893:25c8:1946"],
  "sneaky.example.com": ["10.0.0.7"],
  "metadata.example.com": ["169.254.169.254"],
  "mixed.example.com": ["93.184.216.34", "192.168.1.10"],
  "mapped.example.com": ["::ffff:127.0.0.1"],
  "localhost": ["127.0.0.1"],
  "api.localhost": ["127.0.0.1"],
});

const refused = async (url: string) => {
  const result = await checkTarget(url, { allowPrivate: false, lookup: dns });
  expect(result, url).toMatchObject({ ok: false, code: "forbidden_address" });
  return result;
};

describe("checkTarget refuses internal addresses", () => {
  it.each([
    "http://127.0.0.1/h",
    "http://127.1.2.3:8080/h",
    "http://localhost/h",
    "http://localhost./h",
    "http://LOCALHOST:3000/h",
    "http://api.localhost/h",
    "http://10.1.2.3/h",
    "http://172.16.0.1/h",
    "http://172.31.255.255/h",
    "http://192.168.0.10/h",
    "http://169.254.169.254/latest/meta-data/",
    "http://100.64.0.1/h",
    "http://0.0.0.0/h",
    "http://224.0.0.1/h",
    "http://255.255.255.255/h",
    "http://[::1]/h",
    "http://[::]/h",
    "http://[fc00::1]/h",
    "http://[fd12:3456::1]/h",
    "http://[fe80::1]/h",
    "http://[ff02::1]/h",
    "http://[::ffff:127.0.0.1]/h",
    "http://[::ffff:10.0.0.1]/h",
    "http://[::ffff:169.254.169.254]/h",
    "http://[64:ff9b::a00:1]/h",
    "http://[::7f00:1]/h",
    // Other spellings of 127.0.0.1 that the URL parser normalizes.
    "http://2130706433/h",
    "http://0x7f.1/h",
    "http://127.1/h",
  ])("%s", async (url) => {
    await refused(url);
  });

  it("refuses a name whose lookup answers a private or metadata address", async () => {
    const sneaky = await refused("https://sneaky.example.com/h");
    expect(sneaky.ok === false && sneaky.reason).toMatch(/private-network address \(10\.0\.0\.7\).*POINTBOOK_WEBHOOK_ALLOW_PRIVATE/);
    await refused("https://metadata.example.com/h");
    await refused("https://mapped.example.com/h");
  });

  it("refuses a name when any one of its addresses is private", async () => {
    await refused("https://mixed.example.com/h");
  });

  it("reports names that do not resolve and URLs that are not http(s)", async () => {
    expect(await checkTarget("https://nowhere.example.com/h", { allowPrivate: false, lookup: dns })).toMatchObject({
      ok: false,
      code: "dns_failed",
    });
    expect(await checkTarget("ftp://shop.example.com/h", { allowPrivate: false, lookup: dns })).toMatchObject({ ok: false, code: "bad_url" });
    expect(await checkTarget("not a url", { allowPrivate: false, lookup: dns })).toMatchObject({ ok: false, code: "bad_url" });
  });
});

describe("checkTarget allows", () => {
  it("a public address, giving the address to connect to", async () => {
    expect(await checkTarget("https://shop.example.com/h", { allowPrivate: false, lookup: dns })).toEqual({
      ok: true,
      address: "93.184.216.34",
      family: 4,
    });
    expect(await checkTarget("https://v6.example.com/h", { allowPrivate: false, lookup: dns })).toMatchObject({ ok: true, family: 6 });
    expect(await checkTarget("http://93.184.216.34/h", { allowPrivate: false, lookup: dns })).toMatchObject({ ok: true, address: "93.184.216.34" });
    expect(await checkTarget("http://[2606:2800:220:1:248:1893:25c8:1946]/h", { allowPrivate: false, lookup: dns })).toMatchObject({ ok: true, family: 6 });
    expect(await checkTarget("http://[::ffff:93.184.216.34]/h", { allowPrivate: false, lookup: dns })).toMatchObject({ ok: true });
  });

  it("private targets when the operator allows them", async () => {
    const allow = { allowPrivate: true, lookup: dns };
    expect(await checkTarget("http://127.0.0.1:9/h", allow)).toEqual({ ok: true, address: "127.0.0.1", family: 4 });
    expect(await checkTarget("http://localhost/h", allow)).toEqual({ ok: true, address: "127.0.0.1", family: 4 });
    expect(await checkTarget("http://10.1.2.3/h", allow)).toMatchObject({ ok: true, address: "10.1.2.3" });
    expect(await checkTarget("http://169.254.169.254/h", allow)).toMatchObject({ ok: true });
    expect(await checkTarget("http://[::1]/h", allow)).toEqual({ ok: true, address: "::1", family: 6 });
    expect(await checkTarget("https://sneaky.example.com/h", allow)).toMatchObject({ ok: true, address: "10.0.0.7" });
  });

  it("does not resolve IP literals", async () => {
    const lookup = fakeLookup({});
    await checkTarget("http://93.184.216.34/h", { allowPrivate: false, lookup });
    await checkTarget("http://[::1]/h", { allowPrivate: false, lookup });
    expect(lookup.calls).toEqual([]);
  });
});
