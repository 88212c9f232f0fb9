import type { Role } from "../schema";
import type { Database } from "../client";
import type { JobQueue } from "../../server/services/data";
import { startModelRun } from "../../server/services/models";
import type { TenantScope } from "../../server/services/scope";
import { runModelRun } from "../../workers/jobs/model-run";

type Accounts = { role: Role; user: { id: string; email: string } }[];

/**
 * Model runs for the demo workspace, started by the analyst and run here (the queued job then
 * finds them completed and skips): k-means on recency, frequency and spend with a "Lapsed" fixed
 * group (no purchase in 270 days), and a Ward run whose merge tree shows nested segments.
 */
export async function seedDemoModels(db: Database, tenantId: string, accounts: Accounts, jobs: JobQueue): Promise<void> {
  const { user } = accounts.find((a) => a.role === "analyst")!;
  const analyst: TenantScope = { db, tenantId, actor: { userId: user.id, label: user.email }, role: "analyst" };
  const lapsed = {
    name: "Lapsed",
    rules: { combinator: "and" as const, children: [{ op: "gt" as const, field: "recency_days" as const, value: 270 }] },
  };
  const kmeans = await startModelRun(
    analyst,
    {
      features: [
        { field: "recency_days", transform: "standard" },
        { field: "frequency", transform: "log1p" },
        { field: "monetary", transform: "log1p" },
      ],
      kMin: 2,
      kMax: 6,
      seed: 7,
      restarts: 10,
      constraints: [lapsed],
    },
    jobs,
  );
  await runModelRun(db, tenantId, kmeans.runId);
  const ward = await startModelRun(
    analyst,
    {
      features: [
        { field: "frequency", transform: "log1p" },
        { field: "monetary", transform: "log1p" },
      ],
      kMin: 2,
      kMax: 5,
      seed: 7,
      restarts: 5,
      algorithm: "ward",
    },
    jobs,
  );
  await runModelRun(db, tenantId, ward.runId);
}
