// Links from mail (attachment URLs) and settings are opened only on a click, and only when they are plain web links:
// a `javascript:`, `file:` or custom-scheme URL from a message must never reach the browser or the OS.

export function isWebUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}
