import pg from "pg";

export const DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/test";

/** The same server and credentials as `adminUrl`, another database name. */
export function urlForDatabase(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Only loopback servers: the run kills processes and drops databases, never on another machine. */
export function assertLoopback(url: string): void {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, "");
  if (!["127.0.0.1", "localhost", "::1"].includes(host)) {
    throw new Error(`DATABASE_URL must point at a loopback address (127.0.0.1, localhost or ::1), not ${host}`);
  }
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * A database of the run's own on the server of DATABASE_URL, so the run neither sees nor disturbs
 * anyone else's data; `drop` removes it (connections of a killed server included).
 */
export class ScratchDatabase {
  readonly url: string;

  constructor(private readonly adminUrl: string, readonly name: string) {
    if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`unsafe database name ${name}`);
    this.url = urlForDatabase(adminUrl, name);
  }

  async create(): Promise<void> {
    await withClient(this.adminUrl, async (c) => {
      await c.query(`DROP DATABASE IF EXISTS ${this.name} WITH (FORCE)`);
      await c.query(`CREATE DATABASE ${this.name}`);
    });
  }

  async drop(): Promise<void> {
    await withClient(this.adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${this.name} WITH (FORCE)`));
  }

  /** A client on the scratch database; bigint and numeric columns come back as numbers (all are small here). */
  async connect(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.url, types: { getTypeParser: numbersAsNumbers } });
    await client.connect();
    return client;
  }
}

const INT8 = 20;
const NUMERIC = 1700;
const numbersAsNumbers = ((oid: number, format?: "text" | "binary") =>
  oid === INT8 || oid === NUMERIC ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format ?? "text")) as typeof pg.types.getTypeParser;
