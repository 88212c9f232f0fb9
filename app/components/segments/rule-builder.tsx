import { createContext, useContext, useId, useState, type FocusEvent, type KeyboardEvent } from "react";
import * as Y from "yjs";
import { fieldLabel } from "../../../server/services/segments/describe";
import { childrenOf, isGroupMap, newNodeId, nodeMap } from "../../../server/services/segments/draft-doc";
import { MAX_DEPTH, ZCondition, type Condition } from "../../../server/services/segments/rules";
import {
  fieldGroups,
  kindOfField,
  OPERATOR_CHOICES,
  OPERATORS_BY_KIND,
  CLUSTER_FIELD,
  SEGMENT_FIELD,
  type BuilderAttribute,
  type FieldKind,
} from "~/lib/segments";
import { PeerAvatars, type Peer } from "./peer-avatars";

export interface BuilderOptions {
  attributes: BuilderAttribute[];
  /** Segments a rule may refer to (the edited one left out). */
  segments: { id: string; name: string; status: string }[];
  regions: { id: string; name: string }[];
  rfmSegments: string[];
  /** Completed model runs and the clusters of their chosen k (empty for roles that may not read models). */
  clusters: { id: string; k: number | null; features: string[]; clusters: { cluster: number; size: number; suggestedName: string | null }[] }[];
  /** Known values of category fields (region, attr:<key>), most frequent first. */
  values: Record<string, string[]>;
}

interface BuilderContextValue {
  doc: Y.Doc;
  readOnly: boolean;
  options: BuilderOptions;
  peers: Map<string, Peer[]>;
  setFocus: (id: string | null) => void;
}

const BuilderContext = createContext<BuilderContextValue | null>(null);

function useBuilder(): BuilderContextValue {
  const value = useContext(BuilderContext);
  if (!value) throw new Error("rule builder parts are only used inside RuleBuilder");
  return value;
}

type YNode = Y.Map<unknown>;

const VALUE_KEYS = ["value", "values", "days", "segmentId", "modelRunId", "cluster"] as const;
const DEFAULT_OPERATOR: Record<FieldKind, Condition["op"]> = {
  number: "gte",
  category: "in",
  date: "within_last_days",
  segment: "in_segment",
  cluster: "in_cluster",
};

/** A new condition: a field and an operator, the value left for the person to enter. */
function blankCondition(): Condition {
  // Incomplete on purpose (no value yet): the builder says what is missing.
  return { id: newNodeId(), field: "frequency", op: "gte" } as unknown as Condition;
}

function newCondition(): YNode {
  return nodeMap(blankCondition());
}

/** A new group holding one blank condition (a Y.Map is only readable once in the document, so it is built whole). */
function newGroup(combinator: "and" | "or"): YNode {
  return nodeMap({ id: newNodeId(), combinator, children: [blankCondition()] });
}

/** Where a node sits now (another person may have moved things since this render). */
function indexOf(list: Y.Array<YNode>, id: string): number {
  return list.toArray().findIndex((n) => n.get("id") === id);
}

/** What still has to be filled in for a condition to be complete, or null when it is. */
function missingPart(node: YNode, kind: FieldKind): string | null {
  const values = node.get("values");
  if (kind === "category" && Array.isArray(values) && values.length === 0) {
    return node.get("op") === "in" ? "Add at least one value: an empty list matches no one." : "Add at least one value to leave out.";
  }
  if (ZCondition.safeParse(node.toJSON()).success) return null;
  const op = node.get("op");
  if (kind === "segment") return "Choose a segment.";
  if (kind === "cluster") return "Choose a cluster of a model run.";
  if (kind === "date") return op === "within_last_days" ? "Enter a number of days." : "Choose a date.";
  if (kind === "number") return op === "between" ? "Enter both numbers." : "Enter a number.";
  return "Add at least one value.";
}

/* ---------- Value inputs ---------- */

