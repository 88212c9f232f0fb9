/**
 * The `drift` and `bias` commands: as child processes on the real Online Retail data (per-customer
 * spend, frequency and country in Q1 against Q4 2011, checked against values computed
 * independently with numpy/scipy 1.17.1 on the same per-customer files) and on small fixtures;
 * argument and input errors in this process.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli } from "../helpers/cli";
import { retailQuarterCsvs } from "../helpers/drift-retail";
import { biasCommand, parseBiasArgs, parseSelectionRule } from "../../server/cli/bias-command";
import { UsageError } from "../../server/cli/command";
import { driftCommand, parseDriftArgs } from "../../server/cli/drift-command";

interface DriftRow {
  column: string;
  type: "numeric" | "categorical";
  psi: number;
  ks: number | null;
  ks_p: number | null;
  jensen_shannon: number;
  wasserstein_norm: number | null;
  drift: "none" | "watch" | "act";
  n_reference: number;
  n_current: number;
  missing_reference: number;
  missing_current: number;
  chi2: number | null;
  chi2_p: number | null;
  ks_method: string | null;
}

interface BiasRow {
  attribute: string;
  reference: string | null;
  n: number;
  selected: number;
  missing: number;
  groups: {
    group: string;
    n: number;
    selected: number;
    rate: number;
    di_vs_max: number | null;
    di_vs_reference: number | null;
    fails_four_fifths: boolean;
    statistical_parity_difference: number;
    small: boolean;
  }[];
  min_di_vs_max: number | null;
  statistical_parity_difference: number;
  chi2: number | null;
  chi2_p: number | null;
  small_groups: string[];
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "quorum-drift-cli-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function fixture(name: string, text: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
}

async function run(command: typeof driftCommand, ...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await command.run(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

describe("drift on the Online Retail data, Q1 against Q4 2011", () => {
  it("matches numpy/scipy on per-customer spend, frequency and country; PSI says little moved while KS p is tiny", async () => {
    const { q1, q4 } = await retailQuarterCsvs();
    const reference = await fixture("q1.csv", q1);
    const current = await fixture("q4.csv", q4);
    const result = await cli(
      "drift",
      "--reference",
      reference,
      "--current",
      current,
      "--columns",
      "spend,frequency,country",
      "--json"
    );
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const [spend, frequency, country] = JSON.parse(result.stdout) as DriftRow[];
    expect([spend.n_reference, spend.n_current]).toEqual([1776, 2560]);
    // numpy: edges = unique(quantile(q1, arange(1, 10)/10)), shares by searchsorted(side="left") (right-closed
    // bins), floor 1e-4; scipy: ks_2samp(method="exact"), wasserstein_distance / std, jensenshannon(base=2),
    // chi2_contingency(correction=False).
    expect(spend.type).toBe("numeric");
    expect(spend.psi).toBeCloseTo(0.0199454991038976, 12);
    expect(spend.ks).toBeCloseTo(0.0640941722972973, 12);
    expect(spend.ks_method).toBe("exact");
    expect(spend.ks_p).toBeCloseTo(0.0003420556196385488, 12);
    expect(spend.jensen_shannon).toBeCloseTo(0.059929844868649024, 12);
    expect(spend.wasserstein_norm).toBeCloseTo(0.05116488097663587, 12);
    expect(frequency.psi).toBeCloseTo(0.029915242896036635, 12);
    expect(frequency.ks).toBeCloseTo(0.07931095157657658, 12);
    expect(Number(frequency.ks_p?.toPrecision(6))).toBe(Number((3.4513455543126947e-6).toPrecision(6)));
    expect(frequency.jensen_shannon).toBeCloseTo(0.073346535516718, 12);
    expect(frequency.wasserstein_norm).toBeCloseTo(0.13215974348940657, 12);
    expect(country.type).toBe("categorical");
    expect(country.psi).toBeCloseTo(0.019700112828099935, 12);
    expect(country.chi2).toBeCloseTo(22.58831419802152, 9);
    expect(country.chi2_p).toBeCloseTo(0.8636739570840839, 9);
    expect(country.jensen_shannon).toBeCloseTo(0.06611674595743307, 12);
    // The lesson the UI repeats: thousands of customers make KS "significant" (p < 0.001) while PSI stays
    // far below the watch band.
    expect([spend.drift, frequency.drift, country.drift]).toEqual(["none", "none", "none"]);
    expect(frequency.ks_p).toBeLessThan(0.001);
  });
});

describe("drift command", () => {
  it("identical files: PSI 0 and no drift in every column", async () => {
    const text = "x,city\n1,Oslo\n2,Rome\n3,Rome\n4,Oslo\n5,Paris\n";
    const ref = await fixture("same-a.csv", text);
    const cur = await fixture("same-b.csv", text);
    const { code, stdout } = await run(
      driftCommand,
      "--reference",
      ref,
      "--current",
      cur,
      "--columns",
      "x, city",
      "--json"
    );
    expect(code).toBe(0);
    const rows = JSON.parse(stdout) as DriftRow[];
    expect(rows.map((r) => [r.column, r.type, r.psi, r.drift])).toEqual([
      ["x", "numeric", 0, "none"],
      ["city", "categorical", 0, "none"],
    ]);
    expect(rows[0].ks_p).toBe(1);
  });

  it("blank values are counted as missing; a column with one non-number is categorical", async () => {
    const ref = await fixture("blank-a.csv", "x,y\n1, 3\n ,4\n3,five\n");
    const cur = await fixture("blank-b.csv", "x,y\n2,3\n3,\n4,4\n");
    const { code, stdout } = await run(
      driftCommand,
      "--reference",
      ref,
      "--current",
      cur,
      "--columns",
      "x,y",
      "--json"
    );
    expect(code).toBe(0);
    const [x, y] = JSON.parse(stdout) as DriftRow[];
    expect([x.type, x.n_reference, x.missing_reference, x.n_current]).toEqual(["numeric", 2, 1, 3]);
    expect([y.type, y.n_reference, y.missing_current]).toEqual(["categorical", 3, 1]);
  });

  it("prints a table with the bands and the warning about p-values", async () => {
    const ref = await fixture("t-a.csv", "x\n1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n");
    const cur = await fixture("t-b.csv", "x\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n");
    const { code, stdout } = await run(driftCommand, "--reference", ref, "--current", cur, "--columns", "x");
    expect(code).toBe(0);
    expect(stdout).toMatch(/x\s+numeric\s+10\s+10\s+0\.7594\s+act/);
    expect(stdout).toContain("every p-value is tiny");
  });

  it("names the bad argument, the missing column and the empty column", async () => {
    expect(() => parseDriftArgs(["--current", "b.csv", "--columns", "x"])).toThrow("--reference <path> is required");
    expect(() => parseDriftArgs(["--reference", "a", "--current", "b", "--columns", "x,,y"])).toThrow(UsageError);
    expect(() =>
      parseDriftArgs(["--reference", "a", "--current", "b", "--columns", "x", "--watch", "0.3", "--act", "0.2"])
    ).toThrow("--act (0.2) must not be below --watch (0.3)");
    expect(() => parseDriftArgs(["--reference", "a", "--current", "b", "--columns", "x", "--watch", "abc"])).toThrow(
      "--watch must be a positive number, got 'abc'"
    );
    const ref = await fixture("e-a.csv", "x,y\n1,\n2,\n");
    const missing = await run(driftCommand, "--reference", ref, "--current", ref, "--columns", "x,z");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("line 1: missing required column 'z' (the header has: x, y)");
    const empty = await run(driftCommand, "--reference", ref, "--current", ref, "--columns", "y");
    expect(empty.stderr).toBe("drift: column 'y' has no values in the reference file (all 2 are blank)\n");
    const absent = await run(
      driftCommand,
      "--reference",
      path.join(dir, "nope.csv"),
      "--current",
      ref,
      "--columns",
      "x"
    );
    expect(absent.stderr).toContain("no such file");
  });
});

describe("bias command", () => {
  // 100 people of group A (50 with score ≥ 60), 200 of B (60 with score ≥ 60), 10 of C (3).
  function people(header: boolean): string {
    const rows: string[] = header ? ["id,score,sex,region"] : [];
    let id = 0;
    const add = (sex: string, count: number, selected: number) => {
      for (let i = 0; i < count; i++)
        rows.push(`${++id},${i < selected ? 75 : 40}, ${sex} ,${id % 2 ? "North" : "South"}`);
    };
    add("A", 100, 50);
    add("B", 200, 60);
    add("C", 10, 3);
    return rows.join("\n") + "\n";
  }

  it("the constructed case: rates 0.5 / 0.3 / 0.3, DI 0.6 flagged, chi-square as scipy", async () => {
    const input = await fixture("people.csv", people(true));
    const result = await cli(
      "bias",
      "--input",
      input,
      "--selected",
      "score>=60",
      "--protected",
      "sex,region",
      "--reference",
      "sex=B",
      "--json"
    );
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const [sex, region] = JSON.parse(result.stdout) as BiasRow[];
    expect(sex.groups.map((g) => [g.group, g.n, g.selected, g.rate, g.fails_four_fifths, g.small])).toEqual([
      ["A", 100, 50, 0.5, false, false],
      ["B", 200, 60, 0.3, true, false],
      ["C", 10, 3, 0.3, true, true],
    ]);
    expect(sex.groups[1].di_vs_max).toBeCloseTo(0.6, 14);
    expect(sex.groups[0].di_vs_reference).toBeCloseTo(5 / 3, 14);
    expect(sex.min_di_vs_max).toBeCloseTo(0.6, 14);
    expect(sex.statistical_parity_difference).toBeCloseTo(0, 14);
    expect(sex.chi2).toBeCloseTo(11.697587709447014, 10);
    expect(sex.chi2_p).toBeCloseTo(0.0028833748305161244, 12);
    expect(sex.small_groups).toEqual(["C"]);
    expect([region.n, region.selected, region.reference]).toEqual([310, 113, null]);
  });

  it("reads a file without a header, naming columns by --columns or by position", async () => {
    const input = await fixture("people-nh.csv", people(false));
    const named = await run(
      biasCommand,
      "--input",
      input,
      "--no-header",
      "--columns",
      "id,score,sex,region",
      "--selected",
      "score > 59",
      "--protected",
      "sex",
      "--json"
    );
    expect(named.stderr).toBe("");
    const positional = await run(
      biasCommand,
      "--input",
      input,
      "--no-header",
      "--selected",
      "2>59",
      "--protected",
      "3",
      "--json"
    );
    const a = JSON.parse(named.stdout) as BiasRow[];
    const b = JSON.parse(positional.stdout) as BiasRow[];
    expect(a[0].groups).toEqual(b[0].groups);
    expect(a[0].n).toBe(310);
  });

  it("= and != compare numbers numerically and text exactly", async () => {
    const input = await fixture("eq.csv", "v,g\n50.0,x\n50,y\nfifty,x\n 7 ,y\n");
    const eq = JSON.parse(
      (await run(biasCommand, "--input", input, "--selected", "v=50", "--protected", "g", "--json")).stdout
    ) as BiasRow[];
    expect(eq[0].selected).toBe(2);
    const ne = JSON.parse(
      (await run(biasCommand, "--input", input, "--selected", "v!=fifty", "--protected", "g", "--json")).stdout
    ) as BiasRow[];
    expect(ne[0].selected).toBe(3);
  });

  it("names the bad argument or row", async () => {
    expect(() => parseSelectionRule("score")).toThrow(/--selected must look like "<column><op><value>"/);
    expect(() => parseSelectionRule("score>=high")).toThrow(
      "--selected: '>=' compares numbers, and 'high' is not a number"
    );
    expect(parseSelectionRule(" Annual Income (k$) >= 60 ")).toEqual({
      column: "Annual Income (k$)",
      op: ">=",
      value: "60",
    });
    expect(() =>
      parseBiasArgs(["--input", "a", "--selected", "s>1", "--protected", "g", "--reference", "h=1"])
    ).toThrow("--reference names 'h', which is not one of the --protected columns (g)");
    const input = await fixture("bad.csv", "score,g\n10,a\nn/a,b\n");
    const bad = await run(biasCommand, "--input", input, "--selected", "score>5", "--protected", "g");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("line 3: 'score' must be a number to compare with '> 5', got 'n/a'");
    const unknownRef = await run(
      biasCommand,
      "--input",
      input,
      "--selected",
      "score=10",
      "--protected",
      "g",
      "--reference",
      "g=zzz"
    );
    expect(unknownRef.stderr).toContain("the reference group 'zzz' is not a value of 'g' (its groups are: a, b)");
    await expect(run(biasCommand, "--input", input, "--selected", "points>5", "--protected", "g")).rejects.toThrow(
      "--selected names 'points', which is not a column (the columns are: score, g)"
    );
  });
});
