// Believable demo mail in OpenMail's exact `message.received` payload shape. Seeded, so a test (or a bug
// report) can reproduce the same stream of mail; the clock is injectable for the same reason.
import { MESSAGE_RECEIVED, type MailAttachment, type MailEvent } from '../../shared/event.ts';
import { attachmentBytes } from './attachment-files.ts';

export type Random = () => number;

/** mulberry32: tiny and plenty for repeatable demo content (not for anything secret). */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const DEFAULT_INBOXES: readonly string[] = ['inb_8f3a1b2c', 'inb_5e0d9c47'];

export interface SampleOptions {
  seed: number;
  /** The account's inbox ids; each sample goes to one of them. */
  inboxes?: readonly string[];
  now?: () => number;
}

interface Draft {
  from: string;
  subject: string;
  body: string;
  cc?: string[];
  attachments?: MailAttachment[];
  /** Set on conversations that plausibly get a follow-up in the same thread. */
  conversation?: Conversation;
}

interface Conversation {
  name: string;
  /** Relayed by a helpdesk, so follow-ups arrive in its format rather than from the person. */
  helpdesk: boolean;
}

interface Thread extends Conversation {
  inbox: number;
  threadId: string;
  subject: string;
  from: string;
}

const INBOX_NAMES = ['agent', 'support', 'billing', 'ops', 'research', 'sales'];
const INBOX_DOMAIN = 'demo.openmail.sh';
// A reserved TLD: demo attachment links must never resolve to someone's server. The demo provider replaces them
// with signed links to itself.
const ATTACHMENT_BASE = 'https://attachments.demo.invalid/v1/attachments';

const PEOPLE: readonly (readonly [string, string])[] = [
  ['Dana Reyes', 'dana.reyes@northwind.example'],
  ['Priya Natarajan', 'priya@lumenlabs.example'],
  ['Tomás Ortega', 'tomas.ortega@fieldnote.example'],
  ['Mei Chen', 'mei.chen@harborline.example'],
  ['Olu Adeyemi', 'olu@brightpath.example'],
  ['Sofia Lindqvist', 'sofia.lindqvist@kestrel.example'],
  ['Marcus Webb', 'marcus.webb@quarry.example'],
  ['Aisha Karimi', 'aisha@tidewater.example'],
];
const COLLEAGUES = ['sam.okafor@acme-agents.example', 'lena.hart@acme-agents.example', 'raj.patel@acme-agents.example'];
const VENDORS: readonly (readonly [string, string])[] = [
  ['Stackhouse Cloud', 'billing@stackhouse.example'],
  ['Parcel & Post', 'invoices@parcelpost.example'],
  ['Brightline Legal', 'accounts@brightline.example'],
  ['Quanta Analytics', 'billing@quanta.example'],
];
const REPOS = ['acme-agents/api', 'acme-agents/web', 'acme-agents/infra', 'acme-agents/mail-worker'];
const TICKET_ISSUES: readonly (readonly [string, string])[] = [
  ['Cannot reset password', 'The reset link says it has expired even when I click it right away.'],
  ['Webhook deliveries failing with 502', 'Since this morning every delivery to our endpoint shows a 502 in the dashboard.'],
  ['Export to CSV is missing columns', 'The export no longer includes the "tags" and "owner" columns we rely on.'],
  ['Charged twice this month', 'I see two identical charges on my card statement for the same plan.'],
  ['SSO login loops back to the sign-in page', 'After Okta approves the login I land on the sign-in page again.'],
];
const MEETINGS = ['Quarterly planning', 'Design review: inbox routing', 'Customer call: Northwind', 'Incident retro', '1:1'];
const SERVICES = ['Stackhouse', 'Quanta', 'Deskflow', 'Ledgerly'];
const FOLLOW_UPS = [
  'Any update on this? We are still blocked.',
  'Thanks, that fixed it on our side.',
  'Following up: I have attached the details you asked for in my previous message.',
  'Could we get this resolved before Friday? Our launch depends on it.',
  'Just checking this did not get lost. Happy to jump on a call.',
];
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

export class SampleGenerator {
  readonly #random: Random;
  readonly #inboxes: readonly string[];
  readonly #now: () => number;
  readonly #salt: number;
  #ids = 0;
  #threads: Thread[] = [];

  constructor(options: SampleOptions) {
    const inboxes = options.inboxes ?? DEFAULT_INBOXES;
    if (inboxes.length === 0) throw new Error('the demo provider needs at least one inbox');
    this.#random = seededRandom(options.seed);
    this.#inboxes = inboxes;
    this.#now = options.now ?? Date.now;
    this.#salt = Math.floor(this.#random() * 2 ** 32);
  }

  /** The address an inbox receives at. */
  address(inboxId: string): string {
    const index = this.#inboxes.indexOf(inboxId);
    return `${INBOX_NAMES[index] ?? `agent${index}`}@${INBOX_DOMAIN}`;
  }

