/** Every non-empty string submitted under `name` (checkbox groups, multi-selects). */
export function allStrings(form: FormData, name: string): string[] {
  return form.getAll(name).filter((v): v is string => typeof v === "string" && v.length > 0);
}

/** A validation error on `regionIds.3` belongs to the `regionIds` field. */
export function collapseFieldErrors(fieldErrors: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, message] of Object.entries(fieldErrors)) {
    const root = key.split(".")[0];
    if (!out[root]) out[root] = message;
  }
  return out;
}
