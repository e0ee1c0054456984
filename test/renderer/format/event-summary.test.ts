import { describe, expect, it } from 'vitest';
import { MESSAGE_RECEIVED, type MailEvent } from '../../../shared/event.ts';
import { summarizeEvent } from '../../../renderer/format/event-summary.ts';

describe('summarizeEvent', () => {
  const base: MailEvent = { event: MESSAGE_RECEIVED, event_id: 'evt_1', occurred_at: '2026-02-24T10:05:00.000Z', inbox_id: 'inb_1' };

  it('shows sender and subject for mail, with a placeholder for an empty subject', () => {
    const mail: MailEvent = {
      ...base,
      message: { id: 'msg_1', from: 'Dana <dana@x.example>', to: 'a@b', subject: '  ', received_at: '2026-02-24T10:06:00.000Z' },
    };
    expect(summarizeEvent(mail, '2026-02-24T10:07:00.000Z')).toEqual({ from: 'Dana', subject: '(no subject)', at: '2026-02-24T10:06:00.000Z' });
  });

  it('describes other events by type, address and reason', () => {
    const suspended: MailEvent = { ...base, event: 'inbox.suspended', inbox_address: 'ops@x.example', reason: 'abuse report' };
    expect(summarizeEvent(suspended, base.occurred_at)).toEqual({
      from: 'ops@x.example',
      subject: 'inbox.suspended: abuse report',
      at: base.occurred_at,
    });
  });
});
