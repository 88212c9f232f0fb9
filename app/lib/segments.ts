import { z } from "zod";
import type { ProposalKind, ProposalStatus, SegmentStatus } from "../../db/schema";
import type { ApprovalRule } from "../../server/services/segments/approval";
import { describeDefinitionIssues } from "../../server/services/segments/definition";
import { FEATURE_LABELS, OPERATOR_LABELS } from "../../server/services/segments/describe";
import { NUMBER_FEATURES, type Condition } from "../../server/services/segments/rules";

export type { ProposalKind, ProposalStatus, SegmentStatus };

/** A segment's status as the list shows it: a proposed segment with no open proposal was not adopted. */
export type SegmentListStatus = SegmentStatus | "not adopted";

export const SEGMENT_STATUS_LABELS: Record<SegmentListStatus, { label: string; description: string }> = {
  proposed: { label: "Proposed", description: "Not published yet: its first proposal is open." },
  active: { label: "Active", description: "Published: its members are materialised and served." },
  retired: { label: "Retired", description: "No longer published; its versions are kept and can be restored." },
  "not adopted": { label: "Not adopted", description: "Its first proposal was rejected or withdrawn; nothing was published." },
};

export const PROPOSAL_STATUS_LABELS: Record<ProposalStatus, string> = {
  draft: "Draft",
  submitted: "Submitted",
  approved: "Approved",
  rejected: "Rejected",
  withdrawn: "Withdrawn",
};

export const PROPOSAL_KIND_LABELS: Record<ProposalKind, string> = {
  create: "New segment",
  change: "Change",
  retire: "Retirement",
  restore: "Restore",
};

/** "12,345" (the app's number format, en-GB grouping). */
export function formatNumber(value: number): string {
  return value.toLocaleString("en-GB");
}

/** "+12", "−3", "0": a signed change with a real minus sign. */
export function formatSigned(value: number): string {
  if (value > 0) return `+${formatNumber(value)}`;
  if (value < 0) return `−${formatNumber(-value)}`;
  return "0";
}

/** The approval rule in one sentence, as the proposal and settings pages state it. */
export function approvalRuleInWords(rule: ApprovalRule): string {
  const approvals = `A proposal is published once at least ${rule.minApprovals} committee member${
    rule.minApprovals === 1 ? " approves" : "s approve"
  } and approvals outnumber rejections`;
  const veto = rule.rejectionVetoes ? "any rejection rejects it" : "a rejection alone does not reject it";
  const quorum =
    rule.quorum > 0
      ? `at least ${Math.round(rule.quorum * 100)}% of the eligible committee (everyone on it but the proposer) must have voted`
      : "no quorum is required";
  return `${approvals}; ${veto}; ${quorum}.`;
}

/* ---------- Rule builder: what each field is, which operators fit it ---------- */

export type FieldKind = "number" | "category" | "date" | "segment" | "cluster";

/** The select's value for "is in segment" (segment conditions have no field). */
export const SEGMENT_FIELD = "segment";
/** The select's value for "is in cluster of a model run" (no field either). */
export const CLUSTER_FIELD = "cluster";

export const OPERATORS_BY_KIND: Record<FieldKind, Condition["op"][]> = {
  number: ["eq", "ne", "lt", "lte", "gt", "gte", "between"],
  category: ["in", "not_in"],
  date: ["before", "after", "within_last_days"],
  segment: ["in_segment", "not_in_segment"],
  cluster: ["in_cluster", "not_in_cluster"],
};

/** Operator names in the builder's select (describe.ts words the finished sentence). */
export const OPERATOR_CHOICES: Record<Condition["op"], string> = {
  ...OPERATOR_LABELS,
  within_last_days: "within the last … days",
  in_segment: "is in",
  not_in_segment: "is not in",
};

export interface BuilderAttribute {
  key: string;
  label: string;
  type: string;
}

/** A custom attribute's kind: numbers compare, dates have ranges, the rest are categories. */
export function attributeKind(type: string): FieldKind {
  if (type === "number") return "number";
  if (type === "date") return "date";
  return "category";
}

export interface FieldOption {
  value: string;
  label: string;
  kind: FieldKind;
}

export interface FieldGroup {
  label: string;
  options: FieldOption[];
}

/** The field select's groups: features, RFM segment, region, custom attributes, segments. */
export function fieldGroups(attributes: BuilderAttribute[], withClusters = false): FieldGroup[] {
  const groups: FieldGroup[] = [
    {
      label: "RFM and purchase features",
      options: NUMBER_FEATURES.map((f) => ({ value: f, label: FEATURE_LABELS[f], kind: "number" as const })),
    },
    { label: "RFM segment", options: [{ value: "rfm_segment", label: FEATURE_LABELS.rfm_segment, kind: "category" }] },
    { label: "Region", options: [{ value: "region", label: FEATURE_LABELS.region, kind: "category" }] },
  ];
  if (attributes.length) {
    groups.push({
      label: "Custom attributes",
      options: attributes.map((a) => ({
        value: `attr:${a.key}`,
        label: `${a.label} (${a.type === "boolean" ? "yes / no" : a.type})`,
        kind: attributeKind(a.type),
      })),
    });
  }
  groups.push({ label: "Segments", options: [{ value: SEGMENT_FIELD, label: "Membership of another segment", kind: "segment" }] });
  if (withClusters) groups.push({ label: "Models", options: [{ value: CLUSTER_FIELD, label: "Cluster of a model run", kind: "cluster" }] });
  return groups;
}

