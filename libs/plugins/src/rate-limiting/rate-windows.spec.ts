import { ConfiguredWindows, currentWindows, windowsAt } from './rate-windows';

describe('rate windows', () => {
  const now = Date.UTC(2024, 1, 29, 13, 45, 30, 250); // a leap day, mid-afternoon UTC

  it('aligns every period to the UTC calendar', () => {
    const [second, minute, hour, day, month, year] = windowsAt(now);
    expect(second).toMatchObject({ name: 'second', start: Date.UTC(2024, 1, 29, 13, 45, 30), end: Date.UTC(2024, 1, 29, 13, 45, 31) });
    expect(minute).toMatchObject({ start: Date.UTC(2024, 1, 29, 13, 45), end: Date.UTC(2024, 1, 29, 13, 46) });
    expect(hour).toMatchObject({ start: Date.UTC(2024, 1, 29, 13), end: Date.UTC(2024, 1, 29, 14) });
    expect(day).toMatchObject({ start: Date.UTC(2024, 1, 29), end: Date.UTC(2024, 2, 1) });
    expect(month).toMatchObject({ start: Date.UTC(2024, 1, 1), end: Date.UTC(2024, 2, 1), ttlMs: 30 * 86400000 });
    expect(year).toMatchObject({ name: 'year', start: Date.UTC(2024, 0, 1), end: Date.UTC(2025, 0, 1) });
  });

  it('rolls December into the next year', () => {
    const month = windowsAt(Date.UTC(2023, 11, 31, 23, 59, 59))[4]!;
    expect(month.end).toBe(Date.UTC(2024, 0, 1));
  });

  it('reuses the same window objects within one second and renews them on the next', () => {
    expect(currentWindows(now)).toBe(currentWindows(now + 500));
    expect(currentWindows(now + 1000)[0]!.start).toBe(Date.UTC(2024, 1, 29, 13, 45, 31));
  });

  it('selects only the configured periods, in slot order', () => {
    const windows = new ConfiguredWindows([1, 3]);
    const picked = windows.at(now);
    expect(picked.map((w) => w.name)).toEqual(['minute', 'day']);
    expect(windows.at(now + 100)).toBe(picked);
  });
});
