// Named consumers: `GET /v1/consumers`, `POST /v1/consumers/:name/ack`, `DELETE /v1/consumers/:name`.
import type { AckResponse, ConsumersResponse } from '../../../shared/local-api.ts';
import type { LocalApiContext, LocalRoute } from '../context.ts';
import { badRequest, notFound, readJsonObject, sendJson } from '../http-json.ts';
import { queryParams } from '../query-params.ts';
import { asClientError } from './consumer-input.ts';

export function consumersRoutes(ctx: LocalApiContext): LocalRoute[] {
  return [
    {
      method: 'GET',
      path: '/v1/consumers',
      handle: ({ res, url }) => {
        queryParams(url, []);
        const body: ConsumersResponse = { consumers: ctx.consumers.list(ctx.events.latestSeq()) };
        sendJson(res, 200, body);
      },
    },
    {
      method: 'POST',
      path: '/v1/consumers/:name/ack',
      handle: async ({ req, res, url, params }) => {
        queryParams(url, []);
        const name = params.name ?? '';
        const { seq } = await readJsonObject(req);
        if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) {
          throw badRequest('"seq" must be a non-negative integer');
        }
        const body: AckResponse = { name, acked_seq: asClientError(() => ctx.consumers.ack(name, seq)) };
        sendJson(res, 200, body);
      },
    },
    {
      method: 'DELETE',
      path: '/v1/consumers/:name',
      handle: ({ res, url, params }) => {
        queryParams(url, []);
        const name = params.name ?? '';
        if (!asClientError(() => ctx.consumers.remove(name))) throw notFound(`no consumer named "${name}"`);
        res.writeHead(204, { 'Cache-Control': 'no-store' });
        res.end();
      },
    },
  ];
}
