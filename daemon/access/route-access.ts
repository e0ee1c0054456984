// Whether a principal may take a route or make a call, and if not, the refusal it gets: one rule, applied by the
// request pipeline to every route's declared access and by the proxy and tools to what they do.
import type { Access, Principal } from '../../shared/principal.ts';
import { hasScope } from './visibility.ts';

/** Null when `principal` may do `what`; otherwise the message of its 403. */
export function accessRefusal(access: Access, principal: Principal, what: string): string | null {
  if (principal.owner) return null;
  if (access === 'owner') {
    return `${what} is the owner's alone: use the endpoint token (token_file in endpoint.json), not an agent token`;
  }
  if (hasScope(principal, access)) return null;
  return `the token "${principal.name}" has the scopes [${principal.scopes.join(', ')}]; ${what} needs "${access}" (create a token with --scope ${access})`;
}
