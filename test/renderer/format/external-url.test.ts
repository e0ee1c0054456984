import { describe, expect, it } from 'vitest';
import { isWebUrl } from '../../../renderer/format/external-url.ts';

describe('isWebUrl', () => {
  it('accepts only http and https', () => {
    expect(isWebUrl('https://api.openmail.sh/v1/attachments/a')).toBe(true);
    expect(isWebUrl('http://127.0.0.1:8080/')).toBe(true);
    expect(isWebUrl('javascript:alert(1)')).toBe(false);
    expect(isWebUrl('file:///etc/passwd')).toBe(false);
    expect(isWebUrl('not a url')).toBe(false);
  });
});
