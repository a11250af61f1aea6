// The department read endpoints (API.md §1, §4.3–§4.5, §4.9–§4.11, §4.13, §6): envelopes,
// filters, sort order, pagination, query validation (before permission) and permissions.
import { randomBytes } from 'node:crypto';
import {
  expectInvalidParams,
  FORBIDDEN_403,
  Session,
  TestApp,
  TestUser,
  UNAUTHORIZED_401,
} from './support/test-app';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test responses are checked field by field
type Json = any;

const DEPARTMENTS = 'rocketchat_livechat_department';

/** A unique lowercase token (hex, so it holds no regex characters). */
const token = () => `t${randomBytes(4).toString('hex')}`;

/** Plain binary (code unit) order, as MongoDB compares strings without a collation. */
const binary = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const byNameThenId = (a: Json, b: Json) => binary(a.name, b.name) || binary(a._id, b._id);

/** `?k=v&k=v…` with every key and value URI-encoded; arrays repeat the key. */
function qs(params: Record<string, string | number | string[] | undefined>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) {
      parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(item))}`);
    }
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

const invalidSortBody = (raw: string) => ({
  success: false,
  error: `Invalid sort parameter provided: "${raw}" [error-invalid-sort]`,
  errorType: 'error-invalid-sort',
});

const ids = (items: Json[]): string[] => items.map((item) => item._id as string);
const names = (items: Json[]): string[] => items.map((item) => item.name as string);

describe('department read endpoints', () => {
  let t: TestApp;
  let plainUser: TestUser;
  let agentUser: TestUser;

  beforeAll(async () => {
    t = await TestApp.start();
    [plainUser, agentUser] = await Promise.all([
      t.createUser({ roles: ['user'] }),
      t.createAgent(),
    ]);
  });
  afterAll(() => t.close());

  const list = (params: Parameters<typeof qs>[0] = {}, as?: Session | null) =>
    t.get(`/livechat/department${qs(params)}`, { as });
  const listArchived = (params: Parameters<typeof qs>[0] = {}, as?: Session | null) =>
    t.get(`/livechat/departments/archived${qs(params)}`, { as });

  /** Creates departments named `names` (sequentially) and returns their stored documents. */
  async function createNamed(
    departmentNames: string[],
    fields: Record<string, unknown> = {},
  ): Promise<Json[]> {
    const created: Json[] = [];
    for (const name of departmentNames)
      created.push((await t.createDepartment({ name, ...fields })).department);
    return created;
  }

  async function archive(id: string): Promise<void> {
    const res = await t.post(`/livechat/department/${id}/archive`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true });
  }

  // ---------------------------------------------------------------------------------------
  describe('GET /livechat/department', () => {
    it('answers the paginated envelope with the stored department', async () => {
      const tok = token();
      const [department] = await createNamed([`env ${tok}`]);
      const res = await list({ text: tok });
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.body).toEqual({
        departments: [department],
        count: 1,
        offset: 0,
        total: 1,
        success: true,
      });
      expect(department).toEqual(
        expect.objectContaining({ name: `env ${tok}`, numAgents: 0, enabled: true }),
      );
    });

    it('sorts by name in plain binary order by default (uppercase before lowercase)', async () => {
      const tok = token();
      await createNamed([`b ${tok}`, `a ${tok}`, `A ${tok}`, `B ${tok}`, `Z ${tok}`]);
      const res = await list({ text: tok });
      expect(res.status).toBe(200);
      expect(names(res.body.departments)).toEqual([
        `A ${tok}`,
        `B ${tok}`,
        `Z ${tok}`,
        `a ${tok}`,
        `b ${tok}`,
      ]);
    });

    it('whole list is in (name, _id) binary order', async () => {
      const res = await list({ count: 100 });
      expect(res.status).toBe(200);
      expect(res.body.departments.length).toBeGreaterThan(1);
      expect(res.body.departments).toEqual([...res.body.departments].sort(byNameThenId));
    });

    it('breaks name ties by _id, so pages of equal names are stable', async () => {
      const tok = token();
      const created = await createNamed(Array.from({ length: 7 }, () => `same ${tok}`));
      const expected = ids(created).sort(binary);

      const full = await list({ text: tok });
      expect(full.status).toBe(200);
      expect(ids(full.body.departments)).toEqual(expected);

      const walked: string[] = [];
      for (let offset = 0; offset < 7; offset += 2) {
        const page = await list({ text: tok, count: 2, offset });
        expect(page.status).toBe(200);
        expect(page.body.total).toBe(7);
        walked.push(...ids(page.body.departments));
      }
      expect(walked).toEqual(expected);

      const again = await list({ text: tok });
      expect(ids(again.body.departments)).toEqual(expected);
    });

    describe('text', () => {
      let tok: string;
      let byName: Record<string, Json>;

      beforeAll(async () => {
        tok = token();
        const departmentNames = [
          `a.b ${tok}`,
          `axb ${tok}`,
          `a+b ${tok}`,
          `aab ${tok}`,
          `(x) ${tok}`,
          `star* ${tok}`,
          `starr ${tok}`,
          `Mixed CASE ${tok}`,
        ];
        byName = Object.fromEntries(
          (await createNamed(departmentNames)).map((department) => [department.name, department]),
        );
      });

      it('is a case-insensitive substring', async () => {
        const res = await list({ text: `xed case ${tok.toUpperCase()}` });
        expect(res.status).toBe(200);
        expect(res.body.departments).toEqual([byName[`Mixed CASE ${tok}`]]);
        expect(res.body.total).toBe(1);

        const all = await list({ text: tok.toUpperCase() });
        expect(all.body.total).toBe(8);
      });

      it.each([
        ['.', 'a.b'],
        ['a.b', 'a.b'],
        ['a+b', 'a+b'],
        ['(x)', '(x)'],
        ['(', '(x)'],
        ['star*', 'star*'],
        ['STAR*', 'star*'],
      ])('takes %j literally', async (text, name) => {
        const res = await list({ text });
        expect(res.status).toBe(200);
        expect(names(res.body.departments)).toEqual([`${name} ${tok}`]);
        expect(res.body.total).toBe(1);
      });

      it.each(['[', ')', '\\', '*', '?', '^$', '{2}', '|'])(
        'does not fail on the regex fragment %j',
        async (text) => {
          const res = await list({ text });
          expect(res.status).toBe(200);
          expect(res.body.success).toBe(true);
          for (const department of res.body.departments)
            expect(department.name.toLowerCase()).toContain(text.toLowerCase());
        },
      );

      it('rejects a text longer than 256 characters', async () => {
        expectInvalidParams(await list({ text: 'x'.repeat(257) }), 'text');
      });
    });

    it('enabled=true keeps only enabled departments; enabled=false does not filter', async () => {
      const tok = token();
      const [on] = await createNamed([`on ${tok}`], { enabled: true });
      const [off] = await createNamed([`off ${tok}`], { enabled: false });

      const enabled = await list({ text: tok, enabled: 'true' });
      expect(enabled.status).toBe(200);
      expect(enabled.body).toEqual({
        departments: [on],
        count: 1,
        offset: 0,
        total: 1,
        success: true,
      });

      const unfiltered = await list({ text: tok, enabled: 'false' });
      expect(unfiltered.status).toBe(200);
      expect(ids(unfiltered.body.departments).sort()).toEqual([on._id, off._id].sort());

      expectInvalidParams(await list({ enabled: 'yes' }), 'enabled');
    });

    it('excludeDepartmentId leaves that department out', async () => {
      const tok = token();
      const [first, second, third] = await createNamed([`1 ${tok}`, `2 ${tok}`, `3 ${tok}`]);
      const res = await list({ text: tok, excludeDepartmentId: second._id });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        departments: [first, third],
        count: 2,
        offset: 0,
        total: 2,
        success: true,
      });
    });

    it('leaves archived departments out unless showArchived=true', async () => {
      const tok = token();
      const [kept, archived] = await createNamed([`kept ${tok}`, `old ${tok}`]);
      await archive(archived._id);

      const byDefault = await list({ text: tok });
      expect(byDefault.status).toBe(200);
      expect(ids(byDefault.body.departments)).toEqual([kept._id]);
      expect(byDefault.body.total).toBe(1);

      const notShown = await list({ text: tok, showArchived: 'false' });
      expect(ids(notShown.body.departments)).toEqual([kept._id]);

      const shown = await list({ text: tok, showArchived: 'true' });
      expect(shown.status).toBe(200);
      expect(ids(shown.body.departments)).toEqual([kept._id, archived._id]);
      expect(shown.body.total).toBe(2);
      expect(shown.body.departments[1]).toMatchObject({ archived: true, enabled: false });

      const everything = await list({ count: 100 });
      for (const department of everything.body.departments)
        expect(department.archived).not.toBe(true);

      expectInvalidParams(await list({ showArchived: '1' }), 'showArchived');
    });

    it('accepts onlyMyDepartments=true without changing the result', async () => {
      const tok = token();
      await createNamed([`mine ${tok}`, `yours ${tok}`]);
      const plain = await list({ text: tok });
      const mine = await list({ text: tok, onlyMyDepartments: 'true' });
      expect(mine.status).toBe(200);
      expect(mine.body).toEqual(plain.body);
      expect(mine.body.total).toBe(2);
      const asAgent = await list({ text: tok, onlyMyDepartments: 'true' }, agentUser);
      expect(asAgent.status).toBe(200);
      expect(asAgent.body.total).toBe(2);
    });

    describe('pagination', () => {
      let tok: string;
      let expected: string[];

      beforeAll(async () => {
        tok = token();
        // Some equal names, so the _id tie-breaker is exercised across page borders.
        const created = await createNamed(
          ['d', 'b', 'x', 'b', 'a', 'C', 'b', 'e', 'x', 'A'].map((n) => `${n} ${tok}`),
        );
        expected = ids([...created].sort(byNameThenId));
      });

      it('walks all pages with count=3: no duplicates, no gaps, constant total', async () => {
        const walked: string[] = [];
        for (const offset of [0, 3, 6, 9]) {
          const res = await list({ text: tok, count: 3, offset });
          expect(res.status).toBe(200);
          expect(res.body).toEqual({
            departments: expect.any(Array),
            count: offset === 9 ? 1 : 3,
            offset,
            total: 10,
            success: true,
          });
          expect(res.body.departments).toHaveLength(res.body.count);
          walked.push(...ids(res.body.departments));
        }
        expect(walked).toEqual(expected);
        expect(new Set(walked).size).toBe(10);
      });

      it('answers an empty page past the end', async () => {
        const res = await list({ text: tok, count: 3, offset: 10 });
        expect(res.status).toBe(200);
        expect(res.body).toEqual({
          departments: [],
          count: 0,
          offset: 10,
          total: 10,
          success: true,
        });
      });

      it('count=0 returns everything when fewer than 100 exist', async () => {
        const res = await list({ text: tok, count: 0 });
        expect(res.status).toBe(200);
        expect(ids(res.body.departments)).toEqual(expected);
        expect(res.body).toMatchObject({ count: 10, offset: 0, total: 10 });
      });

      it('count above 100 is clamped, not rejected', async () => {
        const res = await list({ text: tok, count: 500 });
        expect(res.status).toBe(200);
        expect(ids(res.body.departments)).toEqual(expected);
        expect(res.body).toMatchObject({ count: 10, total: 10 });
      });

      it('an integer count of any size is clamped to 100, not rejected', async () => {
        const res = await list({ text: tok, count: '10000000000' });
        expect(res.status).toBe(200);
        expect(ids(res.body.departments)).toEqual(expected);
        expect(res.body).toMatchObject({ count: 10, offset: 0, total: 10 });
      });

      it('a large integer offset answers an empty page', async () => {
        const res = await list({ text: tok, offset: '1000000000' });
        expect(res.status).toBe(200);
        expect(res.body).toEqual({
          departments: [],
          count: 0,
          offset: 1000000000,
          total: 10,
          success: true,
        });
      });

      it.each(['{"email":1}', '{"enabled":-1}', '{"_updatedAt":-1}', '{"name":1,"numAgents":-1}'])(
        'accepts the allowed sort %s',
        async (sort) => {
          const res = await list({ text: tok, sort });
          expect(res.status).toBe(200);
          expect(res.body.total).toBe(10);
          expect(new Set(ids(res.body.departments))).toEqual(new Set(expected));
        },
      );

      it('sort={"name":-1} reverses the name order (ties still by _id ascending)', async () => {
        const res = await list({ text: tok, sort: '{"name":-1}' });
        expect(res.status).toBe(200);
        const departments: Json[] = res.body.departments;
        expect(departments).toHaveLength(10);
        expect(departments).toEqual(
          [...departments].sort((a, b) => binary(b.name, a.name) || binary(a._id, b._id)),
        );
        expect(names(departments)[0]).toBe(`x ${tok}`);
        expect(names(departments)[9]).toBe(`A ${tok}`);
      });

      it.each(['-1', '1.5', 'abc', '1e2', '+1', ' 1', '0x10'])(
        'rejects count=%j with 400 invalid-params',
        async (count) => {
          expectInvalidParams(await list({ count }), 'count');
        },
      );

      it.each(['-1', '2.5', 'x', '1e1'])(
        'rejects offset=%j with 400 invalid-params',
        async (offset) => {
          expectInvalidParams(await list({ offset }), 'offset');
        },
      );

      it('rejects a repeated count', async () => {
        expectInvalidParams(await list({ count: ['1', '2'] }), 'count');
      });
    });

    it('sort={"numAgents":1} and -1 order by the number of agents', async () => {
      const tok = token();
      const [a1, a2] = await Promise.all([t.createAgent(), t.createAgent()]);
      const two = (
        await t.createDepartment({ name: `two ${tok}` }, [
          { agentId: a1.userId },
          { agentId: a2.userId },
        ])
      ).department;
      const none = (await t.createDepartment({ name: `none ${tok}` })).department;
      const one = (await t.createDepartment({ name: `one ${tok}` }, [{ agentId: a1.userId }]))
        .department;

      const ascending = await list({ text: tok, sort: '{"numAgents":1}' });
      expect(ascending.status).toBe(200);
      expect(ids(ascending.body.departments)).toEqual([none._id, one._id, two._id]);
      expect(ascending.body.departments.map((d: Json) => d.numAgents)).toEqual([0, 1, 2]);

      const descending = await list({ text: tok, sort: '{"numAgents":-1}' });
      expect(ids(descending.body.departments)).toEqual([two._id, one._id, none._id]);
    });

    it.each([
      '{x',
      '[]',
      '{}',
      '"name"',
      'null',
      '1',
      '{"password":1}',
      '{"name":2}',
      '{"name":"1"}',
      '{"name":0}',
      '{"$where":1}',
      '{"name":1,"username":1}',
    ])('rejects sort=%s with 400 error-invalid-sort', async (sort) => {
      const res = await list({ sort });
      expect(res.status).toBe(400);
      expect(res.body).toEqual(invalidSortBody(sort));
    });

    it.each([
      ['text[$ne]=x', 'text'],
      ['text[$regex]=.*', 'text'],
      ['excludeDepartmentId[$ne]=x', 'excludeDepartmentId'],
      ['enabled[$ne]=false', 'enabled'],
      ['showArchived[$ne]=false', 'showArchived'],
      ['count[$gt]=1', 'count'],
    ])('rejects the operator injection %s with 400 invalid-params', async (query, field) => {
      const res = await t.get(`/livechat/department?${query}`);
      expectInvalidParams(res, field);
    });

    it('rejects a sort sent as a query object with 400', async () => {
      const res = await t.get('/livechat/department?sort[name]=1');
      expect(res.status).toBe(400);
      expect(res.body.success).toBe(false);
    });

    it.each([
      ['foo=bar', 'foo'],
      ['$where=1', '$where'],
      ['name=x', 'name'],
    ])('rejects the unknown query key in %s with 400 invalid-params', async (query, field) => {
      expectInvalidParams(await t.get(`/livechat/department?${query}`), field);
    });
  });

  // ---------------------------------------------------------------------------------------
  describe('GET /livechat/departments/archived', () => {
    it('lists only archived departments, with the list query and envelope', async () => {
      const tok = token();
      const [live, gone1, gone2] = await createNamed([
        `live ${tok}`,
        `gone b ${tok}`,
        `gone a ${tok}`,
      ]);
      await archive(gone1._id);
      await archive(gone2._id);

      const res = await listArchived({ text: tok });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        departments: [
          expect.objectContaining({ _id: gone2._id, archived: true, enabled: false }),
          expect.objectContaining({ _id: gone1._id, archived: true, enabled: false }),
        ],
        count: 2,
        offset: 0,
        total: 2,
        success: true,
      });
      expect(ids(res.body.departments)).not.toContain(live._id);

      const all = await listArchived({ count: 100 });
      expect(all.status).toBe(200);
      expect(all.body.departments.length).toBeGreaterThanOrEqual(2);
      for (const department of all.body.departments) expect(department.archived).toBe(true);

      // showArchived does not widen it.
      const shown = await listArchived({ text: tok, showArchived: 'true' });
      expect(ids(shown.body.departments)).toEqual([gone2._id, gone1._id]);

      const page = await listArchived({ text: tok, count: 1, offset: 1, sort: '{"name":-1}' });
      expect(page.status).toBe(200);
      expect(page.body).toMatchObject({ count: 1, offset: 1, total: 2 });
      expect(ids(page.body.departments)).toEqual([gone2._id]);

      const excluded = await listArchived({ text: tok, excludeDepartmentId: gone1._id });
      expect(ids(excluded.body.departments)).toEqual([gone2._id]);
    });

    it('validates its query like the list', async () => {
      expectInvalidParams(await listArchived({ count: '-1' }), 'count');
      expectInvalidParams(await listArchived({ foo: '1' }), 'foo');
      expectInvalidParams(await t.get('/livechat/departments/archived?text[$ne]=x'), 'text');
      const sort = await listArchived({ sort: '{"password":1}' });
      expect(sort.status).toBe(400);
      expect(sort.body).toEqual(invalidSortBody('{"password":1}'));
    });
  });

  // ---------------------------------------------------------------------------------------
  describe('GET /livechat/department/:_id', () => {
    let department: Json;
    let assignments: Json[];

    beforeAll(async () => {
      const [a1, a2] = await Promise.all([t.createAgent(), t.createAgent()]);
      const created = await t.createDepartment({ name: `one ${token()}` }, [
        { agentId: a1.userId, count: 2, order: 1 },
        { agentId: a2.userId },
      ]);
      department = created.department;
      assignments = created.agents;
    });

    const byAgentId = (a: Json, b: Json) => binary(a.agentId, b.agentId);

    it('returns the department with its agents by default', async () => {
      const res = await t.get(`/livechat/department/${department._id}`);
      expect(res.status).toBe(200);
      expect(Object.keys(res.body).sort()).toEqual(['agents', 'department', 'success']);
      expect(res.body.success).toBe(true);
      expect(res.body.department).toEqual(department);
      expect([...res.body.agents].sort(byAgentId)).toEqual([...assignments].sort(byAgentId));

      const explicit = await t.get(`/livechat/department/${department._id}?includeAgents=true`);
      expect(explicit.status).toBe(200);
      expect(explicit.body.agents).toHaveLength(2);
    });

    it('includeAgents=false omits agents', async () => {
      const res = await t.get(`/livechat/department/${department._id}?includeAgents=false`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ department, success: true });
    });

    it('gives a view-l-room-only caller the department without agents', async () => {
      for (const query of ['', '?includeAgents=true']) {
        const res = await t.get(`/livechat/department/${department._id}${query}`, {
          as: agentUser,
        });
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ department, success: true });
      }
    });

    it('gives a livechat-manager the agents', async () => {
      const manager = await t.createUser({ roles: ['livechat-manager'] });
      const res = await t.get(`/livechat/department/${department._id}`, { as: manager });
      expect(res.status).toBe(200);
      expect(res.body.agents).toHaveLength(2);
    });

    it('answers 200 {department:null, agents:[]} for an unknown id', async () => {
      const res = await t.get('/livechat/department/does-not-exist');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ department: null, agents: [], success: true });
    });

    it('sends an ETag that is stable, and changes after a PUT', async () => {
      const [own] = await createNamed([`etag ${token()}`]);
      const first = await t.get(`/livechat/department/${own._id}`);
      const etag = first.headers.get('etag');
      expect(etag).toBeTruthy();
      const again = await t.get(`/livechat/department/${own._id}?includeAgents=false`);
      expect(again.headers.get('etag')).toBe(etag);

      const put = await t.put(`/livechat/department/${own._id}`, {
        department: {
          name: `${own.name} renamed`,
          email: own.email,
          enabled: own.enabled,
          showOnRegistration: own.showOnRegistration,
          showOnOfflineForm: own.showOnOfflineForm,
        },
      });
      expect(put.status).toBe(200);

      const after = await t.get(`/livechat/department/${own._id}`);
      expect(after.status).toBe(200);
      expect(after.body.department.name).toBe(`${own.name} renamed`);
      const newEtag = after.headers.get('etag');
      expect(newEtag).toBeTruthy();
      expect(newEtag).not.toBe(etag);
    });

    it('validates its query', async () => {
      expectInvalidParams(
        await t.get(`/livechat/department/${department._id}?includeAgents=no`),
        'includeAgents',
      );
      expectInvalidParams(await t.get(`/livechat/department/${department._id}?foo=1`), 'foo');
    });
  });

  // ---------------------------------------------------------------------------------------
  describe('GET /livechat/department.autocomplete', () => {
    let tok: string;
    let alpha: Json;
    let alpine: Json;
    let beta: Json;
    let inner: Json;
    let off: Json;
    let hidden: Json;

    const autocomplete = (params: Parameters<typeof qs>[0], as?: Session | null) =>
      t.get(`/livechat/department.autocomplete${qs(params)}`, { as });
    const sel = (selector: unknown) => JSON.stringify(selector);
    const item = (department: Json) => ({ _id: department._id, name: department.name });

    beforeAll(async () => {
      tok = token();
      [alpha, alpine, beta, inner] = await createNamed([
        `${tok}Alpha`,
        `${tok}alpine`,
        `${tok}Beta`,
        `x${tok}alpha`,
      ]);
      [off] = await createNamed([`${tok}Alpaca`], { enabled: false, showOnRegistration: false });
      [hidden] = await createNamed([`${tok}Alps`]);
      await archive(hidden._id);
    });

    it('requires selector', async () => {
      const expected = {
        success: false,
        error: "The 'selector' param is required [invalid-params]",
        errorType: 'invalid-params',
      };
      for (const res of [await autocomplete({}), await autocomplete({ selector: '' })]) {
        expect(res.status).toBe(400);
        expect(res.body).toEqual(expected);
      }
    });

    it.each(['{term', 'term', '[]', '"x"', 'null', '1'])(
      'rejects the non-object selector %j with 400 invalid-params',
      async (selector) => {
        const res = await autocomplete({ selector });
        expect(res.status).toBe(400);
        expect(res.body).toEqual({
          success: false,
          error: expect.stringMatching(/^The 'selector' param .* \[invalid-params\]$/),
          errorType: 'invalid-params',
        });
      },
    );

    it('rejects a selector sent as a query object', async () => {
      const res = await t.get(`/livechat/department.autocomplete?selector[term]=${tok}`);
      expect(res.status).toBe(400);
      expect(res.body.errorType).toBe('invalid-params');
    });

    it('term is a case-insensitive prefix, items are {_id, name} sorted by name', async () => {
      const res = await autocomplete({ selector: sel({ term: `${tok.toUpperCase()}AL` }) });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        items: [item(off), item(alpha), item(alpine)],
        success: true,
      });
      // `x<tok>alpha` contains the term but does not start with it.
      expect(ids(res.body.items)).not.toContain(inner._id);
    });

    it('the whole prefix set, and no term at all', async () => {
      const res = await autocomplete({ selector: sel({ term: tok }) });
      expect(res.status).toBe(200);
      expect(res.body.items).toEqual([item(off), item(alpha), item(beta), item(alpine)]);

      const noTerm = await autocomplete({ selector: '{}' });
      expect(noTerm.status).toBe(200);
      expect(noTerm.body.items.length).toBeGreaterThan(0);
      for (const entry of noTerm.body.items)
        expect(Object.keys(entry).sort()).toEqual(['_id', 'name']);
      expect(noTerm.body.items).toEqual([...noTerm.body.items].sort(byNameThenId));
    });

    it('takes regex characters of the term literally', async () => {
      for (const term of ['.', '.*', '(', '[', '\\', '*']) {
        const res = await autocomplete({ selector: sel({ term }) });
        expect(res.status).toBe(200);
        for (const entry of res.body.items) expect(entry.name.startsWith(term)).toBe(true);
      }
    });

    it('exceptions leaves the given ids out', async () => {
      const res = await autocomplete({
        selector: sel({ term: tok, exceptions: [alpha._id, beta._id] }),
      });
      expect(res.status).toBe(200);
      expect(res.body.items).toEqual([item(off), item(alpine)]);
    });

    it('conditions filter by equality on enabled / showOnRegistration', async () => {
      const enabled = await autocomplete({
        selector: sel({ term: tok, conditions: { enabled: true } }),
      });
      expect(enabled.status).toBe(200);
      expect(enabled.body.items).toEqual([item(alpha), item(beta), item(alpine)]);

      const disabled = await autocomplete({
        selector: sel({ term: tok, conditions: { enabled: false } }),
      });
      expect(disabled.body.items).toEqual([item(off)]);

      const registration = await autocomplete({
        selector: sel({ term: tok, conditions: { showOnRegistration: false } }),
      });
      expect(registration.body.items).toEqual([item(off)]);

      const offline = await autocomplete({
        selector: sel({ term: tok, conditions: { enabled: true, showOnOfflineForm: true } }),
      });
      expect(offline.body.items).toEqual([item(alpha), item(beta), item(alpine)]);
    });

    it.each([
      ['regex on name', { name: { $regex: '.*' } }],
      ['$where', { $where: '1' }],
      ['string boolean', { enabled: 'true' }],
      ['operator on enabled', { enabled: { $ne: false } }],
      ['unknown field', { archived: true }],
      ['$or', { $or: [{ enabled: true }] }],
      ['not an object', 'enabled'],
      ['an array', [{ enabled: true }]],
      ['null', null],
    ])('rejects conditions with %s (400 invalid-params)', async (_name, conditions) => {
      const res = await autocomplete({ selector: sel({ term: tok, conditions }) });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        success: false,
        error: expect.stringMatching(/ \[invalid-params\]$/),
        errorType: 'invalid-params',
      });
    });

    it.each([
      ['term not a string', { term: 5 }],
      ['term an operator', { term: { $regex: '.*' } }],
      ['exceptions not an array', { exceptions: 'x' }],
      ['exceptions not strings', { exceptions: [{ $ne: 1 }] }],
      ['unknown key', { term: 'x', $where: '1' }],
    ])('rejects a selector with %s (400 invalid-params)', async (_name, selector) => {
      const res = await autocomplete({ selector: sel(selector) });
      expect(res.status).toBe(400);
      expect(res.body.errorType).toBe('invalid-params');
      expect(res.body.success).toBe(false);
    });

    it('leaves archived departments out unless showArchived=true', async () => {
      const byDefault = await autocomplete({ selector: sel({ term: `${tok}alps` }) });
      expect(byDefault.status).toBe(200);
      expect(byDefault.body.items).toEqual([]);

      const notShown = await autocomplete({
        selector: sel({ term: `${tok}alps` }),
        showArchived: 'false',
      });
      expect(notShown.body.items).toEqual([]);

      const shown = await autocomplete({
        selector: sel({ term: `${tok}alps` }),
        showArchived: 'true',
      });
      expect(shown.status).toBe(200);
      expect(shown.body.items).toEqual([item(hidden)]);
    });

    it('validates its other query keys', async () => {
      expectInvalidParams(
        await autocomplete({ selector: '{}', showArchived: 'yes' }),
        'showArchived',
      );
      expectInvalidParams(await autocomplete({ selector: '{}', foo: '1' }), 'foo');
    });
  });

  // ---------------------------------------------------------------------------------------
  describe('GET /livechat/department.listByIds', () => {
    let a: Json;
    let b: Json;
    let c: Json;

    beforeAll(async () => {
      const tok = token();
      [a, b, c] = await createNamed([`a ${tok}`, `b ${tok}`, `c ${tok}`]);
    });

    const byId = (x: Json, y: Json) => binary(x._id, y._id);

    it('accepts ids[]=a&ids[]=b', async () => {
      const res = await t.get(`/livechat/department.listByIds?ids[]=${a._id}&ids[]=${b._id}`);
      expect(res.status).toBe(200);
      expect(Object.keys(res.body).sort()).toEqual(['departments', 'success']);
      expect(res.body.success).toBe(true);
      expect([...res.body.departments].sort(byId)).toEqual([a, b].sort(byId));
    });

    it('accepts ids=a&ids=b', async () => {
      const res = await t.get(`/livechat/department.listByIds?ids=${a._id}&ids=${c._id}`);
      expect(res.status).toBe(200);
      expect([...res.body.departments].sort(byId)).toEqual([a, c].sort(byId));
    });

    it('accepts a one-element ids[] and ignores unknown ids', async () => {
      const res = await t.get(`/livechat/department.listByIds?ids[]=${b._id}&ids[]=nope`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ departments: [b], success: true });
      const single = await t.get(`/livechat/department.listByIds?ids[]=${c._id}`);
      expect(single.body).toEqual({ departments: [c], success: true });
    });

    it('rejects a single ids=a', async () => {
      const res = await t.get(`/livechat/department.listByIds?ids=${a._id}`);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        success: false,
        error: "The 'ids' param must be an array [invalid-params]",
        errorType: 'invalid-params',
      });
    });

    it('requires ids', async () => {
      const res = await t.get('/livechat/department.listByIds');
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        success: false,
        error: "The 'ids' param is required [invalid-params]",
        errorType: 'invalid-params',
      });
    });

    it('accepts 100 ids and rejects more than 100 in either form', async () => {
      const filler = (n: number) => Array.from({ length: n }, (_, i) => `missing-${i}`);
      const hundred = await t.get(
        `/livechat/department.listByIds${qs({ 'ids[]': [a._id, ...filler(99)] })}`,
      );
      expect(hundred.status).toBe(200);
      expect(hundred.body.departments).toEqual([a]);

      for (const key of ['ids[]', 'ids']) {
        const res = await t.get(
          `/livechat/department.listByIds${qs({ [key]: [a._id, ...filler(100)] })}`,
        );
        expect(res.status).toBe(400);
        expect(res.body).toEqual({
          success: false,
          error: expect.stringMatching(/^The 'ids' param .* \[invalid-params\]$/),
          errorType: 'invalid-params',
        });
      }
    });

    it('does not let an operator through ids', async () => {
      const res = await t.get('/livechat/department.listByIds?ids[$ne]=x');
      expect(res.status).toBe(400);
      expect(res.body.errorType).toBe('invalid-params');
    });

    it('fields={"name":1} projects to _id and name', async () => {
      const res = await t.get(
        `/livechat/department.listByIds${qs({ 'ids[]': [a._id, b._id], fields: '{"name":1}' })}`,
      );
      expect(res.status).toBe(200);
      expect([...res.body.departments].sort(byId)).toEqual(
        [
          { _id: a._id, name: a.name },
          { _id: b._id, name: b.name },
        ].sort(byId),
      );
    });

    it('fields={"name":0} leaves the name out', async () => {
      const res = await t.get(
        `/livechat/department.listByIds${qs({ 'ids[]': [a._id], fields: '{"name":0}' })}`,
      );
      expect(res.status).toBe(200);
      const { name: _name, ...rest } = a;
      expect(res.body.departments).toEqual([rest]);
    });

    it.each([
      '{"name":2}',
      '{"password":1}',
      '{name',
      '[]',
      '"name"',
      '{"name":1,"email":0}',
      '{"name":"1"}',
    ])('rejects fields=%s with 400 invalid-params', async (fields) => {
      const res = await t.get(`/livechat/department.listByIds${qs({ 'ids[]': [a._id], fields })}`);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        success: false,
        error: expect.stringMatching(/^The 'fields' param .* \[invalid-params\]$/),
        errorType: 'invalid-params',
      });
    });

    it('rejects an unknown query key', async () => {
      expectInvalidParams(
        await t.get(`/livechat/department.listByIds?ids[]=${a._id}&foo=1`),
        'foo',
      );
    });
  });

  // ---------------------------------------------------------------------------------------
  describe('GET /livechat/department/:_id/agents', () => {
    let departmentId: string;
    let assignments: Json[];

    beforeAll(async () => {
      const agents = await Promise.all([t.createAgent(), t.createAgent(), t.createAgent()]);
      const created = await t.createDepartment({ name: `agents ${token()}` }, [
        { agentId: agents[0].userId, count: 5, order: 2 },
        { agentId: agents[1].userId, count: 1, order: 0 },
        { agentId: agents[2].userId, count: 3, order: 1 },
      ]);
      departmentId = created.department._id;
      assignments = created.agents;
    });

    const agentsOf = (id: string, params: Parameters<typeof qs>[0] = {}, as?: Session | null) =>
      t.get(`/livechat/department/${id}/agents${qs(params)}`, { as });
    const byUsername = (x: Json, y: Json) => binary(x.username, y.username) || binary(x._id, y._id);

    it('answers the paginated envelope sorted by username', async () => {
      const res = await agentsOf(departmentId);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        agents: [...assignments].sort(byUsername),
        count: 3,
        offset: 0,
        total: 3,
        success: true,
      });
    });

    it('paginates', async () => {
      const sorted = ids([...assignments].sort(byUsername));
      const first = await agentsOf(departmentId, { count: 2 });
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ count: 2, offset: 0, total: 3 });
      const second = await agentsOf(departmentId, { count: 2, offset: 2 });
      expect(second.body).toMatchObject({ count: 1, offset: 2, total: 3 });
      expect([...ids(first.body.agents), ...ids(second.body.agents)]).toEqual(sorted);
    });

    it('sorts by count and order', async () => {
      const byCount = await agentsOf(departmentId, { sort: '{"count":-1}' });
      expect(byCount.status).toBe(200);
      expect(byCount.body.agents.map((agent: Json) => agent.count)).toEqual([5, 3, 1]);
      const byOrder = await agentsOf(departmentId, { sort: '{"order":1}' });
      expect(byOrder.body.agents.map((agent: Json) => agent.order)).toEqual([0, 1, 2]);
    });

    it('answers an empty page for an unknown department', async () => {
      const res = await agentsOf('does-not-exist');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ agents: [], count: 0, offset: 0, total: 0, success: true });
    });

    it('validates pagination and sort', async () => {
      expectInvalidParams(await agentsOf(departmentId, { count: '-1' }), 'count');
      expectInvalidParams(await agentsOf(departmentId, { offset: '1.5' }), 'offset');
      expectInvalidParams(await agentsOf(departmentId, { text: 'x' }), 'text');
    });

    it.each(['{bad', '{"count":0}', '{"name":1}', '{"agentId":1}'])(
      'rejects sort=%s with 400 error-invalid-sort',
      async (sort) => {
        const res = await agentsOf(departmentId, { sort });
        expect(res.status).toBe(400);
        expect(res.body).toEqual(invalidSortBody(sort));
      },
    );
  });

  // ---------------------------------------------------------------------------------------
  describe('GET /livechat/department/isDepartmentCreationAvailable', () => {
    it('answers true and is not taken for a department id', async () => {
      const res = await t.get('/livechat/department/isDepartmentCreationAvailable');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ isDepartmentCreationAvailable: true, success: true });
    });

    it('is allowed to a livechat-manager but not to a view-l-room-only agent', async () => {
      const manager = await t.createUser({ roles: ['livechat-manager'] });
      const ok = await t.get('/livechat/department/isDepartmentCreationAvailable', {
        as: manager,
      });
      expect(ok.status).toBe(200);
      expect(ok.body).toEqual({ isDepartmentCreationAvailable: true, success: true });

      const agent = await t.get('/livechat/department/isDepartmentCreationAvailable', {
        as: agentUser,
      });
      expect(agent.status).toBe(403);
      expect(agent.body).toEqual(FORBIDDEN_403);
    });
  });

  // ---------------------------------------------------------------------------------------
  describe('permissions', () => {
    let department: Json;
    let paths: [string, string][];

    beforeAll(async () => {
      department = (await t.createDepartment({ name: `perm ${token()}` })).department;
      paths = [
        ['list', '/livechat/department'],
        ['archived', '/livechat/departments/archived'],
        ['one', `/livechat/department/${department._id}`],
        ['unknown one', '/livechat/department/does-not-exist'],
        ['autocomplete', `/livechat/department.autocomplete${qs({ selector: '{}' })}`],
        ['listByIds', `/livechat/department.listByIds?ids[]=${department._id}`],
        ['agents', `/livechat/department/${department._id}/agents`],
        ['creation available', '/livechat/department/isDepartmentCreationAvailable'],
      ];
    });

    it('a plain user gets 403 on every read endpoint', async () => {
      for (const [name, path] of paths) {
        const res = await t.get(path, { as: plainUser });
        expect({ name, status: res.status, body: res.body }).toEqual({
          name,
          status: 403,
          body: FORBIDDEN_403,
        });
      }
    });

    it('no credentials get 401 on every read endpoint', async () => {
      for (const [name, path] of paths) {
        const res = await t.get(path, { as: null });
        expect({ name, status: res.status, body: res.body }).toEqual({
          name,
          status: 401,
          body: UNAUTHORIZED_401,
        });
      }
    });

    it('a wrong token gets 401', async () => {
      const res = await t.get('/livechat/department', {
        as: { userId: plainUser.userId, authToken: 'wrong' },
      });
      expect(res.status).toBe(401);
      expect(res.body).toEqual(UNAUTHORIZED_401);
    });

    it('a livechat-agent (view-l-room) can use every read endpoint but the creation check', async () => {
      for (const [name, path] of paths) {
        if (name === 'creation available') continue;
        const res = await t.get(path, { as: agentUser });
        expect({ name, status: res.status }).toEqual({ name, status: 200 });
        expect(res.body.success).toBe(true);
      }
      const listed = await list({ text: department.name }, agentUser);
      expect(ids(listed.body.departments)).toEqual([department._id]);
    });

    it('checks the permission before the query (403, not 400), as Rocket.Chat', async () => {
      const paths = [
        '/livechat/department?count=-1',
        '/livechat/department?foo=1',
        '/livechat/departments/archived?offset=x',
        `/livechat/department${qs({ sort: '{x' })}`,
        `/livechat/department/${department._id}?includeAgents=no`,
        '/livechat/department.autocomplete',
        '/livechat/department.listByIds',
        `/livechat/department/${department._id}/agents?count=-1`,
      ];
      for (const path of paths) {
        const res = await t.get(path, { as: plainUser });
        expect({ path, status: res.status, body: res.body }).toEqual({
          path,
          status: 403,
          body: FORBIDDEN_403,
        });
      }
      // With the permission, the same queries are refused as bad input.
      expectInvalidParams(await t.get('/livechat/department?count=-1'), 'count');
      const noSelector = await t.get('/livechat/department.autocomplete');
      expect(noSelector.body.error).toBe("The 'selector' param is required [invalid-params]");
      const noIds = await t.get('/livechat/department.listByIds');
      expect(noIds.body.error).toBe("The 'ids' param is required [invalid-params]");
    });

    it('follows permission changes made through the API', async () => {
      const grant = await t.post('/permissions.update', {
        permissions: [
          {
            _id: 'view-l-room',
            roles: ['admin', 'livechat-manager', 'livechat-monitor', 'livechat-agent', 'user'],
          },
        ],
      });
      expect(grant.status).toBe(200);
      try {
        const granted = await list({ text: department.name }, plainUser);
        expect(granted.status).toBe(200);
        expect(ids(granted.body.departments)).toEqual([department._id]);
        // view-l-room alone gives no agents.
        const one = await t.get(`/livechat/department/${department._id}`, { as: plainUser });
        expect(one.body).toEqual({ department, success: true });
      } finally {
        const restore = await t.post('/permissions.update', {
          permissions: [
            {
              _id: 'view-l-room',
              roles: ['admin', 'livechat-manager', 'livechat-monitor', 'livechat-agent'],
            },
          ],
        });
        expect(restore.status).toBe(200);
      }
      const revoked = await list({}, plainUser);
      expect(revoked.status).toBe(403);
      expect(revoked.headers.get('cache-control')).toBe('no-store');
    });

    it('checks authentication before the query (401, not 400)', async () => {
      const res = await t.get('/livechat/department?count=-1', { as: null });
      expect(res.status).toBe(401);
      expect(res.body).toEqual(UNAUTHORIZED_401);
    });
  });

  // ---------------------------------------------------------------------------------------
  // Runs last: it adds 105 departments, which the exact-total tests above must not see.
  describe('more than 100 departments', () => {
    let prefix: string;

    beforeAll(async () => {
      prefix = `bulk${token()}-`;
      const now = new Date();
      await t.db.collection<Json>(DEPARTMENTS).insertMany(
        Array.from({ length: 105 }, (_, i) => ({
          _id: `${prefix}id-${String(i).padStart(3, '0')}`,
          name: `${prefix}${String(i).padStart(3, '0')}`,
          email: 'bulk@example.com',
          enabled: true,
          showOnRegistration: true,
          showOnOfflineForm: true,
          numAgents: 0,
          _updatedAt: now,
        })),
      );
      await t.wrotePastTheService();
    });

    it('autocomplete answers at most 100 items, sorted by name', async () => {
      const res = await t.get(
        `/livechat/department.autocomplete${qs({ selector: JSON.stringify({ term: prefix }) })}`,
      );
      expect(res.status).toBe(200);
      expect(res.body.items).toEqual(
        Array.from({ length: 100 }, (_, i) => ({
          _id: `${prefix}id-${String(i).padStart(3, '0')}`,
          name: `${prefix}${String(i).padStart(3, '0')}`,
        })),
      );
    });

    it('the list defaults to 50 and clamps count=0 and count=500 to 100', async () => {
      const byDefault = await list({ text: prefix });
      expect(byDefault.status).toBe(200);
      expect(byDefault.body).toMatchObject({ count: 50, offset: 0, total: 105 });
      expect(byDefault.body.departments).toHaveLength(50);

      for (const count of [0, 500, 101]) {
        const res = await list({ text: prefix, count });
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ count: 100, offset: 0, total: 105 });
        expect(res.body.departments).toHaveLength(100);
        expect(names(res.body.departments)).toEqual(
          Array.from({ length: 100 }, (_, i) => `${prefix}${String(i).padStart(3, '0')}`),
        );
      }

      const rest = await list({ text: prefix, count: 0, offset: 100 });
      expect(rest.body).toMatchObject({ count: 5, offset: 100, total: 105 });
    });

    it('listByIds returns the 100 asked for', async () => {
      const wanted = Array.from(
        { length: 100 },
        (_, i) => `${prefix}id-${String(i).padStart(3, '0')}`,
      );
      const res = await t.get(
        `/livechat/department.listByIds${qs({ ids: wanted, fields: '{"name":1}' })}`,
      );
      expect(res.status).toBe(200);
      expect(res.body.departments).toHaveLength(100);
      expect(ids(res.body.departments).sort()).toEqual([...wanted].sort());
    });
  });
});
