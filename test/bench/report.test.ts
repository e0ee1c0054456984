import { describe, expect, it } from 'vitest';
import { change, renderTable, type PreviousRun } from '../../bench/report.ts';

describe('the bench table', () => {
  it('says how the first figure of a value moved since the last committed run, and what it was', () => {
    expect(change('+0.45 / +1.9 ms', '+0.716 / +3.689 ms')).toBe('−37 % (was +0.716)');
    expect(change('21,400 events/s', '8610 events/s')).toBe('+149 % (was 8610)');
    expect(change('13.5 s', '13.5 s')).toBe('unchanged');
    expect(change('0 / 2 found', 'none')).toBe('was none');
    expect(change('4 ms', undefined)).toBe('');
  });

  it('puts each figure beside its goal, its verdict and its change', () => {
    const previous: PreviousRun = { date: '2026-11-23T01:46:32.041Z', quick: false, cpu: 'AMD EPYC', values: new Map([['a|sse: overhead p50 / p99', '+0.800 / +1.600 ms']]) };
    const table = renderTable(
      [{ id: 'a', title: 'relay overhead', seconds: 30, rows: [{ metric: 'sse: overhead p50 / p99', value: '+0.400 / +1.200 ms', goal: '<= 0.5 / <= 2 ms', met: true }], data: {}, findings: [] }],
      previous,
    );
    expect(table).toContain('Compared with bench/results.json as last committed: a full run of 2026-11-23T01:46:32.041Z on AMD EPYC.');
    expect(table).toMatch(/sse: overhead p50 \/ p99\s+\+0\.400 \/ \+1\.200 ms\s+<= 0\.5 \/ <= 2 ms\s+met\s+−50 % \(was \+0\.800\)/);
  });
});
