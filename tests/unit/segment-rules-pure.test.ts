import * as Y from "yjs";
import { describe, expect, it } from "vitest";
import { judge, type ApprovalRule } from "../../server/services/segments/approval";
import { describeDefinitionIssues, ZDefinition, type Definition } from "../../server/services/segments/definition";
import { describeGroup } from "../../server/services/segments/describe";
import { diffDefinitions } from "../../server/services/segments/diff";
import { childrenOf, findNode, nodeMap, readDefinition, rootGroup, writeDefinition } from "../../server/services/segments/draft-doc";
import { findMentions } from "../../server/services/segments/review";

const votes = (approve: number, reject: number) => [
  ...Array.from({ length: approve }, () => ({ vote: "approve" as const })),
  ...Array.from({ length: reject }, () => ({ vote: "reject" as const })),
];

describe("the approval rule", () => {
  const rule: ApprovalRule = { minApprovals: 2, rejectionVetoes: false, quorum: 0.6 };
  it.each([
    // [approvals, rejections, eligible, outcome]
    [1, 0, 5, "pending"], // 1 < 2 approvals
    [2, 0, 5, "pending"], // quorum: ceil(0.6 × 5) = 3 votes
    [2, 1, 5, "approved"], // 3 votes, 2 approvals > 1 rejection
    [2, 2, 5, "pending"], // approvals must outnumber rejections; one member left
    [2, 3, 5, "rejected"], // everyone voted, rule not met
    [3, 0, 5, "approved"],
    [1, 0, 1, "pending"], // a committee of one can never reach 2 approvals: pending, admin decides
  ] as const)("%i for, %i against of %i eligible → %s", (approve, reject, eligible, outcome) => {
    expect(judge(rule, votes(approve, reject), eligible).outcome).toBe(outcome);
  });

  it("lets one rejection veto when the rule says so, and explains what is missing", () => {
    const veto: ApprovalRule = { minApprovals: 1, rejectionVetoes: true, quorum: 0 };
    expect(judge(veto, votes(4, 1), 6)).toMatchObject({ outcome: "rejected", approvals: 4, rejections: 1 });
    expect(judge(veto, votes(1, 0), 6).outcome).toBe("approved");
    expect(judge(rule, votes(1, 0), 1).summary).toBe("Needs 2 approvals but only 1 committee member can still approve: an admin must decide.");
    expect(judge(rule, votes(0, 0), 5).summary).toBe("Waiting for 2 more approvals and 3 more votes for the quorum.");
  });

  it("rounds the quorum up without floating-point surprises", () => {
    expect(judge({ minApprovals: 1, rejectionVetoes: false, quorum: 0.3 }, [], 10).quorumVotes).toBe(3);
    expect(judge({ minApprovals: 1, rejectionVetoes: false, quorum: 1 / 3 }, [], 3).quorumVotes).toBe(1);
  });
});

const base: Definition = {
  name: "Loyal",
  description: "",
  valueProposition: "Early access",
  ownerId: null,
  regionId: null,
  parentId: null,
  decisionUse: "none",
  rules: {
    id: "root",
    combinator: "and",
    children: [
      { id: "a", op: "gte", field: "frequency", value: 5 },
      { id: "g", combinator: "or", children: [{ id: "b", op: "in", field: "rfm_segment", values: ["Champions", "Loyal"] }] },
    ],
  },
};

describe("definitions in a Yjs document", () => {
  it("round-trips a definition, ids included", () => {
    const doc = new Y.Doc();
    writeDefinition(doc, base);
    expect(ZDefinition.parse(readDefinition(doc))).toEqual(base);
  });

  it("merges two people's concurrent edits to different rules", () => {
    const one = new Y.Doc();
    writeDefinition(one, base);
    const two = new Y.Doc();
    Y.applyUpdate(two, Y.encodeStateAsUpdate(one));
    findNode(one, "a")!.node.set("value", 7);
    childrenOf(findNode(two, "g")!.node).push([nodeMap({ id: "c", op: "lt", field: "recency_days", value: 30 })]);
    Y.applyUpdate(one, Y.encodeStateAsUpdate(two));
    Y.applyUpdate(two, Y.encodeStateAsUpdate(one));
    expect(readDefinition(one)).toEqual(readDefinition(two));
    const merged = ZDefinition.parse(readDefinition(one));
    expect(describeGroup(merged.rules)).toBe("Orders ≥ 7 and (RFM segment is one of Champions, Loyal or Days since last purchase < 30)");
    expect(childrenOf(rootGroup(one)).length).toBe(2);
  });
});

describe("diffs between definitions", () => {
  it("names rules added, removed and changed, and changed fields", () => {
    const next: Definition = {
      ...base,
      valueProposition: "Early access and free shipping",
      rules: {
        id: "root",
        combinator: "or",
        children: [
          { id: "a", op: "gte", field: "frequency", value: 6 },
          { id: "d", op: "in_segment", segmentId: "11111111-1111-4111-8111-111111111111" },
        ],
      },
    };
    const diff = diffDefinitions(base, next, { segment: () => "VIP" });
    expect(diff.meta).toEqual([{ field: "valueProposition", label: "Value proposition", before: "Early access", after: "Early access and free shipping" }]);
    expect(diff.rules.added).toEqual([{ id: "d", where: "#2", text: "is in segment “VIP”" }]);
    expect(diff.rules.removed.map((r) => r.text)).toEqual(["group: match any of", "RFM segment is one of Champions, Loyal"]);
    expect(diff.rules.changed).toEqual([
      { id: "root", where: "top level", before: "group: match all of", after: "group: match any of" },
      { id: "a", where: "#1", before: "Orders ≥ 5", after: "Orders ≥ 6" },
    ]);
    expect(diff.empty).toBe(false);
    expect(diffDefinitions(base, structuredClone(base)).empty).toBe(true);
  });

  it("lists every rule of a new segment as added", () => {
    const diff = diffDefinitions(null, base);
    expect(diff.rules.added.map((r) => r.where)).toEqual(["#1", "#2", "#2 › #1"]);
    expect(diff.meta.map((m) => m.field)).toEqual(["name", "valueProposition"]);
  });
});

describe("what people read", () => {
  it("names the incomplete rule and field in a draft", () => {
    const parsed = ZDefinition.safeParse({ ...base, name: " ", rules: { combinator: "and", children: [{ op: "between", field: "monetary", value: [1] }] } });
    expect(parsed.success).toBe(false);
    const message = describeDefinitionIssues(parsed.error!);
    expect(message).toContain("Name: is required");
    expect(message).toContain("Rule #1 value");
  });

  it("finds @mentions by email, local part or first name, and not inside other words", () => {
    const members = [
      { userId: "u1", name: "Ana Lima", email: "ana@example.test" },
      { userId: "u2", name: "Ben Okafor", email: "ben.o@example.test" },
      { userId: "u3", name: "Anabel Cruz", email: "anabel@example.test" },
    ];
    expect(findMentions("Thoughts, @ana? And @ben.o.", members)).toEqual(["u1", "u2"]);
    expect(findMentions("cc @anabel@example.test", members)).toEqual(["u3"]);
    expect(findMentions("mail ana@example.test directly", members)).toEqual([]);
    expect(findMentions("@Ben, see this", members)).toEqual(["u2"]);
  });
});
