// The department lists are served from an in-memory catalog (department-catalog.ts). These
// tests try to catch it out: an order or filter that differs from what the database itself
// answers, and a list on one instance that misses another instance's acknowledged write.
import { TestApp } from './support/test-app';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked field by field
type Json = any;

const DEPARTMENTS = 'rocketchat_livechat_department';
const SORT_FIELDS = ['name', 'enabled', 'numAgents', '_updatedAt', 'email'] as const;

function qs(params: Record<string, string | number>): string {
  return (
    '?' +
    new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]))
  );
}

describe('department lists from memory: the same answers as the database', () => {
  let t: TestApp;
  const prefix = 'catalog-';

  beforeAll(async () => {
    t = await TestApp.start();
    // Names that JavaScript's `<` and a byte-wise sort put in different orders (U+FF21 against
    // an astral character), case, accents, ties; emails missing, null and set; mixed dates.
    const names = ['b', 'B', 'a', 'é', 'e', 'Ａ', '😀', 'z', 'a', 'Z', 'ä', 'ab', 'a b', '10', '9'];
    const documents = Array.from({ length: 45 }, (_, i) => ({
      _id: `${prefix}${String(i).padStart(2, '0')}`,
      name: `${prefix}${names[i % names.length]}`,
      ...(i % 3 === 0
        ? {}
        : { email: i % 3 === 1 ? null : `${names[(i * 7) % names.length]}@x.org` }),
      enabled: i % 4 !== 0,
      showOnRegistration: true,
      showOnOfflineForm: true,
      numAgents: (i * 5) % 7,
      _updatedAt: new Date(Date.UTC(2026, 0, 1 + ((i * 11) % 9))),
      ...(i % 5 === 0 ? { archived: true } : {}),
    }));
    await t.db.collection<Json>(DEPARTMENTS).insertMany(documents);
    await t.wrotePastTheService();
  });
  afterAll(() => t.close());

  /** The ids the database itself gives for this filter and sort, page by page. */
  async function fromDatabase(
    filter: Record<string, unknown>,
    sort: Record<string, 1 | -1>,
  ): Promise<string[]> {
    const found = await t.db
      .collection<Json>(DEPARTMENTS)
      .find({ name: { $regex: prefix }, type: { $ne: 'u' }, ...filter }, { projection: { _id: 1 } })
      .sort({ ...sort, _id: 1 })
      .toArray();
    return found.map((department) => department._id as string);
  }

  async function listed(path: string, params: Record<string, string | number>): Promise<Json> {
    const res = await t.get(`${path}${qs({ text: prefix, count: 100, ...params })}`);
    expect(res.status).toBe(200);
    return res.body;
  }

  it.each(
    SORT_FIELDS.flatMap((field) =>
      ([1, -1] as const).map((direction) => [field, direction] as const),
    ),
  )('sorted by %s %i, as the database sorts', async (field, direction) => {
    const sort = JSON.stringify({ [field]: direction });
    const body = await listed('/livechat/department', { sort, showArchived: 'true' });
    expect(body.departments.map((d: Json) => d._id)).toEqual(
      await fromDatabase({}, { [field]: direction }),
    );
  });

  it('filters as the database filters: archived, enabled, excluded, text', async () => {
    const byName = { name: 1 } as const;
    expect((await listed('/livechat/department', {})).departments.map((d: Json) => d._id)).toEqual(
      await fromDatabase({ archived: { $ne: true } }, byName),
    );
    expect(
      (await listed('/livechat/departments/archived', {})).departments.map((d: Json) => d._id),
    ).toEqual(await fromDatabase({ archived: true }, byName));
    const enabled = await listed('/livechat/department', {
      enabled: 'true',
      excludeDepartmentId: `${prefix}01`,
    });
    expect(enabled.departments.map((d: Json) => d._id)).toEqual(
      await fromDatabase(
        { archived: { $ne: true }, enabled: true, _id: { $ne: `${prefix}01` } },
        byName,
      ),
    );
    // Case-insensitive, and a regular expression's characters taken literally.
    const upper = await listed('/livechat/department', { text: 'CATALOG-A', showArchived: 'true' });
    expect(upper.departments.map((d: Json) => d._id)).toEqual(
      await fromDatabase({ name: { $regex: '^catalog-a', $options: 'i' } }, byName),
    );
    expect((await listed('/livechat/department', { text: 'catalog-.' })).total).toBe(0);
  });

  it('pages are windows of one order, and the total counts every match', async () => {
    const all = await fromDatabase({ archived: { $ne: true } }, { numAgents: -1 });
    const sort = JSON.stringify({ numAgents: -1 });
    for (const [offset, count] of [
      [0, 7],
      [7, 7],
      [30, 10],
      [all.length, 5],
    ]) {
      const body = await listed('/livechat/department', { sort, offset, count });
      expect(body).toMatchObject({ offset, total: all.length });
      expect(body.departments.map((d: Json) => d._id)).toEqual(all.slice(offset, offset + count));
    }
  });

  it('answers each department with the fields it has, and never the fencing stamp', async () => {
    const body = await listed('/livechat/department', { text: `${prefix}z`, showArchived: 'true' });
    const stored = await t.db
      .collection<Json>(DEPARTMENTS)
      .find({ _id: { $in: body.departments.map((d: Json) => d._id) } })
      .toArray();
    expect(body.departments).toHaveLength(stored.length);
    for (const department of body.departments) {
      const { _fence: _, ...expected } = stored.find((s) => s._id === department._id);
      expect(department).toEqual({ ...expected, _updatedAt: expected._updatedAt.toISOString() });
    }
  });
});

