/** The attribution query from the page's URL (the CSV route reads the same). */
export function attributionQuery(url: URL) {
  const get = (k: string) => url.searchParams.get(k) || undefined;
  const lookback = Number(get("lookback") ?? "30");
  return {
    from: get("from"),
    to: get("to"),
    lookbackDays: Number.isFinite(lookback) ? lookback : 30,
    source: get("source") === "events" ? ("events" as const) : ("transactions" as const),
  };
}
