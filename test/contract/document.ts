import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import openapiTS, { astToString, COMMENT_HEADER } from "openapi-typescript";
import { startTestApp } from "../support/app.ts";

export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, { operationId?: string; responses?: Record<string, { content?: Record<string, unknown> }> }>>;
  [key: string]: unknown;
}

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const SCHEMA_FILE = `${ROOT}web/api/schema.d.ts`;

/** /openapi.json as the server serves it: the real app, built in-process on PGlite. */
export async function servedDocument(): Promise<OpenApiDocument> {
  const t = await startTestApp("pglite");
  try {
    const res = await t.app.inject({ method: "GET", url: "/openapi.json" });
    if (res.statusCode !== 200) throw new Error(`/openapi.json answered ${res.statusCode}`);
    return res.json() as OpenApiDocument;
  } finally {
    await t.close();
  }
}

const HEADER = `${COMMENT_HEADER}/* Generated from /openapi.json by \`npm run openapi:types\` (test/contract/write-types.ts). */\n\n`;

/** The client's types for a document, as web/api/schema.d.ts holds them. */
export async function typesOf(document: OpenApiDocument): Promise<string> {
  // The document is the server's own: nothing to fetch, and its lint is test/contract/lint.test.ts's job.
  const ast = await openapiTS(document as unknown as Parameters<typeof openapiTS>[0], { silent: true });
  return HEADER + astToString(ast);
}

export async function committedTypes(): Promise<string> {
  return readFile(SCHEMA_FILE, "utf8");
}
