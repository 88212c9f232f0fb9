import type { ServerResponse } from "node:http";
import { csvLine } from "../lib/csv";

/** Starts a CSV download: status, headers and the header line. */
export function startCsv(res: ServerResponse, fileName: string, header: readonly string[]) {
  res.statusCode = 200;
  res.setHeader("content-type", "text/csv; charset=utf-8");
  res.setHeader("content-disposition", `attachment; filename="${fileName.replace(/[^A-Za-z0-9._-]/g, "_")}"`);
  res.setHeader("cache-control", "no-store");
  res.write(csvLine(header));
}

/** Streams rows as a CSV download, waiting for the socket to drain (flat memory for any size). */
export async function sendCsv(res: ServerResponse, fileName: string, header: readonly string[], rows: AsyncIterable<readonly unknown[]>) {
  startCsv(res, fileName, header);
  for await (const row of rows) {
    if (!res.write(csvLine(row))) await new Promise((r) => res.once("drain", r));
  }
  res.end();
}