  next(): MailEvent {
    const at = new Date(this.#now()).toISOString();
    const followUp = this.#threads.length > 0 && this.#random() < 0.25;
    const thread = followUp ? this.#pick(this.#threads) : null;
    const inbox = thread?.inbox ?? this.#int(0, this.#inboxes.length - 1);
    const draft = thread ? this.#followUp(thread) : this.#draft();
    const threadId = thread?.threadId ?? this.#id('thr');
    if (!thread && draft.conversation) this.#remember({ ...draft.conversation, inbox, threadId, subject: draft.subject, from: draft.from });
    const sender = draft.from.split('@')[1] ?? 'mail.example';
    const inboxId = this.#inboxes[inbox]!;
    return {
      event: MESSAGE_RECEIVED,
      event_id: this.#id('evt'),
      occurred_at: at,
      delivered_at: at,
      attempt: 1,
      inbox_id: inboxId,
      thread_id: threadId,
      message: {
        id: this.#id('msg'),
        rfc_message_id: `<${this.#hex(16)}@mail.${sender}>`,
        from: draft.from,
        to: this.address(inboxId),
        cc: draft.cc ?? [],
        subject: draft.subject,
        body_text: draft.body,
        attachments: draft.attachments ?? [],
        received_at: at,
      },
    };
  }

  #draft(): Draft {
    const roll = this.#random() * 11;
    if (roll < 3) return this.#customer();
    if (roll < 5) return this.#ticket();
    if (roll < 7) return this.#ci();
    if (roll < 8) return this.#invoice();
    if (roll < 9) return this.#invite();
    if (roll < 10) return this.#code();
    return this.#shipping();
  }

