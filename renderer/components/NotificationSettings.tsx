// Notifications on or off, and inboxes whose mail arrives quietly.
import { useState, type FormEvent, type ReactNode } from 'react';
import type { SettingsPatch } from '../../shared/control.ts';
import type { NotificationSettings as Notifications } from '../../shared/settings.ts';
import { parseIdList } from '../format/id-list.ts';

interface NotificationSettingsProps {
  notifications: Notifications;
  busy: boolean;
  onSave(patch: SettingsPatch): void;
}

export function NotificationSettings({ notifications, busy, onSave }: NotificationSettingsProps): ReactNode {
  const [inbox, setInbox] = useState('');
  const save = (change: Partial<Notifications>): void => onSave({ notifications: { ...notifications, ...change } });
  const onMute = (event: FormEvent<HTMLFormElement>): void => {
    event.preventDefault();
    const added = parseIdList(inbox).filter((id) => !notifications.mutedInboxes.includes(id));
    if (added.length > 0) save({ mutedInboxes: [...notifications.mutedInboxes, ...added] });
    setInbox('');
  };
  return (
    <section className="panel" aria-labelledby="notifications-heading">
      <div className="panel-head">
        <h2 id="notifications-heading">Notifications</h2>
      </div>
      <label className="toggle">
        <input
          type="checkbox"
          checked={notifications.enabled}
          disabled={busy}
          onChange={(event) => save({ enabled: event.target.checked })}
        />
        <span>Notify me of new mail</span>
      </label>
      <div className="subsection">
        <h3 id="muted-heading">Muted inboxes</h3>
        {notifications.mutedInboxes.length === 0 ? (
          <p className="muted small">None. Mail to a muted inbox is still stored and relayed, just without a notification.</p>
        ) : (
          <ul className="chip-list" aria-labelledby="muted-heading">
            {notifications.mutedInboxes.map((id) => (
              <li key={id} className="chip chip-removable">
                <span className="mono">{id}</span>
                <button
                  type="button"
                  className="chip-remove"
                  aria-label={`Unmute ${id}`}
                  disabled={busy}
                  onClick={() => save({ mutedInboxes: notifications.mutedInboxes.filter((muted) => muted !== id) })}
                >
                  ×
                </button>
              </li>
            ))}
          </ul>
        )}
        <form className="inline-form" onSubmit={onMute}>
          <input
            className="input"
            placeholder="inb_…"
            aria-label="Inbox id to mute"
            value={inbox}
            onChange={(event) => setInbox(event.target.value)}
          />
          <button type="submit" className="button" disabled={busy || inbox.trim() === ''}>
            Mute
          </button>
        </form>
      </div>
    </section>
  );
}
