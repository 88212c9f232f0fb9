import { Link } from "@remix-run/react";
import { HistogramChart } from "~/components/charts/histogram-chart";
import { MissingnessChart } from "~/components/charts/missingness-chart";
import { TopValuesChart } from "~/components/charts/top-values-chart";
import { formatCount, formatDecimal, formatShare, type ImportQualityReport } from "~/lib/data";
import { formatDate, formatDateMinute } from "~/lib/format";

type Column = ImportQualityReport["columns"][number];
type Check = ImportQualityReport["checks"][number];

const SEVERITY_LABELS: Record<Check["severity"], string> = { error: "Error", warning: "Warning", info: "Info" };
const TYPE_LABELS: Record<Column["type"], string> = {
  number: "Number",
  text: "Text",
  date: "Date",
  boolean: "Yes / no",
  category: "Category",
};

/** "OK" for a check that found nothing; outlier checks are listed only when something was flagged. */
function SeverityBadge({ check }: { check: Check }) {
  if (!check.count && !check.id.startsWith("outliers:")) return <span className="badge badge--sev-ok">OK</span>;
  return <span className={`badge badge--sev-${check.severity}`}>{SEVERITY_LABELS[check.severity]}</span>;
}

function ChecksTable({ checks }: { checks: Check[] }) {
  return (
    <div className="table-wrap table-wrap--inset">
      <table className="table table--compact">
        <thead>
          <tr>
            <th scope="col">Severity</th>
            <th scope="col">Check</th>
            <th scope="col" className="num">
              Rows
            </th>
          </tr>
        </thead>
        <tbody>
          {checks.map((c) => (
            <tr key={c.id}>
              <td>
                <SeverityBadge check={c} />
              </td>
              <td>{c.label}</td>
              <td className={`num${c.count ? "" : " muted"}`}>{formatCount(c.count)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function NumberProfile({ column }: { column: Column }) {
  const n = column.number;
  if (!n) return null;
  return (
    <>
      {n.histogram.length ? (
        <HistogramChart bins={n.histogram} title={`Distribution of ${column.name}, 1st to 99th percentile`} />
      ) : (
        <p className="muted small">Too few distinct values for a histogram.</p>
      )}
      <dl className="mini-stats">
        <div>
          <dt>Min</dt>
          <dd>{formatDecimal(n.min)}</dd>
        </div>
        <div>
          <dt>Median</dt>
          <dd>{formatDecimal(n.quantiles.p50)}</dd>
        </div>
        <div>
          <dt>Mean</dt>
          <dd>{formatDecimal(n.mean)}</dd>
        </div>
        <div>
          <dt>Max</dt>
          <dd>{formatDecimal(n.max)}</dd>
        </div>
        <div>
          <dt>Q1 – Q3</dt>
          <dd>
            {formatDecimal(n.quantiles.p25)} – {formatDecimal(n.quantiles.p75)}
          </dd>
        </div>
        <div>
          <dt>Zero / negative</dt>
          <dd>
            {formatCount(n.zero)} / {formatCount(n.negative)}
          </dd>
        </div>
      </dl>
      <p className="profile__outliers">
        <strong>Outliers, flagged, not removed:</strong> {formatCount(n.iqrOutliers)} outside the IQR fences (Q1 − 1.5
        IQR, Q3 + 1.5 IQR); {formatCount(n.robustZOutliers)} with a robust z-score above 3.5 (median and MAD).
      </p>
    </>
  );
}

function DateProfile({ column }: { column: Column }) {
  const d = column.date;
  if (!d) return null;
  return (
    <dl className="mini-stats">
      <div>
        <dt>From</dt>
        <dd>{d.min ? formatDate(d.min) : "—"}</dd>
      </div>
      <div>
        <dt>To</dt>
        <dd>{d.max ? formatDate(d.max) : "—"}</dd>
      </div>
      <div>
        <dt>In the future</dt>
        <dd className={d.future ? "field__error" : undefined}>{formatCount(d.future)}</dd>
      </div>
    </dl>
  );
}

function ColumnProfile({ column, rows }: { column: Column; rows: number }) {
  return (
    <section
      className={`profile${column.blocksModelling ? " profile--blocked" : ""}`}
      aria-label={`Column ${column.name}`}
    >
      <header className="profile__header">
        <h4 className="profile__name">{column.name}</h4>
        <span className="chip">{TYPE_LABELS[column.type]}</span>
      </header>
      <p className="profile__facts">
        {formatCount(column.distinct)} distinct · {formatCount(column.missing)} missing (
        {formatShare(column.missingShare)})
        {column.blocksModelling ? <span className="field__error"> · blocks modelling</span> : null}
      </p>
      <NumberProfile column={column} />
      <DateProfile column={column} />
      {column.topValues?.length ? (
        <TopValuesChart
          values={column.topValues}
          total={rows - column.missing}
          title={`Most frequent values of ${column.name}`}
        />
      ) : null}
    </section>
  );
}

/**
 * The data-quality report of one import: checks with their severity, missing values per column
 * against the workspace's threshold, and a profile per column (distribution, outliers, dates,
 * most frequent values).
 */
export function QualityReport({ report, canConfigure }: { report: ImportQualityReport; canConfigure: boolean }) {
  const threshold = report.thresholds.maxMissingShare;
  const blocked = report.columns.filter((c) => c.blocksModelling);
  return (
    <section className="card" aria-labelledby="quality-title">
      <div className="card__header">
        <div>
          <h2 id="quality-title" className="card__title">
            Data quality
          </h2>
          <p className="card__subtitle">
            Profiled over the {formatCount(report.rows)} valid rows, {formatDateMinute(report.generatedAt)}. Nothing
            here changes the data: outliers and duplicates are flagged, not removed.
          </p>
        </div>
      </div>

      <h3 className="section__title">Checks</h3>
      <ChecksTable checks={report.checks} />

      <h3 className="section__title section__title--spaced">Missing values per column</h3>
      <p className="muted small chart-intro">
        A column more than {formatShare(threshold)} empty blocks modelling on it
        {canConfigure ? (
          <>
            {" "}
            (<Link to="/data/settings">change the limit</Link>)
          </>
        ) : null}
        .{" "}
        {blocked.length
          ? `${blocked.length === 1 ? "One column is" : `${blocked.length} columns are`} over it: ${blocked
              .map((c) => c.name)
              .join(", ")}.`
          : "No column is over it."}
      </p>
      <MissingnessChart
        rows={report.columns}
        threshold={threshold}
        title={`Share of missing values per column; the limit for modelling is ${formatShare(threshold)}`}
      />

      <h3 className="section__title section__title--spaced">Columns</h3>
      <div className="profile-grid">
        {report.columns.map((c) => (
          <ColumnProfile key={c.name} column={c} rows={report.rows} />
        ))}
      </div>
    </section>
  );
}
