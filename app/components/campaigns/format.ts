/** Number formatting shared by the campaign pages and charts (money without a currency symbol: the workspace's own). */

const money0 = new Intl.NumberFormat("en-GB", { maximumFractionDigits: 0 });
const money2 = new Intl.NumberFormat("en-GB", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export function formatMoney(value: number, digits: 0 | 2 = 0): string {
  const text = (digits === 0 ? money0 : money2).format(Math.abs(value));
  return value < 0 && Number(text.replace(/,/g, "")) !== 0 ? `−${text}` : text;
}

export function formatSignedMoney(value: number, digits: 0 | 2 = 2): string {
  const text = formatMoney(Math.abs(value), digits);
  return Number(text.replace(/,/g, "")) === 0 ? text : `${value < 0 ? "−" : "+"}${text}`;
}

export function formatPercent(fraction: number, digits = 1): string {
  return `${(fraction * 100).toFixed(digits)}%`;
}

export function formatPoints(fraction: number): string {
  const v = fraction * 100;
  const text = Math.abs(v).toFixed(1);
  return Number(text) === 0 ? `${text} pts` : `${v < 0 ? "−" : "+"}${text} pts`;
}

/** ROI as "1.8×" (contribution returned per unit of cost). */
export function formatRoi(roi: number | null): string {
  return roi === null ? "—" : `${roi.toFixed(2)}×`;
}

export const CHANNEL_LABELS: Record<string, string> = {
  email: "Email",
  paid_media: "Paid media",
  sales: "Sales",
  web: "Web",
};

export function channelLabel(channel: string): string {
  return CHANNEL_LABELS[channel] ?? channel;
}

export const STATUS_LABELS: Record<string, string> = { draft: "Draft", running: "Running", finished: "Finished" };
