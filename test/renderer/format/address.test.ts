import { describe, expect, it } from 'vitest';
import { senderName } from '../../../renderer/format/address.ts';

describe('senderName', () => {
  it('prefers the display name and falls back to the address', () => {
    expect(senderName('Dana Reyes <dana@northwind.example>')).toBe('Dana Reyes');
    expect(senderName('"Reyes, Dana" <dana@northwind.example>')).toBe('Reyes, Dana');
    expect(senderName('<dana@northwind.example>')).toBe('dana@northwind.example');
    expect(senderName(' dana@northwind.example ')).toBe('dana@northwind.example');
  });
});