/** A number typed as text: the document gets a number once the text is one, and loses it when cleared. */
function NumberInput({
  value,
  onCommit,
  label,
  disabled,
  integer,
}: {
  value: unknown;
  onCommit: (value: number | null) => void;
  label: string;
  disabled: boolean;
  integer?: boolean;
}) {
  const external = typeof value === "number" && Number.isFinite(value) ? value : null;
  const [text, setText] = useState(external === null ? "" : String(external));
  const [shown, setShown] = useState(external);
  const parsed = parseNumber(text, integer);
  if (external !== shown) {
    // The document changed (another person, or this input's own commit): keep the text when it
    // already says that number ("1." while typing 1.5), otherwise show the document's number.
    setShown(external);
    if (!(parsed.valid && parsed.value === external)) setText(external === null ? "" : String(external));
  }
  return (
    <input
      className={`input input--sm rule__number${parsed.valid ? "" : " input--invalid"}`}
      inputMode={integer ? "numeric" : "decimal"}
      value={text}
      aria-label={label}
      aria-invalid={parsed.valid ? undefined : true}
      disabled={disabled}
      onChange={(e) => {
        const next = parseNumber(e.target.value, integer);
        setText(e.target.value);
        if (next.valid) onCommit(next.value);
      }}
    />
  );
}

function parseNumber(text: string, integer?: boolean): { valid: boolean; value: number | null } {
  const trimmed = text.trim().replace(/\s/g, "").replace(",", ".");
  if (!trimmed) return { valid: true, value: null };
  const value = Number(trimmed);
  if (!Number.isFinite(value) || (integer && !Number.isInteger(value))) return { valid: false, value: null };
  return { valid: true, value };
}

/** Category values as removable chips, with a text box (Enter or comma adds; a pasted list is split). */
function ValuesInput({
  node,
  label,
  known,
  knownLabels,
  closed,
}: {
  node: YNode;
  label: string;
  known: string[];
  knownLabels?: Record<string, string>;
  /** The known values are all there is (RFM segments, yes / no): offer them as checkboxes. */
  closed: boolean;
}) {
  const { doc, readOnly } = useBuilder();
  const [draft, setDraft] = useState("");
  const listId = useId();
  const values = Array.isArray(node.get("values")) ? (node.get("values") as string[]) : [];
  const write = (next: string[]) => doc.transact(() => node.set("values", next));

  if (closed && values.every((v) => known.includes(v))) {
    return (
      <fieldset className="rule__choices" disabled={readOnly}>
        <legend className="visually-hidden">{label}</legend>
        {known.map((v) => (
          <label key={v} className="checkbox checkbox--sm">
            <input
              type="checkbox"
              checked={values.includes(v)}
              onChange={(e) => write(e.target.checked ? [...values, v] : values.filter((x) => x !== v))}
            />
            <span>{knownLabels?.[v] ?? v}</span>
          </label>
        ))}
      </fieldset>
    );
  }

  function add(text: string) {
    const extra = text
      .split(",")
      .map((v) => v.trim())
      .filter((v) => v && !values.includes(v));
    if (extra.length) write([...values, ...new Set(extra)]);
    setDraft("");
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === "Enter" || event.key === ",") {
      event.preventDefault();
      add(draft);
    } else if (event.key === "Backspace" && !draft && values.length) {
      write(values.slice(0, -1));
    }
  }

  return (
    <div className="rule__values">
      {values.length ? (
        <ul className="value-chips" aria-label={`${label}: chosen values`}>
          {values.map((v) => (
            <li key={v} className="value-chip">
              <span>{v}</span>
              {readOnly ? null : (
                <button
                  type="button"
                  className="value-chip__remove"
                  aria-label={`Remove ${v}`}
                  onClick={() => write(values.filter((x) => x !== v))}
                >
                  ×
                </button>
              )}
            </li>
          ))}
        </ul>
      ) : null}
      {readOnly ? null : (
        <>
          <input
            className="input input--sm rule__value-input"
            value={draft}
            list={known.length ? listId : undefined}
            aria-label={label}
            placeholder={known.length ? "Type or pick a value, Enter to add" : "Type a value, Enter to add"}
            onChange={(e) => {
              if (e.target.value.includes(",")) add(e.target.value);
              else setDraft(e.target.value);
            }}
            onKeyDown={onKeyDown}
            onBlur={() => draft.trim() && add(draft)}
          />
          {known.length ? (
            <datalist id={listId}>
              {known.map((v) => (
                <option key={v} value={v} />
              ))}
            </datalist>
          ) : null}
        </>
      )}
    </div>
  );
}

