// The control calls over HTTP, derived from their one declaration in shared/control.ts: method, path, who may make
// it, where the request travels, its schema and the answer's status and body all come from CONTROL_ROUTES and
// AGENT_CALLS, and every call is answered by the same ControlApi implementation the tray app reaches over IPC.
import type { IncomingMessage } from 'node:http';
import {
  callAccess,
  CONTROL_NAMES,
  CONTROL_ROUTES,
  parseRequest,
  type ControlApi,
  type ControlCalls,
  type AnyRequestPlace,
  type ControlName,
  type FieldKind,
} from '../../../shared/control.ts';
import type { LocalRoute } from '../context.ts';
import { readJsonObject, sendJson } from '../http-json.ts';
import { queryParams } from '../query-params.ts';

export function controlRoutes(control: ControlApi): LocalRoute[] {
  const calls: ControlCalls = control;
  return CONTROL_NAMES.map((name) => controlRoute(calls, name));
}

function controlRoute<M extends ControlName>(calls: ControlCalls, name: M): LocalRoute {
  const route = CONTROL_ROUTES[name];
  const place: AnyRequestPlace = route.request;
  return {
    method: route.method,
    path: route.path,
    access: callAccess(name),
    handle: async ({ req, res, url, params, principal }) => {
      const request = parseRequest(name, await rawRequest(place, req, url, params));
      const answer = route.reply(await calls[name](request, principal), request);
      sendJson(res, answer.status, answer.body);
    },
  };
}

/** The request as sent, before its schema: unknown query parameters are refused whatever the call. */
async function rawRequest(place: AnyRequestPlace, req: IncomingMessage, url: URL, params: Readonly<Record<string, string>>): Promise<unknown> {
  switch (place.in) {
    case 'none':
      queryParams(url, []);
      // A body is not used, but it is still read under the size cap and must be JSON if present.
      if (req.method !== 'GET') await readJsonObject(req);
      return undefined;
    case 'body':
      queryParams(url, []);
      return readJsonObject(req);
    case 'query': {
      const fields: Record<string, string | number> = {};
      for (const [field, value] of queryParams(url, Object.keys(place.fields))) {
        // An empty value means "no filter", so clients may always send `inbox_id=&event_type=`.
        if (value !== '') fields[field] = fieldValue(place.fields[field] ?? 'text', value);
      }
      return fields;
    }
    case 'path': {
      queryParams(url, []);
      const [value = ''] = Object.values(params);
      return fieldValue(place.kind, value);
    }
  }
}

/** Digits become a number for an `int` field; anything else stays text, for the schema to refuse by name. */
function fieldValue(kind: FieldKind, value: string): string | number {
  return kind === 'int' && /^\d{1,16}$/.test(value) ? Number(value) : value;
}
