import type { KpiDirection, KpiUnit } from "../../../db/schema";

export interface BuiltinKpi {
  key: string;
  name: string;
  description: string;
  unit: KpiUnit;
  direction: KpiDirection;
}

/**
 * The built-in KPIs every workspace has, in dashboard order. Their computation is in
 * rollup.ts (one SQL over transactions and events); the definitions of record are in
 * docs/decisions/012-kpi-rollups.md. "Members" are the segment's current published members;
 * "buyers" are members with at least one order in the period. Orders and revenue follow the
 * workspace's preparation rules (cancellations and non-positive lines), as customer features do.
 */
export const BUILTIN_KPIS: readonly BuiltinKpi[] = [
  { key: "segment_size", name: "Segment size", unit: "count", direction: "higher", description: "Current published members of the segment." },
  { key: "revenue", name: "Revenue", unit: "currency", direction: "higher", description: "Sum of quantity × unit price of the members' orders placed in the period." },
  { key: "orders", name: "Orders", unit: "count", direction: "higher", description: "Members' orders (distinct invoices) placed in the period." },
  { key: "average_order_value", name: "Average order value", unit: "currency", direction: "higher", description: "Revenue ÷ orders in the period." },
  { key: "purchase_frequency", name: "Purchase frequency", unit: "number", direction: "higher", description: "Orders ÷ buyers (members with an order) in the period." },
  {
    key: "retention_rate",
    name: "Retention rate",
    unit: "percent",
    direction: "higher",
    description: "Of the members who bought in the previous period, the share who bought again in this one.",
  },
  {
    key: "churn_rate",
    name: "Churn rate",
    unit: "percent",
    direction: "lower",
    description: "Of the members who bought in the previous period, the share who did not buy in this one (1 − retention).",
  },
  {
    key: "conversion_rate",
    name: "Conversion rate",
    unit: "percent",
    direction: "higher",
    description: "Members with at least one 'conversion' event in the period ÷ members.",
  },
  {
    key: "clv",
    name: "Estimated customer lifetime value",
    unit: "currency",
    direction: "higher",
    description:
      "Revenue per buyer in the period × expected lifetime in periods (1 ÷ churn rate): m ÷ (1 − r) with m the revenue per buyer and r the retention rate. Undefined when churn is 0.",
  },
  { key: "share_of_revenue", name: "Share of revenue", unit: "percent", direction: "higher", description: "The segment's revenue ÷ all customers' revenue in the period (same region)." },
  {
    key: "nps",
    name: "Net promoter score",
    unit: "score",
    direction: "higher",
    description: "% promoters (9–10) − % detractors (0–6) among the 'nps_response' events of members in the period, from −100 to 100.",
  },
  {
    key: "tickets_per_customer",
    name: "Support tickets per customer",
    unit: "number",
    direction: "lower",
    description: "'support_ticket' events of members in the period ÷ members.",
  },
];

export const BUILTIN_KEYS = new Set(BUILTIN_KPIS.map((k) => k.key));
