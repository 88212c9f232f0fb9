import { Link } from "@remix-run/react";
import { useCallback, useEffect, useRef, useState, type DragEvent, type KeyboardEvent, type PointerEvent, type ReactNode } from "react";
import * as Y from "yjs";
import {
  addCard,
  addEvidence,
  authorOf,
  evidenceOf,
  quadrantOf,
  votesOf,
  CARD_STATUSES,
  cardsIn,
  cardText,
  deleteCard,
  EVIDENCE_KINDS,
  EVIDENCE_LABELS,
  moveCard,
  plainTextOf,
  QUADRANT_LABELS,
  QUADRANTS,
  readRichText,
  removeEvidence,
  setCardField,
  toggleVote,
  type Board,
  type Card,
  type CardStatus,
  type Evidence,
  type EvidenceKind,
  type Quadrant,
} from "../../../server/services/swot/board-doc";
import { PresenceStack } from "~/collab/presence";
import type { CollabProvider, Peer } from "~/collab/provider";
import { useCollabDoc } from "~/collab/use-collab-doc";
import { Notice } from "../notice";
import { PeerAvatars, peersByFocus } from "../segments/peer-avatars";
import { useDocRevision } from "../segments/use-doc-revision";
import { CardTextEditor } from "./rich-text";
import { SaveStatus } from "~/collab/save-status";

export interface LiveBoard {
  peers: Peer[];
  provider: CollabProvider | null;
  doc: Y.Doc;
  status: "connecting" | "synced" | "offline";
  pending: number;
}

interface SwotBoardProps {
  tenantId: string;
  docName: string;
  user: { id: string; name: string };
  /** The reader may edit (the server refuses the writes of those who may not, too). */
  canEdit: boolean;
  teams: string[];
  /** Narrow layout (one column of quadrants), e.g. beside a reviewed board. */
  compact?: boolean;
  /** What goes above the board, given the live state (e.g. the "save as reviewed" form). */
  renderTools?: (live: LiveBoard) => ReactNode;
  /** A reviewed board shown beside this one: cards new or changed since are marked. */
  reviewed?: Board | null;
}

const DRAG_TYPE = "application/x-quorum-swot-card";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const POINTER_EVERY_MS = 40;

/**
 * A segment's SWOT board, co-edited live: four quadrants of cards bound to the Yjs document
 * `swot/<segmentId>`. Cards move by dragging (pointer) or with Alt+arrow keys and the move
 * controls (keyboard); presence shows who is here, which card they edit and where their
 * pointer is. Viewers watch the same board read-only.
 */
