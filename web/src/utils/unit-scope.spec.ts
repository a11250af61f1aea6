import { isUnitScoped } from './unit-scope';

describe('isUnitScoped', () => {
  it('limits a monitor to its units', () => {
    expect(isUnitScoped(['user', 'livechat-monitor'])).toBe(true);
  });

  it('never limits an admin or a manager, even one who is also a monitor', () => {
    expect(isUnitScoped(['admin', 'livechat-monitor'])).toBe(false);
    expect(isUnitScoped(['livechat-manager', 'livechat-monitor'])).toBe(false);
    expect(isUnitScoped(['livechat-agent'])).toBe(false);
  });
});
