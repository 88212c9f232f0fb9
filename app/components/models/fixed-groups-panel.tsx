import type { ModelConstraint } from "../../../db/schema";
import { describeGroup } from "../../../server/services/segments/describe";
import { plural } from "~/lib/format";

interface Props {
  constraints: ModelConstraint[];
  /** Output of a completed run: each group's cluster at the chosen k and its size. */
  groups: { name: string; cluster: number; size: number }[] | undefined;
  /** Labels of numeric attributes by key (for the rule's words). */
  attributeLabels: Record<string, string>;
  n: number | null;
}

/** The run's business-rule constraints: who each fixed group holds and which cluster it is stored as. */
export function FixedGroupsPanel({ constraints, groups, attributeLabels, n }: Props) {
  return (
    <section className="card" aria-labelledby="fixed-groups-title">
      <h2 id="fixed-groups-title" className="card__title">
        Fixed groups
      </h2>
      <p className="card__subtitle">
        Business rules decided these customers' group before clustering; they were left out of the fit (and of the
        transforms), so the other customers are clustered exactly as they would be without them.
      </p>
      <div className="table-wrap table-wrap--inset">
        <table className="table table--compact">
          <thead>
            <tr>
              <th scope="col">Group</th>
              <th scope="col">Rule</th>
              <th scope="col" className="num">
                Cluster
              </th>
              <th scope="col" className="num">
                Customers
              </th>
            </tr>
          </thead>
          <tbody>
            {constraints.map((c) => {
              const out = groups?.find((g) => g.name === c.name);
              return (
                <tr key={c.name}>
                  <td>
                    <strong>{c.name}</strong>
                  </td>
                  <td>
                    {describeGroup(c.rules, { attribute: (key) => attributeLabels[key] ?? key.replace(/_/g, " ") })}
                  </td>
                  <td className="num">{out ? out.cluster : "—"}</td>
                  <td className="num">
                    {out ? (
                      <>
                        {out.size.toLocaleString("en-GB")}
                        {n ? <span className="muted small"> ({((100 * out.size) / n).toFixed(1)}%)</span> : null}
                      </>
                    ) : (
                      "—"
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {groups?.some((g) => g.size === 0) ? (
        <p className="muted small">
          {plural(groups.filter((g) => g.size === 0).length, "group matched", "groups matched")} no customer and has no
          profile.
        </p>
      ) : null}
    </section>
  );
}
