// Attachment sizes as people read them: "840 B", "12 KB", "3.4 MB" (binary units, as file managers use for sizes).

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'] as const;

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  if (unit === 0) return `${bytes} B`;
  // One decimal while it still says something (3.4 MB); whole numbers once it is noise (412 KB).
  const rounded = value < 10 ? Math.round(value * 10) / 10 : Math.round(value);
  // Rounding can reach the next unit (1023.7 KB -> 1024 KB): step up instead.
  if (rounded >= 1024 && unit < UNITS.length - 1) return `1 ${UNITS[unit + 1]}`;
  return `${rounded} ${UNITS[unit]}`;
}
