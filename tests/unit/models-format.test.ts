import { describe, expect, it } from "vitest";
import { algorithmLabel, clusterColour, formatDiff, formatKRange, formatMetric, formatP, isRunActive, transformLabel } from "../../app/lib/models";

describe("Models page formatting", () => {
  it("writes standardised differences signed, with a true minus and no negative zero", () => {
    expect(formatDiff(0.844)).toBe("+0.84");
    expect(formatDiff(-1.2)).toBe("−1.20");
    expect(formatDiff(-0.001)).toBe("0.00");
    expect(formatDiff(0)).toBe("0.00");
  });

  it("writes metrics at three significant figures, inertia and Calinski-Harabasz as whole numbers", () => {
    expect(formatMetric(0.773456, "silhouette")).toBe("0.773");
    expect(formatMetric(3298.7, "calinskiHarabasz")).toBe("3,299");
    expect(formatMetric(61.98, "inertia")).toBe("62");
    expect(formatMetric(Number.NaN)).toBe("–");
    expect(formatMetric(null)).toBe("–");
  });

  it("names every algorithm (runs from before params.algorithm are k-means)", () => {
    expect(["kmeans", "gmm", "dbscan", "ward", "lca", "som", undefined].map(algorithmLabel)).toEqual([
      "k-means",
      "Gaussian mixture",
      "DBSCAN",
      "Ward hierarchical",
      "Latent class analysis",
      "Self-organizing map",
      "k-means",
    ]);
  });

  it("writes p-values as people read them", () => {
    expect(formatP(1e-9)).toBe("< 0.001");
    expect(formatP(0.0042)).toBe("0.004");
    expect(formatP(0.031)).toBe("0.03");
    expect(formatP(null)).toBe("–");
  });

  it("names k ranges, transforms, active statuses and gives each cluster a stable colour", () => {
    expect(formatKRange(2, 8)).toBe("2–8");
    expect(formatKRange(5, 5)).toBe("5");
    expect(transformLabel("standard")).toBe("Standardise");
    expect(transformLabel("log1p")).toBe("log(1 + x)");
    expect(isRunActive("queued") && isRunActive("running")).toBe(true);
    expect(isRunActive("completed") || isRunActive("failed") || isRunActive("cancelled")).toBe(false);
    expect(clusterColour(0)).toBe(clusterColour(10));
    expect(clusterColour(0)).not.toBe(clusterColour(1));
  });
});
