import { loadConfig, lintFromString } from "@redocly/openapi-core";
import { describe, expect, it } from "vitest";
import { ROOT, servedDocument } from "./document.ts";

/** Routes without any 4xx of their own: no key, no body, no parameter (see redocly.yaml). */
const NO_4XX = ["/healthz", "/readyz", "/metrics"].map((path) => `#/paths/${path.replaceAll("/", "~1")}/get/responses`);

describe("/openapi.json under Redocly's recommended rules (redocly.yaml)", () => {
  it("has no error, and no warning but the public operations' missing 4xx", async () => {
    const document = await servedDocument();
    const config = await loadConfig({ configPath: `${ROOT}redocly.yaml` });
    const problems = await lintFromString({ source: JSON.stringify(document), absoluteRef: `${ROOT}openapi.json`, config });
    const described = problems.map((p) => `${p.severity} ${p.ruleId} ${p.location[0]?.pointer ?? ""}: ${p.message}`);
    expect(described.filter((p) => p.startsWith("error"))).toEqual([]);
    const expected = (p: (typeof problems)[number]) => p.ruleId === "operation-4xx-response" && NO_4XX.includes(p.location[0]?.pointer ?? "");
    expect(problems.filter((p) => p.severity === "warn" && !expected(p)).map((p) => `${p.ruleId} ${p.location[0]?.pointer}: ${p.message}`)).toEqual([]);
  });
});
