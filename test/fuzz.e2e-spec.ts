import { TestApp } from './support/test-app';

describe('probe', () => {
  let t: TestApp;
  beforeAll(async () => { t = await TestApp.start(); });
  afterAll(() => t.close());
  it('probes', async () => {
    const nest = (n: number, inner = '1') => '{"a":'.repeat(n) + inner + '}'.repeat(n);
    for (const p of ['/settings/Livechat_Routing_Method', '/login']) {
      let lo = 50, hi = 5000;
      while (hi - lo > 10) {
        const mid = Math.floor((lo + hi) / 2);
        const body = p === '/login' ? `{"user":${nest(mid)},"password":"x"}` : `{"value":${nest(mid)}}`;
        const res = await t.request('POST', p, { rawBody: body });
        if (res.status >= 500) hi = mid; else lo = mid;
      }
      console.log(p, 'threshold', lo, hi);
    }
    await t.request('POST', '/login', { rawBody: `{"user":${nest(6000)},"password":"x"}` });
  });
});
