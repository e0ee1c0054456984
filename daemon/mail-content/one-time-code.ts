// The one-time code and the verification or sign-in link in a mail (wait_for_code, `mailbridge wait --code`).
// Pure: it reads the subject, the body text and the text of the HTML part, finds every code-shaped token (4-8
// digits, digit groups, "G-123456", upper-case letter-and-digit forms such as "ZXQ-4TR") and scores each by
// what surrounds it. A code is what a code word in any of a dozen languages points at; dates, years, times,
// amounts, order and reference numbers, phone numbers and addresses are what it must not be.
import { htmlText, type HtmlLink } from './html-text.ts';

export interface CodeSource {
  subject: string;
  text: string | null;
  html: string | null;
}

export interface FoundCode {
  /** Digit groups are joined ("482 913" is "482913"); letter forms are kept as shown ("ZXQ-4TR"). */
  code: string | null;
  link: string | null;
}

interface Segment {
  where: 'subject' | 'body';
  text: string;
}

interface Candidate {
  value: string;
  score: number;
  /** Which came first, for ties: the subject, then the body, then links. */
  order: number;
}

interface Span {
  start: number;
  end: number;
}

/** Letters of the scripts that separate words with spaces, and digits: what a code must not be glued to. Chinese and
 * Japanese write "验证码是384756" with no space, so their characters do not count. */
const GLUE = String.raw`\p{sc=Latin}\p{sc=Cyrillic}\p{sc=Greek}\p{N}`;

/** Words that name a one-time code: English, German, French, Spanish, Portuguese, Italian, Dutch, Polish, Czech, Turkish, Russian, Japanese, Chinese, Korean. */
const CODE_WORD = new RegExp(
  [
    'code',
    'password',
    'passwort',
    'mot de passe',
    'contraseña',
    'senha',
    'c[óo]digo',
    'codice',
    `(?<![${GLUE}])(?:kod|kodu|kód|otp|pin|tan)(?![${GLUE}])`,
    'код',
    'пароль',
    'コード',
    'パスワード',
    '認証番号',
    '確認番号',
    '验证码',
    '驗證碼',
    '校验码',
    '动态码',
    '密码',
    '인증\\s?번호',
    '인증\\s?코드',
    '코드',
  ].join('|'),
  'giu',
);
/** A code word fused with what it is a code for ("postcode", "Gutscheincode", "decode"): not a sign-in code. */
const NOT_A_SIGN_IN_CODE_FUSED = /^(?:promo|promotions|bar|post|zip|qr|gutschein|rabatt|aktions|geo|uni|en|de|source|coupon|voucher)$/iu;
/** The word before it says the same: "promo code", "zip code", "error code". */
const NOT_A_SIGN_IN_CODE_BEFORE =
  /(?<![\p{L}])(?:promo(?:tional)?|discount|coupon|voucher|gift|card|referral|zip|postal|post|area|country|dialing|dialling|source|qr|bar|error|status|response|dress|tracking|product|sort|swift|bank|tax|airport)[\s-]$/iu;
/** Or the words after it: "code of conduct", "code postal", "codice fiscale". */
const NOT_A_SIGN_IN_CODE_AFTER =
  /^s?\s?(?:of conduct|postale?|promo|fiscale|de réduction|réduction|de descuento|promocional|sconto|promozionale|de promoción)/iu;

