// Permissions and settings (API.md §3): permissions.listAll / permissions.update and
// GET/POST /settings/:_id, with the order of checks of §1. Every test that changes a
// permission or a setting puts it back, so the tests do not depend on their order.
import {
  ApiResponse,
  expectInvalidParams,
  FORBIDDEN_403,
  TestApp,
  TestUser,
  UNAUTHORIZED_401,
} from './support/test-app';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const DEFAULT_PERMISSIONS: Record<string, string[]> = {
  'view-livechat-departments': ['admin', 'livechat-manager', 'livechat-monitor'],
  'manage-livechat-departments': ['admin', 'livechat-manager', 'livechat-monitor'],
  'add-livechat-department-agents': ['admin', 'livechat-manager', 'livechat-monitor'],
  'remove-livechat-department': ['admin', 'livechat-manager'],
  'view-l-room': ['admin', 'livechat-manager', 'livechat-monitor', 'livechat-agent'],
  'manage-livechat-agents': ['admin', 'livechat-manager'],
  'manage-livechat-managers': ['admin'],
  'view-livechat-manager': ['admin', 'livechat-manager', 'livechat-monitor'],
  'create-user': ['admin'],
  'delete-user': ['admin'],
  'edit-other-user-info': ['admin'],
  'edit-other-user-active-status': ['admin'],
  'access-permissions': ['admin'],
  'edit-privileged-setting': ['admin'],
  'view-livechat-business-hours': ['admin', 'livechat-manager'],
  'manage-livechat-business-hours': ['admin', 'livechat-manager'],
  'manage-livechat-units': ['admin', 'livechat-manager'],
  'manage-livechat-monitors': ['admin', 'livechat-manager'],
};

const VIEW = 'view-livechat-departments';

interface PermissionDoc {
  _id: string;
  roles: string[];
}

interface SettingDoc {
  _id: string;
  value: unknown;
}

function expectBusinessError(res: ApiResponse, errorType: string) {
  expect(res.status).toBe(400);
  expect(res.body).toEqual({
    success: false,
    error: expect.stringMatching(new RegExp(` \\[${errorType}\\]$`)),
    errorType,
  });
}

