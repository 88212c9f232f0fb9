/**
 * Bias audit of one selection (a segment's membership, or any yes/no decision) against one
 * protected attribute: how often each group of the attribute is selected.
 *
 * For each group g with n_g people of whom s_g are selected (people with no value for the
 * attribute are left out; groups with nobody are not listed):
 * - rate_g = s_g / n_g (the selection rate); share_of_selected_g = s_g / Σ s (the group's share of
 *   the segment); share_of_population_g = n_g / Σ n;
 * - di_vs_max = rate_g / max rate (disparate impact against the most-selected group; null when
 *   nobody is selected), di_vs_reference = rate_g / rate_ref (against a chosen reference group;
 *   null without one or when its rate is 0);
 * - fails_four_fifths = di_vs_max < 0.8 — the EEOC four-fifths rule of thumb, shown as a flag for
 *   a person to look at, not a verdict;
 * - statistical_parity_difference = rate_g − rate_ref, where ref is the chosen reference group or,
 *   without one, the most-selected group (so it is ≤ 0 for every other group);
 * - small = n_g < SMALL_GROUP (30): rates of small groups swing by chance; the audit warns.
 * For the attribute as a whole:
 * - min_di_vs_max = min rate / max rate, which is also Fairlearn's demographic_parity_ratio;
 *   demographic_parity_difference = max rate − min rate (Fairlearn's definition);
 * - statistical_parity_difference = min rate − rate_ref (the most-behind group against the
 *   reference, or against the most-selected group without one);
 * - Pearson's chi-square test of independence of group and selection on the G × 2 table
 *   (df = G − 1, no continuity correction); null when fewer than two groups have people or
 *   nobody / everybody is selected.
 */
import { type ChiSquareTest, chiSquareIndependence } from "./drift";

export const SMALL_GROUP = 30;
export const FOUR_FIFTHS = 0.8;

export class BiasInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BiasInputError";
  }
}

export interface GroupCounts {
  group: string;
  n: number;
  selected: number;
}

export interface GroupBias extends GroupCounts {
  rate: number;
  shareOfSelected: number | null;
  shareOfPopulation: number;
  diVsMax: number | null;
  diVsReference: number | null;
  failsFourFifths: boolean;
  statisticalParityDifference: number;
  small: boolean;
}

export interface AttributeBias {
  attribute: string;
  referenceGroup: string | null;
  n: number;
  selected: number;
  groups: GroupBias[];
  maxRateGroup: string | null;
  minDiVsMax: number | null;
  demographicParityDifference: number;
  demographicParityRatio: number | null;
  statisticalParityDifference: number;
  chi2: ChiSquareTest | null;
  smallGroups: string[];
}

/** The audit of one attribute from its counts per group. `referenceGroup` must be one of the groups. */
export function biasFromCounts(
  attribute: string,
  counts: readonly GroupCounts[],
  referenceGroup?: string | null
): AttributeBias {
  const present = counts.filter((c) => c.n > 0);
  for (const c of counts) {
    if (!Number.isInteger(c.n) || !Number.isInteger(c.selected) || c.selected < 0 || c.selected > c.n) {
      throw new BiasInputError(
        `'${attribute}' group '${c.group}': selected (${c.selected}) must be a whole number between 0 and n (${c.n})`
      );
    }
  }
  if (present.length === 0) throw new BiasInputError(`'${attribute}' has no group with any people in it`);
  const ref = referenceGroup ?? null;
  const refCounts = ref === null ? undefined : present.find((c) => c.group === ref);
  if (ref !== null && !refCounts) {
    throw new BiasInputError(
      `the reference group '${ref}' is not a value of '${attribute}' (its groups are: ${present
        .map((c) => c.group)
        .join(", ")})`
    );
  }
  const n = present.reduce((s, c) => s + c.n, 0);
  const selected = present.reduce((s, c) => s + c.selected, 0);
  const rates = present.map((c) => c.selected / c.n);
  const maxRate = Math.max(...rates);
  const minRate = Math.min(...rates);
  const maxIndex = rates.indexOf(maxRate);
  const refRate = refCounts ? refCounts.selected / refCounts.n : maxRate;
  const groups: GroupBias[] = present.map((c, i) => {
    const rate = rates[i];
    const diVsMax = maxRate > 0 ? rate / maxRate : null;
    return {
      ...c,
      rate,
      shareOfSelected: selected > 0 ? c.selected / selected : null,
      shareOfPopulation: c.n / n,
      diVsMax,
      diVsReference: refCounts && refRate > 0 ? rate / refRate : null,
      failsFourFifths: diVsMax !== null && diVsMax < FOUR_FIFTHS,
      statisticalParityDifference: rate - refRate,
      small: c.n < SMALL_GROUP,
    };
  });
  return {
    attribute,
    referenceGroup: ref,
    n,
    selected,
    groups,
    maxRateGroup: maxRate > 0 ? present[maxIndex].group : null,
    minDiVsMax: maxRate > 0 ? minRate / maxRate : null,
    demographicParityDifference: maxRate - minRate,
    demographicParityRatio: maxRate > 0 ? minRate / maxRate : null,
    statisticalParityDifference: minRate - refRate,
    chi2: chiSquareIndependence(present.map((c) => [c.selected, c.n - c.selected])),
    smallGroups: present.filter((c) => c.n < SMALL_GROUP).map((c) => c.group),
  };
}
