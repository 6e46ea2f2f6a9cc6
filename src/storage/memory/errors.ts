/**
 * What PostgreSQL would refuse, refused the same way: the error carries the SQLSTATE the SQL
 * adapter's caller would see, so code that tells errors apart behaves alike on both adapters.
 */
export class MemoryDbError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "MemoryDbError";
  }
}

export const uniqueViolation = (table: string, key: string) =>
  new MemoryDbError("23505", `duplicate key value violates unique constraint on ${table} (${key})`);

export const foreignKeyViolation = (table: string, key: string) =>
  new MemoryDbError("23503", `insert or update on table ${table} violates foreign key constraint (${key} is not present)`);

export const checkViolation = (table: string, rule: string) =>
  new MemoryDbError("23514", `new row for relation ${table} violates check constraint: ${rule}`);

export const notNullViolation = (table: string, column: string) =>
  new MemoryDbError("23502", `null value in column ${column} of relation ${table} violates not-null constraint`);

/** ON CONFLICT DO UPDATE meeting the same key twice in one statement. */
export const sameRowTwice = (table: string) =>
  new MemoryDbError("21000", `ON CONFLICT DO UPDATE command cannot affect row a second time (${table})`);

export const endedTransaction = () => new MemoryDbError("08003", "the transaction these repositories belong to has ended");

export const abortedTransaction = () =>
  new MemoryDbError("25P02", "current transaction is aborted, commands ignored until end of transaction block");
