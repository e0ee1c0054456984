// A forward target's signing secret, shown the one time the engine hands it out.
import { useEffect, useRef, type ReactNode } from 'react';
import { CopyButton, copyText } from './CopyButton.tsx';

export function SecretOnce({ url, secret, onDone }: { url: string; secret: string; onDone(): void }): ReactNode {
  const ref = useRef<HTMLElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <section ref={ref} className="secret-once" tabIndex={-1} aria-labelledby="secret-heading">
      <h3 id="secret-heading">Signing secret for {url}</h3>
      <p>
        <strong>Copy it now: it will not be shown again.</strong> Your webhook handler checks each request's X-Signature
        with it.
      </p>
      <div className="code-line">
        <code>{secret}</code>
        <CopyButton label="Copy secret" copy={copyText(secret)} />
      </div>
      <button type="button" className="button button-primary" onClick={onDone}>
        I have stored it
      </button>
    </section>
  );
}
