// Named consumers per principal. An agent token's consumer `reader` is kept as `<token>:reader`, so two agents
// that both pick `reader` keep separate positions, and neither can read, move or delete the other's. The owner's
// names have no colon (names never do), so they never meet an agent's. Revoking a token removes its consumers.
import type { Principal } from '../../shared/principal.ts';
import type { ConsumerStatus } from '../../shared/status.ts';
import { ConsumerInputError } from '../store/consumers.ts';

const CONSUMER_NAME = /^[A-Za-z0-9._-]{1,64}$/;

/** Where the principal's consumer `name` is kept. Throws ConsumerInputError for a malformed name. */
export function consumerKey(principal: Principal, name: string): string {
  if (!CONSUMER_NAME.test(name)) {
    throw new ConsumerInputError('consumer name must be 1-64 characters of letters, digits, ".", "_" or "-"');
  }
  return principal.owner ? name : `${consumerPrefix(principal.name)}${name}`;
}

/** The prefix every consumer key of the token `tokenName` starts with. */
export function consumerPrefix(tokenName: string): string {
  return `${tokenName}:`;
}

/** The consumers the principal may see, under the names it uses: the owner sees every one, an agent its own. */
export function ownConsumers(principal: Principal, consumers: readonly ConsumerStatus[]): ConsumerStatus[] {
  if (principal.owner) return [...consumers];
  const prefix = consumerPrefix(principal.name);
  return consumers.filter((consumer) => consumer.name.startsWith(prefix)).map((consumer) => ({ ...consumer, name: consumer.name.slice(prefix.length) }));
}
