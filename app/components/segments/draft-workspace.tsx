import { useFetcher } from "@remix-run/react";
import { useCallback, useEffect, useState, type FocusEvent } from "react";
import * as Y from "yjs";
import { META_LABELS, ZDefinition, type Definition, type SegmentMeta } from "../../../server/services/segments/definition";
import { childrenOf, isGroupMap, readDefinition, rootGroup } from "../../../server/services/segments/draft-doc";
import { useCollabDoc } from "~/collab/use-collab-doc";
import { PresenceStack } from "~/collab/presence";
import { Notice } from "../notice";
import { draftProblem, toBase64, type Names } from "~/lib/segments";
import { DraftDiff } from "./draft-diff";
import { MetaEditor } from "./meta-editor";
import { peersByFocus } from "./peer-avatars";
import { PreviewPanel } from "./preview-panel";
import type { ActionResult } from "./review-panel";
import { RuleBuilder, type BuilderOptions } from "./rule-builder";
import { useDocRevision } from "./use-doc-revision";
import { SaveStatus } from "~/collab/save-status";

interface DraftWorkspaceProps {
  tenantId: string;
  docName: string;
  user: { id: string; name: string };
  proposalId: string;
  segment: { id: string; name: string; currentVersion: number | null; parentName: string | null };
  base: Definition | null;
  /** The reader may edit this draft (the server also refuses writes from those who may not). */
  canEdit: boolean;
  canSubmit: boolean;
  options: BuilderOptions & { members: { id: string; name: string }[] };
  names: Names;
}

/** What a person is editing, in words: "Name", "rule 2", "rule 3.1", "group 3". */
function describeFocus(doc: Y.Doc, focus: string): string {
  if (focus.startsWith("meta:")) return META_LABELS[focus.slice(5) as keyof SegmentMeta] ?? focus.slice(5);
  const walk = (group: Y.Map<unknown>, path: string): string | null => {
    const children = childrenOf(group);
    if (!children) return null;
    for (let i = 0; i < children.length; i++) {
      const child = children.get(i);
      const here = path ? `${path}.${i + 1}` : `${i + 1}`;
      if (child.get("id") === focus) return `${isGroupMap(child) ? "group" : "rule"} ${here}`;
      if (isGroupMap(child)) {
        const found = walk(child, here);
        if (found) return found;
      }
    }
    return null;
  };
  const root = rootGroup(doc);
  if (root.get("id") === focus) return "the rules";
  return walk(root, "") ?? "the draft";
}

/**
 * A draft proposal, co-edited live: the meta fields and the rule tree bound to the Yjs
 * document, presence (who is here, who edits which rule), the save status, the live preview,
 * the diff against the published version and the submit button, which waits until every local
 * edit is stored before it submits.
 */
