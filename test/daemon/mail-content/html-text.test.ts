// The text a person sees in an HTML mail: what is hidden stays out, blocks break lines, entities are decoded, and
// the links come with their visible text.
import { describe, expect, it } from 'vitest';
import { htmlText } from '../../../daemon/mail-content/html-text.ts';

describe('htmlText', () => {
  it('keeps what is shown, one line per block, cells of a row on one line', () => {
    const { text } = htmlText(
      '<html><head><title>T</title><style>p{color:red}</style></head><body><p>Hello&nbsp;<b>Ana</b>,</p>' +
        '<table><tr><td>Code</td><td>482&#8203;913</td></tr></table><div>Line<br>break</div><script>alert(1)</script></body></html>',
    );
    expect(text).toBe('Hello Ana,\nCode 482913\nLine\nbreak');
  });

  it('leaves out hidden preheaders and hidden elements, even when the HTML is not closed', () => {
    const { text } = htmlText('<div style="display: none">Order 12345678 shipped</div><span hidden>x</span><p>Visible <i>text');
    expect(text).toBe('Visible text');
  });

  it('lists links with their visible text and decoded addresses', () => {
    const { links } = htmlText(
      '<a href=" https://example.com/verify?a=1&amp;code=42 "><span>Verify</span> now</a><a>no href</a><a href="">empty</a>',
    );
    expect(links).toEqual([{ href: 'https://example.com/verify?a=1&code=42', text: 'Verify now' }]);
  });
});
