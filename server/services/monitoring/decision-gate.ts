import type { Tx } from "../../../db/client";
import { conflict } from "../../errors";
import { DECISION_USE_LABELS, type DecisionUse } from "../segments/definition";
import { auditMatches, MAX_PROTECTED_ATTRIBUTES, protectedKeys } from "./bias-run";

/**
 * The publishing gate for segments used for pricing, credit-like or service-level decisions
 * (decision 011): the membership a definition would publish (the temporary table
 * `segment_matches`) is audited against the protected attributes; a group of 30 or more whose
 * selection rate is under four-fifths of the top group's fails it (the same rule as the bias
 * run's alerts). Failing is allowed only with a committee justification on the proposal.
 */

export interface GateFailure {
  attribute: string;
  group: string;
  /** Selection rate of the group / the top group's. */
  ratio: number;
  topGroup: string;
  rate: number;
  topRate: number;
  n: number;
}

export interface GateResult {
  decisionUse: DecisionUse;
  /** Protected attributes audited. */
  attributes: { attribute: string; minDiVsMax: number | null; failing: number }[];
  failures: GateFailure[];
  passes: boolean;
}

/** Audits the selection in `segment_matches`; null when the segment is not used for decisions. */
export async function auditDecisionGate(tx: Tx, tenantId: string, decisionUse: DecisionUse): Promise<GateResult | null> {
  if (decisionUse === "none") return null;
  const keys = (await protectedKeys(tx, tenantId)).slice(0, MAX_PROTECTED_ATTRIBUTES);
  const audits = await auditMatches(tx, tenantId, keys);
  const failures: GateFailure[] = [];
  const attributes = audits.map((a) => {
    const top = a.groups.find((g) => g.group === a.maxRateGroup);
    const failing = a.groups.filter((g) => g.failsFourFifths && !g.small);
    for (const g of failing) {
      failures.push({ attribute: a.attribute, group: g.group, ratio: g.diVsMax ?? 0, topGroup: top?.group ?? "", rate: g.rate, topRate: top?.rate ?? 0, n: g.n });
    }
    return { attribute: a.attribute, minDiVsMax: a.minDiVsMax, failing: failing.length };
  });
  failures.sort((x, y) => x.ratio - y.ratio);
  return { decisionUse, attributes, failures, passes: failures.length === 0 };
}

export function describeFailure(f: GateFailure): string {
  return `group '${f.group}' of '${f.attribute}' is selected at ${f.ratio.toFixed(2)}× the rate of '${f.topGroup}' (${(100 * f.rate).toFixed(1)}% against ${(100 * f.topRate).toFixed(1)}%)`;
}

/** Refuses to publish a failing decision-use segment without a justification. */
export function enforceDecisionGate(segmentName: string, gate: GateResult | null, justification: string | null): void {
  if (!gate || gate.passes || (justification && justification.trim())) return;
  const worst = gate.failures.slice(0, 3).map(describeFailure).join("; ");
  const more = gate.failures.length > 3 ? ` and ${gate.failures.length - 3} more` : "";
  throw conflict(
    `“${segmentName}” is used for ${DECISION_USE_LABELS[gate.decisionUse].toLowerCase()} and fails the four-fifths rule: ${worst}${more}. ` +
      `A committee member or an admin must record a justification on the proposal before it is published.`,
  );
}

/** The gate result as a role without protected:read may see it: attribute-level figures only. */
export function redactGate(gate: GateResult | null, mayReadProtected: boolean): GateResult | null {
  if (!gate || mayReadProtected) return gate;
  return { ...gate, failures: gate.failures.map((f) => ({ ...f, group: "(hidden)", topGroup: "(hidden)" })) };
}
