/**
 * Centroid shift of a cluster-based segment, on real PostgreSQL, against a hand computation.
 * A completed model run is written by hand (insertTwoClusterRun): k = 2 on monetary and
 * frequency, even-numbered customers in cluster 1 and odd ones in cluster 2 (1,500 each), with
 * stored profiles
 *   cluster 1: monetary mean 400 (standardised difference −0.5), frequency 1.2 (−0.25)
 *   cluster 2: monetary mean 600 (+0.5),                          frequency 1.4 (+0.25)
 * so the run's overall means are 500 and 1.3 and its standard deviations 100 / 0.5 = 200 and
 * 0.1 / 0.25 = 0.4. "Cluster one" (in cluster 1) has the even customers; their current means
 * come from the seed's formulas (tests/helpers/monitoring), computed here in plain arithmetic.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeWorkspace, type FactoryWorkspace } from "../../db/seed/factories";
import { monitoringOverview } from "../../server/services/monitoring";
import { centroidShift, runStandardDeviations } from "../../server/services/monitoring/centroid";
import { createTestDatabase, type TestDatabase } from "../helpers/db";
import { publishedSegment, scopeOf } from "../helpers/governance";
import { insertTwoClusterRun, seedMonitoringCustomers } from "../helpers/monitoring";

let t: TestDatabase;
let w: FactoryWorkspace;
let runId = "";
let segmentId = "";
const N = 3000;

const monetaryOf = (i: number) => ((i * 37) % 1000) + 1;
const frequencyOf = (i: number) => ((i % 3 === 0 && i % 6 === 0) || (i % 3 !== 0 && i % 5 === 0) ? 2 : 1);
const even = Array.from({ length: N }, (_, j) => j + 1).filter((i) => i % 2 === 0);
const meanOf = (f: (i: number) => number) => even.reduce((s, i) => s + f(i), 0) / even.length;

beforeAll(async () => {
  t = await createTestDatabase();
  w = await makeWorkspace(t.db, "Centroid Co");
  await seedMonitoringCustomers(t, w.tenantId, N);
  runId = await insertTwoClusterRun(t, w.tenantId);
  segmentId = (await publishedSegment(w, "Cluster one", { combinator: "and", children: [{ op: "in_cluster", modelRunId: runId, cluster: 1 }] }))
    .segmentId;
  // A segment without cluster rules is not listed.
  await publishedSegment(w, "Big spenders", { combinator: "and", children: [{ op: "gte", field: "monetary", value: 500 }] });
});
afterAll(() => t.drop());

describe("centroid shift", () => {
  it("recovers the run's standard deviations from its profiles (unequal sizes too)", () => {
    const sds = runStandardDeviations([
      { cluster: 1, size: 1000, profile: [{ feature: "x", mean: 10, standardisedDifference: (10 - 30) / 20 }] },
      { cluster: 2, size: 2000, profile: [{ feature: "x", mean: 40, standardisedDifference: (40 - 30) / 20 }] },
    ]);
    expect(sds.get("x")!.mean).toBeCloseTo(30, 12);
    expect(sds.get("x")!.sd).toBeCloseTo(20, 12);
    // A constant feature and a feature that is not a customer feature are not measured.
    const r = centroidShift(
      [
        { cluster: 1, size: 5, profile: [{ feature: "c", mean: 3, standardisedDifference: 0 }, { feature: "attr:income", mean: 9, standardisedDifference: 1 }] },
        { cluster: 2, size: 5, profile: [{ feature: "c", mean: 3, standardisedDifference: 0 }, { feature: "attr:income", mean: 7, standardisedDifference: -1 }] },
      ],
      1,
      new Map([["c", 3]]),
    );
    expect(r).toEqual({
      features: [],
      notMeasured: [
        { feature: "c", reason: "constant at the run" },
        { feature: "attr:income", reason: "not a customer feature" },
      ],
      distance: null,
    });
  });

  it("measures the members' mean against the cluster's centroid in the run's sd, before and after a shift", async () => {
    const mM = meanOf(monetaryOf);
    const mF = meanOf(frequencyOf);
    const overview = await monitoringOverview(scopeOf(w, "viewer"));
    expect(overview.centroidShifts).toHaveLength(1);
    const s = overview.centroidShifts[0];
    expect(s).toMatchObject({ segmentId, segmentName: "Cluster one", version: 1, modelRunId: runId, cluster: 1, k: 2, members: 1500, notMeasured: [] });
    expect(s.features.map((f) => [f.feature, f.centroid, f.sd])).toEqual([
      ["monetary", 400, 200],
      ["frequency", 1.2, expect.closeTo(0.4, 12)],
    ]);
    expect(s.features[0].current).toBeCloseTo(mM, 9);
    expect(s.features[1].current).toBeCloseTo(mF, 12);
    expect(s.features[0].shift).toBeCloseTo((mM - 400) / 200, 12);
    expect(s.features[1].shift).toBeCloseTo((mF - 1.2) / 0.4, 12);
    expect(s.distance).toBeCloseTo(Math.hypot((mM - 400) / 200, (mF - 1.2) / 0.4), 12);

    // Spending moves: the members stay (cluster membership is the run's), their mean moves.
    await t.ownerQuery("update customer_features set monetary = monetary * 1.6 + 150 where tenant_id = $1", [w.tenantId]);
    const shifted = (await monitoringOverview(scopeOf(w, "analyst"))).centroidShifts[0];
    const mM2 = mM * 1.6 + 150;
    expect(shifted.features[0].current).toBeCloseTo(mM2, 9);
    expect(shifted.distance).toBeCloseTo(Math.hypot((mM2 - 400) / 200, (mF - 1.2) / 0.4), 12);
  });
});
