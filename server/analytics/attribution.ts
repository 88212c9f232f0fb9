/**
 * Rule-based revenue attribution over touchpoints (decision 015).
 *
 * For each conversion, its eligible touches are the same customer's touchpoints with
 * conversion time − lookback ≤ touch time ≤ conversion time (touches after the conversion are
 * ignored). With none, the revenue is "unattributed". Otherwise:
 * - first-touch: all revenue to the earliest eligible touch's channel;
 * - last-touch: all revenue to the latest eligible touch's channel;
 * - linear: revenue ÷ k to each of the k eligible touches (a channel touched twice gets 2/k).
 * Touches at the same instant are ordered by channel name, so results do not depend on input
 * order. Under every rule the channels' revenue sums to the attributed revenue.
 *
 * Conversions may carry `groups` (e.g. the segments the customer belongs to); each group gets
 * its own channel table, computed with the same rules.
 */

export const ATTRIBUTION_RULES = ["firstTouch", "lastTouch", "linear"] as const;
export type AttributionRule = (typeof ATTRIBUTION_RULES)[number];

export interface Touchpoint {
  customerId: string;
  /** Milliseconds since the epoch. */
  at: number;
  channel: string;
}

export interface Conversion {
  customerId: string;
  at: number;
  revenue: number;
  groups?: readonly string[];
}

export interface ChannelRevenue {
  channel: string;
  firstTouch: number;
  lastTouch: number;
  linear: number;
}

export interface AttributionTable {
  channels: ChannelRevenue[];
  totalRevenue: number;
  attributedRevenue: number;
  unattributedRevenue: number;
  conversions: number;
  unattributedConversions: number;
}

export interface AttributionResult {
  overall: AttributionTable;
  byGroup: Map<string, AttributionTable>;
}

export const DEFAULT_LOOKBACK_DAYS = 30;
const DAY_MS = 86_400_000;

class TableBuilder {
  private readonly channels = new Map<string, ChannelRevenue>();
  totalRevenue = 0;
  attributedRevenue = 0;
  conversions = 0;
  unattributedConversions = 0;

  private channel(name: string): ChannelRevenue {
    let row = this.channels.get(name);
    if (!row) {
      row = { channel: name, firstTouch: 0, lastTouch: 0, linear: 0 };
      this.channels.set(name, row);
    }
    return row;
  }

  add(revenue: number, eligible: readonly Touchpoint[]): void {
    this.conversions++;
    this.totalRevenue += revenue;
    if (eligible.length === 0) {
      this.unattributedConversions++;
      return;
    }
    this.attributedRevenue += revenue;
    this.channel(eligible[0].channel).firstTouch += revenue;
    this.channel(eligible[eligible.length - 1].channel).lastTouch += revenue;
    const share = revenue / eligible.length;
    for (const t of eligible) this.channel(t.channel).linear += share;
  }

  build(): AttributionTable {
    return {
      channels: [...this.channels.values()].sort((a, b) => a.channel.localeCompare(b.channel)),
      totalRevenue: this.totalRevenue,
      attributedRevenue: this.attributedRevenue,
      unattributedRevenue: this.totalRevenue - this.attributedRevenue,
      conversions: this.conversions,
      unattributedConversions: this.unattributedConversions,
    };
  }
}

function byTimeThenChannel(a: Touchpoint, b: Touchpoint): number {
  return a.at - b.at || (a.channel < b.channel ? -1 : a.channel > b.channel ? 1 : 0);
}

/** The touches of a customer sorted by time, with the first index at or after `from`. */
function lowerBound(sorted: readonly Touchpoint[], from: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid].at < from) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function attributeRevenue(
  touchpoints: readonly Touchpoint[],
  conversions: readonly Conversion[],
  options: { lookbackDays?: number } = {},
): AttributionResult {
  const lookbackDays = options.lookbackDays ?? DEFAULT_LOOKBACK_DAYS;
  if (!(lookbackDays >= 0) || !Number.isFinite(lookbackDays)) throw new RangeError(`the lookback window must be a number of days ≥ 0, got ${lookbackDays}`);
  const lookbackMs = lookbackDays * DAY_MS;
  const byCustomer = new Map<string, Touchpoint[]>();
  for (const t of touchpoints) {
    if (!Number.isFinite(t.at)) throw new RangeError(`a touchpoint of customer ${t.customerId} has no valid time`);
    const list = byCustomer.get(t.customerId);
    if (list) list.push(t);
    else byCustomer.set(t.customerId, [t]);
  }
  for (const list of byCustomer.values()) list.sort(byTimeThenChannel);

  const overall = new TableBuilder();
  const groups = new Map<string, TableBuilder>();
  for (const c of conversions) {
    if (!Number.isFinite(c.at)) throw new RangeError(`a conversion of customer ${c.customerId} has no valid time`);
    if (!Number.isFinite(c.revenue)) throw new RangeError(`a conversion of customer ${c.customerId} has no valid revenue`);
    const touches = byCustomer.get(c.customerId) ?? [];
    const start = lowerBound(touches, c.at - lookbackMs);
    let end = start;
    while (end < touches.length && touches[end].at <= c.at) end++;
    const eligible = touches.slice(start, end);
    overall.add(c.revenue, eligible);
    for (const g of c.groups ?? []) {
      let builder = groups.get(g);
      if (!builder) {
        builder = new TableBuilder();
        groups.set(g, builder);
      }
      builder.add(c.revenue, eligible);
    }
  }
  return { overall: overall.build(), byGroup: new Map([...groups].map(([g, b]) => [g, b.build()])) };
}
