import { MAX_REFUSED_ORIGINS, RefusedOrigins } from './refused-origins';

describe('RefusedOrigins', () => {
  it('counts each origin, most recent first, and keeps at most the bound', () => {
    const refused = new RefusedOrigins();
    for (let i = 0; i < MAX_REFUSED_ORIGINS + 10; i++)
      refused.record(`https://site${i}.example`, 'test');
    refused.record('https://site20.example', 'test');
    const list = refused.list();
    expect(list).toHaveLength(MAX_REFUSED_ORIGINS);
    expect(list[0]).toMatchObject({ origin: 'https://site20.example', count: 2 });
    expect(list.map((entry) => entry.origin)).not.toContain('https://site0.example');
    refused.clear();
    expect(refused.list()).toEqual([]);
  });
});
