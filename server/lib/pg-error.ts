interface PgErrorFields {
  code?: string;
  constraint?: string;
}

/** The PostgreSQL error behind a query failure (drizzle wraps it in `cause`), if there is one. */
export function pgError(error: unknown): PgErrorFields {
  const e = error as PgErrorFields & { cause?: PgErrorFields };
  if (e?.code) return e;
  return e?.cause ?? {};
}

export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = pgError(error);
  return e.code === "23505" && (!constraint || e.constraint === constraint);
}
