// Copies on click and says so for a moment; a failed copy (no clipboard permission) is said too.
import { useEffect, useState, type ReactNode } from 'react';

type Outcome = 'idle' | 'copied' | 'failed';

export function CopyButton({ label, copy }: { label: string; copy: () => Promise<void> }): ReactNode {
  const [outcome, setOutcome] = useState<Outcome>('idle');
  useEffect(() => {
    if (outcome === 'idle') return;
    const timer = setTimeout(() => setOutcome('idle'), 1800);
    return () => clearTimeout(timer);
  }, [outcome]);

  const text = outcome === 'copied' ? 'Copied' : outcome === 'failed' ? 'Copy failed' : label;
  return (
    <button
      type="button"
      className={`button button-small${outcome === 'copied' ? ' is-done' : ''}`}
      onClick={() => copy().then(() => setOutcome('copied'), () => setOutcome('failed'))}
    >
      <span aria-live="polite">{text}</span>
    </button>
  );
}

export const copyText = (text: string) => (): Promise<void> => navigator.clipboard.writeText(text);
