/**
 * Deterministic holdout assignment for campaign experiments (decision 015).
 *
 * Each customer's draw is u = the first 52 bits of SHA-256("<experiment id>:<customer id>")
 * (UTF-8), read as an unsigned integer and divided by 2^52 — uniform in [0, 1) and independent
 * across experiments. The same customer and experiment give the same u in every run and
 * process, whatever the other customers are.
 *
 * - Unstratified: a customer is held out when u < p (p = holdout percent / 100), so the holdout
 *   share is p up to sampling noise (sd √(p(1−p)/n)) and a customer's group never depends on who
 *   else is in the campaign.
 * - Stratified by region: within each region (customers without one form their own stratum),
 *   customers are ordered by u (ties by id) and the first round(p · n_region) are held out, so
 *   every region's holdout share is exact to one customer.
 */
import { createHash } from "node:crypto";

export interface HoldoutCandidate {
  id: string;
  region?: string | null;
}

export interface HoldoutOptions {
  /** Percent of customers held out, 0 to 100. */
  holdoutPercent: number;
  stratifyByRegion: boolean;
}

export interface HoldoutAssignment {
  id: string;
  region: string | null;
  /** The customer's uniform draw for this experiment. */
  u: number;
  holdout: boolean;
}

const TWO_POW_52 = 2 ** 52;

/** The customer's uniform draw in [0, 1) for an experiment. */
export function holdoutDraw(experimentId: string, customerId: string): number {
  const digest = createHash("sha256").update(`${experimentId}:${customerId}`, "utf8").digest();
  const high = digest.readUInt32BE(0);
  const low20 = digest.readUInt32BE(4) >>> 12;
  return (high * 2 ** 20 + low20) / TWO_POW_52;
}

export function assignHoldout(experimentId: string, customers: readonly HoldoutCandidate[], options: HoldoutOptions): HoldoutAssignment[] {
  const { holdoutPercent, stratifyByRegion } = options;
  if (!(holdoutPercent >= 0 && holdoutPercent <= 100)) {
    throw new RangeError(`the holdout percentage must be from 0 to 100, got ${holdoutPercent}`);
  }
  const p = holdoutPercent / 100;
  const drawn: HoldoutAssignment[] = customers.map((c) => ({
    id: c.id,
    region: c.region ?? null,
    u: holdoutDraw(experimentId, c.id),
    holdout: false,
  }));
  if (!stratifyByRegion) {
    for (const a of drawn) a.holdout = a.u < p;
    return drawn;
  }
  const strata = new Map<string | null, HoldoutAssignment[]>();
  for (const a of drawn) {
    const list = strata.get(a.region);
    if (list) list.push(a);
    else strata.set(a.region, [a]);
  }
  for (const members of strata.values()) {
    const ordered = [...members].sort((x, y) => x.u - y.u || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
    const take = Math.round(p * ordered.length);
    for (let i = 0; i < take; i++) ordered[i].holdout = true;
  }
  return drawn;
}

export interface GroupBalanceRow {
  region: string | null;
  treated: number;
  holdout: number;
  /** holdout ÷ (treated + holdout). */
  holdoutShare: number;
}

/**
 * Treated and holdout counts per region, regions in name order (no region last). Each input
 * is one customer, or `count` customers of the same region and group.
 */
export function balanceByRegion(assignments: readonly { region: string | null; holdout: boolean; count?: number }[]): GroupBalanceRow[] {
  const counts = new Map<string | null, { treated: number; holdout: number }>();
  for (const a of assignments) {
    const row = counts.get(a.region) ?? { treated: 0, holdout: 0 };
    if (a.holdout) row.holdout += a.count ?? 1;
    else row.treated += a.count ?? 1;
    counts.set(a.region, row);
  }
  return [...counts.entries()]
    .sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : a.localeCompare(b)))
    .map(([region, c]) => ({ region, ...c, holdoutShare: c.holdout / (c.treated + c.holdout) }));
}
