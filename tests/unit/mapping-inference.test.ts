import { describe, expect, it } from "vitest";
import { inferMapping, inferType, validateMapping } from "../../server/services/data/mapping";

describe("inferType", () => {
  it("recognises numbers, dates, yes/no, repeating categories and free text", () => {
    expect(inferType(["1", "2.5", "-3", "", "4e2"])).toBe("number");
    expect(inferType(["2011-12-09", "2011-12-09 08:50:00", ""])).toBe("date");
    expect(inferType(["yes", "no", "yes"])).toBe("boolean");
    expect(inferType(["gold", "silver", "gold", "bronze", "gold", "silver"])).toBe("category");
    expect(inferType(["ana@example.test", "ben@example.test", "cy@example.test"])).toBe("text");
    expect(inferType([])).toBe("text");
  });
});

describe("inferMapping", () => {
  it("maps the Online Retail header and tags protected and PII columns for customers", () => {
    const tx = inferMapping("transactions", ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country"], []);
    expect(tx.mapping.columns.map((c) => c.field)).toEqual([
      "invoice_no",
      "stock_code",
      "description",
      "quantity",
      "occurred_at",
      "unit_price",
      "customer_id",
      "country",
    ]);
    const cu = inferMapping("customers", ["CustomerID", "Genre", "Age", "Home address", "Usage", "Language"], [["1", "Male", "19", "x", "3", "en"]]);
    const byColumn = Object.fromEntries(cu.mapping.columns.map((c) => [c.column, c.attribute?.sensitivity ?? c.field]));
    expect(byColumn).toEqual({ CustomerID: "external_id", Genre: "protected", Age: "protected", "Home address": "pii", Usage: "plain", Language: "plain" });
  });

  it("explains every problem with a mapping", () => {
    const problems = validateMapping("transactions", ["a", "b"], {
      delimiter: ",",
      columns: [
        { column: "a", field: "quantity" },
        { column: "b", field: "quantity" },
        { column: "c", field: "nonsense" },
      ],
    });
    expect(problems).toEqual([
      "Columns 'a' and 'b' both map to Quantity; choose one.",
      "Column 'c' is not in the file's header.",
      "Column 'c': 'nonsense' is not a field of a transactions file.",
      "No column is mapped to Invoice / order number, which a transactions file needs.",
      "No column is mapped to Date, which a transactions file needs.",
      "No column is mapped to Unit price, which a transactions file needs.",
    ]);
  });
});
