import { useId, type ReactNode } from "react";
import type * as Y from "yjs";
import { DECISION_USES, DECISION_USE_LABELS } from "../../../server/services/segments/definition";
import { metaOf } from "../../../server/services/segments/draft-doc";
import { PeerAvatars, type Peer } from "./peer-avatars";

interface MetaEditorProps {
  doc: Y.Doc;
  readOnly: boolean;
  members: { id: string; name: string }[];
  regions: { id: string; name: string }[];
  /** The global segment a regional variant refines (not editable here). */
  parentName: string | null;
  peers: Map<string, Peer[]>;
  setFocus: (id: string | null) => void;
}

function MetaField({
  label,
  focusId,
  peers,
  children,
  description,
}: {
  label: string;
  focusId: string;
  peers: Map<string, Peer[]>;
  children: (id: string) => ReactNode;
  description?: string;
}) {
  const id = useId();
  return (
    <div className="field meta-field" data-node={focusId}>
      <span className="meta-field__label">
        <label className="field__label" htmlFor={id}>
          {label}
        </label>
        <PeerAvatars peers={peers.get(focusId) ?? []} />
      </span>
      {children(id)}
      {description ? <p className="field__description">{description}</p> : null}
    </div>
  );
}

/**
 * The draft's descriptive fields, each bound to its own key of the Y.Map `meta`: typing writes
 * the key, and another person's change shows at once (the same field is last-writer-wins).
 */
export function MetaEditor({ doc, readOnly, members, regions, parentName, peers, setFocus }: MetaEditorProps) {
  const meta = metaOf(doc);
  const text = (key: string) => (typeof meta.get(key) === "string" ? (meta.get(key) as string) : "");
  const write = (key: string, value: string | null) => doc.transact(() => meta.set(key, value));
  const focus = (key: string) => ({ onFocus: () => setFocus(`meta:${key}`) });
  const name = text("name");
  const ownerId = text("ownerId");
  const regionId = text("regionId");
  const parentId = text("parentId");
  const decisionUse = text("decisionUse") || "none";

  return (
    <div className="meta-editor">
      <MetaField label="Name" focusId="meta:name" peers={peers}>
        {(id) => (
          <>
            <input
              id={id}
              className="input"
              value={name}
              maxLength={120}
              disabled={readOnly}
              aria-invalid={name.trim() ? undefined : true}
              aria-describedby={name.trim() ? undefined : `${id}-error`}
              onChange={(e) => write("name", e.target.value)}
              {...focus("name")}
            />
            {name.trim() ? null : (
              <p className="field__error" id={`${id}-error`}>
                A segment needs a name.
              </p>
            )}
          </>
        )}
      </MetaField>
      {(
        [
          ["description", "Description", "Who these customers are"],
          ["valueProposition", "Value proposition", "What we offer them, and why it matters to the business"],
        ] as const
      ).map(([key, label, placeholder]) => (
        <MetaField key={key} label={label} focusId={`meta:${key}`} peers={peers}>
          {(id) => (
            <textarea
              id={id}
              className="input textarea"
              rows={2}
              maxLength={4000}
              value={text(key)}
              disabled={readOnly}
              placeholder={placeholder}
              onChange={(e) => write(key, e.target.value)}
              {...focus(key)}
            />
          )}
        </MetaField>
      ))}
      <div className="meta-editor__row">
        <MetaField label="Owner" focusId="meta:ownerId" peers={peers}>
          {(id) => (
            <select
              id={id}
              className="input select"
              value={ownerId}
              disabled={readOnly}
              onChange={(e) => write("ownerId", e.target.value || null)}
              {...focus("ownerId")}
            >
              <option value="">No owner</option>
              {ownerId && !members.some((m) => m.id === ownerId) ? <option value={ownerId}>A former member</option> : null}
              {members.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.name}
                </option>
              ))}
            </select>
          )}
        </MetaField>
        <MetaField
          label="Region"
          focusId="meta:regionId"
          peers={peers}
          description={parentId ? `A regional variant of “${parentName ?? "its parent"}”: its members are the parent's in this region.` : undefined}
        >
          {(id) => (
            <select
              id={id}
              className="input select"
              value={regionId}
              disabled={readOnly}
              onChange={(e) => write("regionId", e.target.value || null)}
              {...focus("regionId")}
            >
              {parentId ? (
                <option value="" disabled>
                  Choose a region…
                </option>
              ) : (
                <option value="">Global (every region)</option>
              )}
              {regions.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                </option>
              ))}
            </select>
          )}
        </MetaField>
      </div>
      <MetaField
        label="Decision use"
        focusId="meta:decisionUse"
        peers={peers}
        description={
          decisionUse === "none"
            ? "Not used to decide prices, credit or service levels for individual customers."
            : "Audited for bias before publication: a group selected at under four-fifths of the top group's rate needs a committee justification."
        }
      >
        {(id) => (
          <select
            id={id}
            className="input select"
            value={decisionUse}
            disabled={readOnly}
            onChange={(e) => write("decisionUse", e.target.value)}
            {...focus("decisionUse")}
          >
            {DECISION_USES.map((u) => (
              <option key={u} value={u}>
                {DECISION_USE_LABELS[u]}
              </option>
            ))}
          </select>
        )}
      </MetaField>
    </div>
  );
}
