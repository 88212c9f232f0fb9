import type * as Y from "yjs";
import { ZDefinition, type Definition } from "../../../server/services/segments/definition";
import { diffDefinitions } from "../../../server/services/segments/diff";
import { readDefinition } from "../../../server/services/segments/draft-doc";
import { draftProblem, type Names } from "~/lib/segments";
import { DiffView } from "./diff-view";
import { useDocRevision } from "./use-doc-revision";

/** What the draft changes against the version it is based on, recomputed with every edit. */
export function DraftDiff({ doc, base, names }: { doc: Y.Doc; base: Definition | null; names: Names }) {
  useDocRevision(doc);
  const parsed = ZDefinition.safeParse(readDefinition(doc));
  return (
    <section className="card" aria-labelledby="draft-diff-title">
      <h2 id="draft-diff-title" className="card__title">
        {base ? "Changes against the published version" : "What this proposal creates"}
      </h2>
      <p className="card__subtitle">
        {base ? "Fields and rules this draft adds, removes or changes." : "Every field and rule of the new segment."}
      </p>
      {parsed.success ? (
        <DiffView diff={diffDefinitions(base, parsed.data, names)} emptyText="No change yet: edit the definition above." />
      ) : (
        <p className="muted">Shown once the draft is complete: {draftProblem(parsed.error)}.</p>
      )}
    </section>
  );
}
