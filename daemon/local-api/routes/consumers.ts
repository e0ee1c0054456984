// Named consumers: `GET /v1/consumers`, `POST /v1/consumers/:name/ack`, `DELETE /v1/consumers/:name`. Each principal
// sees and moves only its own (daemon/access/consumer-names.ts); the owner sees every one.
import type { AckResponse, ConsumersResponse } from '../../../shared/local-api.ts';
import { consumerKey, ownConsumers } from '../../access/consumer-names.ts';
import type { LocalApiContext, LocalRoute } from '../context.ts';
import { badRequest, notFound, readJsonObject, sendJson } from '../http-json.ts';
import { queryParams } from '../query-params.ts';
import { asClientError } from './consumer-input.ts';

export function consumersRoutes(ctx: LocalApiContext): LocalRoute[] {
  return [
    {
      method: 'GET',
      path: '/v1/consumers',
      access: 'read',
      handle: ({ res, url, principal }) => {
        queryParams(url, []);
        const body: ConsumersResponse = { consumers: ownConsumers(principal, ctx.consumers.list(ctx.events.latestSeq())) };
        sendJson(res, 200, body);
      },
    },
    {
      method: 'POST',
      path: '/v1/consumers/:name/ack',
      access: 'read',
      handle: async ({ req, res, url, params, principal }) => {
        queryParams(url, []);
        const name = params.name ?? '';
        const { seq } = await readJsonObject(req);
        if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) {
          throw badRequest('"seq" must be a non-negative integer');
        }
        const body: AckResponse = { name, acked_seq: asClientError(() => ctx.consumers.ack(consumerKey(principal, name), seq)) };
        sendJson(res, 200, body);
      },
    },
    {
      method: 'DELETE',
      path: '/v1/consumers/:name',
      access: 'read',
      handle: ({ res, url, params, principal }) => {
        queryParams(url, []);
        const name = params.name ?? '';
        if (!asClientError(() => ctx.consumers.remove(consumerKey(principal, name)))) throw notFound(`no consumer named "${name}"`);
        res.writeHead(204, { 'Cache-Control': 'no-store' });
        res.end();
      },
    },
  ];
}
