import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  externalHttpUrl,
  isAllowedWindowRequest,
  isRendererUrl,
  withContentSecurityPolicy,
} from '../../electron/window-security.ts';
import { CONTENT_SECURITY_POLICY } from '../../shared/csp.ts';

const RENDERER_DIR = path.resolve('app', 'dist', 'renderer');
const RENDERER_URL = pathToFileURL(path.join(RENDERER_DIR, 'index.html')).href;

describe('the content security policy', () => {
  it('allows only the app itself, and data: images', () => {
    for (const directive of ["default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'"]) {
      expect(CONTENT_SECURITY_POLICY).toContain(`${directive};`);
    }
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
  });

  it('replaces whatever policy a response carried, in any letter case, and keeps other headers', () => {
    const headers = withContentSecurityPolicy({ 'content-security-policy': ['default-src *'], 'Content-Type': ['text/html'] });
    expect(headers).toEqual({ 'Content-Type': ['text/html'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] });
    expect(withContentSecurityPolicy(undefined)).toEqual({ 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] });
  });
});

describe('isRendererUrl', () => {
  it('accepts the renderer page with any hash or query', () => {
    expect(isRendererUrl(RENDERER_URL, RENDERER_URL)).toBe(true);
    expect(isRendererUrl(`${RENDERER_URL}#/event/12`, RENDERER_URL)).toBe(true);
    expect(isRendererUrl(`${RENDERER_URL}?view=history`, RENDERER_URL)).toBe(true);
  });

  it('refuses other files, other schemes, a missing frame and garbage', () => {
    expect(isRendererUrl(pathToFileURL(path.join(RENDERER_DIR, 'other.html')).href, RENDERER_URL)).toBe(false);
    expect(isRendererUrl(pathToFileURL(path.resolve('elsewhere', 'index.html')).href, RENDERER_URL)).toBe(false);
    expect(isRendererUrl('https://evil.example/index.html', RENDERER_URL)).toBe(false);
    expect(isRendererUrl('http://127.0.0.1:4319/', RENDERER_URL)).toBe(false);
    expect(isRendererUrl(null, RENDERER_URL)).toBe(false);
    expect(isRendererUrl('', RENDERER_URL)).toBe(false);
    expect(isRendererUrl('not a url', RENDERER_URL)).toBe(false);
  });
});

describe('isAllowedWindowRequest', () => {
  it('lets the window read the renderer build and nothing else on disk', () => {
    const inside = (...parts: string[]) => pathToFileURL(path.join(RENDERER_DIR, ...parts)).href;
    expect(isAllowedWindowRequest(inside('index.html'), RENDERER_DIR)).toBe(true);
    expect(isAllowedWindowRequest(inside('assets', 'index-abc123.js'), RENDERER_DIR)).toBe(true);
    expect(isAllowedWindowRequest(pathToFileURL(path.resolve('app', 'dist', 'renderer-evil', 'x.js')).href, RENDERER_DIR)).toBe(false);
    expect(isAllowedWindowRequest(pathToFileURL(path.resolve('home', '.ssh', 'id_ed25519')).href, RENDERER_DIR)).toBe(false);
    expect(isAllowedWindowRequest(`${pathToFileURL(RENDERER_DIR).href}/../../../secrets.json`, RENDERER_DIR)).toBe(false);
    expect(isAllowedWindowRequest(pathToFileURL(RENDERER_DIR).href, RENDERER_DIR)).toBe(false);
  });

  it('refuses the network, and lets devtools and data: through', () => {
    expect(isAllowedWindowRequest('https://cdn.example/lib.js', RENDERER_DIR)).toBe(false);
    expect(isAllowedWindowRequest('http://127.0.0.1:4319/v1/events', RENDERER_DIR)).toBe(false);
    expect(isAllowedWindowRequest('devtools://devtools/bundled/inspector.html', RENDERER_DIR)).toBe(true);
    expect(isAllowedWindowRequest('data:image/png;base64,AAAA', RENDERER_DIR)).toBe(true);
    expect(isAllowedWindowRequest('::', RENDERER_DIR)).toBe(false);
  });
});

describe('externalHttpUrl', () => {
  it('passes http and https links, normalised', () => {
    expect(externalHttpUrl('https://openmail.sh/docs')).toBe('https://openmail.sh/docs');
    expect(externalHttpUrl('HTTP://Example.com')).toBe('http://example.com/');
  });

  it('refuses every other scheme and non-strings', () => {
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share', 'mailto:a@b.c', 'ms-settings:', 'data:text/html,x', 'not a url']) {
      expect(externalHttpUrl(url)).toBeNull();
    }
    expect(externalHttpUrl(42)).toBeNull();
    expect(externalHttpUrl(undefined)).toBeNull();
    expect(externalHttpUrl(`https://example.com/${'a'.repeat(3000)}`)).toBeNull();
  });
});