export function SwotBoard({ tenantId, docName, user, canEdit, teams, compact, renderTools, reviewed }: SwotBoardProps) {
  const before = reviewed ? new Map(reviewed.cards.map((c) => [c.id, c])) : null;
  const collab = useCollabDoc({ tenantId, doc: docName, user });
  const { doc, status, pending, peers, provider, awareness } = collab;
  useDocRevision(doc);
  const [loaded, setLoaded] = useState(false);
  const [team, setTeam] = useState<string>("all");
  const [announcement, setAnnouncement] = useState("");
  const [focusAfterMove, setFocusAfterMove] = useState<string | null>(null);
  const [editNew, setEditNew] = useState<string | null>(null);
  const surface = useRef<HTMLDivElement>(null);
  const lastPointer = useRef(0);
  const readOnly = !canEdit || collab.readOnly;
  const focusMap = peersByFocus(peers);

  useEffect(() => {
    if (status === "synced") setLoaded(true);
  }, [status]);

  useEffect(() => {
    if (pending === 0) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [pending]);

  useEffect(() => {
    if (!focusAfterMove) return;
    surface.current?.querySelector<HTMLElement>(`[data-card-id="${focusAfterMove}"]`)?.focus();
    setFocusAfterMove(null);
  });

  const setFocus = useCallback(
    (id: string | null) => {
      if (awareness?.getLocalState()?.focus !== id) collab.setFocus(id);
    },
    [awareness, collab],
  );

  function onPointerMove(event: PointerEvent<HTMLDivElement>) {
    if (!awareness || !surface.current || event.timeStamp - lastPointer.current < POINTER_EVERY_MS) return;
    lastPointer.current = event.timeStamp;
    const box = surface.current.getBoundingClientRect();
    const x = Math.min(1, Math.max(0, (event.clientX - box.left) / box.width));
    const y = Math.min(1, Math.max(0, (event.clientY - box.top) / box.height));
    awareness.setLocalStateField("pointer", { x: Math.round(x * 1000) / 1000, y: Math.round(y * 1000) / 1000 });
  }

  function move(id: string, quadrant: Quadrant, index: number) {
    if (readOnly) return;
    moveCard(doc, id, quadrant, index);
    const place = cardsIn(doc, quadrant).findIndex((c) => c.get("id") === id);
    setAnnouncement(`Moved to ${QUADRANT_LABELS[quadrant]}, position ${place + 1}.`);
    setFocusAfterMove(id);
  }

  function add(quadrant: Quadrant) {
    const id = addCard(doc, { quadrant, author: user, team: team !== "all" ? team : (teams[0] ?? "") });
    setEditNew(id);
  }

  function onDrop(event: DragEvent<HTMLElement>, quadrant: Quadrant) {
    const id = event.dataTransfer.getData(DRAG_TYPE);
    if (!id || readOnly) return;
    event.preventDefault();
    const target = (event.target as HTMLElement).closest<HTMLElement>("[data-card-id]");
    const list = cardsIn(doc, quadrant).filter((c) => c.get("id") !== id);
    let index = list.length;
    if (target && target.dataset.cardId !== id) {
      const at = list.findIndex((c) => c.get("id") === target.dataset.cardId);
      const box = target.getBoundingClientRect();
      index = at + (event.clientY > box.top + box.height / 2 ? 1 : 0);
    }
    move(id, quadrant, index);
  }

  const usedTeams = new Set<string>();
  for (const q of QUADRANTS) for (const c of cardsIn(doc, q)) usedTeams.add(String(c.get("team") ?? ""));
  const teamChoices = [...teams, ...[...usedTeams].filter((t) => t && !teams.includes(t))];

  return (
    <div className={`swot${compact ? " swot--compact" : ""}`}>
      <div className="swot__bar">
        <div className="swot__bar-left">
          {readOnly ? (
            <span className="badge badge--watching" title="You can follow the board live but not change it.">
              You are watching
            </span>
          ) : null}
          <SaveStatus status={status} pending={pending} watching={readOnly} reconnecting={collab.reconnecting} />
        </div>
        <PresenceStack peers={peers} describeFocus={(focus) => describeCard(doc, focus)} />
      </div>
      {collab.error ? <Notice tone="error">{collab.error}</Notice> : null}
      {renderTools && loaded ? renderTools({ peers, provider, doc, status, pending }) : null}

      <div className="swot__filters" role="group" aria-label="Show the cards of">
        {["all", ...teamChoices].map((t) => (
          <button key={t} type="button" className={`chip swot__filter${t === "all" ? " swot__filter--all" : ""}${team === t ? " swot__filter--on" : ""}`} aria-pressed={team === t} onClick={() => setTeam(t)}>
            {t === "all" ? "All teams" : t}
          </button>
        ))}
      </div>
      <p className="visually-hidden" aria-live="polite">
        {announcement}
      </p>

      {!loaded ? (
        <section className="card">
          <p className="muted">{status === "offline" ? "The server cannot be reached: the board opens as soon as the connection returns." : "Opening the board…"}</p>
        </section>
      ) : (
        <div className="swot__surface" ref={surface} onPointerMove={onPointerMove} onPointerLeave={() => awareness?.setLocalStateField("pointer", null)}>
          <div className="swot__grid">
            {QUADRANTS.map((quadrant) => {
              const all = cardsIn(doc, quadrant);
              const shown = team === "all" ? all : all.filter((c) => c.get("team") === team);
              return (
                <section
                  key={quadrant}
                  className={`swot-quadrant swot-quadrant--${quadrant}`}
                  aria-label={QUADRANT_LABELS[quadrant]}
                  onDragOver={(e) => {
                    if (!readOnly && e.dataTransfer.types.includes(DRAG_TYPE)) e.preventDefault();
                  }}
                  onDrop={(e) => onDrop(e, quadrant)}
                >
                  <header className="swot-quadrant__head">
                    <h2 className="swot-quadrant__title">{QUADRANT_LABELS[quadrant]}</h2>
                    <TeamMix cards={all} />
                    <span className="swot-quadrant__count">{team === "all" ? all.length : `${shown.length} of ${all.length}`}</span>
                  </header>
                  <ol className="swot-quadrant__cards">
                    {shown.map((card) => {
                      const id = String(card.get("id"));
                      return (
                        <li key={id}>
                          <SwotCard
                            card={card}
                            doc={doc}
                            user={user}
                            readOnly={readOnly}
                            teams={teamChoices}
                            index={all.indexOf(card)}
                            count={all.length}
                            editors={(focusMap.get(id) ?? []).filter((p) => p.user.id !== user.id)}
                            startEditing={editNew === id}
                            onEditingStarted={() => setEditNew(null)}
                            onFocusCard={setFocus}
                            onMove={move}
                            sinceReview={before ? sinceReview(card, before.get(id)) : null}
                          />
                        </li>
                      );
                    })}
                  </ol>
                  {shown.length === 0 ? (
                    <p className="swot-quadrant__empty">{all.length ? "No cards of this team here." : readOnly ? "No cards yet." : "No cards yet — add the first, or drag one here."}</p>
                  ) : null}
                  {!readOnly ? (
                    <button type="button" className="button button--ghost button--sm swot-quadrant__add" onClick={() => add(quadrant)}>
                      + Add to {QUADRANT_LABELS[quadrant]}
                    </button>
                  ) : null}
                </section>
              );
            })}
          </div>
          <Pointers peers={peers} />
        </div>
      )}
    </div>
  );
}

/** "rule 2"-style words for presence: the first words of the card someone edits. */
function describeCard(doc: Y.Doc, focus: string): string {
  const card = doc.getMap<Y.Map<unknown>>("cards").get(focus);
  if (!card) return "the board";
  const words = plainTextOf(readRichText(cardText(card))).trim();
  return words ? `“${words.length > 24 ? `${words.slice(0, 24)}…` : words}”` : "a new card";
}

function TeamMix({ cards }: { cards: Y.Map<unknown>[] }) {
  const counts = new Map<string, number>();
  for (const c of cards) {
    const t = String(c.get("team") ?? "");
    if (t) counts.set(t, (counts.get(t) ?? 0) + 1);
  }
  if (counts.size < 2) return null;
  return (
    <span className="swot-quadrant__mix" title="Cards per team">
      {[...counts].map(([t, n]) => `${t} ${n}`).join(" · ")}
    </span>
  );
}

function Pointers({ peers }: { peers: Peer[] }) {
  return (
    <div className="swot__pointers" aria-hidden="true">
      {peers
        .filter((p) => p.pointer)
        .map((p) => (
          <span key={p.clientId} className="swot__pointer" style={{ left: `${p.pointer!.x * 100}%`, top: `${p.pointer!.y * 100}%`, color: p.user.color }}>
            <svg width="16" height="16" viewBox="0 0 16 16">
              <path d="M1 1 L1 13 L5 9.5 L8 15 L10 14 L7.2 8.6 L12 8.2 Z" fill="currentColor" stroke="#fff" strokeWidth="1" />
            </svg>
            <span className="swot__pointer-name" style={{ background: p.user.color }}>
              {p.user.name}
            </span>
          </span>
        ))}
    </div>
  );
}

interface SwotCardProps {
  card: Y.Map<unknown>;
  doc: Y.Doc;
  user: { id: string; name: string };
  readOnly: boolean;
  teams: string[];
  index: number;
  count: number;
  editors: Peer[];
  startEditing: boolean;
  onEditingStarted(): void;
  onFocusCard(id: string | null): void;
  onMove(id: string, quadrant: Quadrant, index: number): void;
  /** Compared with a review: "new", "changed" or null (unchanged, or no comparison). */
  sinceReview: "new" | "changed" | null;
}

/** Whether a card is new or changed (place, text, team, status, consensus, votes) since a review. */
function sinceReview(card: Y.Map<unknown>, then: Card | undefined): "new" | "changed" | null {
  if (!then) return "new";
  const text = plainTextOf(readRichText(cardText(card)));
  const same =
    quadrantOf(card) === then.quadrant &&
    text === then.plainText &&
    card.get("team") === then.team &&
    card.get("status") === then.status &&
    (card.get("consensus") === true) === then.consensus &&
    votesOf(card).join() === then.votes.join();
  return same ? null : "changed";
}

function SwotCard({ card, doc, user, readOnly, teams, index, count, editors, startEditing, onEditingStarted, onFocusCard, onMove, sinceReview }: SwotCardProps) {
  const id = String(card.get("id"));
  const quadrant = quadrantOf(card) ?? "strengths";
  const status = (card.get("status") as CardStatus) ?? "open";
  const consensus = card.get("consensus") === true;
  const votes = votesOf(card);
  const voted = votes.includes(user.id);
  const evidence = evidenceOf(card);
  const author = authorOf(card);
  const team = String(card.get("team") ?? "");
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [addingEvidence, setAddingEvidence] = useState(false);
  const element = useRef<HTMLElement>(null);
  const qIndex = QUADRANTS.indexOf(quadrant);

  useEffect(() => {
    if (!startEditing) return;
    const timer = setInterval(() => {
      const editor = element.current?.querySelector<HTMLElement>(".ProseMirror");
      if (editor) {
        editor.focus();
        onEditingStarted();
        clearInterval(timer);
      }
    }, 20);
    return () => clearInterval(timer);
  }, [startEditing, onEditingStarted]);

  function onKeyDown(event: KeyboardEvent<HTMLElement>) {
    if (readOnly || !event.altKey) return;
    const moves: Record<string, () => void> = {
      ArrowUp: () => index > 0 && onMove(id, quadrant, index - 1),
      ArrowDown: () => index < count - 1 && onMove(id, quadrant, index + 1),
      ArrowLeft: () => qIndex > 0 && onMove(id, QUADRANTS[qIndex - 1], Number.MAX_SAFE_INTEGER),
      ArrowRight: () => qIndex < QUADRANTS.length - 1 && onMove(id, QUADRANTS[qIndex + 1], Number.MAX_SAFE_INTEGER),
    };
    const run = moves[event.key];
    if (!run) return;
    event.preventDefault();
    run();
  }

  const fragment = card.get("text");
  return (
    <article
      ref={element}
      className={`swot-card swot-card--${status}${consensus ? " swot-card--consensus" : ""}${editors.length ? " swot-card--busy" : ""}`}
      style={editors.length ? { borderColor: editors[0].user.color } : undefined}
      data-card-id={id}
      tabIndex={0}
      aria-label={`Card in ${QUADRANT_LABELS[quadrant]}, position ${index + 1} of ${count}${readOnly ? "" : ". Alt+arrow keys move it"}`}
      onKeyDown={onKeyDown}
      onFocus={() => onFocusCard(id)}
      onBlur={(e) => {
        if (!(e.relatedTarget instanceof Node) || !e.currentTarget.contains(e.relatedTarget)) onFocusCard(null);
      }}
    >
      <div className="swot-card__top">
        {!readOnly ? (
          <span
            className="swot-card__handle"
            draggable
            title="Drag to move (or Alt+arrow keys)"
            aria-hidden="true"
            onDragStart={(e) => {
              e.dataTransfer.setData(DRAG_TYPE, id);
              e.dataTransfer.effectAllowed = "move";
              if (element.current) e.dataTransfer.setDragImage(element.current, 16, 16);
            }}
          >
            ⠿
          </span>
        ) : null}
        <span className="swot-card__author" title={`Written by ${author.name}`}>
          {author.name}
        </span>
        {team ? <span className="tag swot-card__team">{team}</span> : null}
        {consensus ? <span className="badge swot-badge--consensus">Consensus</span> : null}
        <span className={`badge swot-badge--${status}`}>{status}</span>
        {sinceReview ? <span className="badge swot-badge--since">{sinceReview === "new" ? "New since review" : "Changed since review"}</span> : null}
        <PeerAvatars peers={editors} />
      </div>

      {fragment instanceof Y.XmlFragment ? (
        <CardTextEditor
          fragment={fragment}
          editable={!readOnly}
          label={`Text of the card in ${QUADRANT_LABELS[quadrant]}`}
        />
      ) : null}

      {evidence.length ? (
        <ul className="swot-card__evidence" aria-label="Evidence">
          {evidence.map((e) => (
            <li key={e.id}>
              <span className="swot-evidence__kind">{EVIDENCE_LABELS[e.kind] ?? e.kind}</span>{" "}
              {e.kind === "url" && /^https?:\/\//.test(e.ref) ? (
                <a href={e.ref} target="_blank" rel="noreferrer noopener">
                  {e.label}
                </a>
              ) : e.kind === "model-run" && UUID.test(e.ref) ? (
                <Link to={`/models/${e.ref}`}>{e.label}</Link>
              ) : (
                <span>
                  {e.label}
                  {e.ref ? <span className="muted"> · {e.ref}</span> : null}
                </span>
              )}
              {!readOnly ? (
                <button type="button" className="swot-card__x" aria-label={`Remove evidence ${e.label}`} onClick={() => removeEvidence(doc, id, e.id)}>
                  ×
                </button>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
      {addingEvidence ? <EvidenceForm onAdd={(e) => (addEvidence(doc, id, e), setAddingEvidence(false))} onCancel={() => setAddingEvidence(false)} /> : null}

      <div className="swot-card__foot">
        <button
          type="button"
          className={`swot-vote${voted ? " swot-vote--on" : ""}`}
          aria-pressed={voted}
          disabled={readOnly}
          aria-label={`${voted ? "Withdraw your priority vote" : "Vote for priority"} (${votes.length} ${votes.length === 1 ? "vote" : "votes"})`}
          onClick={() => toggleVote(doc, id, user.id)}
        >
          ▲ {votes.length}
        </button>
        {!readOnly ? (
          <>
            <select className="swot-card__select" aria-label="Team" value={team} onChange={(e) => setCardField(doc, id, "team", e.target.value)}>
              {teams.includes(team) ? null : <option value={team}>{team || "No team"}</option>}
              {teams.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
            <select className="swot-card__select" aria-label="Status" value={status} onChange={(e) => setCardField(doc, id, "status", e.target.value)}>
              {CARD_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
            <button type="button" className="button button--ghost button--sm" aria-pressed={consensus} onClick={() => setCardField(doc, id, "consensus", !consensus)}>
              {consensus ? "Undo consensus" : "Mark consensus"}
            </button>
            <button type="button" className="button button--ghost button--sm" onClick={() => setAddingEvidence(true)}>
              + Evidence
            </button>
            <span className="swot-card__moves">
              <button type="button" className="swot-card__move" aria-label="Move up" title="Move up (Alt+↑)" disabled={index === 0} onClick={() => onMove(id, quadrant, index - 1)}>
                ↑
              </button>
              <button type="button" className="swot-card__move" aria-label="Move down" title="Move down (Alt+↓)" disabled={index >= count - 1} onClick={() => onMove(id, quadrant, index + 1)}>
                ↓
              </button>
              <select
                className="swot-card__select"
                aria-label="Move to quadrant"
                value=""
                onChange={(e) => e.target.value && onMove(id, e.target.value as Quadrant, Number.MAX_SAFE_INTEGER)}
              >
                <option value="">Move to…</option>
                {QUADRANTS.filter((q) => q !== quadrant).map((q) => (
                  <option key={q} value={q}>
                    {QUADRANT_LABELS[q]}
                  </option>
                ))}
              </select>
            </span>
            {confirmDelete ? (
              <span className="swot-card__confirm">
                <button type="button" className="button button--danger button--sm" onClick={() => deleteCard(doc, id)}>
                  Delete card
                </button>
                <button type="button" className="button button--ghost button--sm" onClick={() => setConfirmDelete(false)}>
                  Keep
                </button>
              </span>
            ) : (
              <button type="button" className="button button--danger-text button--sm" onClick={() => setConfirmDelete(true)}>
                Delete
              </button>
            )}
          </>
        ) : null}
      </div>
    </article>
  );
}

function EvidenceForm({ onAdd, onCancel }: { onAdd(e: Omit<Evidence, "id">): void; onCancel(): void }) {
  const [kind, setKind] = useState<EvidenceKind>("kpi");
  const [label, setLabel] = useState("");
  const [ref, setRef] = useState("");
  const [error, setError] = useState<string | null>(null);
  function submit() {
    if (!label.trim()) return setError("Name the evidence: the KPI, the finding, the run or the page.");
    if (kind === "url" && !/^https?:\/\/\S+$/.test(ref.trim())) return setError("A link needs an address starting with http:// or https://.");
    onAdd({ kind, label: label.trim(), ref: ref.trim() });
  }
  return (
    <div
      className="swot-evidence-form"
      role="group"
      aria-label="Add evidence"
      onKeyDown={(e) => {
        if (e.key === "Enter") {
          e.preventDefault();
          submit();
        } else if (e.key === "Escape") onCancel();
      }}
    >
      <select className="swot-card__select" aria-label="Kind of evidence" value={kind} onChange={(e) => setKind(e.target.value as EvidenceKind)}>
        {EVIDENCE_KINDS.map((k) => (
          <option key={k} value={k}>
            {EVIDENCE_LABELS[k]}
          </option>
        ))}
      </select>
      <input className="input input--sm" aria-label="Evidence" placeholder={kind === "kpi" ? "e.g. Repeat purchase rate" : "What it shows"} value={label} onChange={(e) => setLabel(e.target.value)} autoFocus />
      <input
        className="input input--sm"
        aria-label={kind === "url" ? "Address" : "Reference"}
        placeholder={kind === "url" ? "https://…" : kind === "model-run" ? "Run id or name" : "Optional reference"}
        value={ref}
        onChange={(e) => setRef(e.target.value)}
      />
      <button type="button" className="button button--secondary button--sm" onClick={submit}>
        Add
      </button>
      <button type="button" className="button button--ghost button--sm" onClick={onCancel}>
        Cancel
      </button>
      {error ? (
        <p className="swot-evidence-form__error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
