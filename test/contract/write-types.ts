/**
 * `npm run openapi:types`: regenerates web/api/schema.d.ts from the running app's /openapi.json.
 * test/contract/types.test.ts fails when the committed file differs from what this writes.
 */
import { writeFile } from "node:fs/promises";
import { SCHEMA_FILE, servedDocument, typesOf } from "./document.ts";

await writeFile(SCHEMA_FILE, await typesOf(await servedDocument()));
console.log(`wrote ${SCHEMA_FILE}`);
