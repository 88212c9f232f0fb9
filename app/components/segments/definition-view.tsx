import type { Definition } from "../../../server/services/segments/definition";
import { describeCondition } from "../../../server/services/segments/describe";
import { isGroup, type RuleGroup } from "../../../server/services/segments/rules";
import type { Names } from "~/lib/segments";
import { DECISION_USE_LABELS } from "../../../server/services/segments/definition";

function GroupView({ group, names, top }: { group: RuleGroup; names: Names; top?: boolean }) {
  if (!group.children.length) {
    return (
      <p className="rules-text__empty">
        {group.combinator === "and" ? "No conditions: every customer matches." : "An empty “any of” group: no customer matches."}
      </p>
    );
  }
  return (
    <div className={`rules-text__group${top ? " rules-text__group--top" : ""}`}>
      <p className="rules-text__combinator">{group.combinator === "and" ? "All of these:" : "Any of these:"}</p>
      <ul>
        {group.children.map((child, i) =>
          isGroup(child) ? (
            <li key={child.id ?? i}>
              <GroupView group={child} names={names} />
            </li>
          ) : (
            <li key={child.id ?? i}>{describeCondition(child, names)}</li>
          ),
        )}
      </ul>
    </div>
  );
}

/** A rule tree in words: nested "all of" / "any of" lists of conditions. */
export function RulesText({ rules, names }: { rules: RuleGroup; names: Names }) {
  return (
    <div className="rules-text">
      <GroupView group={rules} names={names} top />
    </div>
  );
}

/** A definition as the committee reads it: description, value proposition, scope and rules. */
export function DefinitionView({ definition, names }: { definition: Definition; names: Names }) {
  return (
    <div className="definition">
      <dl className="details-list definition__meta">
        <div>
          <dt>Description</dt>
          <dd>{definition.description || <span className="muted">None given</span>}</dd>
        </div>
        <div>
          <dt>Value proposition</dt>
          <dd>{definition.valueProposition || <span className="muted">None given</span>}</dd>
        </div>
        {definition.decisionUse && definition.decisionUse !== "none" ? (
          <div>
            <dt>Decision use</dt>
            <dd>
              <span className="badge">{DECISION_USE_LABELS[definition.decisionUse]}</span>{" "}
              <span className="muted small">audited for bias before every publication</span>
            </dd>
          </div>
        ) : null}
        {definition.parentId ? (
          <div>
            <dt>Scope</dt>
            <dd>
              {`Regional variant: customers of “${names.segment(definition.parentId)}” in ${
                definition.regionId ? names.region(definition.regionId) : "its region"
              } who also match the rules below`}
            </dd>
          </div>
        ) : null}
      </dl>
      <h3 className="section__title">Who is in it</h3>
      <RulesText rules={definition.rules} names={names} />
    </div>
  );
}
