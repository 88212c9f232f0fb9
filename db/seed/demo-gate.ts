import type { Database } from "../client";
import type { Role } from "../schema";
import type { TenantScope } from "../../server/services/scope";
import { createProposal, submitProposal } from "../../server/services/segments";

type Accounts = { role: Role; user: { id: string; email: string } }[];

/**
 * The decision-use gate in the demo (decision 011): a submitted proposal for a segment flagged
 * for pricing, so the committee sees the bias audit of the members it would publish against the
 * protected age band (seedDemoMonitoring marks it; it is synthetic and independent of buying, so
 * the audit is expected to pass — protected attributes cannot be used in rules).
 */
export async function seedDemoGate(db: Database, tenantId: string, accounts: Accounts): Promise<void> {
  const { user } = accounts.find((a) => a.role === "analyst")!;
  const analyst: TenantScope = { db, tenantId, actor: { userId: user.id, label: user.email }, role: "analyst" };
  const created = await createProposal(analyst, {
    kind: "create",
    name: "Frequent buyer price",
    title: "New pricing tier “Frequent buyer price”",
    description: "Customers with three orders or more, for a loyalty price on the spring range.",
    decisionUse: "pricing",
    rules: {
      combinator: "and",
      children: [
        { id: "freq", op: "gte", field: "frequency", value: 3 },
      ],
    },
  });
  await submitProposal(analyst, { proposalId: created.proposalId });
}