describe('permissions and settings', () => {
  let t: TestApp;
  let plain: TestUser;
  let manager: TestUser;

  beforeAll(async () => {
    t = await TestApp.start();
    plain = await t.createUser();
    manager = await t.createUser({ roles: ['livechat-manager'] });
  });
  afterAll(() => t.close());

  const permissions = () => t.db.collection<PermissionDoc>('rocketchat_permissions');
  const settings = () => t.db.collection<SettingDoc>('rocketchat_settings');
  const storedPermissions = async () =>
    Object.fromEntries(
      (await permissions().find({}).sort({ _id: 1 }).toArray()).map((doc) => [doc._id, doc.roles]),
    );

  /** Sets a permission's roles as admin, expecting success. */
  async function setRoles(id: string, roles: string[]) {
    const res = await t.post('/permissions.update', { permissions: [{ _id: id, roles }] });
    expect(res.status).toBe(200);
    return res;
  }

  async function setSetting(id: string, value: unknown) {
    const res = await t.post(`/settings/${id}`, { value });
    expect(res.status).toBe(200);
    return res;
  }

  describe('GET /permissions.listAll', () => {
    it('lists the default permissions with their default roles', async () => {
      const res = await t.get('/permissions.listAll');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        update: expect.any(Array),
        remove: [],
        success: true,
      });
      expect(res.body.update).toHaveLength(Object.keys(DEFAULT_PERMISSIONS).length);
      for (const [id, roles] of Object.entries(DEFAULT_PERMISSIONS)) {
        const permission = res.body.update.find((p: PermissionDoc) => p._id === id);
        expect(permission).toEqual({
          _id: id,
          roles: expect.any(Array),
          _updatedAt: expect.stringMatching(ISO_DATE),
        });
        expect([...permission.roles].sort()).toEqual([...roles].sort());
      }
      expect(res.headers.get('cache-control')).toBe('no-store');
    });

    it('is stored in rocketchat_permissions with string ids', async () => {
      const stored = await storedPermissions();
      expect(Object.keys(stored).sort()).toEqual(Object.keys(DEFAULT_PERMISSIONS).sort());
      for (const [id, roles] of Object.entries(DEFAULT_PERMISSIONS)) {
        expect([...stored[id]].sort()).toEqual([...roles].sort());
      }
    });

    it('needs access-permissions', async () => {
      for (const caller of [plain, manager]) {
        const res = await t.get('/permissions.listAll', { as: caller });
        expect(res.status).toBe(403);
        expect(res.body).toEqual(FORBIDDEN_403);
      }
      const anonymous = await t.get('/permissions.listAll', { as: null });
      expect(anonymous.status).toBe(401);
      expect(anonymous.body).toEqual(UNAUTHORIZED_401);
    });
  });

  describe('GET /permissions.mine', () => {
    it("answers each caller's own effective permissions, sorted, and follows an edit of the roles", async () => {
      const ofRoles = (roles: string[]) =>
        Object.entries(DEFAULT_PERMISSIONS)
          .filter(([, holders]) => holders.some((role) => roles.includes(role)))
          .map(([id]) => id)
          .sort();
      const admin = await t.get('/permissions.mine');
      expect(admin.status).toBe(200);
      expect(admin.body).toEqual({ permissions: ofRoles(['admin', 'user']), success: true });
      const mine = await t.get('/permissions.mine', { as: manager });
      expect(mine.body).toEqual({
        permissions: ofRoles(['livechat-manager', 'user']),
        success: true,
      });
      expect(mine.body.permissions).toContain('view-livechat-manager');
      expect(mine.body.permissions).not.toContain('edit-privileged-setting');
      const none = await t.get('/permissions.mine', { as: plain });
      expect(none.body).toEqual({ permissions: [], success: true });

      try {
        await setRoles(VIEW, [...DEFAULT_PERMISSIONS[VIEW], 'user']);
        const granted = await t.get('/permissions.mine', { as: plain });
        expect(granted.body).toEqual({ permissions: [VIEW], success: true });
      } finally {
        await setRoles(VIEW, [...DEFAULT_PERMISSIONS[VIEW]]);
      }
      expect((await t.get('/permissions.mine', { as: plain })).body.permissions).toEqual([]);
    });

    it('needs authentication only', async () => {
      const anonymous = await t.get('/permissions.mine', { as: null });
      expect(anonymous.status).toBe(401);
      expect(anonymous.body).toEqual(UNAUTHORIZED_401);
    });
  });

  describe('POST /permissions.update', () => {
    it('takes effect on the very next request, both ways', async () => {
      const defaults = DEFAULT_PERMISSIONS[VIEW];
      try {
        const before = await t.get('/livechat/department', { as: plain });
        expect(before.status).toBe(403);
        expect(before.body).toEqual(FORBIDDEN_403);

        const res = await setRoles(VIEW, [...defaults, 'user']);
        expect(res.body).toEqual({
          permissions: [
            {
              _id: VIEW,
              roles: [...defaults, 'user'],
              _updatedAt: expect.stringMatching(ISO_DATE),
            },
          ],
          success: true,
        });
        expect((await permissions().findOne({ _id: VIEW }))?.roles).toEqual([...defaults, 'user']);

        const granted = await t.get('/livechat/department', { as: plain });
        expect(granted.status).toBe(200);
        expect(granted.body).toMatchObject({ departments: expect.any(Array), success: true });

        const listed = await t.get('/permissions.listAll');
        expect(listed.body.update.find((p: PermissionDoc) => p._id === VIEW).roles).toEqual([
          ...defaults,
          'user',
        ]);

        await setRoles(VIEW, [...defaults]);
        const revoked = await t.get('/livechat/department', { as: plain });
        expect(revoked.status).toBe(403);
        expect(revoked.body).toEqual(FORBIDDEN_403);
      } finally {
        await setRoles(VIEW, [...defaults]);
      }
    });

    it('can take a permission away from a role that had it', async () => {
      const id = 'create-user';
      try {
        await setRoles(id, []);
        const res = await t.post('/users.create', {
          username: 'never-created',
          email: 'never-created@example.com',
          password: 'secret-1',
          name: 'Never',
        });
        expect(res.status).toBe(403);
        expect(res.body).toEqual(FORBIDDEN_403);
        expect(await t.db.collection('users').countDocuments({ username: 'never-created' })).toBe(
          0,
        );
      } finally {
        await setRoles(id, [...DEFAULT_PERMISSIONS[id]]);
      }
    });

    it('updates several permissions at once', async () => {
      const ids = ['view-livechat-manager', 'manage-livechat-managers'];
      try {
        const res = await t.post('/permissions.update', {
          permissions: ids.map((_id) => ({ _id, roles: ['admin', 'livechat-monitor'] })),
        });
        expect(res.status).toBe(200);
        expect(res.body.success).toBe(true);
        expect(res.body.permissions.map((p: PermissionDoc) => p._id).sort()).toEqual(
          [...ids].sort(),
        );
        const stored = await storedPermissions();
        for (const id of ids) expect(stored[id]).toEqual(['admin', 'livechat-monitor']);
      } finally {
        for (const id of ids) await setRoles(id, [...DEFAULT_PERMISSIONS[id]]);
      }
    });

    it('rejects an unknown permission id with error-invalid-permission and changes nothing', async () => {
      const before = await storedPermissions();
      expectBusinessError(
        await t.post('/permissions.update', {
          permissions: [{ _id: 'no-such-permission', roles: ['admin'] }],
        }),
        'error-invalid-permission',
      );
      // A known id next to an unknown one is not changed either.
      expectBusinessError(
        await t.post('/permissions.update', {
          permissions: [
            { _id: VIEW, roles: [...DEFAULT_PERMISSIONS[VIEW], 'user'] },
            { _id: 'no-such-permission', roles: [] },
          ],
        }),
        'error-invalid-permission',
      );
      expect(await storedPermissions()).toEqual(before);
      expect(await permissions().countDocuments({ _id: 'no-such-permission' })).toBe(0);
      const stillForbidden = await t.get('/livechat/department', { as: plain });
      expect(stillForbidden.status).toBe(403);
      expect(stillForbidden.body).toEqual(FORBIDDEN_403);
    });

    describe('rejects malformed bodies with 400 invalid-params and changes nothing', () => {
      const cases: [string, unknown, string][] = [
        ['empty body', {}, 'permissions'],
        ['permissions not an array', { permissions: { _id: VIEW, roles: [] } }, 'permissions'],
        ['permissions a string', { permissions: VIEW }, 'permissions'],
        ['item not an object', { permissions: [VIEW] }, 'permissions'],
        ['item without _id', { permissions: [{ roles: ['admin'] }] }, 'permissions.0._id'],
        ['item without roles', { permissions: [{ _id: VIEW }] }, 'permissions.0.roles'],
        ['numeric _id', { permissions: [{ _id: 5, roles: [] }] }, 'permissions.0._id'],
        [
          'operator _id',
          { permissions: [{ _id: { $ne: null }, roles: ['user'] }] },
          'permissions.0._id',
        ],
        ['roles a string', { permissions: [{ _id: VIEW, roles: 'user' }] }, 'permissions.0.roles'],
        [
          'roles with a number',
          { permissions: [{ _id: VIEW, roles: [1] }] },
          'permissions.0.roles',
        ],
        [
          'roles with an operator',
          { permissions: [{ _id: VIEW, roles: [{ $ne: null }] }] },
          'permissions.0.roles',
        ],
        [
          'an unknown role',
          { permissions: [{ _id: VIEW, roles: ['user', 'superuser'] }] },
          'permissions.0.roles',
        ],
        [
          'unknown item key',
          { permissions: [{ _id: VIEW, roles: ['user'], scope: 'x' }] },
          'permissions.0.scope',
        ],
        [
          'bad second item',
          {
            permissions: [
              { _id: VIEW, roles: ['user'] },
              { _id: VIEW, roles: null },
            ],
          },
          'permissions.1.roles',
        ],
        [
          'unknown top-level key',
          { permissions: [{ _id: VIEW, roles: ['user'] }], force: true },
          'force',
        ],
      ];
      it.each(cases)('%s', async (_name, body, fieldPath) => {
        const before = await storedPermissions();
        expectInvalidParams(await t.post('/permissions.update', body), fieldPath);
        expect(await storedPermissions()).toEqual(before);
      });

      it('malformed JSON', async () => {
        const res = await t.request('POST', '/permissions.update', {
          rawBody: '{"permissions": [',
        });
        expect(res.status).toBe(400);
        expect(res.body).toEqual({
          success: false,
          error: 'The request body is not valid JSON [invalid-params]',
          errorType: 'invalid-params',
        });
      });
    });

    it('checks in the order of API.md §1: 401, then 403, then 400, then business rules', async () => {
      const before = await storedPermissions();
      const malformed = { permissions: [{ _id: VIEW }] };
      const wellFormed = {
        permissions: [{ _id: VIEW, roles: [...DEFAULT_PERMISSIONS[VIEW], 'user'] }],
      };
      const unknownId = { permissions: [{ _id: 'no-such-permission', roles: ['user'] }] };

      const anonymous = await t.post('/permissions.update', malformed, { as: null });
      expect(anonymous.status).toBe(401);
      expect(anonymous.body).toEqual(UNAUTHORIZED_401);

      for (const caller of [plain, manager]) {
        // Permission before validation (Rocket.Chat's order).
        const malformedForbidden = await t.post('/permissions.update', malformed, { as: caller });
        expect(malformedForbidden.status).toBe(403);
        expect(malformedForbidden.body).toEqual(FORBIDDEN_403);
        // A well-formed body: 403, and nothing changes.
        const forbidden = await t.post('/permissions.update', wellFormed, { as: caller });
        expect(forbidden.status).toBe(403);
        expect(forbidden.body).toEqual(FORBIDDEN_403);
        // Permission before business rules: an unknown id is still a 403.
        const unknown = await t.post('/permissions.update', unknownId, { as: caller });
        expect(unknown.status).toBe(403);
        expect(unknown.body).toEqual(FORBIDDEN_403);
      }
      expect(await storedPermissions()).toEqual(before);
    });
  });

  describe('settings', () => {
    const REMOVAL = 'Omnichannel_enable_department_removal';
    const ROUTING = 'Livechat_Routing_Method';

    it('reads the defaults', async () => {
      const removal = await t.get(`/settings/${REMOVAL}`);
      expect(removal.status).toBe(200);
      expect(removal.body).toEqual({ _id: REMOVAL, value: false, success: true });
      expect(removal.headers.get('cache-control')).toBe('no-store');

      const routing = await t.get(`/settings/${ROUTING}`);
      expect(routing.status).toBe(200);
      expect(routing.body).toEqual({ _id: ROUTING, value: 'Auto_Selection', success: true });

      expect(await settings().findOne({ _id: REMOVAL })).toMatchObject({ value: false });
      expect(await settings().findOne({ _id: ROUTING })).toMatchObject({
        value: 'Auto_Selection',
      });
    });

    it('sets Omnichannel_enable_department_removal and reads it back', async () => {
      try {
        const set = await setSetting(REMOVAL, true);
        expect(set.body).toEqual({ _id: REMOVAL, value: true, success: true });
        const read = await t.get(`/settings/${REMOVAL}`);
        expect(read.body).toEqual({ _id: REMOVAL, value: true, success: true });
        expect((await settings().findOne({ _id: REMOVAL }))?.value).toBe(true);

        const back = await setSetting(REMOVAL, false);
        expect(back.body).toEqual({ _id: REMOVAL, value: false, success: true });
        expect((await t.get(`/settings/${REMOVAL}`)).body.value).toBe(false);
      } finally {
        await setSetting(REMOVAL, false);
      }
    });

    it('sets Livechat_Routing_Method and reads it back', async () => {
      try {
        const set = await setSetting(ROUTING, 'Manual_Selection');
        expect(set.body).toEqual({ _id: ROUTING, value: 'Manual_Selection', success: true });
        const read = await t.get(`/settings/${ROUTING}`);
        expect(read.body).toEqual({ _id: ROUTING, value: 'Manual_Selection', success: true });
        expect((await settings().findOne({ _id: ROUTING }))?.value).toBe('Manual_Selection');
      } finally {
        await setSetting(ROUTING, 'Auto_Selection');
      }
      expect((await t.get(`/settings/${ROUTING}`)).body.value).toBe('Auto_Selection');
    });

    it('a changed setting takes effect on the next request (department removal)', async () => {
      const created = await t.createDepartment();
      const id = created.department._id;
      try {
        const refused = await t.delete(`/livechat/department/${id}`);
        expect(refused.status).toBe(400);
        expect(refused.body).toEqual({
          success: false,
          error: 'error-department-removal-disabled',
          errorType: 'error-department-removal-disabled',
        });

        await setSetting(REMOVAL, true);
        const removed = await t.delete(`/livechat/department/${id}`);
        expect(removed.status).toBe(200);
        expect(removed.body).toEqual({ success: true });
      } finally {
        await setSetting(REMOVAL, false);
      }
    });

    describe('rejects a bad value with 400 invalid-params and changes nothing', () => {
      const cases: [string, string, unknown][] = [
        ['removal as a string', REMOVAL, { value: 'true' }],
        ['removal as a number', REMOVAL, { value: 1 }],
        ['removal null', REMOVAL, { value: null }],
        ['removal missing', REMOVAL, {}],
        ['removal as an operator', REMOVAL, { value: { $ne: null } }],
        ['routing unknown method', ROUTING, { value: 'Round_Robin' }],
        ['routing wrong case', ROUTING, { value: 'auto_selection' }],
        ['routing as a boolean', ROUTING, { value: true }],
        ['routing as an array', ROUTING, { value: ['Manual_Selection'] }],
      ];
      it.each(cases)('%s', async (_name, id, body) => {
        const before = await settings().findOne({ _id: id });
        expectInvalidParams(await t.post(`/settings/${id}`, body), 'value');
        expect(await settings().findOne({ _id: id })).toEqual(before);
      });

      it('an unknown key', async () => {
        const before = await settings().findOne({ _id: REMOVAL });
        expectInvalidParams(
          await t.post(`/settings/${REMOVAL}`, { value: true, editor: 'x' }),
          'editor',
        );
        expect(await settings().findOne({ _id: REMOVAL })).toEqual(before);
      });

      it('malformed JSON', async () => {
        const res = await t.request('POST', `/settings/${REMOVAL}`, { rawBody: '{"value": tru' });
        expect(res.status).toBe(400);
        expect(res.body).toEqual({
          success: false,
          error: 'The request body is not valid JSON [invalid-params]',
          errorType: 'invalid-params',
        });
      });
    });

    it('rejects an unknown setting id with error-invalid-setting and stores nothing', async () => {
      const unknownIds = ['No_Such_Setting', 'constructor', '__proto__', 'toString'];
      const storedBefore = await settings().countDocuments();
      for (const id of unknownIds) {
        expectBusinessError(await t.get(`/settings/${id}`), 'error-invalid-setting');
        expectBusinessError(
          await t.post(`/settings/${id}`, { value: true }),
          'error-invalid-setting',
        );
      }
      expect(await settings().countDocuments()).toBe(storedBefore);
      expect(await settings().countDocuments({ _id: { $in: unknownIds } })).toBe(0);
    });

    it('needs edit-privileged-setting', async () => {
      expect((await t.get(`/settings/${REMOVAL}`, { as: plain })).body).toEqual(FORBIDDEN_403);
      for (const caller of [plain, manager]) {
        for (const res of [
          await t.post(`/settings/${REMOVAL}`, { value: true }, { as: caller }),
          await t.get(`/settings/${ROUTING}`, { as: caller }),
          await t.post(`/settings/${ROUTING}`, { value: 'Manual_Selection' }, { as: caller }),
        ]) {
          expect(res.status).toBe(403);
          expect(res.body).toEqual(FORBIDDEN_403);
        }
      }
      expect((await settings().findOne({ _id: REMOVAL }))?.value).toBe(false);
      expect((await settings().findOne({ _id: ROUTING }))?.value).toBe('Auto_Selection');

      for (const res of [
        await t.get(`/settings/${REMOVAL}`, { as: null }),
        await t.post(`/settings/${REMOVAL}`, { value: true }, { as: null }),
      ]) {
        expect(res.status).toBe(401);
        expect(res.body).toEqual(UNAUTHORIZED_401);
      }
    });

    it('lets whoever may ask for a department delete read (only read) the removal setting', async () => {
      const agent = await t.createUser({ roles: ['livechat-agent'] });
      const monitor = await t.createUser({ roles: ['livechat-monitor'] });
      // manager: manage + remove; monitor: manage only (docs/api.md §3).
      for (const caller of [manager, monitor]) {
        const read = await t.get(`/settings/${REMOVAL}`, { as: caller });
        expect(read.status).toBe(200);
        expect(read.body).toEqual({ _id: REMOVAL, value: false, success: true });
        const write = await t.post(`/settings/${REMOVAL}`, { value: true }, { as: caller });
        expect(write.body).toEqual(FORBIDDEN_403);
        // The allowance is for this one setting only.
        expect((await t.get(`/settings/${ROUTING}`, { as: caller })).body).toEqual(FORBIDDEN_403);
      }
      expect((await t.get(`/settings/${REMOVAL}`, { as: agent })).body).toEqual(FORBIDDEN_403);
      expect((await settings().findOne({ _id: REMOVAL }))?.value).toBe(false);

      // It follows the permissions, not the role: without them the manager is refused too.
      const before = await storedPermissions();
      try {
        await setRoles('manage-livechat-departments', ['admin']);
        await setRoles('remove-livechat-department', ['admin']);
        expect((await t.get(`/settings/${REMOVAL}`, { as: manager })).body).toEqual(FORBIDDEN_403);
      } finally {
        await setRoles('manage-livechat-departments', before['manage-livechat-departments']);
        await setRoles('remove-livechat-department', before['remove-livechat-department']);
      }
    });

    it('checks the permission before the body (Rocket.Chat), and then the body', async () => {
      for (const body of [{}, { value: true, other: 1 }]) {
        const res = await t.post(`/settings/${REMOVAL}`, body, { as: plain });
        expect(res.status).toBe(403);
        expect(res.body).toEqual(FORBIDDEN_403);
      }
      expectInvalidParams(await t.post(`/settings/${REMOVAL}`, {}), 'value');
      expectInvalidParams(await t.post(`/settings/${REMOVAL}`, { value: true, other: 1 }), 'other');
      expect((await settings().findOne({ _id: REMOVAL }))?.value).toBe(false);
    });
  });
});
