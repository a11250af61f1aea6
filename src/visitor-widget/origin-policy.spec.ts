import { frameAncestors, isAllowedApiOrigin, isAllowedOrigin } from './origin-policy';

describe('Livechat_AllowedDomainsList', () => {
  it('allows every origin when empty', () => {
    expect(isAllowedOrigin('https://anything.test', '')).toBe(true);
    expect(frameAncestors('')).toBe('*');
  });

  it('matches hosts on any scheme and port unless the entry says', () => {
    const list = 'shop.example, https://secure.example:8443, *.brand.example';
    expect(isAllowedOrigin('http://shop.example:3000', list)).toBe(true);
    expect(isAllowedOrigin('https://shop.example', list)).toBe(true);
    expect(isAllowedOrigin('https://evil.example', list)).toBe(false);
    expect(isAllowedOrigin('https://shop.example.evil.test', list)).toBe(false);
    expect(isAllowedOrigin('https://secure.example:8443', list)).toBe(true);
    expect(isAllowedOrigin('http://secure.example:8443', list)).toBe(false);
    expect(isAllowedOrigin('https://secure.example', list)).toBe(false);
    expect(isAllowedOrigin('https://www.brand.example', list)).toBe(true);
    expect(isAllowedOrigin('https://brand.example', list)).toBe(false);
    expect(isAllowedOrigin('null', list)).toBe(false);
  });

  it('gives the same list to CSP frame-ancestors, with this service itself', () => {
    expect(frameAncestors('shop.example, https://secure.example:8443, *.brand.example')).toBe(
      "'self' shop.example:* https://secure.example:8443 *.brand.example:*",
    );
  });
});

describe('API_CORS_Origin', () => {
  it('is * or a list of exact origins', () => {
    expect(isAllowedApiOrigin('https://a.example', '*')).toBe(true);
    expect(isAllowedApiOrigin('https://a.example', 'https://a.example, https://b.example')).toBe(
      true,
    );
    expect(isAllowedApiOrigin('https://c.example', 'https://a.example, https://b.example')).toBe(
      false,
    );
  });
});
