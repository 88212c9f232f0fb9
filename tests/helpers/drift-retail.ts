/**
 * Per-customer features of the real Online Retail data (../shared/data/online_retail.csv.gz) in
 * two periods, for drift tests: Q1 2011 (January–March) and Q4 2011 (October–December).
 * Usual RFM cleaning: rows with a customer id, not cancelled ("C" invoices), quantity and unit
 * price > 0. Per customer and period: spend = Σ quantity × unit price (summed exactly in
 * thousandths, written with three decimals), frequency = distinct invoices, country = the
 * country of the customer's first row in the period.
 */
import path from "node:path";
import { normaliseCustomerId } from "../../server/analytics/transaction-fields";
import { openCsvFile, readCsvWithHeader } from "../../server/lib/csv-reader";
import { ROOT } from "./cli";

export const ONLINE_RETAIL = path.join(ROOT, "../shared/data/online_retail.csv.gz");

interface CustomerPeriod {
  milli: number;
  invoices: Set<string>;
  country: string;
}

const thousandths = (m: number) => `${Math.trunc(m / 1000)}.${String(m % 1000).padStart(3, "0")}`;

/** CSV text (header customer,spend,frequency,country) of each period, customers in first-seen order. */
export async function retailQuarterCsvs(): Promise<{ q1: string; q4: string }> {
  const table = await readCsvWithHeader(openCsvFile(ONLINE_RETAIL));
  const [inv, qty, date, price, cust, country] = table.header.require([
    "InvoiceNo",
    "Quantity",
    "InvoiceDate",
    "UnitPrice",
    "CustomerID",
    "Country",
  ]);
  const periods = { q1: new Map<string, CustomerPeriod>(), q4: new Map<string, CustomerPeriod>() };
  for await (const batch of table.batches()) {
    for (const { values } of batch) {
      const month = values[date].slice(0, 7);
      const period =
        month >= "2011-01" && month <= "2011-03"
          ? periods.q1
          : month >= "2011-10" && month <= "2011-12"
          ? periods.q4
          : null;
      if (!period) continue;
      const id = normaliseCustomerId(values[cust]);
      const invoice = values[inv].trim();
      const quantity = Number(values[qty]);
      const unitPrice = Number(values[price]);
      if (id === null || invoice.startsWith("C") || !(quantity > 0) || !(unitPrice > 0)) continue;
      const entry = period.get(id) ?? { milli: 0, invoices: new Set<string>(), country: values[country].trim() };
      entry.milli += quantity * Math.round(unitPrice * 1000);
      entry.invoices.add(invoice);
      period.set(id, entry);
    }
  }
  const csv = (m: Map<string, CustomerPeriod>) =>
    [
      "customer,spend,frequency,country",
      ...[...m].map(([id, c]) => `${id},${thousandths(c.milli)},${c.invoices.size},${c.country}`),
    ].join("\n") + "\n";
  return { q1: csv(periods.q1), q4: csv(periods.q4) };
}
