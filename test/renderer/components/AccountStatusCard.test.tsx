// An account's card in Chromium: what it says about catch-up over the provider's REST API, beside the socket.
import { describe, expect, it } from 'vitest';
import { AccountStatusCard } from '../../../renderer/components/AccountStatusCard.tsx';
import type { CatchUpStatus } from '../../../shared/status.ts';
import { ago, upstream } from './fixtures.ts';
import { renderView } from './render-view.tsx';

const IDLE: CatchUpStatus = {
  state: 'idle',
  lastRunAt: ago(3),
  lastRecovered: 20,
  recovered: 24,
  gap: null,
  lastError: null,
  nextRunAt: new Date(Date.now() + 7 * 60_000).toISOString(),
  skipped: 0,
};

function card(catchUp?: CatchUpStatus) {
  const account = upstream('work', { provider: 'agentmail', ...(catchUp && { catchUp }) });
  return renderView(<AccountStatusCard account={account} now={Date.now()} />);
}

describe('AccountStatusCard: catch-up', () => {
  it('shows when the last catch-up ran and how many mails it recovered', async () => {
    const screen = await card(IDLE);
    await expect.element(screen.getByRole('article')).toMatchTextContent(/Last catch-up3 min(utes)? ago.*Mail recovered20/);
    expect(screen.getByRole('note').query()).toBeNull();
    expect(screen.getByText(/Catch-up failed/).query()).toBeNull();
  });

  it('says a gap is open, why, and what will close it', async () => {
    const gap = { at: ago(1), reason: 'agentmail cannot replay what arrived while the socket was down' };
    const screen = await card({ ...IDLE, state: 'running', gap });
    await expect
      .element(screen.getByRole('note'))
      .toMatchTextContent(/Gap open since .*: agentmail cannot replay what arrived while the socket was down\. Catch-up fetches what is missing/);
  });

  it('shows the last REST error and when it tries again', async () => {
    const screen = await card({
      ...IDLE,
      state: 'backoff',
      lastError: 'GET /v0/inboxes: HTTP 503 (ServiceUnavailable)',
      nextRunAt: new Date(Date.now() + 40_000).toISOString(),
    });
    const article = screen.getByRole('article');
    await expect.element(article).toMatchTextContent(/Next catch-upin \d+ s/);
    await expect.element(article).toMatchTextContent(/Catch-up failed GET \/v0\/inboxes: HTTP 503 \(ServiceUnavailable\)/);
  });

  it('says when there has been none yet, and when it is off', async () => {
    const none = await card({ ...IDLE, lastRunAt: null, lastRecovered: 0 });
    await expect.element(none.getByRole('article')).toMatchTextContent(/Last catch-upNot yet/);
    expect(none.getByText('Mail recovered').query()).toBeNull();
    none.unmount();
    const off = await card({ ...IDLE, state: 'off', lastRunAt: null });
    await expect.element(off.getByRole('article')).toMatchTextContent(/Last catch-upOff.*Catch-up is off: this account's event types leave out message\.received\./);
  });

  it('shows nothing of catch-up where the engine reports none', async () => {
    const screen = await card();
    await expect.element(screen.getByRole('article')).toBeVisible();
    expect(screen.getByText(/catch-up/i).query()).toBeNull();
  });
});
