// What the acting tools (send_email, reply_to_email, mark_read) take and answer: the schemas tools.ts declares
// them with. Addresses are bare (`ana@example.com`) and no header field may hold a line break, so nothing an agent
// passes can add a header to the mail.
import * as z from 'zod/mini';
import { NAME, NAME_RULE } from '../../shared/names.ts';

/** A mail body past this is refused before it reaches a provider (OpenMail takes 100,000 characters). */
export const MAX_TEXT_LENGTH = 100_000;
/** At most this many recipients in `to` or in `cc`. */
export const MAX_RECIPIENTS = 50;

const ADDRESS = /^[^\s@<>(),;:"[\]\\]+@[^\s@<>(),;:"[\]\\]+$/;
const addressMessage = (field: string) => `${field} must be email addresses such as ana@example.com (the address alone, without a name)`;
const address = (field: string) =>
  z.string(addressMessage(field)).check(z.maxLength(320, addressMessage(field)), z.regex(ADDRESS, addressMessage(field)));
const addressList = (field: string) =>
  z.array(address(field)).check(
    z.minLength(1, `${field} needs at least one address`),
    z.maxLength(MAX_RECIPIENTS, `${field} takes at most ${MAX_RECIPIENTS} addresses`),
  );

const text = z
  .string('text must be a string')
  .check(
    z.minLength(1, 'text must not be empty'),
    z.maxLength(MAX_TEXT_LENGTH, `text is longer than ${MAX_TEXT_LENGTH} characters`),
    z.describe('The body as plain text.'),
  );
const html = z.optional(
  z
    .string('html must be a string')
    .check(
      z.minLength(1, 'html must not be empty'),
      z.maxLength(MAX_TEXT_LENGTH, `html is longer than ${MAX_TEXT_LENGTH} characters`),
      z.describe('The same body as HTML, if it has formatting; text stays its plain version.'),
    ),
);
const cc = z.optional(addressList('cc').check(z.describe('Who to copy. myagentmail takes no cc.')));
const seq = (what: string) =>
  z.int('seq must be an integer').check(z.minimum(1, 'seq must be a positive integer'), z.describe(`The seq of the mail ${what}, as the other tools give it.`));

export const sendEmailInput = z.strictObject({
  to: z
    .union([address('to'), addressList('to')], addressMessage('to'))
    .check(z.describe('The recipient, or a list of them. OpenMail takes one per send: put the others in cc.')),
  cc,
  subject: z
    .string('subject must be a string')
    .check(
      z.minLength(1, 'subject must not be empty'),
      z.maxLength(998, 'subject is longer than 998 characters'),
      z.regex(/^[^\r\n]*$/, 'subject must be one line'),
      z.describe('The subject line.'),
    ),
  text,
  html,
  account: z.optional(
    z
      .string('account must be a string')
      .check(
        z.regex(NAME, `account must be ${NAME_RULE}`),
        z.describe('The Mailbridge account to send with (its name). Needed only when several accounts can send.'),
      ),
  ),
  inbox_id: z.optional(
    z
      .string('inbox_id must be a string')
      .check(
        z.minLength(1, 'inbox_id must not be empty'),
        z.maxLength(256, 'inbox_id is longer than 256 characters'),
        z.describe('The inbox to send from (the provider\'s inbox id). Needed only when there is more than one to choose from.'),
      ),
  ),
});

export const replyToEmailInput = z.strictObject({
  seq: seq('to reply to'),
  text,
  html,
  cc,
  quote: z.optional(
    z
      .boolean('quote must be true or false')
      .check(
        z.describe(
          'OpenMail only: whether OpenMail quotes the mail replied to below the reply (it does when this is left out). ' +
            'AgentMail and myagentmail reply as their reply calls do: leave it out for them.',
        ),
      ),
  ),
});

export const markReadInput = z.strictObject({ seq: seq('whose thread to mark read') });

const sendAnswerShape = {
  status: z
    .enum(['sent', 'queued', 'refused'])
    .check(
      z.describe(
        'sent: the provider took the mail. queued: it waited queued_ms for a slot under the send limit, then the ' +
          'provider took it. refused: nothing was sent; provider_error or message says why, retry_after_seconds when to try again.',
      ),
    ),
  message: z.string().check(z.describe('One line for people: what happened.')),
  account: z.string(),
  inbox_id: z.string(),
  to: z.array(z.string()),
  message_id: z.nullable(z.string()).check(z.describe("The sent mail's id at the provider, when it says.")),
  thread_id: z.nullable(z.string()).check(z.describe('The thread the sent mail is in, when the provider says.')),
  queued_ms: z.int().check(z.describe('How long the send waited for the send limit (OpenMail: 10 a minute per inbox).')),
  retry_after_seconds: z.nullable(z.int()).check(z.describe('When refused for a limit: seconds until a send may go.')),
  provider_status: z.nullable(z.int()).check(z.describe("The provider's HTTP status; null when Mailbridge refused the send itself.")),
  provider_error: z.nullable(z.string()).check(z.describe("The provider's answer when it refused, as it gave it (cut at 2,000 characters).")),
  idempotency_key: z.string().check(z.describe('The Idempotency-Key the send went with.')),
  repeated: z
    .boolean()
    .check(
      z.describe(
        'true when an identical call (same token, tool and arguments) made within the last 10 minutes answered this: ' +
          'its answer is given again and nothing more was sent.',
      ),
    ),
};

export const sendAnswerSchema = z.object(sendAnswerShape);
export type SendAnswer = z.infer<typeof sendAnswerSchema>;

export const replyAnswerSchema = z.object({
  ...sendAnswerShape,
  replied_to_seq: z.int().check(z.describe('The seq of the mail replied to.')),
});
export type ReplyAnswer = z.infer<typeof replyAnswerSchema>;

export const markReadAnswerSchema = z.object({
  status: z.literal('marked_read'),
  message: z.string(),
  seq: z.int(),
  account: z.string(),
  inbox_id: z.string(),
  thread_id: z.string().check(z.describe('The thread now marked read at the provider.')),
});
export type MarkReadAnswer = z.infer<typeof markReadAnswerSchema>;
