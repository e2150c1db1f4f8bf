import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from './delivery-error.js';

describe('Retry-After', () => {
  it('reads delay-seconds and HTTP-dates; ignores garbage', () => {
    expect(parseRetryAfter('7')).toBe(7000);
    expect(parseRetryAfter('Wed, 21 Oct 2026 07:28:10 GMT', Date.parse('Wed, 21 Oct 2026 07:28:00 GMT'))).toBe(10_000);
    expect(parseRetryAfter(null)).toBeNull();
    expect(parseRetryAfter('soon')).toBeNull();
  });
});
