import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../server/config";

describe("parseConfig", () => {
  it("has working defaults for a zero-config start", () => {
    const c = parseConfig({});
    expect(c).toMatchObject({ PORT: 3000, SEED: "auto", APP_DB_ROLE: "quorum_app" });
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.DATA_DIR).toMatch(/\.data$/);
  });

  it("treats empty values as unset", () => {
    const c = parseConfig({ DATABASE_URL: "", PORT: "" });
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.PORT).toBe(3000);
  });

  it("names every bad value and what it must be", () => {
    let error: unknown;
    try {
      parseConfig({ PORT: "eighty", DATABASE_URL: "mysql://x", TRUST_PROXY: "maybe", APP_DB_ROLE: "Bad-Role" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('PORT="eighty": must be a number');
    expect(message).toContain('DATABASE_URL="mysql://x": must be a postgres:// or postgresql:// URL');
    expect(message).toContain('TRUST_PROXY="maybe": must be true or false');
    expect(message).toContain('APP_DB_ROLE="Bad-Role": must be a lower-case PostgreSQL identifier');
  });
});
