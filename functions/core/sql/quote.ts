/** Quotes an identifier for the warehouse (DuckDB and Redshift). */
export function quotedIdentifier(input: string): string {
  return `"${input.replaceAll('"', '""')}"`;
}

/** Quotes a string literal for SQL. */
export function quotedLiteral(input: string): string {
  return `'${input.replaceAll("'", "''")}'`;
}
