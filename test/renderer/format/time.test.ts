import { describe, expect, it } from 'vitest';
import { formatFullTime, formatListTime, formatRelative } from '../../../renderer/format/time.ts';

const NOW = Date.parse('2026-11-23T15:00:00Z');
const UTC = { locale: 'en-GB', timeZone: 'UTC' };

describe('formatListTime', () => {
  it('shows the time for today, the day for this year, and the year for older mail', () => {
    expect(formatListTime('2026-11-23T09:05:00Z', NOW, UTC)).toBe('09:05');
    expect(formatListTime('2026-03-04T09:05:00Z', NOW, UTC)).toBe('4 Mar');
    expect(formatListTime('2024-03-04T09:05:00Z', NOW, UTC)).toBe('4 Mar 2024');
  });

  it('decides "today" in the given time zone', () => {
    // 14:30 UTC is earlier today in UTC, but in Tokyo it was yesterday evening: it is already past midnight there.
    expect(formatListTime('2026-11-23T14:30:00Z', NOW, UTC)).toBe('14:30');
    expect(formatListTime('2026-11-23T14:30:00Z', NOW, { locale: 'en-GB', timeZone: 'Asia/Tokyo' })).toBe('23 Nov');
  });

  it('is empty for an unreadable time', () => {
    expect(formatListTime('not a date', NOW, UTC)).toBe('');
  });
});

describe('formatRelative', () => {
  const ago = (ms: number): string => new Date(NOW - ms).toISOString();

  it('rounds down to the largest unit', () => {
    expect(formatRelative(ago(2_000), NOW)).toBe('just now');
    expect(formatRelative(ago(12_000), NOW)).toBe('12 s ago');
    expect(formatRelative(ago(5 * 60_000 + 59_000), NOW)).toBe('5 min ago');
    expect(formatRelative(ago(3 * 3_600_000), NOW)).toBe('3 h ago');
    expect(formatRelative(ago(49 * 3_600_000), NOW)).toBe('2 d ago');
  });

  it('speaks of the future for scheduled times', () => {
    expect(formatRelative(new Date(NOW + 4_000).toISOString(), NOW)).toBe('in 4 s');
    expect(formatRelative(new Date(NOW + 90_000).toISOString(), NOW)).toBe('in 1 min');
  });
});

describe('formatFullTime', () => {
  it('gives date and seconds, and passes an unreadable time through', () => {
    expect(formatFullTime('2026-02-24T10:05:07Z', UTC)).toBe('24 Feb 2026, 10:05:07');
    expect(formatFullTime('yesterday', UTC)).toBe('yesterday');
  });
});
