import type { DefinitionDiff } from "../../../server/services/segments/diff";

/**
 * What a definition changes against another: descriptive fields (before → after) and rules
 * added, removed or changed, each with where it sits in the tree.
 */
export function DiffView({ diff, emptyText = "Nothing changes." }: { diff: DefinitionDiff; emptyText?: string }) {
  if (diff.empty) return <p className="muted">{emptyText}</p>;
  const { added, removed, changed } = diff.rules;
  return (
    <div className="diff">
      {diff.meta.length ? (
        <dl className="changes diff__meta">
          {diff.meta.map((m) => (
            <div key={m.field} className="changes__row">
              <dt>{m.label}</dt>
              <dd>
                {m.before === null ? (
                  <span className="changes__after">{m.after ?? "none"}</span>
                ) : (
                  <>
                    <span className="changes__before">{m.before}</span>
                    <span aria-label="changed to"> → </span>
                    <span className="changes__after">{m.after ?? "none"}</span>
                  </>
                )}
              </dd>
            </div>
          ))}
        </dl>
      ) : null}
      {added.length + removed.length + changed.length ? (
        <ul className="diff__rules">
          {added.map((r) => (
            <li key={`a-${r.id}`} className="diff__line diff__line--added">
              <span className="diff__sign" aria-hidden="true">
                +
              </span>
              <span className="visually-hidden">Added: </span>
              <span className="diff__text">{r.text}</span>
              <span className="diff__where" title="Where the rule sits in the tree">
                {r.where}
              </span>
            </li>
          ))}
          {removed.map((r) => (
            <li key={`r-${r.id}`} className="diff__line diff__line--removed">
              <span className="diff__sign" aria-hidden="true">
                −
              </span>
              <span className="visually-hidden">Removed: </span>
              <span className="diff__text">{r.text}</span>
              <span className="diff__where" title="Where the rule sits in the tree">
                {r.where}
              </span>
            </li>
          ))}
          {changed.map((r) => (
            <li key={`c-${r.id}`} className="diff__line diff__line--changed">
              <span className="diff__sign" aria-hidden="true">
                ~
              </span>
              <span className="visually-hidden">Changed: </span>
              <span className="diff__text">
                <span className="changes__before">{r.before}</span>
                <span aria-label="changed to"> → </span>
                <span className="changes__after">{r.after}</span>
              </span>
              <span className="diff__where" title="Where the rule sits in the tree">
                {r.where}
              </span>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
