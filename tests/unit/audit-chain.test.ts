import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../server/services/audit/canonical";
import { entryHash, GENESIS_HASH } from "../../server/services/audit/chain";

describe("canonicalJson", () => {
  it("sorts keys at every depth and drops undefined members", () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null }, u: undefined })).toBe('{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
  });

  it("gives one text for the same value whatever the key order", () => {
    expect(canonicalJson({ x: 1, y: "é\n" })).toBe(canonicalJson({ y: "é\n", x: 1 }));
    expect(canonicalJson(null)).toBe("null");
    expect(canonicalJson(undefined)).toBe("null");
  });
});

describe("entryHash", () => {
  const entry = {
    tenantId: "t1",
    seq: 1,
    at: new Date("2026-01-02T03:04:05.678Z"),
    actorId: "u1",
    actorLabel: "ana@example.test",
    action: "region.create",
    objectType: "region",
    objectId: "r1",
    changes: { after: { name: "EMEA" } },
    requestId: null,
  };

  it("is sha256(prev_hash || canonical entry), as coreutils' sha256sum computes it", () => {
    // printf '%s' '<64 zeros>{"action":"region.create",...,"tenantId":"t1"}' | sha256sum
    expect(entryHash(GENESIS_HASH, entry)).toBe("ab0f88de55374704f6e3b14e4258b631ad5a9806b3ac1c6d1572e52879198b1d");
  });

  it("changes with any field and with the previous hash", () => {
    const base = entryHash(GENESIS_HASH, entry);
    expect(entryHash("f".repeat(64), entry)).not.toBe(base);
    expect(entryHash(GENESIS_HASH, { ...entry, actorLabel: "eve@example.test" })).not.toBe(base);
    expect(entryHash(GENESIS_HASH, { ...entry, changes: { after: { name: "EMEA " } } })).not.toBe(base);
    expect(entryHash(GENESIS_HASH, { ...entry, at: new Date("2026-01-02T03:04:05.679Z") })).not.toBe(base);
  });
});
