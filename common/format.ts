// Sizes as people read them: decimal units, as file managers and phones show them.

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB'];

export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  // Compare what will be shown, not the raw value: 999.96 kB reads "1.0 MB", never "1000 kB".
  while (unit < UNITS.length - 1 && Number(value.toFixed(value < 100 ? 1 : 0)) >= 1000) {
    value /= 1000;
    unit += 1;
  }
  if (unit === 0) return `${Math.round(value)} B`;
  const digits = value < 100 ? 1 : 0;
  return `${value.toFixed(digits)} ${UNITS[unit]}`;
}
