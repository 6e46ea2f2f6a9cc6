/** `npm run bench:outgoing`: only the outgoing scenario, webhook delivery latency and throughput (see bench/http/outgoing.ts). */
import { loadavg } from "node:os";
import { findPostgres } from "./targets.ts";
import { formatOutgoingTable, outgoingBench } from "./http/outgoing.ts";

const load = () => loadavg().map((l) => l.toFixed(2)).join(" ");
const url = await findPostgres();
if (!url) {
  console.error("bench:outgoing needs PostgreSQL (DATABASE_URL, or the default local server)");
  process.exitCode = 1;
} else {
  console.error(`outgoing: the server on PostgreSQL with a local webhook receiver; load average ${load()}`);
  const result = await outgoingBench(url);
  console.log(`\n${formatOutgoingTable(result)}\n`);
  console.log(`load average at the end ${load()}`);
}
