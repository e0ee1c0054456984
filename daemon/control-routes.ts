// The window's control calls over HTTP, for the dashboard in a browser: the same Control the tray app reaches by IPC.
import type { AddAccountRequest, AddForwardTargetRequest, SettingsPatch } from '../shared/control.ts';
import type { LocalRoute, RouteRequest } from './local-api/context.ts';
import { badRequest, readJsonObject, sendJson } from './local-api/http-json.ts';
import { ControlInputError, type Control } from './control.ts';

export function controlRoutes(control: Control): LocalRoute[] {
  const route = (method: LocalRoute['method'], path: string, handle: (request: RouteRequest) => Promise<void>): LocalRoute => ({
    method,
    path,
    handle: async (request) => {
      try {
        await handle(request);
      } catch (error) {
        if (error instanceof ControlInputError) throw badRequest(error.message);
        throw error;
      }
    },
  });
  return [
    route('GET', '/v1/settings', async ({ res }) => sendJson(res, 200, await control.settings())),
    route('PATCH', '/v1/settings', async ({ req, res }) => {
      sendJson(res, 200, await control.updateSettings((await readJsonObject(req)) as SettingsPatch));
    }),
    route('POST', '/v1/accounts', async ({ req, res }) => {
      const result = await control.addAccount((await readJsonObject(req)) as unknown as AddAccountRequest);
      sendJson(res, result.ok ? 201 : 422, result);
    }),
    route('DELETE', '/v1/accounts/:name', async ({ res, params }) => {
      await control.removeAccount(params.name!);
      sendJson(res, 200, { removed: params.name });
    }),
    route('POST', '/v1/forward-targets', async ({ req, res }) => {
      sendJson(res, 201, await control.addForwardTarget((await readJsonObject(req)) as unknown as AddForwardTargetRequest));
    }),
    route('DELETE', '/v1/forward-targets/:id', async ({ res, params }) => {
      await control.removeForwardTarget(params.id!);
      sendJson(res, 200, { removed: params.id });
    }),
    route('POST', '/v1/events/:seq/redeliver', async ({ res, params }) => {
      const seq = Number(params.seq);
      if (!Number.isSafeInteger(seq) || seq < 1) throw badRequest('seq must be a positive integer');
      sendJson(res, 202, { queued: await control.redeliver(seq) });
    }),
    route('POST', '/v1/reconnect', async ({ res }) => {
      await control.reconnect();
      sendJson(res, 202, { reconnecting: true });
    }),
  ];
}

