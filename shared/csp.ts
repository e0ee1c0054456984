// The window's Content Security Policy, one definition for every way the window is delivered: the local
// endpoint's header (browser dashboard), Electron's response header, and a <meta> tag in the built page
// (a second layer where a file:// load may not carry headers).

const DIRECTIVES = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
] as const;

export const CONTENT_SECURITY_POLICY = `${DIRECTIVES.join('; ')}`;

/** Browsers ignore (and complain about) frame-ancestors in a <meta> policy; the header carries it. */
export const META_CONTENT_SECURITY_POLICY = DIRECTIVES.filter((d) => !d.startsWith('frame-ancestors')).join('; ');