/** The kind of a field (an unknown attribute falls back to what its operator implies). */
export function kindOfField(field: string | undefined, op: string | undefined, attributes: BuilderAttribute[]): FieldKind {
  if (op === "in_segment" || op === "not_in_segment" || field === SEGMENT_FIELD) return "segment";
  if (op === "in_cluster" || op === "not_in_cluster" || field === CLUSTER_FIELD) return "cluster";
  if (field === "rfm_segment" || field === "region") return "category";
  if (field && (NUMBER_FEATURES as readonly string[]).includes(field)) return "number";
  if (field?.startsWith("attr:")) {
    const attr = attributes.find((a) => `attr:${a.key}` === field);
    if (attr) return attributeKind(attr.type);
  }
  for (const kind of Object.keys(OPERATORS_BY_KIND) as FieldKind[]) {
    if (op && (OPERATORS_BY_KIND[kind] as string[]).includes(op)) return kind;
  }
  return "number";
}

/* ---------- Comments: @mentions ---------- */

export interface MentionPart {
  text: string;
  mention: boolean;
  /** The mention names the reader. */
  mine: boolean;
}

/** Splits a comment into text and @mentions, marking those that name the reader. */
export function mentionParts(body: string, reader: { name: string; email: string }): MentionPart[] {
  const handles = new Set(
    [reader.email, reader.email.split("@")[0], reader.name.split(/\s+/)[0], reader.name.replace(/\s+/g, "")].map((h) => h.toLowerCase()),
  );
  const fullName = `@${reader.name.toLowerCase()}`;
  const parts: MentionPart[] = [];
  const pattern = /@[\p{L}\p{N}_.+-]*[\p{L}\p{N}_](?:@[\p{L}\p{N}.-]*[\p{L}\p{N}])?/gu;
  let last = 0;
  for (const match of body.matchAll(pattern)) {
    const at = match.index ?? 0;
    if (at > 0 && /[\p{L}\p{N}]/u.test(body[at - 1])) continue;
    let token = match[0];
    // "@Ana Lima" names the reader by full name: take both words.
    if (body.slice(at, at + fullName.length).toLowerCase() === fullName) token = body.slice(at, at + fullName.length);
    if (at < last) continue;
    if (at > last) parts.push({ text: body.slice(last, at), mention: false, mine: false });
    const mine = token.toLowerCase() === fullName || handles.has(token.slice(1).toLowerCase());
    parts.push({ text: token, mention: true, mine });
    last = at + token.length;
  }
  if (last < body.length) parts.push({ text: body.slice(last), mention: false, mine: false });
  return parts;
}

/* ---------- Drafts ---------- */

/**
 * What keeps a draft from being complete, for the editor: problems with the descriptive fields
 * in words, and for the rules a pointer to the conditions the builder marks (each says what it
 * lacks), rather than the schema's wording.
 */
export function draftProblem(error: z.ZodError): string {
  const meta = error.issues.filter((i) => i.path[0] !== "rules");
  const parts = meta.length ? [describeDefinitionIssues(new z.ZodError(meta))] : [];
  if (meta.length < error.issues.length) parts.push("complete the rules marked in orange");
  return parts.join("; ");
}

/** Base64 of bytes, in the browser (the submit call carries the editor's Yjs state vector). */
export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/* ---------- Names: how rules and diffs name what they refer to by id ---------- */

export interface BuilderNames {
  attributes: BuilderAttribute[];
  segments: { id: string; name: string }[];
  regions: { id: string; name: string }[];
  members: { id: string; name: string }[];
}

/** The lookups describe.ts and diff.ts take, from the builder options a loader returns. */
export function namesFrom(options: BuilderNames) {
  const lookup = (rows: { id: string; name: string }[], missing: string) => {
    const map = new Map(rows.map((r) => [r.id, r.name]));
    return (id: string) => map.get(id) ?? missing;
  };
  const attributes = new Map(options.attributes.map((a) => [a.key, a.label]));
  return {
    segment: lookup(options.segments, "a removed segment"),
    region: lookup(options.regions, "a removed region"),
    member: lookup(options.members, "a former member"),
    attribute: (key: string) => attributes.get(key) ?? key,
  };
}
export type Names = ReturnType<typeof namesFrom>;

/* ---------- Priority order: the form carries it as JSON ---------- */

const ZOrder = z.array(z.string().min(1));

/** The segment ids of a submitted priority order, or null when the text is not one. */
export function parseOrder(text: string): string[] | null {
  try {
    const parsed = ZOrder.safeParse(JSON.parse(text) as unknown);
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
