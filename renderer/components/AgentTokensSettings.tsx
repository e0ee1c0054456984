// Agent tokens: one per agent, each with what it may do (read, or read and send through Mailbridge) and what it
// sees (some inboxes, some senders). A new token is shown once; revoking one refuses it at once.
import { useCallback, useEffect, useState, type FormEvent, type ReactNode } from 'react';
import type { AgentTokenInfo, CreatedToken } from '../../shared/agent-tokens.ts';
import { NAME_RULE, NAME_SOURCE } from '../../shared/names.ts';
import type { Scope } from '../../shared/principal.ts';
import { errorMessage } from '../data/api-error.ts';
import type { DataLayer } from '../data/data-layer.ts';
import { describeIdList, parseIdList } from '../format/id-list.ts';
import { formatFullTime, formatRelative } from '../format/time.ts';
import { useAction } from '../hooks/useAction.ts';
import { useNow } from '../hooks/useNow.ts';
import { ConfirmButton } from './ConfirmButton.tsx';
import { ErrorNotice } from './ErrorNotice.tsx';
import { SecretOnce } from './SecretOnce.tsx';

const SCOPE_LABELS: Record<Scope, string> = {
  read: 'Read: mail, history, streams',
  send: 'Send: read, and send through Mailbridge',
};

export function AgentTokensSettings({ data }: { data: DataLayer }): ReactNode {
  const now = useNow(60_000);
  const [tokens, setTokens] = useState<AgentTokenInfo[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [scope, setScope] = useState<Scope>('read');
  const [inboxes, setInboxes] = useState('');
  const [senders, setSenders] = useState('');
  const [created, setCreated] = useState<CreatedToken | null>(null);

  const load = useCallback(async () => {
    try {
      setTokens(await data.api.tokens());
      setLoadError(null);
    } catch (failure) {
      setLoadError(errorMessage(failure));
    }
  }, [data]);
  useEffect(() => void load(), [load]);

  const create = useAction(data.api.createToken);
  const revoke = useAction(async (tokenName: string) => {
    await data.api.revokeToken(tokenName);
    await load();
  });

  const onSubmit = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    const response = await create.run({ name: name.trim(), scope, inboxIds: parseIdList(inboxes), allowSenders: parseIdList(senders) });
    if (response === undefined) return;
    setCreated(response);
    setName('');
    setInboxes('');
    setSenders('');
    await load();
  };

  return (
    <section className="panel" aria-labelledby="tokens-heading">
      <div className="panel-head">
        <h2 id="tokens-heading">Agent tokens</h2>
      </div>
      <p className="muted small">
        Give each agent its own token instead of the endpoint token. With send, it sends through Mailbridge, which adds the
        account's key: the key never reaches the agent.
      </p>
      <ErrorNotice message={loadError ?? revoke.error} />
      {created !== null && (
        <SecretOnce title={`Agent token ${created.name}`} secret={created.token} copyLabel="Copy token" onDone={() => setCreated(null)}>
          The agent sends it as its Bearer token; Mailbridge keeps only a hash of it.
        </SecretOnce>
      )}
      {tokens !== null && tokens.length === 0 && <p className="muted">No agent tokens yet.</p>}
      {tokens !== null && tokens.length > 0 && (
        <ul className="setting-list">
          {tokens.map((token) => (
            <li key={token.name} className="setting-item">
              <div className="setting-main">
                <strong>{token.name}</strong>
                <span className="muted small">
                  {token.scopes.join(' + ')} · {describeIdList(token.inboxIds, 'all inboxes')} · {describeIdList(token.allowSenders, 'all senders')} ·{' '}
                  {token.lastUsedAt === null ? (
                    'never used'
                  ) : (
                    <time dateTime={token.lastUsedAt} title={formatFullTime(token.lastUsedAt)}>
                      used {formatRelative(token.lastUsedAt, now)}
                    </time>
                  )}
                </span>
              </div>
              <ConfirmButton
                label="Revoke"
                question={`Revoke ${token.name}?`}
                confirmLabel="Revoke"
                busy={revoke.busy}
                onConfirm={() => void revoke.run(token.name)}
              />
            </li>
          ))}
        </ul>
      )}
      <form className="form" onSubmit={(event) => void onSubmit(event)} aria-labelledby="add-token-heading">
        <h3 id="add-token-heading">Create an agent token</h3>
        <div className="form-grid">
          <label>
            <span>Name</span>
            <input
              className="input"
              required
              pattern={NAME_SOURCE}
              title={NAME_RULE}
              placeholder="mail-agent"
              value={name}
              onChange={(event) => setName(event.target.value)}
            />
          </label>
          <label>
            <span>May</span>
            <select className="input" value={scope} onChange={(event) => setScope(event.target.value as Scope)}>
              {(Object.keys(SCOPE_LABELS) as Scope[]).map((option) => (
                <option key={option} value={option}>
                  {SCOPE_LABELS[option]}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span>Inbox ids</span>
            <input className="input" placeholder="All inboxes" value={inboxes} onChange={(event) => setInboxes(event.target.value)} />
          </label>
          <label>
            <span>Senders</span>
            <input className="input" placeholder="All senders, or *@github.com" value={senders} onChange={(event) => setSenders(event.target.value)} />
          </label>
        </div>
        <div className="form-foot">
          <button type="submit" className="button button-primary" disabled={create.busy}>
            Create token
          </button>
          <ErrorNotice message={create.error} />
        </div>
      </form>
    </section>
  );
}
