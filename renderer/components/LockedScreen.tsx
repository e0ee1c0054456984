// The dashboard opened without its token (or with one that was rotated): say how to get in.
import type { ReactNode } from 'react';
import { Logo } from './Logo.tsx';

export function LockedScreen({ reason }: { reason: string | null }): ReactNode {
  return (
    <main className="locked">
      <Logo />
      <h1>Open the dashboard from its link</h1>
      <p className="muted">
        The dashboard needs the local API token. Use the <code>dashboard:</code> link that <code>mailbridge run</code> prints: it
        ends in <code>#token=…</code>, which stays in your browser and is never sent over the network.
      </p>
      {reason !== null && <p className="tone-bad-text small">{reason}</p>}
    </main>
  );
}