  #customer(): Draft {
    const [name, from] = this.#pick(PEOPLE);
    const first = name.split(' ')[0]!;
    const order = this.#int(40_000, 99_999);
    const variants: Draft[] = [
      {
        from,
        subject: `Re: Your order #${order}`,
        body: `Hi,\n\nThanks for the quick reply. The tracking page still says "label created" since ${WEEKDAYS[this.#int(1, 5)]}. Could you check with the carrier?\n\nBest,\n${first}`,
      },
      {
        from,
        subject: 'Question about moving to the Team plan',
        body: `Hello,\n\nWe are at ${this.#int(6, 40)} seats on Starter and would like to move to Team before the end of the month. Is the difference prorated, and do our existing API keys keep working?\n\nThanks,\n${first}`,
      },
      {
        from,
        subject: `Refund request for order #${order}`,
        body: `Hi there,\n\nTwo of the ${this.#int(3, 12)} units arrived damaged (photos attached). I would prefer a refund over a replacement.\n\nRegards,\n${name}`,
        attachments: [this.#attachment('damage.png', 'image/png', 'ocr', 'Photo: cracked casing on the left side, box corner crushed.')],
      },
      {
        from,
        subject: 'Re: Onboarding call next week',
        body: `Tuesday at 10:00 works for us. I will bring our ops lead so we can go through the inbox routing rules together.\n\n${first}`,
        cc: [this.#pick(COLLEAGUES)],
      },
    ];
    return { ...this.#pick(variants), conversation: { name, helpdesk: false } };
  }

  #ticket(): Draft {
    const [name, email] = this.#pick(PEOPLE);
    const [issue, detail] = this.#pick(TICKET_ISSUES);
    const priority = this.#pick(['Low', 'Normal', 'High', 'Urgent']);
    const withLog = this.#random() < 0.4;
    return {
      from: 'notifications@deskflow.example',
      subject: `[Ticket #${this.#int(1000, 9999)}] ${issue}`,
      body: `${name} (${email}) opened a ticket:\n\n"${detail}"\n\nPriority: ${priority}\n\n## Reply above this line to respond ##`,
      ...(withLog ? { attachments: [this.#attachment('browser-console.txt', 'text/plain', 'text', 'POST /v1/session 401 (Unauthorized)\nUncaught (in promise) Error: session expired')] } : {}),
      conversation: { name, helpdesk: true },
    };
  }

  #ci(): Draft {
    const repo = this.#pick(REPOS);
    const sha = this.#hex(7);
    const failed = this.#random() < 0.45;
    const branch = this.#pick(['main', 'main', 'release/2.4', 'feat/retry-queue']);
    const run = this.#int(1200, 9800);
    return {
      from: 'builds@ci.example',
      subject: `[${repo}] Run ${failed ? 'failed' : 'succeeded'}: CI - ${branch} (${sha})`,
      body: failed
        ? `CI #${run} failed on ${branch} (${sha}).\n\nJob "test" failed after ${this.#int(2, 14)}m ${this.#int(0, 59)}s:\n  FAIL test/queue/retry.test.ts > retries with backoff\n  AssertionError: expected 3 deliveries, got 2\n\nView the run: https://ci.example/${repo}/runs/${run}`
        : `CI #${run} succeeded on ${branch} (${sha}) in ${this.#int(3, 11)}m.\n\nView the run: https://ci.example/${repo}/runs/${run}`,
    };
  }

  #invoice(): Draft {
    const [vendor, from] = this.#pick(VENDORS);
    const date = new Date(this.#now());
    const number = `INV-${date.getUTCFullYear()}-${String(this.#int(1, 9999)).padStart(4, '0')}`;
    const amount = (this.#int(4_900, 1_250_000) / 100).toFixed(2);
    const due = new Date(this.#now() + 14 * 86_400_000).toISOString().slice(0, 10);
    const month = `${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
    return {
      from,
      subject: `Invoice ${number} from ${vendor}`,
      body: `Hi,\n\nYour invoice ${number} for ${month} is attached.\n\nAmount due: $${amount}\nDue date: ${due}\n\nReply to this email with any questions.\n\n${vendor} Billing`,
      attachments: [
        this.#attachment(`${number}.pdf`, 'application/pdf', 'pdf', `INVOICE ${number}\nBill to: Acme Agents Inc.\nPeriod: ${month}\nTotal due: USD ${amount}\nDue: ${due}`),
      ],
    };
  }

  #invite(): Draft {
    const organiser = this.#pick(COLLEAGUES);
    const title = this.#pick(MEETINGS);
    const start = new Date(this.#now() + this.#int(1, 9) * 86_400_000);
    start.setUTCHours(this.#int(8, 16), this.#pick([0, 30]), 0, 0);
    const when = `${WEEKDAYS[start.getUTCDay()]} ${start.toISOString().slice(0, 10)} ${start.toISOString().slice(11, 16)} UTC`;
    const stamp = `${start.toISOString().replace(/[-:]/g, '').slice(0, 15)}Z`;
    return {
      from: organiser,
      subject: `Invitation: ${title} @ ${when}`,
      body: `${organiser} has invited you to "${title}".\n\nWhen: ${when} (45 minutes)\nWhere: https://meet.example/${this.#hex(10)}\n\nAccept or decline from your calendar.`,
      cc: this.#random() < 0.5 ? [this.#pick(COLLEAGUES)] : [],
      attachments: [
        this.#attachment('invite.ics', 'text/calendar', 'text', `BEGIN:VEVENT\nSUMMARY:${title}\nDTSTART:${stamp}\nORGANIZER:mailto:${organiser}\nEND:VEVENT`),
      ],
    };
  }

  #code(): Draft {
    const service = this.#pick(SERVICES);
    return {
      from: `no-reply@accounts.${service.toLowerCase()}.example`,
      subject: `Your ${service} verification code`,
      body: `Your verification code is ${String(this.#int(0, 999_999)).padStart(6, '0')}.\n\nIt expires in 10 minutes. If you did not try to sign in, you can ignore this email.`,
    };
  }

  #shipping(): Draft {
    const order = this.#int(40_000, 99_999);
    return {
      from: 'shipping@parcelpost.example',
      subject: `Your order #${order} has shipped`,
      body: `Good news: order #${order} is on its way.\n\nCarrier: ${this.#pick(['UPS', 'DHL', 'FedEx'])}\nTracking: 1Z${this.#hex(14).toUpperCase()}\nEstimated delivery: ${WEEKDAYS[this.#int(1, 5)]}`,
    };
  }

  #followUp(thread: Thread): Draft {
    const text = this.#pick(FOLLOW_UPS);
    return {
      from: thread.from,
      subject: thread.subject.startsWith('Re: ') ? thread.subject : `Re: ${thread.subject}`,
      body: thread.helpdesk
        ? `${thread.name} replied:\n\n"${text}"\n\n## Reply above this line to respond ##`
        : `${text}\n\n${thread.name.split(' ')[0]}`,
    };
  }

  #remember(thread: Thread): void {
    this.#threads.push(thread);
    if (this.#threads.length > 12) this.#threads.shift();
  }

  #attachment(filename: string, contentType: string, extractionMethod: string, parsedText: string): MailAttachment {
    return {
      filename,
      contentType,
      sizeBytes: attachmentBytes({ filename, contentType, parsedText }).length,
      url: `${ATTACHMENT_BASE}/${this.#id('att')}`,
      parsedText,
      extractionMethod,
    };
  }

  /** Unique per generator: a counter through a bijection of 32-bit integers (looks random, never repeats). */
  #id(prefix: string): string {
    const mixed = Math.imul((this.#ids++ ^ this.#salt) >>> 0, 0x9e3779b1) >>> 0;
    return `${prefix}_${mixed.toString(16).padStart(8, '0')}${this.#hex(4)}`;
  }

  #hex(length: number): string {
    let out = '';
    while (out.length < length) out += Math.floor(this.#random() * 16).toString(16);
    return out;
  }

  #int(min: number, max: number): number {
    return min + Math.floor(this.#random() * (max - min + 1));
  }

  #pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.#random() * items.length)]!;
  }
}
