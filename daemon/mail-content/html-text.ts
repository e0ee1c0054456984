// The text a person sees in an HTML mail, and the links behind it: what the code finder and the body filter read
// when a mail has HTML. htmlparser2 does the tokenizing (entities, comments, unclosed and void tags); this only
// decides which tags break lines and which content is never shown (scripts, styles, hidden preheaders).
import { createRequire } from 'node:module';
import type * as Htmlparser2 from 'htmlparser2';

// Loaded the first time a mail has HTML (the providers' events carry text), not with the engine.
let parser: typeof Htmlparser2.Parser | null = null;
function Parser(): typeof Htmlparser2.Parser {
  parser ??= (createRequire(import.meta.url)('htmlparser2') as typeof Htmlparser2).Parser;
  return parser;
}

export interface HtmlLink {
  href: string;
  /** The link's visible text, whitespace collapsed. */
  text: string;
}

export interface HtmlText {
  /** One line per block (paragraph, row, list item, line break); cells of a row separated by spaces. */
  text: string;
  links: HtmlLink[];
}

const NEVER_SHOWN = new Set(['script', 'style', 'head', 'title', 'template', 'noscript', 'svg']);
const LINE_BREAKING = new Set([
  'address', 'article', 'blockquote', 'br', 'center', 'dd', 'div', 'dl', 'dt', 'footer', 'form', 'h1', 'h2', 'h3', 'h4',
  'h5', 'h6', 'header', 'hr', 'li', 'main', 'ol', 'p', 'pre', 'section', 'table', 'tbody', 'tfoot', 'thead', 'tr', 'ul',
]);
const CELLS = new Set(['td', 'th']);
const HIDDEN_STYLE = /(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden|max-height\s*:\s*0(?:px)?\s*(?:;|$))/i;

export function htmlText(html: string): HtmlText {
  const parts: string[] = [];
  const links: HtmlLink[] = [];
  // One entry per open element: whether it hides what it holds. The parser closes what the HTML left open.
  const hidden: boolean[] = [];
  let hiddenDepth = 0;
  let link: { href: string; text: string[] } | null = null;

  const tokenizer = new (Parser())(
    {
      onopentag(name, attributes) {
        const hides = NEVER_SHOWN.has(name) || 'hidden' in attributes || HIDDEN_STYLE.test(attributes.style ?? '');
        hidden.push(hides);
        if (hides) hiddenDepth += 1;
        if (hiddenDepth > 0) return;
        if (LINE_BREAKING.has(name)) parts.push('\n');
        else if (CELLS.has(name)) parts.push(' ');
        if (name === 'a' && attributes.href !== undefined) link = { href: attributes.href.trim(), text: [] };
      },
      ontext(text) {
        if (hiddenDepth > 0) return;
        parts.push(text);
        link?.text.push(text);
      },
      onclosetag(name) {
        if (hidden.pop() === true) hiddenDepth -= 1;
        if (hiddenDepth > 0) return;
        if (LINE_BREAKING.has(name)) parts.push('\n');
        if (name === 'a' && link !== null) {
          if (link.href !== '') links.push({ href: link.href, text: collapse(link.text.join('')) });
          link = null;
        }
      },
    },
    { decodeEntities: true },
  );
  tokenizer.write(html);
  tokenizer.end();
  return { text: tidyLines(parts.join('')), links };
}

/** Zero-width characters go (senders put them between digits against auto-linking); other whitespace becomes one space. */
function collapse(text: string): string {
  return text.replace(/[\u00ad\u200b-\u200d\u2060\ufeff]/g, '').replace(/[\s\u00a0]+/g, ' ').trim();
}

/** Spaces collapsed within each line, empty lines dropped. */
function tidyLines(text: string): string {
  return text
    .split('\n')
    .map(collapse)
    .filter((line) => line !== '')
    .join('\n');
}
