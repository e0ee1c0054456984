// The consumer store rejects bad names and out-of-range acks with its own error; to a client that is a 400.
import { ConsumerInputError } from '../../store/consumers.ts';
import { badRequest } from '../http-json.ts';

export function asClientError<T>(action: () => T): T {
  try {
    return action();
  } catch (error) {
    if (error instanceof ConsumerInputError) throw badRequest(error.message);
    throw error;
  }
}
