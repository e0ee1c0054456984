// What a kept file is served as: the mail's type only when well formed, only passive types shown in place, and the
// sender's file name quoted, encoded and cleaned so no header and no path comes of it.
import { describe, expect, it } from 'vitest';
import { fileHeaders, isTextLike, servedType } from '../../../daemon/attachments/content-type.ts';
import { isPassiveType, safeFilename } from '../../../shared/attachments.ts';

describe('servedType', () => {
  it.each([
    ['application/pdf', 'application/pdf'],
    ['IMAGE/PNG', 'image/png'],
    ['text/plain; charset=ISO-8859-1', 'text/plain; charset=iso-8859-1'],
    ['text/plain; charset="utf-8"; format=flowed', 'text/plain; charset=utf-8'],
    ['application/json; charset=utf-8', 'application/json'],
    ['text/html\r\nSet-Cookie: a=b', 'application/octet-stream'],
    ['not a type', 'application/octet-stream'],
    ['', 'application/octet-stream'],
    ['text/<script>', 'application/octet-stream'],
  ])('serves %j as %j', (declared, served) => {
    expect(servedType(declared)).toBe(served);
  });
});

describe('isPassiveType and isTextLike', () => {
  it('shows passive types in place and offers active ones only as downloads', () => {
    for (const type of ['application/pdf', 'image/png', 'text/plain', 'video/mp4', 'audio/mpeg']) expect(isPassiveType(type), type).toBe(true);
    for (const type of ['text/html', 'image/svg+xml', 'application/xhtml+xml', 'text/xml', 'application/javascript', 'application/octet-stream']) {
      expect(isPassiveType(type), type).toBe(false);
    }
  });

  it('reads text types, JSON and XML as text, never HTML', () => {
    for (const type of ['text/plain', 'text/csv', 'text/calendar', 'application/json', 'application/vnd.api+json', 'application/xml']) {
      expect(isTextLike(type), type).toBe(true);
    }
    for (const type of ['text/html', 'application/pdf', 'image/png']) expect(isTextLike(type), type).toBe(false);
  });
});

describe('safeFilename', () => {
  it.each([
    ['invoice.pdf', 'invoice.pdf'],
    ['a\r\nb.txt', 'ab.txt'],
    ['\u202Efdp.exe', 'fdp.exe'],
    ['../../etc/passwd', '___.._etc_passwd'],
    ['C:\\Windows\\evil.bat', 'C:_Windows_evil.bat'],
    ['.bashrc', '_bashrc'],
    ['   ', 'attachment'],
    ['', 'attachment'],
    ['résumé 履歴書.pdf', 'résumé 履歴書.pdf'],
  ])('makes %j %j', (raw, safe) => {
    expect(safeFilename(raw)).toBe(safe);
  });

  it('cuts a long name to 200 characters, keeping its extension', () => {
    const name = safeFilename(`${'ü'.repeat(300)}.pdf`);
    expect(Array.from(name)).toHaveLength(200);
    expect(name.endsWith('ü.pdf')).toBe(true);
  });
});

describe('fileHeaders', () => {
  it('quotes and encodes the name, never letting it start a header', () => {
    const headers = fileHeaders('r\u00e9sum\u00e9 "final"\r\nX-Evil: 1.pdf', 'application/pdf');
    expect(headers['Content-Disposition']).toBe(
      `inline; filename="r?sum? \\"final\\"X-Evil: 1.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%22final%22X-Evil%3A%201.pdf`,
    );
    for (const value of Object.values(headers)) expect(value).not.toMatch(/[\r\n]/);
    expect(headers).toMatchObject({ 'Content-Type': 'application/pdf', 'X-Content-Type-Options': 'nosniff' });
  });

  it('encodes a name outside Latin-1 as filename*, with an ASCII fallback', () => {
    expect(fileHeaders('履歴書.txt', 'text/plain')['Content-Disposition']).toBe(`inline; filename="???.txt"; filename*=UTF-8''%E5%B1%A5%E6%AD%B4%E6%9B%B8.txt`);
  });

  it('makes an active type a download that runs nothing', () => {
    expect(fileHeaders('page.html', 'text/html')).toMatchObject({
      'Content-Disposition': 'attachment; filename=page.html',
      'Content-Security-Policy': "default-src 'none'; sandbox",
    });
  });
});
