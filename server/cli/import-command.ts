/**
 * `import`: loads a customers or transactions file into a workspace, through the same services
 * as an upload from the Data page (stored raw, validated, error report, quality report, features).
 */
import { createReadStream, existsSync } from "node:fs";
import pg from "pg";
import { bootDatabase } from "../../db/boot";
import { createDatabase } from "../../db/client";
import { parseConfig } from "../config";
import { DomainError } from "../errors";
import { getImport, runImport, runQualityReport, startImport, uploadFile, type Mapping } from "../services/data";
import { FIELDS } from "../services/data/mapping";
import { createBoss, jobQueueFor } from "../../workers/queues";
import { type CliCommand, type CliIo, EXIT_FAILURE, EXIT_OK, UsageError, parseOptions } from "./command";

export const IMPORT_USAGE = `Usage: npm run cli -- import --workspace <slug> --kind customers|transactions|events --file <path> [--map col=field,...]

Imports a CSV file (plain or gzip-compressed) into a workspace: the proposed column mapping is
used, with --map overriding it column by column (field names: customers: ${FIELDS.customers.join(", ")};
transactions: ${FIELDS.transactions.join(", ")}; or "ignore"). Bad rows are listed with their line
and reason and never stop the good ones. Uses DATABASE_URL, or the embedded database of npm start
(stop the server first).

Options:
  --workspace <slug>   the workspace's slug (shown in Settings)
  --kind <kind>        customers, transactions or events
  --file <path>        the file to import
  --map col=field,...  mapping overrides
  -h, --help           show this help
`;

interface ImportArgs {
  workspace: string;
  kind: "customers" | "transactions" | "events";
  file: string;
  map: Map<string, string>;
}

export function parseImportArgs(argv: string[]): ImportArgs | null {
  const v = parseOptions(argv, {
    workspace: { type: "string" },
    kind: { type: "string" },
    file: { type: "string" },
    map: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (v.help) return null;
  if (!v.workspace) throw new UsageError("--workspace is required");
  if (v.kind !== "customers" && v.kind !== "transactions" && v.kind !== "events") throw new UsageError("--kind must be customers, transactions or events");
  if (!v.file) throw new UsageError("--file is required");
  const map = new Map<string, string>();
  for (const pair of (v.map ?? "").split(",").filter(Boolean)) {
    const eq = pair.lastIndexOf("=");
    if (eq <= 0) throw new UsageError(`--map: '${pair}' is not col=field`);
    map.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
  }
  return { workspace: v.workspace, kind: v.kind, file: v.file, map };
}

function applyOverrides(mapping: Mapping, map: Map<string, string>): Mapping {
  for (const column of map.keys()) {
    if (!mapping.columns.some((c) => c.column === column)) throw new UsageError(`--map: the file has no column '${column}'`);
  }
  return {
    ...mapping,
    columns: mapping.columns.map((c) => (map.has(c.column) ? { column: c.column, field: map.get(c.column)! } : c)),
  };
}

async function run(argv: string[], io: CliIo): Promise<number> {
  const args = parseImportArgs(argv);
  if (!args) {
    io.stdout(IMPORT_USAGE);
    return EXIT_OK;
  }
  if (!existsSync(args.file)) {
    io.stderr(`import: no such file: ${args.file}\n`);
    return EXIT_FAILURE;
  }
  try {
    return await importWith(args, io);
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    io.stderr(`import: ${error.message}\n`);
    return EXIT_FAILURE;
  }
}

async function importWith(args: ImportArgs, io: CliIo): Promise<number> {
  const config = parseConfig();
  const boot = await bootDatabase(config, () => {});
  const db = createDatabase(boot.appUrl);
  try {
    // The operator's tool: the workspace is found by slug as the owner role, and the work is
    // done (and audited) in the name of the workspace's first owner.
    const owner = new pg.Client({ connectionString: boot.ownerUrl });
    await owner.connect();
    const found = await owner.query<{ id: string; user_id: string; email: string }>(
      `select w.id, m.user_id, u.email from workspaces w join memberships m on m.tenant_id = w.id and m.role = 'owner'
       join users u on u.id = m.user_id where w.slug = $1 order by m.created_at limit 1`,
      [args.workspace],
    );
    await owner.end();
    const ws = found.rows[0];
    if (!ws) {
      io.stderr(`import: no workspace with the slug '${args.workspace}'\n`);
      return EXIT_FAILURE;
    }
    const scope = { db, tenantId: ws.id, role: "owner" as const, actor: { userId: ws.user_id, label: `${ws.email} (cli)` } };
    const jobs = jobQueueFor(createBoss(boot.appUrl));
    const uploaded = await uploadFile(scope, { kind: args.kind, fileName: args.file.split("/").pop()! }, createReadStream(args.file), 2 ** 40);
    await startImport(scope, { importId: uploaded.importId, mapping: applyOverrides(uploaded.mapping, args.map) }, jobs);
    const outcome = await runImport(db, jobs, ws.id, uploaded.importId);
    if (outcome === "completed") await runQualityReport(db, ws.id, uploaded.importId);
    const result = await getImport(scope, { importId: uploaded.importId });
    const row = {
      importId: result.id,
      status: result.status,
      rowsRead: result.rowsRead,
      rowsImported: result.rowsImported,
      rowsUnchanged: result.rowsUnchanged,
      rowsFailed: result.rowsFailed,
      error: result.error,
    };
    for (const e of result.firstErrors) io.stderr(`line ${e.line}, ${e.column}: ${e.reason}\n`);
    io.stdout(`${JSON.stringify(row)}\n`);
    return row.status === "completed" ? EXIT_OK : EXIT_FAILURE;
  } finally {
    await db.close();
    await boot.stop();
  }
}

export const importCommand: CliCommand = {
  name: "import",
  summary: "import a customers or transactions CSV into a workspace",
  usage: IMPORT_USAGE,
  run,
};
