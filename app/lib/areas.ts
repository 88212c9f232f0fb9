import type { ComponentType, SVGProps } from "react";
import {
  AuditIcon,
  CampaignIcon,
  DashboardsIcon,
  DataIcon,
  ModelsIcon,
  MonitoringIcon,
  SegmentsIcon,
  SessionsIcon,
  SettingsIcon,
  SwotIcon,
} from "~/components/icons";
import type { Action } from "./roles";

export interface Area {
  path: string;
  label: string;
  /** What a member's role must allow for the area to appear in the navigation. */
  permission: Action;
  icon: ComponentType<SVGProps<SVGSVGElement>>;
  /** One line for the overview's cards. */
  summary: string;
  /** What the area will hold, for its empty state. */
  emptyTitle: string;
  emptyText: string;
  features: string[];
}

/** The product's areas, in navigation order. */
export const AREAS: Area[] = [
  {
    path: "/segments",
    label: "Segments",
    permission: "segment:read",
    icon: SegmentsIcon,
    summary: "Segment definitions, proposals and their versions.",
    emptyTitle: "No segments yet",
    emptyText:
      "Rule-based and cluster-based segment definitions will live here, each with its published version, proposals under review, approval and a full version history.",
    features: [
      "Rule trees over features and attributes, or a cluster of a model run",
      "Proposals from regional teams, with their impact before submitting",
      "Committee approval, publishing and every earlier version",
    ],
  },
  {
    path: "/sessions",
    label: "Sessions",
    permission: "session:read",
    icon: SessionsIcon,
    summary: "Live steering-committee meetings.",
    emptyTitle: "No sessions yet",
    emptyText:
      "Live steering-committee sessions will appear here: an agenda of pending proposals that everyone present co-edits, votes on and decides, with each decision recorded.",
    features: [
      "An agenda built from the proposals waiting for review",
      "Co-editing of definitions and SWOT boards with presence",
      "Votes and recorded decisions",
    ],
  },
  {
    path: "/swot",
    label: "SWOT",
    permission: "swot:read",
    icon: SwotIcon,
    summary: "Strengths, weaknesses, opportunities and threats per segment.",
    emptyTitle: "No SWOT boards yet",
    emptyText:
      "Each segment will get a SWOT board — strengths, weaknesses, opportunities and threats — that the committee co-edits live, with every card's history kept.",
    features: ["One board per segment", "Cards edited live by everyone in the session", "History of every change"],
  },
  {
    path: "/data",
    label: "Data",
    permission: "data:read",
    icon: DataIcon,
    summary: "Customer imports, attributes and computed features.",
    emptyTitle: "No data imported yet",
    emptyText:
      "Customer imports will be managed here: customers resolved to one identity, attributes tagged plain, PII or protected, their events and transactions, and computed features such as RFM, tenure and engagement.",
    features: [
      "CSV imports with row-by-row validation",
      "Attribute tags: plain, PII, protected",
      "Features: RFM, tenure, engagement and custom ones",
    ],
  },
  {
    path: "/models",
    label: "Models",
    permission: "model:read",
    icon: ModelsIcon,
    summary: "Clustering runs and their quality.",
    emptyTitle: "No model runs yet",
    emptyText:
      "Clustering runs will be listed here with the features and settings they used, their stability and quality metrics, and the clusters you can turn into segment definitions.",
    features: [
      "k-means runs over chosen features",
      "Stability and quality reports",
      "Clusters promoted to segment definitions",
    ],
  },
  {
    path: "/monitoring",
    label: "Monitoring",
    permission: "monitor:read",
    icon: MonitoringIcon,
    summary: "Drift, migration and bias monitors.",
    emptyTitle: "No monitors yet",
    emptyText:
      "Monitors will compare segment snapshots and feature distributions over time — drift and migration between segments — and audit memberships against protected attributes for bias, alerting past your thresholds.",
    features: [
      "Feature drift (PSI) between snapshots",
      "Customer migration between segments",
      "Bias audits on protected attributes",
    ],
  },
  {
    path: "/dashboards",
    label: "Dashboards",
    permission: "dashboard:read",
    icon: DashboardsIcon,
    summary: "KPIs per segment and period.",
    emptyTitle: "No dashboards yet",
    emptyText:
      "KPI dashboards will show each segment's size, revenue, retention and conversion per period, rolled up by the background workers and ready to export.",
    features: ["KPIs per segment and period", "Trends across published versions", "CSV export of every chart's data"],
  },
  {
    path: "/campaigns",
    label: "Campaigns",
    permission: "dashboard:read",
    icon: CampaignIcon,
    summary: "Holdout experiments, lift, ROI, attribution and cost to serve.",
    emptyTitle: "No campaigns yet",
    emptyText:
      "Campaigns on a segment, each with a holdout group, so their lift and return are measured; attribution by channel and each segment's revenue against its cost to serve.",
    features: [
      "Holdout experiments with lift and 95% intervals",
      "ROI per campaign and per segment",
      "First-touch, last-touch and linear attribution",
    ],
  },
  {
    path: "/audit",
    label: "Audit log",
    permission: "audit:read",
    icon: AuditIcon,
    summary: "Every change in this workspace, tamper-evident.",
    emptyTitle: "",
    emptyText: "",
    features: [],
  },
  {
    path: "/settings",
    label: "Settings",
    permission: "member:read",
    icon: SettingsIcon,
    summary: "Members, invitations and regions.",
    emptyTitle: "",
    emptyText: "",
    features: [],
  },
];

export function areaByPath(path: string): Area {
  const area = AREAS.find((a) => a.path === path);
  if (!area) throw new Error(`unknown area ${path}`);
  return area;
}

export function visibleAreas(permissions: readonly string[]): Area[] {
  return AREAS.filter((a) => permissions.includes(a.permission));
}