describe('department lists from memory: another instance never reads behind a write', () => {
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    a = await TestApp.start();
    b = await TestApp.start({}, { sameDatabaseAs: a });
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  const names = async (app: TestApp, text: string): Promise<string[]> => {
    const res = await app.get(`/livechat/department${qs({ text, count: 100 })}`);
    expect(res.status).toBe(200);
    return res.body.departments.map((d: Json) => d.name);
  };

  it("creates, renames, agents and deletes on a are in b's very next list", async () => {
    const agent = await a.createAgent();
    expect(await names(b, 'ryw-')).toEqual([]); // b holds its catalog from here on
    const { department } = await a.createDepartment({ name: 'ryw-1' });
    expect(await names(b, 'ryw-')).toEqual(['ryw-1']);
    for (let i = 2; i <= 6; i++) {
      const put = await a.put(`/livechat/department/${department._id}`, {
        department: {
          name: `ryw-${i}`,
          email: 'dept@example.com',
          enabled: true,
          showOnRegistration: true,
          showOnOfflineForm: true,
        },
      });
      expect(put.status).toBe(200);
      expect(await names(b, 'ryw-')).toEqual([`ryw-${i}`]);
    }
    const agents = await a.post(`/livechat/department/${department._id}/agents`, {
      upsert: [{ agentId: agent.userId, username: agent.username }],
      remove: [],
    });
    expect(agents.status).toBe(200);
    const listed = await b.get(`/livechat/department${qs({ text: 'ryw-' })}`);
    expect(listed.body.departments[0].numAgents).toBe(1);
    const removal = await a.post('/settings/Omnichannel_enable_department_removal', {
      value: true,
    });
    expect(removal.status).toBe(200);
    const removed = await a.delete(`/livechat/department/${department._id}`);
    expect({ status: removed.status, body: removed.body }).toEqual({ status: 200, body: { success: true } });
    expect(await names(b, 'ryw-')).toEqual([]);
  }, 60_000);

  it('lists on b racing writes on a never show a state older than the last acknowledged one', async () => {
    const { department } = await a.createDepartment({ name: 'race-00' });
    let acknowledged = 0;
    let done = false;
    const regressions: string[] = [];
    const writes = (async () => {
      try {
        for (let i = 1; i <= 15; i++) {
          const res = await a.put(`/livechat/department/${department._id}`, {
            department: {
              name: `race-${String(i).padStart(2, '0')}`,
              email: 'dept@example.com',
              enabled: true,
              showOnRegistration: true,
              showOnOfflineForm: true,
            },
          });
          expect(res.status).toBe(200);
          acknowledged = i;
        }
      } finally {
        done = true;
      }
    })();
    let reads = 0;
    const reader = async () => {
      while (!done) {
        const floor = acknowledged; // acknowledged before this list was sent
        const [name] = await names(b, 'race-');
        reads++;
        if (Number(name.slice('race-'.length)) < floor) regressions.push(`${name} after ${floor}`);
      }
    };
    await Promise.all([writes, reader(), reader(), reader()]);
    expect(regressions).toEqual([]);
    expect(reads).toBeGreaterThanOrEqual(3); // every reader read at least once during the writes
    expect(await names(b, 'race-')).toEqual(['race-15']);
  }, 120_000);
});
