import { describe, expect, it } from 'vitest';
import { average, formatAmount, percent, rounded, scaled } from '../functions/report/numbers.js';
import { periodName } from '../functions/report/restatements.js';

describe('Report numbers: decimals rounded as decimal text, never through binary fractions', () => {
  it.each([
    ['0.0150', 2, 2n],
    ['0.0149', 2, 1n],
    ['-0.0150', 2, -2n],
    ['1234.5650', 2, 123457n],
    ['12', 2, 1200n],
    ['1.5e2', 0, 150n],
    [0.015, 2, 2n],
    [-2.675, 2, -268n],
  ] as const)('rounds %j to %i places as %s units', (value, places, units) => {
    // Act / Assess
    expect(scaled(value, places)).toBe(units);
  });

  it('keeps NULL as null, and refuses what is not a number', () => {
    // Act / Assess
    expect(rounded(null, 2)).toBeNull();
    expect(() => scaled('12,5', 2)).toThrow(TypeError);
  });

  it('computes shares and averages from exact sums, null when there is nothing to divide by', () => {
    // Act / Assess
    expect(percent('1.0000', '3.0000')).toBe(33.3);
    expect(percent('5', '0')).toBeNull();
    expect(average('10.0000', 4)).toBe(2.5);
    expect(average('10.0000', 0)).toBeNull();
  });

  it.each([
    [1240, '1,240.00'],
    [-1240.5, '-1,240.50'],
    [0.005, '0.01'],
    [1234567.891, '1,234,567.89'],
  ] as const)('writes the amount %d as %s', (value, text) => {
    // Act / Assess
    expect(formatAmount(value)).toBe(text);
  });

  it.each([
    ['2024-03-05', 'day', '2024-03-05'],
    ['2024-03-04', 'week', 'week of 2024-03-04'],
    ['2024-03-01', 'month', 'March 2024'],
  ] as const)('names the period starting %s at grain %s "%s"', (start, grain, name) => {
    // Act / Assess
    expect(periodName(start, grain)).toBe(name);
  });
});