const URL_IN_TEXT = /https?:\/\/[^\s<>"'\])}]+/giu;
const EMAIL_IN_TEXT = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.\p{L}{2,}/gu;

// Candidate shapes, tried in this order; a later shape never takes a span an earlier one took.
const SHAPES: ReadonlyArray<{ pattern: RegExp; kind: 'digits' | 'letters'; value: (match: RegExpExecArray) => string }> = [
  // Google's "G-482913": the digits are what the form takes.
  { pattern: new RegExp(String.raw`(?<![${GLUE}-])[A-Z]-(\d{4,8})(?![${GLUE}]|-\p{N})`, 'gu'), kind: 'digits', value: (m) => m[1]! },
  // Letter-spaced digits, as large HTML code boxes show them: "4 8 2 9 1 3".
  {
    pattern: new RegExp(String.raw`(?<![${GLUE}]|\p{N}[ .-])\d(?: \d){3,7}(?![${GLUE}]|[ .-]\p{N})`, 'gu'),
    kind: 'digits',
    value: (m) => m[0].replaceAll(' ', ''),
  },
  // Two groups: "482 913", "4829-1301". Not a phone number's tail, nor a decimal.
  {
    pattern: new RegExp(String.raw`(?<![${GLUE}+(]|\p{N}[ .-]|[.,/]|\)\s?)\d{3,4}[ -]\d{3,4}(?![${GLUE}]|[ .-]\p{N}|[.,/:]\p{N})`, 'gu'),
    kind: 'digits',
    value: (m) => m[0].replace(/[ -]/g, ''),
  },
  // Plain digits: not inside a date, a time, a decimal, a phone number, a price or an "#order".
  {
    pattern: new RegExp(String.raw`(?<![${GLUE}+#$€£¥₹-]|\p{N}[ .-]|[.,/]|\)\s?)\d{4,8}(?![${GLUE}]|[ .-]\p{N}|[.,/:]\p{N}|\s?%)`, 'gu'),
    kind: 'digits',
    value: (m) => m[0],
  },
  // Upper-case letter-and-digit forms: "7HK2QX", "ZXQ-4TR", "ABCD-1234".
  {
    pattern: new RegExp(`(?<![${GLUE}-])(?:[A-Z0-9]{3,4}-[A-Z0-9]{3,4}|[A-Z0-9]{4,8})(?![${GLUE}]|-[${GLUE}])`, 'gu'),
    kind: 'letters',
    value: (m) => m[0],
  },
];

/** Words before a number that make it an order, invoice, account or reference number rather than a code. */
const REFERENCE_WORD =
  /(?<![\p{L}])(?:order|invoice|receipt|ticket|case|ref(?:erence)?|booking|reservation|confirmation (?:number|no)|account|member|customer|tracking|shipment|transaction|id|no\.|nr\.|n[°º]|bestellung|rechnung|kundennummer|commande|facture|pedido|factura|ordine|fattura|заказ|注文|订单|주문)\W{0,4}(?:[\p{L}]+\W{0,3}){0,2}$/iu;
/** "call us at +1 (800) ": a phone word, then at most a few short words, then the number's start. */
const PHONE_WORD =
  /(?<![\p{L}])(?:call|phone|tel|telephone|telefon|téléphone|teléfono|telefono|fax|whatsapp|hotline|mobile|телефон|電話|电话)(?:[^\p{L}\p{N}]{1,3}[\p{L}]{1,4}){0,3}[^\p{L}]{0,16}$/iu;
const CURRENCY_BEFORE = /(?:[$€£¥₹₽]|\b(?:usd|eur|gbp|chf|jpy|cad|aud|inr|rs\.?|sek|nok|dkk|pln|brl|r\$))\s?$/iu;
const CURRENCY_AFTER = /^\s?(?:[$€£¥₹₽]|(?:usd|eur|gbp|chf|jpy|kr|zł|pln|sek|nok|dkk)\b|,-)/iu;
const ADDRESS_WORD =
  /(?<![\p{L}])(?:street|st\.|avenue|ave\.?|road|rd\.|suite|floor|blvd|boulevard|straße|strasse|str\.|rue|calle|avenida|via|p\.?\s?o\.? box)(?![\p{L}])/iu;
/** A US state and its zip code: "WA 98109". */
const STATE_ZIP = /\b[A-Z]{2}\s+\d{5}\b/u;
const YEAR = /^(?:19|20)\d\d$/;

const KEYWORD_BEFORE_WINDOW = 80;
const KEYWORD_AFTER_WINDOW = 40;
const ACCEPT_SCORE = 30;

export function findOneTimeCode(source: CodeSource): FoundCode {
  const html = source.html ? htmlText(source.html) : null;
  const body = [source.text ?? '', html?.text ?? ''].filter((text) => text.trim() !== '').join('\n');
  const segments: Segment[] = [
    { where: 'subject', text: source.subject },
    { where: 'body', text: body },
  ];
  const links = [...segments.flatMap((segment) => urlsIn(segment.text)), ...(html?.links ?? [])];
  const keywords = segments.map((segment) => keywordSpans(segment.text));
  const mailNamesACode = keywords.some((spans) => spans.length > 0);

  const candidates: Candidate[] = [];
  segments.forEach((segment, index) => {
    for (const found of tokensIn(segment.text, keywords[index]!)) {
      const score = scoreToken(segment, found, keywords[index]!, mailNamesACode);
      if (score !== null) candidates.push({ value: found.value, score, order: index });
    }
  });
  for (const link of links) {
    const inLink = codeInLink(link.href);
    if (inLink !== null) candidates.push({ value: inLink, score: 55, order: segments.length });
  }
  const best = candidates
    .filter((candidate) => candidate.score >= ACCEPT_SCORE)
    .sort((a, b) => b.score - a.score || a.order - b.order)[0];
  return { code: best?.value ?? null, link: bestLink(links) };
}

// ---- Code words ------------------------------------------------------------------------------------------------

function keywordSpans(text: string): Span[] {
  const spans: Span[] = [];
  for (const match of text.matchAll(CODE_WORD)) {
    const start = match.index;
    const end = start + match[0].length;
    // The word it sits in: "Bestätigungscode" names a code, "Gutscheincode" and "postcode" do not.
    const fused = /[\p{sc=Latin}\p{sc=Cyrillic}]*$/u.exec(text.slice(Math.max(0, start - 30), start))?.[0] ?? '';
    const wordStart = start - fused.length;
    if (fused !== '' && NOT_A_SIGN_IN_CODE_FUSED.test(fused)) continue;
    if (NOT_A_SIGN_IN_CODE_BEFORE.test(text.slice(Math.max(0, wordStart - 20), wordStart))) continue;
    if (NOT_A_SIGN_IN_CODE_AFTER.test(text.slice(end, end + 20))) continue;
    spans.push({ start: wordStart, end });
  }
  return spans;
}

// ---- Tokens ----------------------------------------------------------------------------------------------------

interface Token extends Span {
  value: string;
  kind: 'digits' | 'letters';
}

function tokensIn(text: string, keywords: readonly Span[]): Token[] {
  // Numbers inside links and addresses are not read as text: links get their own look (codeInLink).
  const masked = mask(mask(text, URL_IN_TEXT), EMAIL_IN_TEXT);
  const taken: Span[] = [...keywords];
  const tokens: Token[] = [];
  for (const shape of SHAPES) {
    for (const match of masked.matchAll(shape.pattern)) {
      const span = { start: match.index, end: match.index + match[0].length };
      if (taken.some((other) => span.start < other.end && other.start < span.end)) continue;
      const value = shape.value(match);
      if (shape.kind === 'letters' && !isLetterCode(value)) continue;
      taken.push(span);
      tokens.push({ ...span, value, kind: shape.kind });
    }
  }
  return tokens;
}

/** Letters and digits mixed ("7HK2QX"), or two hyphenated groups ("ZXQ-4TR"); never a word in capitals ("HTTPS"). */
function isLetterCode(value: string): boolean {
  const hasLetter = /[A-Z]/.test(value);
  const hasDigit = /\d/.test(value);
  if (!hasLetter) return false;
  return hasDigit || value.includes('-');
}

function mask(text: string, pattern: RegExp): string {
  return text.replace(pattern, (found) => ' '.repeat(found.length));
}

function scoreToken(segment: Segment, token: Token, keywords: readonly Span[], mailNamesACode: boolean): number | null {
  const { text } = segment;
  const before = text.slice(Math.max(0, token.start - KEYWORD_BEFORE_WINDOW), token.start);
  const after = text.slice(token.end, token.end + KEYWORD_AFTER_WINDOW);
  const lineStart = text.lastIndexOf('\n', token.start - 1) + 1;
  const lineEnd = text.indexOf('\n', token.end);
  const line = text.slice(lineStart, lineEnd === -1 ? undefined : lineEnd);
  const sameLineBefore = text.slice(lineStart, token.start);

  if (CURRENCY_BEFORE.test(before) || CURRENCY_AFTER.test(after)) return null;
  if (PHONE_WORD.test(sameLineBefore.slice(-40))) return null;

  const keywordBefore = keywords.filter((k) => k.end <= token.start && token.start - k.end <= KEYWORD_BEFORE_WINDOW).at(-1);
  const keywordAfter = keywords.find((k) => k.start >= token.end && k.start - token.end <= KEYWORD_AFTER_WINDOW);
  const reference = REFERENCE_WORD.exec(sameLineBefore.slice(-40));
  // "Order 123456" is a reference number unless a code word stands between them ("order ... code: 123456").
  if (reference !== null && (keywordBefore === undefined || keywordBefore.end <= lineStart + reference.index)) return null;

  let score = 0;
  if (keywordBefore !== undefined) score = Math.max(score, 60 - (token.start - keywordBefore.end) / 2);
  if (keywordAfter !== undefined) score = Math.max(score, 50 - (keywordAfter.start - token.end));
  const aloneOnLine = line.trim() === text.slice(token.start, token.end);
  if (token.kind === 'letters') {
    // Capitals near "code" are easily something else: a letter code must stand right beside its code word, or alone.
    if (score < 45 && !(aloneOnLine && score > 0)) return null;
    score -= 10;
  }
  if (aloneOnLine) score += 15;
  if (mailNamesACode) score += 15;
  if (segment.where === 'subject') score += 5;
  if (token.kind === 'digits' && token.value.length === 6) score += 5;
  if (token.kind === 'digits' && token.value.length === 4 && YEAR.test(token.value)) score -= 40;
  if (ADDRESS_WORD.test(line) || STATE_ZIP.test(line)) score -= 40;
  return score;
}

// ---- Links -----------------------------------------------------------------------------------------------------

const LINK_PATH_SIGN =
  /verif|confirm|activat|validat|magic|log-?in|sign-?in|signin|sign_in|auth|otp|passwordless|one-?time|2fa|mfa|[?&](?:token|code)=|reset/iu;
const LINK_TEXT_SIGN =
  /verif|confirm|activat|sign (?:me )?in|log ?in|magic|bestätig|anmelden|einloggen|vérifi|confirmer|connexion|se connecter|verific|confirmar|iniciar sesión|accedi|conferm|подтверд|войти|確認|ログイン|验证|登录|인증/iu;
const LINK_NOT_IT =
  /unsubscribe|abmelden|désabonner|desuscribir|preferences|privacy|terms|legal|help|support|faq|view in browser|webversion|facebook\.com|twitter\.com|\/\/x\.com|linkedin\.com|instagram\.com|youtube\.com|apps\.apple\.com|play\.google\.com/iu;
const CODE_PARAMS = new Set(['code', 'otp', 'pin', 'passcode', 'verification_code', 'verificationcode', 'confirmation_code', 'one_time_code', 'token']);

function urlsIn(text: string): HtmlLink[] {
  return [...text.matchAll(URL_IN_TEXT)].map((match) => ({ href: match[0].replace(/[.,;:!?]+$/u, ''), text: '' }));
}

function bestLink(links: readonly HtmlLink[]): string | null {
  let best: { href: string; score: number } | null = null;
  for (const link of links) {
    if (!/^https?:\/\//iu.test(link.href)) continue;
    if (LINK_NOT_IT.test(link.href) || LINK_NOT_IT.test(link.text)) continue;
    const score = (LINK_PATH_SIGN.test(link.href) ? 2 : 0) + (LINK_TEXT_SIGN.test(link.text) ? 3 : 0);
    if (score >= 2 && (best === null || score > best.score)) best = { href: link.href, score };
  }
  return best?.href ?? null;
}

/** "?code=482913" or ".../verify/482913": a code the link carries. */
function codeInLink(href: string): string | null {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return null;
  }
  for (const [name, value] of url.searchParams) {
    if (CODE_PARAMS.has(name.toLowerCase()) && isCodeValue(value)) return value;
  }
  const segments = url.pathname.split('/').filter(Boolean);
  for (let i = 1; i < segments.length; i += 1) {
    if (/verif|confirm|code|otp/iu.test(segments[i - 1]!) && /^\d{4,8}$/.test(segments[i]!)) return segments[i]!;
  }
  return null;
}

function isCodeValue(value: string): boolean {
  return /^\d{4,8}$/.test(value) || (/^[A-Z0-9]{4,8}$/.test(value) && isLetterCode(value));
}
