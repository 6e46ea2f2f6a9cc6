import ts from "typescript";
import { beforeAll, describe, expect, it } from "vitest";
import { committedTypes, servedDocument, typesOf, type OpenApiDocument } from "./document.ts";

/** Each 2xx JSON body of the document as a type alias of the generated client types. */
function probeOf(document: OpenApiDocument): { source: string; names: Map<string, string> } {
  const names = new Map<string, string>();
  const lines = ['import type { paths } from "./schema";'];
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const [method, op] of Object.entries(operations)) {
      for (const [status, response] of Object.entries(op.responses ?? {})) {
        if (!status.startsWith("2") || !response.content?.["application/json"]) continue;
        const alias = `T${names.size}`;
        names.set(alias, `${method.toUpperCase()} ${path} ${status}`);
        lines.push(`export type ${alias} = paths[${JSON.stringify(path)}][${JSON.stringify(method)}]["responses"][${status}]["content"]["application/json"];`);
      }
    }
  }
  return { source: lines.join("\n"), names };
}

/** Why a body type says nothing (unknown, never, an empty object), or null when it is a real type. */
function vague(checker: ts.TypeChecker, type: ts.Type): string | null {
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return "unknown";
  if (type.flags & ts.TypeFlags.Never) return "never";
  if (type.isUnion()) return type.types.map((t) => vague(checker, t)).find((v) => v !== null) ?? null;
  if (type.flags & ts.TypeFlags.Object && !checker.isArrayType(type) && checker.getPropertiesOfType(type).length === 0) return "an object without properties";
  return null;
}

/** Compiles the generated types with a probe file, in memory, and judges each 2xx body's type. */
function untypedBodies(schema: string, document: OpenApiDocument): string[] {
  const { source, names } = probeOf(document);
  const files: Record<string, string> = { "/contract/schema.d.ts": schema, "/contract/probe.ts": source };
  const options: ts.CompilerOptions = { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, types: [] };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language) => (files[name] !== undefined ? ts.createSourceFile(name, files[name]!, language) : getSourceFile(name, language));
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => files[name] !== undefined || fileExists(name);
  const directoryExists = host.directoryExists?.bind(host);
  host.directoryExists = (name) => name === "/contract" || (directoryExists?.(name) ?? false);
  const readFile = host.readFile.bind(host);
  host.readFile = (name) => files[name] ?? readFile(name);
  const program = ts.createProgram(["/contract/probe.ts"], options, host);
  const problems = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
  const checker = program.getTypeChecker();
  const probe = program.getSourceFile("/contract/probe.ts")!;
  for (const statement of probe.statements) {
    if (!ts.isTypeAliasDeclaration(statement)) continue;
    const why = vague(checker, checker.getTypeAtLocation(statement.name));
    if (why) problems.push(`${names.get(statement.name.text)}: the body types as ${why}`);
  }
  return problems;
}

describe("the typed client (web/api)", () => {
  let document: OpenApiDocument;
  let generated: string;
  beforeAll(async () => {
    document = await servedDocument();
    generated = await typesOf(document);
  });

  it("web/api/schema.d.ts is what the running app's /openapi.json generates (run `npm run openapi:types`)", async () => {
    expect(generated === (await committedTypes()), "web/api/schema.d.ts is stale: run `npm run openapi:types` and commit it").toBe(true);
  });

  it("declares every operation's success, and every 2xx body has a real type", () => {
    const missing: string[] = [];
    let typed = 0;
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, op] of Object.entries(operations)) {
        const successes = Object.entries(op.responses ?? {}).filter(([status]) => status.startsWith("2"));
        if (successes.length === 0) missing.push(`${method.toUpperCase()} ${path}: no 2xx response`);
        for (const [status, response] of successes) {
          if (response.content?.["application/json"]) typed++;
          else if (!response.content && status !== "204") missing.push(`${method.toUpperCase()} ${path} ${status}: no body declared`);
        }
      }
    }
    expect(missing).toEqual([]);
    expect(untypedBodies(generated, document)).toEqual([]);
    expect(typed).toBeGreaterThan(55);
  });
});