/* ---------- Conditions ---------- */

function ConditionEditor({ node, list, label }: { node: YNode; list: Y.Array<YNode>; label: string }) {
  const { doc, readOnly, options, peers, setFocus } = useBuilder();
  const id = String(node.get("id") ?? "");
  const field = node.get("field") as string | undefined;
  const op = node.get("op") as Condition["op"] | undefined;
  const kind = kindOfField(field, op, options.attributes);
  const groups = fieldGroups(options.attributes, options.clusters.length > 0 || kindOfField(field, op, options.attributes) === "cluster");
  const missing = missingPart(node, kind);
  const set = (key: string, value: unknown) =>
    doc.transact(() => {
      if (value === null || value === undefined) node.delete(key);
      else node.set(key, value);
    });

  function changeField(next: string) {
    const fieldless = next === SEGMENT_FIELD || next === CLUSTER_FIELD;
    const nextKind = kindOfField(fieldless ? undefined : next, next === SEGMENT_FIELD ? "in_segment" : next === CLUSTER_FIELD ? "in_cluster" : undefined, options.attributes);
    doc.transact(() => {
      if (nextKind === "segment" || nextKind === "cluster") node.delete("field");
      else node.set("field", next);
      if (nextKind !== kind || nextKind === "category") {
        for (const key of VALUE_KEYS) node.delete(key);
        if (nextKind !== kind) node.set("op", DEFAULT_OPERATOR[nextKind]);
        if (nextKind === "category") node.set("values", []);
      }
    });
  }

  function changeOperator(next: Condition["op"]) {
    doc.transact(() => {
      const value = node.get("value");
      if (next === "between" && op !== "between") node.set("value", [typeof value === "number" ? value : null, null]);
      else if (next !== "between" && op === "between") {
        const first = Array.isArray(value) ? value[0] : null;
        if (typeof first === "number") node.set("value", first);
        else node.delete("value");
      } else if (kind === "date" && (next === "within_last_days") !== (op === "within_last_days")) {
        node.delete("value");
        node.delete("days");
      }
      node.set("op", next);
    });
  }

  function remove() {
    const at = indexOf(list, id);
    if (at >= 0) doc.transact(() => list.delete(at, 1));
  }

  const fieldValue = kind === "segment" ? SEGMENT_FIELD : kind === "cluster" ? CLUSTER_FIELD : (field ?? "");
  const knownField = groups.some((g) => g.options.some((o) => o.value === fieldValue));
  const between = Array.isArray(node.get("value")) ? (node.get("value") as unknown[]) : [null, null];
  const attribute = field?.startsWith("attr:") ? options.attributes.find((a) => `attr:${a.key}` === field) : undefined;
  const known =
    field === "rfm_segment"
      ? options.rfmSegments
      : attribute?.type === "boolean"
        ? ["true", "false"]
        : (options.values[field ?? ""] ?? (field === "region" ? options.regions.map((r) => r.name) : []));
  const segmentId = node.get("segmentId") as string | undefined;
  const segmentChoices = options.segments.filter((s) => s.status === "active" || s.id === segmentId);

  return (
    <div
      className={`rule${missing ? " rule--incomplete" : ""}`}
      data-node={id}
      onFocus={(e: FocusEvent) => {
        e.stopPropagation();
        setFocus(id);
      }}
    >
      <div className="rule__controls">
        <select
          className="input select input--sm rule__field"
          aria-label={`Field, ${label}`}
          value={fieldValue}
          disabled={readOnly}
          onChange={(e) => changeField(e.target.value)}
        >
          {!knownField ? <option value={fieldValue}>{field ? field.replace(/^attr:/, "") : "Choose a field"}</option> : null}
          {groups.map((g) => (
            <optgroup key={g.label} label={g.label}>
              {g.options.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </optgroup>
          ))}
        </select>
        <select
          className="input select input--sm rule__op"
          aria-label={`Operator, ${label}`}
          value={op ?? DEFAULT_OPERATOR[kind]}
          disabled={readOnly}
          onChange={(e) => changeOperator(e.target.value as Condition["op"])}
        >
          {OPERATORS_BY_KIND[kind].map((o) => (
            <option key={o} value={o}>
              {OPERATOR_CHOICES[o]}
            </option>
          ))}
        </select>
        {kind === "number" && op === "between" ? (
          <span className="rule__between">
            <NumberInput
              value={between[0]}
              label={`From, ${label}`}
              disabled={readOnly}
              onCommit={(v) => set("value", [v, between[1] ?? null])}
            />
            <span aria-hidden="true">and</span>
            <NumberInput
              value={between[1]}
              label={`To, ${label}`}
              disabled={readOnly}
              onCommit={(v) => set("value", [between[0] ?? null, v])}
            />
          </span>
        ) : kind === "number" ? (
          <NumberInput value={node.get("value")} label={`Value, ${label}`} disabled={readOnly} onCommit={(v) => set("value", v)} />
        ) : kind === "category" ? (
          <ValuesInput
            node={node}
            label={`Values, ${label}`}
            known={known}
            closed={field === "rfm_segment" || attribute?.type === "boolean"}
            knownLabels={attribute?.type === "boolean" ? { true: "Yes", false: "No" } : undefined}
          />
        ) : kind === "date" && op === "within_last_days" ? (
          <span className="rule__between">
            <NumberInput value={node.get("days")} label={`Days, ${label}`} disabled={readOnly} integer onCommit={(v) => set("days", v)} />
            <span aria-hidden="true">days</span>
          </span>
        ) : kind === "date" ? (
          <input
            type="date"
            className="input input--sm rule__date"
            aria-label={`Date, ${label}`}
            value={typeof node.get("value") === "string" ? (node.get("value") as string) : ""}
            disabled={readOnly}
            onChange={(e) => set("value", e.target.value || null)}
          />
        ) : kind === "cluster" ? (
          <ClusterSelect node={node} label={label} />
        ) : (
          <select
            className="input select input--sm rule__segment"
            aria-label={`Segment, ${label}`}
            value={segmentId ?? ""}
            disabled={readOnly}
            onChange={(e) => set("segmentId", e.target.value || null)}
          >
            <option value="">Choose a segment…</option>
            {segmentChoices.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        )}
        <PeerAvatars peers={peers.get(id) ?? []} />
        {readOnly ? null : (
          <button type="button" className="icon-button rule__remove" title="Remove this condition" aria-label={`Remove ${label}`} onClick={remove}>
            <span aria-hidden="true">✕</span>
          </button>
        )}
      </div>
      {missing ? <p className="rule__missing">{missing}</p> : null}
    </div>
  );
}

/** One select over every completed run's clusters; the choice writes modelRunId and cluster together. */
function ClusterSelect({ node, label }: { node: YNode; label: string }) {
  const { doc, readOnly, options } = useBuilder();
  const runId = node.get("modelRunId") as string | undefined;
  const cluster = node.get("cluster") as number | undefined;
  const value = runId && typeof cluster === "number" ? `${runId}:${cluster}` : "";
  const known = options.clusters.some((r) => r.id === runId && r.clusters.some((c) => c.cluster === cluster));
  const choose = (next: string) =>
    doc.transact(() => {
      const [id, number] = next.split(":");
      if (!id) {
        node.delete("modelRunId");
        node.delete("cluster");
        return;
      }
      node.set("modelRunId", id);
      node.set("cluster", Number(number));
    });
  return (
    <select className="input select input--sm rule__segment" aria-label={`Cluster, ${label}`} value={value} disabled={readOnly} onChange={(e) => choose(e.target.value)}>
      <option value="">Choose a cluster…</option>
      {value && !known ? <option value={value}>Cluster {cluster} of a model run</option> : null}
      {options.clusters.map((run) => (
        <optgroup key={run.id} label={`Run of ${new Intl.ListFormat("en", { type: "conjunction" }).format(run.features.map((f) => fieldLabel(f)))} (k = ${run.k ?? "?"})`}>
          {run.clusters.map((c) => (
            <option key={c.cluster} value={`${run.id}:${c.cluster}`}>
              {`Cluster ${c.cluster}${c.suggestedName ? ` · ${c.suggestedName}` : ""} (${c.size.toLocaleString("en-US")})`}
            </option>
          ))}
        </optgroup>
      ))}
    </select>
  );
}

/* ---------- Groups ---------- */

function GroupEditor({
  group,
  list,
  depth,
  path,
}: {
  group: YNode;
  list: Y.Array<YNode> | null;
  depth: number;
  /** "2.1": where the group sits, for the names of its controls ("" for the top). */
  path: string;
}) {
  const { doc, readOnly, peers, setFocus } = useBuilder();
  const id = String(group.get("id") ?? "");
  const children = childrenOf(group);
  const nodes = children ? children.toArray() : [];
  const combinator = group.get("combinator") === "or" ? "or" : "and";
  const top = list === null;
  const label = `group ${path}`;

  function add(node: YNode) {
    doc.transact(() => {
      if (!group.get("children")) group.set("children", new Y.Array<YNode>());
      childrenOf(group).push([node]);
    });
  }

  function remove() {
    if (!list) return;
    const at = indexOf(list, id);
    if (at >= 0) doc.transact(() => list.delete(at, 1));
  }

  return (
    <div
      className={`rule-group${top ? " rule-group--top" : ""} rule-group--${combinator}`}
      data-node={id}
      role="group"
      aria-label={top ? "Rules" : label}
      onFocus={(e: FocusEvent) => {
        e.stopPropagation();
        setFocus(id);
      }}
    >
      <div className="rule-group__head">
        <label className="rule-group__match">
          <span>{top ? "Customers who match" : "Match"}</span>
          <select
            className="input select input--sm"
            value={combinator}
            disabled={readOnly}
            aria-label={top ? "Match all or any of the rules" : `Match all or any, ${label}`}
            onChange={(e) => doc.transact(() => group.set("combinator", e.target.value))}
          >
            <option value="and">all</option>
            <option value="or">any</option>
          </select>
          <span>of the following</span>
        </label>
        <PeerAvatars peers={peers.get(id) ?? []} />
        {!top && !readOnly ? (
          <button type="button" className="button button--ghost button--sm rule__remove" onClick={remove}>
            Remove group<span className="visually-hidden"> {label}</span>
          </button>
        ) : null}
      </div>
      {nodes.length ? (
        <ol className="rule-group__children">
          {nodes.map((child, i) => {
            const childPath = top ? `${i + 1}` : `${path}.${i + 1}`;
            const key = String(child.get("id") ?? i);
            return (
              <li key={key} className="rule-group__child">
                <span className="rule-group__joiner" aria-hidden="true">
                  {i === 0 ? "" : combinator === "and" ? "and" : "or"}
                </span>
                {isGroupMap(child) ? (
                  <GroupEditor group={child} list={children} depth={depth + 1} path={childPath} />
                ) : (
                  <ConditionEditor node={child} list={children} label={`rule ${childPath}`} />
                )}
              </li>
            );
          })}
        </ol>
      ) : (
        <p className="rule-group__empty">
          {combinator === "and" ? "No conditions yet: every customer matches." : "No conditions yet: no customer matches."}
        </p>
      )}
      {readOnly ? null : (
        <div className="rule-group__actions">
          <button type="button" className="button button--secondary button--sm" onClick={() => add(newCondition())}>
            + Add condition{top ? null : <span className="visually-hidden"> to {label}</span>}
          </button>
          {depth < MAX_DEPTH - 1 ? (
            <button
              type="button"
              className="button button--ghost button--sm"
              onClick={() => add(newGroup(combinator === "and" ? "or" : "and"))}
            >
              + Add group{top ? null : <span className="visually-hidden"> to {label}</span>}
            </button>
          ) : null}
        </div>
      )}
    </div>
  );
}

/**
 * The co-edited rule tree: nested all/any groups of conditions, each field of a condition a key
 * of its own Y.Map so that two people editing different parts merge. The node being edited is
 * announced to the others (awareness focus) and their avatars show next to what they edit.
 */
export function RuleBuilder({
  doc,
  root,
  readOnly,
  options,
  peers,
  setFocus,
}: BuilderContextValue & { root: YNode }) {
  return (
    <BuilderContext.Provider value={{ doc, readOnly, options, peers, setFocus }}>
      <GroupEditor group={root} list={null} depth={0} path="" />
    </BuilderContext.Provider>
  );
}
