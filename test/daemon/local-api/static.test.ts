import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../../shared/csp.ts';
import { curl, type Harness, startHarness } from './harness.ts';

let h: Harness | null = null;

afterEach(async () => {
  await h?.close();
  h = null;
});

/** A built dashboard beside a secret it must never serve. */
function buildDashboard(root: string): string {
  const dir = path.join(root, 'dashboard');
  fs.mkdirSync(path.join(dir, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Mailbridge</title><script type="module" src="/assets/app.js"></script>');
  fs.writeFileSync(path.join(dir, 'assets', 'app.js'), 'console.log("app");');
  fs.writeFileSync(path.join(dir, 'assets', 'app.css'), 'body{}');
  fs.writeFileSync(path.join(root, 'secret.txt'), 'do not serve');
  fs.symlinkSync(path.join(root, 'secret.txt'), path.join(dir, 'assets', 'escape.txt'));
  return dir;
}

describe('dashboard files', () => {
  it('serves the built dashboard without a token, with a strict CSP and nosniff', async () => {
    h = await startHarness();
    await h.restart({ dashboardDir: buildDashboard(h.root) });
    const index = await fetch(`${h.api.url}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    for (const directive of ["default-src 'self'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"]) {
      expect(CONTENT_SECURITY_POLICY).toContain(directive);
    }
    expect(index.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await index.text()).toContain('/assets/app.js');

    const script = await fetch(`${h.api.url}/assets/app.js`);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).toBe('console.log("app");');
    expect((await fetch(`${h.api.url}/assets/app.css`)).headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect((await fetch(`${h.api.url}/assets/missing.js`)).status).toBe(404);
  });

  it('never serves a file outside the dashboard directory', async () => {
    h = await startHarness();
    await h.restart({ dashboardDir: buildDashboard(h.root) });
    for (const attempt of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/%2e%2e/%2e%2e/secret.txt', '/..%2fsecret.txt', '/..%5csecret.txt', '/assets/escape.txt', '/%00']) {
      // --path-as-is: curl must not clean the path up before sending it.
      const result = await curl(['--path-as-is', `${h.api.url}${attempt}`]);
      expect(result.status, attempt).toBeGreaterThanOrEqual(400);
      expect(result.body, attempt).not.toContain('do not serve');
    }
  });

  it('says the dashboard is not built when there is none', async () => {
    h = await startHarness();
    const res = await fetch(`${h.api.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(await res.text()).toContain('npm run build');
    expect((await fetch(`${h.api.url}/assets/app.js`)).status).toBe(404);
    expect((await fetch(`${h.api.url}/`, { method: 'POST' })).status).toBe(405);
  });
});