export function DraftWorkspace(props: DraftWorkspaceProps) {
  const { tenantId, docName, user, proposalId, segment, base, canEdit, canSubmit, options, names } = props;
  const collab = useCollabDoc({ tenantId, doc: docName, user });
  const { doc, status, pending, peers, provider } = collab;
  useDocRevision(doc);
  const [loaded, setLoaded] = useState(status === "synced");
  const readOnly = !canEdit || collab.readOnly;
  const focusMap = peersByFocus(peers);

  useEffect(() => {
    if (status === "synced") setLoaded(true);
  }, [status]);

  // Leaving while edits are not yet stored would lose them: let the browser ask first.
  useEffect(() => {
    if (pending === 0) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [pending]);

  const { setFocus: announce, awareness } = collab;
  const setFocus = useCallback(
    (id: string | null) => {
      if (awareness?.getLocalState()?.focus !== id) announce(id);
    },
    [awareness, announce],
  );

  function leaveEditor(event: FocusEvent<HTMLDivElement>) {
    if (!(event.relatedTarget instanceof Node) || !event.currentTarget.contains(event.relatedTarget)) setFocus(null);
  }

  const submitter = useFetcher<ActionResult>();
  const [waiting, setWaiting] = useState(false);
  const result = submitter.state === "idle" && submitter.data?.intent === "submit" ? submitter.data : null;

  async function submit() {
    setWaiting(true);
    try {
      await provider?.whenAcked();
    } finally {
      setWaiting(false);
    }
    submitter.submit({ intent: "submit", stateVector: toBase64(Y.encodeStateVector(doc)) }, { method: "post" });
  }

  const root = rootGroup(doc);
  const complete = ZDefinition.safeParse(readDefinition(doc));
  return (
    <div className="draft">
      <div className="draft__bar">
        <div className="draft__bar-left">
          {readOnly ? (
            <span className="badge badge--watching" title="You can follow the edits live but not change the draft.">
              You are watching
            </span>
          ) : null}
          <SaveStatus
            status={status}
            pending={pending}
            watching={readOnly}
            reconnecting={collab.reconnecting}
            offlineNote={readOnly ? "Offline — the edits of others show again when the connection returns" : "Offline — your edits will sync when the connection returns"}
          />
        </div>
        <PresenceStack peers={peers} describeFocus={(focus) => describeFocus(doc, focus)} />
      </div>
      {collab.error ? <Notice tone="error">{collab.error}</Notice> : null}

      {!loaded ? (
        <section className="card">
          <p className="muted">
            {status === "offline"
              ? "The server cannot be reached: the draft opens as soon as the connection returns."
              : "Opening the draft…"}
          </p>
        </section>
      ) : (
        <>
          <div className="draft__grid">
            <div className="draft__editor" onBlur={leaveEditor}>
              <section className="card" aria-labelledby="draft-meta-title">
                <h2 id="draft-meta-title" className="card__title">
                  Definition
                </h2>
                <p className="card__subtitle">
                  {readOnly
                    ? "You see every edit as it happens; members who may propose for this segment edit it."
                    : "Everyone here edits the same draft: changes are saved as you type and appear for the others at once."}
                </p>
                <MetaEditor
                  doc={doc}
                  readOnly={readOnly}
                  members={options.members}
                  regions={options.regions}
                  parentName={segment.parentName}
                  peers={focusMap}
                  setFocus={setFocus}
                />
              </section>
              <section className="card" aria-labelledby="draft-rules-title">
                <h2 id="draft-rules-title" className="card__title">
                  Rules
                </h2>
                <p className="card__subtitle">Conditions on purchase features, RFM, region, your attributes and other segments.</p>
                {root.has("combinator") ? (
                  <RuleBuilder doc={doc} root={root} readOnly={readOnly} options={options} peers={focusMap} setFocus={setFocus} />
                ) : (
                  <p className="muted">This draft has no rule tree.</p>
                )}
              </section>
            </div>
            <div className="draft__side">
              <PreviewPanel
                doc={doc}
                proposalId={proposalId}
                segmentId={segment.currentVersion ? segment.id : null}
                segmentName={segment.name}
              />
            </div>
          </div>
          <DraftDiff doc={doc} base={base} names={names} />
          {canSubmit && !readOnly ? (
            <section className="card submit-card" aria-labelledby="submit-title">
              <div>
                <h2 id="submit-title" className="card__title">
                  Submit for review
                </h2>
                <p className="card__subtitle">
                  The definition is frozen as it is now and the committee votes on it. You can take it back to draft to answer
                  comments.
                </p>
              </div>
              {result && !result.ok ? <Notice tone="error">{result.formError}</Notice> : null}
              {complete.success ? null : (
                <p className="muted small" id="submit-blocked">
                  Finish the draft first: {draftProblem(complete.error)}.
                </p>
              )}
              <div className="button-row">
                <button
                  type="button"
                  className="button button--primary"
                  disabled={!complete.success || waiting || submitter.state !== "idle"}
                  aria-describedby={complete.success ? undefined : "submit-blocked"}
                  onClick={submit}
                >
                  {waiting ? "Waiting for your edits to be saved…" : submitter.state !== "idle" ? "Submitting…" : "Submit for review"}
                </button>
                {waiting && status === "offline" ? (
                  <span className="muted small">You are offline: it submits once your edits reach the server.</span>
                ) : null}
              </div>
            </section>
          ) : null}
        </>
      )}
    </div>
  );
}
