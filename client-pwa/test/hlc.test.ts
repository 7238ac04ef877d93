import { describe, expect, it } from 'vitest';
import { compareHlc, formatHlc, initialHlc, parseHlc, receive, tick } from '../src/hlc';

describe('hlc', () => {
  it('formats as 13-digit ms, 5-digit counter and device id', () => {
    expect(formatHlc({ ms: 1764316800000, counter: 3, device: 'tab-07' })).toBe('1764316800000:00003:tab-07');
    expect(parseHlc('1764316800000:00003:tab-07')).toEqual({ ms: 1764316800000, counter: 3, device: 'tab-07' });
  });

  it('refuses malformed stamps', () => {
    expect(parseHlc('176431680000:00003:tab-07')).toBeNull();
    expect(parseHlc('1764316800000:3:tab-07')).toBeNull();
    expect(parseHlc('1764316800000:00003:bad device')).toBeNull();
  });

  it('never runs backwards when the phone clock jumps back', () => {
    let h = initialHlc('d1');
    h = tick(h, 1_764_316_800_000);
    const before = h;
    h = tick(h, 1_764_316_000_000); // clock set back 800 s
    expect(compareHlc(h, before)).toBe(1);
    expect(h.ms).toBe(before.ms);
    expect(h.counter).toBe(before.counter + 1);
  });

  it('resets the counter when physical time moves on', () => {
    const h = tick({ ms: 1_764_316_800_000, counter: 7, device: 'd1' }, 1_764_316_800_500);
    expect(h).toEqual({ ms: 1_764_316_800_500, counter: 0, device: 'd1' });
  });

  it('moves past a server clock that is ahead of the phone', () => {
    const local = { ms: 1_764_316_800_000, counter: 2, device: 'd1' };
    const server = parseHlc('1764316900000:00009:server')!;
    const h = receive(local, server, 1_764_316_800_010);
    expect(compareHlc(h, server)).toBe(1);
    expect(h.device).toBe('d1');
    const next = tick(h, 1_764_316_800_020);
    expect(compareHlc(next, h)).toBe(1);
  });

  it('carries a counter overflow into the milliseconds', () => {
    const h = tick({ ms: 1_764_316_800_000, counter: 99999, device: 'd1' }, 1_764_316_800_000);
    expect(h).toEqual({ ms: 1_764_316_800_001, counter: 0, device: 'd1' });
    expect(formatHlc(h)).toMatch(/^\d{13}:\d{5}:d1$/);
  });
});
