// The local API's view of forwarding: list dead letters and send one again.
import type { LocalRoute } from '../context.ts';
import { badRequest, notFound, sendJson } from '../http-json.ts';
import type { DeadLetterStatus } from './forward-queue.ts';
import type { Forwarder } from './forwarder.ts';

const STATUSES: readonly DeadLetterStatus[] = ['dead', 'retrying'];

export function deliveryRoutes(forwarder: Forwarder): LocalRoute[] {
  return [
    {
      method: 'GET',
      path: '/v1/deliveries',
      // `?target=<id>` and `?status=dead|retrying` narrow the list; without them every dead letter is listed.
      handle: ({ res, url }) => {
        const targetId = url.searchParams.get('target') ?? undefined;
        const status = url.searchParams.get('status') ?? undefined;
        if (status !== undefined && !STATUSES.includes(status as DeadLetterStatus)) {
          throw badRequest(`status must be one of ${STATUSES.join(', ')}`);
        }
        sendJson(res, 200, { deliveries: forwarder.deadLetters({ targetId, status: status as DeadLetterStatus | undefined }) });
      },
    },
    {
      method: 'POST',
      path: '/v1/deliveries/:id/retry',
      handle: ({ res, params }) => {
        const raw = params.id ?? '';
        const id = /^\d{1,15}$/.test(raw) ? Number(raw) : null;
        if (id === null || !forwarder.retry(id)) throw notFound(`no dead letter ${JSON.stringify(raw)} with an active target`);
        sendJson(res, 202, { id, status: 'retrying' });
      },
    },
  ];
}
