import { describe, expect, it } from "vitest";
import { slugify } from "../../server/services/workspaces/workspaces";

describe("slugify", () => {
  it("makes URL-safe lower-case slugs, folding accents", () => {
    expect(slugify("Northwind Retail")).toBe("northwind-retail");
    expect(slugify("  Café Société — EMEA!  ")).toBe("cafe-societe-emea");
  });

  it("falls back when nothing usable is left", () => {
    expect(slugify("!!!")).toBe("workspace");
    expect(slugify("北京")).toBe("workspace");
  });

  it("caps the length", () => {
    expect(slugify("a".repeat(100))).toHaveLength(40);
  });
});
