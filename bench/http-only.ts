/** `npm run bench:http`: only the HTTP figures against raw PostgreSQL (see bench/http/run-http.ts). */
import { findPostgres } from "./targets.ts";
import { formatHttpTable, httpBench } from "./http/run-http.ts";

const url = await findPostgres();
if (!url) {
  console.error("bench:http needs PostgreSQL (DATABASE_URL, or the default local server)");
  process.exitCode = 1;
} else {
  const rows = await httpBench(url, Number(process.env.BENCH_HTTP_SECONDS ?? 10));
  console.log(`\n${formatHttpTable(rows)}\n`);
}
