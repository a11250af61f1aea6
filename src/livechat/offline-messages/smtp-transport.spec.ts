import { tlsPolicy } from './smtp-transport';

const settings = (values: Record<string, unknown>) => new Map(Object.entries(values));

describe('tlsPolicy', () => {
  it('requires TLS before AUTH whenever credentials are set, unless cleartext AUTH is opted in', () => {
    expect(tlsPolicy(settings({ SMTP_Username: 'u', SMTP_IgnoreTLS: true }))).toEqual({
      secure: false,
      requireTLS: true,
      ignoreTLS: false,
    });
    expect(
      tlsPolicy(
        settings({ SMTP_Username: 'u', SMTP_IgnoreTLS: true, SMTP_AllowCleartextAuth: true }),
      ),
    ).toEqual({ secure: false, requireTLS: false, ignoreTLS: true });
    expect(tlsPolicy(settings({ SMTP_Username: 'u', SMTP_Protocol: 'smtps' }))).toEqual({
      secure: true,
      requireTLS: false,
      ignoreTLS: false,
    });
  });

  it('without credentials, uses STARTTLS when offered unless SMTP_IgnoreTLS', () => {
    expect(tlsPolicy(settings({ SMTP_Username: '', SMTP_IgnoreTLS: false }))).toEqual({
      secure: false,
      requireTLS: false,
      ignoreTLS: false,
    });
    expect(tlsPolicy(settings({ SMTP_Username: ' ', SMTP_IgnoreTLS: true })).ignoreTLS).toBe(true);
  });
});
