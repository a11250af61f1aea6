import { emailProblem } from './email';

describe('emailProblem', () => {
  it('accepts plain addresses, with or without a top-level domain', () => {
    expect(emailProblem('support@example.com')).toBeNull();
    expect(emailProblem(' ops@localhost ')).toBeNull();
  });

  it('tells an empty field from an invalid address', () => {
    expect(emailProblem('  ')).toBe('Enter an email address');
    expect(emailProblem('support')).toMatch(/needs an @/);
    expect(emailProblem('x@y.')).toBe('An email address cannot end with a dot');
    expect(emailProblem('x@-y.com')).toMatch(/valid email address/);
    expect(emailProblem('x@y..com')).toMatch(/valid email address/);
  });
});
