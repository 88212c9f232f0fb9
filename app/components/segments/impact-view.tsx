import type { Preview } from "../../../server/services/segments/preview";
import { formatMoney, formatShare } from "~/lib/data";
import { formatNumber, formatSigned } from "~/lib/segments";
import { OverlapChart } from "./overlap-chart";

/**
 * Who a definition selects: the matching count and its share of the customer base, the change
 * against the published version, what exclusive assignment leaves it, the opted-out customers
 * left out, a sample and the overlap with the other segments.
 */
export function ImpactView({ impact, segmentName }: { impact: Preview; segmentName: string }) {
  const change = impact.published ? impact.matching - impact.published.members : null;
  return (
    <div className="impact">
      <dl className="impact__numbers">
        <div className="impact__number impact__number--main">
          <dt>Matching customers</dt>
          <dd>
            <span className="impact__value" data-testid="preview-matching">
              {formatNumber(impact.matching)}
            </span>
            <span className="impact__hint">
              {formatShare(impact.share)} of {formatNumber(impact.base)} customers
            </span>
          </dd>
        </div>
        {impact.published ? (
          <div className="impact__number">
            <dt>Against version {impact.published.version}</dt>
            <dd>
              <span className={`impact__value impact__change${change! > 0 ? " impact__change--up" : change! < 0 ? " impact__change--down" : ""}`}>
                {formatSigned(change!)}
              </span>
              <span className="impact__hint">
                <span className="diff-count diff-count--added">+{formatNumber(impact.published.added)} join</span>{" "}
                <span className="diff-count diff-count--removed">−{formatNumber(impact.published.removed)} leave</span> · now{" "}
                {formatNumber(impact.published.members)}
              </span>
            </dd>
          </div>
        ) : null}
        {impact.assigned !== null ? (
          <div className="impact__number">
            <dt>Assigned (exclusive)</dt>
            <dd>
              <span className="impact__value">{formatNumber(impact.assigned)}</span>
              <span className="impact__hint">once segments of higher priority take theirs</span>
            </dd>
          </div>
        ) : null}
        <div className="impact__number">
          <dt>Opted out, left out</dt>
          <dd>
            <span className="impact__value">{formatNumber(impact.optedOutExcluded)}</span>
            <span className="impact__hint">match the rules but never become members</span>
          </dd>
        </div>
      </dl>

      {impact.overlap.length ? (
        <div className="impact__section">
          <h4 className="impact__title">Overlap with other segments</h4>
          <OverlapChart overlap={impact.overlap} matching={impact.matching} title={`Overlap of ${segmentName} with the other active segments`} />
        </div>
      ) : null}

      <div className="impact__section">
        <h4 className="impact__title">Sample of matching customers</h4>
        {impact.sample.length ? (
          <div className="table-wrap table-wrap--inset">
            <table className="table table--compact">
              <thead>
                <tr>
                  <th scope="col">Customer</th>
                  <th scope="col">Region</th>
                  <th scope="col">RFM segment</th>
                  <th scope="col" className="num">
                    Total spend
                  </th>
                </tr>
              </thead>
              <tbody>
                {impact.sample.map((c) => (
                  <tr key={c.externalId}>
                    <td className="mono">{c.externalId}</td>
                    <td>{c.region ?? <span className="muted">—</span>}</td>
                    <td>{c.rfmSegment ?? <span className="muted">—</span>}</td>
                    <td className="num">{formatMoney(c.monetary)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p className="muted small">No customer matches these rules.</p>
        )}
      </div>
    </div>
  );
}
