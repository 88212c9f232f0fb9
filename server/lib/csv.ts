/** One CSV field per RFC 4180; cells that a spreadsheet would run as a formula are neutralised. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return "";
  let text = value instanceof Date ? value.toISOString() : typeof value === "object" ? JSON.stringify(value) : String(value);
  // A plain negative number is data, not a formula (and must stay a number in a spreadsheet).
  const negativeNumber = /^-\d+(\.\d+)?([eE][+-]?\d+)?$/.test(text);
  if (/^[=+\-@\t\r]/.test(text) && !negativeNumber) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: readonly unknown[]): string {
  return `${values.map(csvField).join(",")}\r\n`;
}
