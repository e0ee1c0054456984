// A secret the engine hands out once (a forward target's signing secret, an agent token), shown that one time.
import { useEffect, useRef, type ReactNode } from 'react';
import { CopyButton, copyText } from './CopyButton.tsx';

interface SecretOnceProps {
  title: string;
  secret: string;
  copyLabel: string;
  /** What the secret is for, after "Copy it now". */
  children: ReactNode;
  onDone(): void;
}

export function SecretOnce({ title, secret, copyLabel, children, onDone }: SecretOnceProps): ReactNode {
  const ref = useRef<HTMLElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <section ref={ref} className="secret-once" tabIndex={-1} aria-labelledby="secret-heading">
      <h3 id="secret-heading">{title}</h3>
      <p>
        <strong>Copy it now: it will not be shown again.</strong> {children}
      </p>
      <div className="code-line">
        <code>{secret}</code>
        <CopyButton label={copyLabel} copy={copyText(secret)} />
      </div>
      <button type="button" className="button button-primary" onClick={onDone}>
        I have stored it
      </button>
    </section>
  );
}
