import { and, asc, eq, ne } from "drizzle-orm";
import { editStoredDoc } from "../../server/collab/store";
import type { TenantScope } from "../../server/services/scope";
import { saveReview, setReviewSchedule } from "../../server/services/swot";
import { addCard, addEvidence, moveCard, setCardField, swotDocName, toggleVote, type NewCard } from "../../server/services/swot/board-doc";
import type { Database } from "../client";
import { segments, type Role } from "../schema";

type Accounts = { role: Role; name: string; user: { id: string; email: string } }[];

/**
 * SWOT boards for the demo workspace: the first published segment gets a full board (cards in
 * all four quadrants from several teams, votes, evidence, a consensus card), a review saved a
 * while ago and edits since, so "Compare with today" shows a difference; the second gets a
 * smaller board whose review is overdue, so the index and the agenda have something to show.
 */
export async function seedDemoSwot(db: Database, tenantId: string, accounts: Accounts): Promise<void> {
  const person = (role: Role) => {
    const a = accounts.find((x) => x.role === role)!;
    return { id: a.user.id, name: a.name };
  };
  const scopeOf = (role: Role): TenantScope => {
    const a = accounts.find((x) => x.role === role)!;
    return { db, tenantId, actor: { userId: a.user.id, label: a.user.email }, role };
  };
  const active = await db.withTenant(tenantId, (tx) =>
    tx
      .select({ id: segments.id, name: segments.name })
      .from(segments)
      .where(and(eq(segments.tenantId, tenantId), eq(segments.status, "active"), ne(segments.name, "")))
      .orderBy(asc(segments.priority), asc(segments.name)),
  );
  if (!active.length) return;
  const [first, second] = active;
  const analyst = person("analyst");
  const committee = person("committee");
  const contributor = person("contributor");
  const admin = person("admin");
  const ids: Record<string, string> = {};
  const cards: (NewCard & { key: string })[] = [
    { key: "loyal", quadrant: "strengths", author: analyst, team: "sales", text: [{ paragraph: [{ text: "Highest " }, { text: "repeat-purchase rate", bold: true }, { text: " of all segments" }] }] },
    { key: "aov", quadrant: "strengths", author: committee, team: "marketing", text: [{ paragraph: [{ text: "Responds to early-access campaigns" }] }] },
    { key: "concentration", quadrant: "weaknesses", author: analyst, team: "product", text: [{ paragraph: [{ text: "Revenue concentrated in " }, { text: "few product lines", italic: true }] }] },
    { key: "service", quadrant: "weaknesses", author: contributor, team: "service", text: [{ paragraph: [{ text: "Slow answers to wholesale questions in EMEA" }] }] },
    {
      key: "bundles",
      quadrant: "opportunities",
      author: committee,
      team: "product",
      text: [{ paragraph: [{ text: "Bundles for gift season:" }] }, { bullets: [[{ text: "Home decor sets" }], [{ text: "Corporate gifting" }]] }],
    },
    { key: "referral", quadrant: "opportunities", author: admin, team: "marketing", text: [{ paragraph: [{ text: "Referral programme for top customers" }] }] },
    { key: "competitor", quadrant: "threats", author: contributor, team: "sales", text: [{ paragraph: [{ text: "Discount competitor targeting the same buyers" }] }] },
  ];
  await db.withTenant(tenantId, (tx) =>
    editStoredDoc(tx, tenantId, swotDocName(first.id), (doc) => {
      for (const card of cards) ids[card.key] = addCard(doc, card);
      addEvidence(doc, ids.loyal, { kind: "kpi", label: "Repeat purchase rate", ref: "" });
      addEvidence(doc, ids.concentration, { kind: "data-quality", label: "12% of lines without a product category", ref: "" });
      addEvidence(doc, ids.competitor, { kind: "url", label: "Competitor price watch", ref: "https://example.com/price-watch" });
      for (const who of [committee, analyst, admin]) toggleVote(doc, ids.bundles, who.id);
      for (const who of [committee, contributor]) toggleVote(doc, ids.service, who.id);
      toggleVote(doc, ids.loyal, analyst.id);
      setCardField(doc, ids.loyal, "status", "validated");
      setCardField(doc, ids.loyal, "consensus", true);
      setCardField(doc, ids.competitor, "status", "open");
    }),
  );
  await saveReview(scopeOf("committee"), {
    segmentId: first.id,
    participantIds: [analyst.id, contributor.id, admin.id],
    note: "First review: bundles agreed as the priority for the next quarter.",
  });
  // Since the review: the referral idea was rejected, and a new threat was raised.
  await db.withTenant(tenantId, (tx) =>
    editStoredDoc(tx, tenantId, swotDocName(first.id), (doc) => {
      setCardField(doc, ids.referral, "status", "rejected");
      moveCard(doc, ids.service, "weaknesses", 0);
      addCard(doc, { quadrant: "threats", author: analyst, team: "product", text: [{ paragraph: [{ text: "Rising shipping costs erode margin" }] }] });
    }),
  );
  if (second) {
    await db.withTenant(tenantId, (tx) =>
      editStoredDoc(tx, tenantId, swotDocName(second.id), (doc) => {
        addCard(doc, { quadrant: "strengths", author: analyst, team: "sales", text: [{ paragraph: [{ text: "Large and still growing" }] }] });
        addCard(doc, { quadrant: "threats", author: committee, team: "marketing", text: [{ paragraph: [{ text: "Churn risk after the first year" }] }] });
      }),
    );
    const overdue = new Date();
    overdue.setUTCDate(overdue.getUTCDate() - 10);
    await setReviewSchedule(scopeOf("committee"), { segmentId: second.id, reviewEveryMonths: 6, reviewDueOn: overdue.toISOString().slice(0, 10) });
  }
}
