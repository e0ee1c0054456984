// `GET /v1/wait`: the one waiter over plain HTTP, for `mailbridge wait` and for curl. The request is held until a
// matching mail commits or the timeout passes (a normal 200 answer, status "timeout"); a client that hangs up
// ends the wait.
import { parseWaitQuery } from '../../../shared/wait.ts';
import { waitForCode, waitForMail } from '../../wait/wait-answers.ts';
import type { MailWaiter } from '../../wait/waiter.ts';
import type { LocalApiContext, LocalRoute } from '../context.ts';
import { HttpError, sendJson } from '../http-json.ts';
import { queryParams } from '../query-params.ts';

const WAIT_PARAMS = ['from', 'subject', 'body', 'inbox_id', 'account', 'event_type', 'timeout_seconds', 'since', 'code'] as const;

export function waitRoute(ctx: Pick<LocalApiContext, 'events'>, waiter: MailWaiter): LocalRoute {
  return {
    method: 'GET',
    path: '/v1/wait',
    access: 'read',
    handle: async ({ res, url, principal }) => {
      const { code, ...request } = parseWaitQuery(queryParams(url, WAIT_PARAMS));
      const hangUp = new AbortController();
      res.once('close', () => hangUp.abort());
      // Over HTTP there is no session: an agent's first "unseen" starts now.
      const context = { principal, unseenFrom: ctx.events.latestSeq(), signal: hangUp.signal };
      const answer = code ? await waitForCode(waiter, request, context) : await waitForMail(waiter, request, context);
      if (answer !== null) sendJson(res, 200, answer);
      else if (!hangUp.signal.aborted) throw new HttpError(503, 'internal', 'Mailbridge stopped before matching mail arrived');
    },
  };
}
