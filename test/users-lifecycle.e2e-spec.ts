// users.delete, users.setStatus and users.setActiveStatus (Rocket.Chat's shapes, permissions
// and messages), and what they do to an omnichannel user: a deleted agent leaves its
// departments (numAgents exact), a deleted monitor its units, a deactivated agent loses its
// tokens and is no longer routed.
import { randomBytes } from 'node:crypto';
import {
  ApiResponse,
  expectInvalidParams,
  FORBIDDEN_403,
  TestApp,
  UNAUTHORIZED_401,
} from './support/test-app';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- documents are checked field by field
type Doc = { _id: string; [field: string]: any };

const unique = () => randomBytes(4).toString('hex');

function expectError(res: ApiResponse, errorType: string, text: string) {
  expect(res.status).toBe(400);
  expect(res.body).toEqual({ success: false, error: `${text} [${errorType}]`, errorType });
}

describe('users.delete, users.setStatus, users.setActiveStatus', () => {
  let t: TestApp;
  const users = () => t.db.collection<Doc>('users');
  const assignments = () => t.db.collection<Doc>('rocketchat_livechat_department_agents');
  const departments = () => t.db.collection<Doc>('rocketchat_livechat_department');
  const stored = (userId: string) => users().findOne({ _id: userId });

  beforeAll(async () => {
    t = await TestApp.start();
  });

  afterAll(async () => {
    await t?.close();
  });

  describe('POST /users.delete', () => {
    it('deletes the user named by userId; its tokens stop working', async () => {
      const user = await t.createUser();
      const res = await t.post('/users.delete', { userId: user.userId });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ success: true });
      expect(await stored(user.userId)).toBeNull();
      const me = await t.get('/me', { as: user });
      expect(me.status).toBe(401);
      expect(me.body).toEqual(UNAUTHORIZED_401);
    });

    it('finds a username in any case, and accepts confirmRelinquish', async () => {
      const user = await t.createUser();
      const res = await t.post('/users.delete', {
        username: user.username.toUpperCase(),
        confirmRelinquish: true,
      });
      expect(res.status).toBe(200);
      expect(await stored(user.userId)).toBeNull();
    });

    it('answers bad input with 400 and changes nothing', async () => {
      expectError(
        await t.post('/users.delete', {}),
        'error-user-param-not-provided',
        'The required "userId" or "username" param was not provided',
      );
      expectError(
        await t.post('/users.delete', { userId: 'no-such-user' }),
        'error-invalid-user',
        'The required "userId" or "username" param provided does not match any users',
      );
      expectError(
        await t.post('/users.delete', { username: 'no-such-user' }),
        'error-invalid-user',
        'The required "userId" or "username" param provided does not match any users',
      );
      expectInvalidParams(await t.post('/users.delete', { userId: 5 }), 'userId');
      expectInvalidParams(await t.post('/users.delete', { userId: { $ne: 'x' } }), 'userId');
      expectInvalidParams(await t.post('/users.delete', { id: 'x' }), 'id');
    });

    it('is 403 without delete-user, and the user stays', async () => {
      const caller = await t.createUser({ roles: ['livechat-manager'] });
      const target = await t.createUser();
      const res = await t.post('/users.delete', { userId: target.userId }, { as: caller });
      expect(res.status).toBe(403);
      expect(res.body).toEqual(FORBIDDEN_403);
      expect(await stored(target.userId)).not.toBeNull();
    });

    it('a deleted agent leaves every department, and numAgents stays exact', async () => {
      const [gone, stays] = [await t.createAgent(), await t.createAgent()];
      const { department: d1 } = await t.createDepartment({}, [
        { agentId: gone.userId },
        { agentId: stays.userId },
      ]);
      const { department: d2 } = await t.createDepartment({}, [{ agentId: gone.userId }]);
      expect((await t.post('/users.delete', { userId: gone.userId })).status).toBe(200);

      expect(await assignments().countDocuments({ agentId: gone.userId })).toBe(0);
      for (const department of [d1, d2]) {
        const count = await assignments().countDocuments({ departmentId: department._id });
        expect((await departments().findOne({ _id: department._id }))?.numAgents).toBe(count);
      }
      expect((await departments().findOne({ _id: d1._id }))?.numAgents).toBe(1);
      expect((await departments().findOne({ _id: d2._id }))?.numAgents).toBe(0);
      const listed = await t.get(`/livechat/department/${d1._id}/agents`);
      expect(listed.body.agents.map((agent: Doc) => agent.agentId)).toEqual([stays.userId]);
    });

    it('a deleted monitor leaves its units, and numMonitors follows', async () => {
      const monitor = await t.createUser();
      expect(
        (await t.post('/livechat/monitors.create', { username: monitor.username })).status,
      ).toBe(200);
      const { department } = await t.createDepartment();
      const unit = await t.post('/livechat/units', {
        unitData: { name: `unit-${unique()}`, visibility: 'public' },
        unitMonitors: [{ monitorId: monitor.userId, username: monitor.username }],
        unitDepartments: [{ departmentId: department._id }],
      });
      expect(unit.status).toBe(200);
      expect(unit.body.numMonitors).toBe(1);

      expect((await t.post('/users.delete', { userId: monitor.userId })).status).toBe(200);
      expect(
        await t.db
          .collection('rocketchat_livechat_unit_monitors')
          .countDocuments({ monitorId: monitor.userId }),
      ).toBe(0);
      expect((await t.get(`/livechat/units/${unit.body._id}`)).body.numMonitors).toBe(0);
    });
  });

  describe('POST /users.setStatus', () => {
    it("sets the caller's own presence and status message", async () => {
      const user = await t.createUser();
      const res = await t.post(
        '/users.setStatus',
        { status: 'away', message: '  back soon  ' },
        { as: user },
      );
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ success: true });
      const doc = await stored(user.userId);
      expect(doc).toMatchObject({ status: 'away', statusDefault: 'away', statusText: 'back soon' });
      expect((await t.get('/me', { as: user })).body.status).toBe('away');

      // A message alone, and the caller named explicitly.
      const message = await t.post(
        '/users.setStatus',
        { message: 'm'.repeat(200), userId: user.userId },
        { as: user },
      );
      expect(message.status).toBe(200);
      expect(await stored(user.userId)).toMatchObject({
        status: 'away',
        statusText: 'm'.repeat(120),
      });
    });

    it("sets another user's status only with edit-other-user-info (403 otherwise)", async () => {
      const [caller, target] = [await t.createUser(), await t.createUser()];
      const denied = await t.post(
        '/users.setStatus',
        { status: 'busy', userId: target.userId },
        { as: caller },
      );
      expect(denied.status).toBe(403);
      expect(denied.body).toEqual(FORBIDDEN_403);
      expect((await stored(target.userId))?.status).toBe('offline');

      const byAdmin = await t.post('/users.setStatus', {
        status: 'busy',
        username: target.username,
      });
      expect(byAdmin.status).toBe(200);
      expect((await stored(target.userId))?.status).toBe('busy');
      expectError(
        await t.post('/users.setStatus', { status: 'busy', userId: 'no-such-user' }),
        'error-invalid-user',
        'The required "userId" or "username" param provided does not match any users',
      );
    });

    it('answers bad input with 400 and changes nothing', async () => {
      const user = await t.createUser();
      expectError(
        await t.post('/users.setStatus', { status: 'sleeping', message: 'x' }, { as: user }),
        'error-invalid-status',
        'Valid status types include online, away, offline, and busy.',
      );
      expect(await stored(user.userId)).toMatchObject({ status: 'offline' });
      expect((await stored(user.userId))?.statusText).toBeUndefined();
      expectInvalidParams(await t.post('/users.setStatus', {}, { as: user }), 'status');
      expectInvalidParams(await t.post('/users.setStatus', { status: 1 }, { as: user }), 'status');
      expectInvalidParams(
        await t.post('/users.setStatus', { status: 'away', extra: 1 }, { as: user }),
        'extra',
      );
    });
  });

  describe('POST /users.setActiveStatus', () => {
    it('deactivates: Rocket.Chat shape, tokens revoked at once, login refused; reactivates', async () => {
      const user = await t.createUser();
      const res = await t.post('/users.setActiveStatus', {
        userId: user.userId,
        activeStatus: false,
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ user: { _id: user.userId, active: false }, success: true });
      expect(await stored(user.userId)).toMatchObject({
        active: false,
        services: { resume: { loginTokens: [] } },
      });
      expect((await t.get('/me', { as: user })).status).toBe(401);
      const login = await t.post(
        '/login',
        { user: user.username, password: user.password },
        { as: null },
      );
      expect(login.status).toBe(401);

      const back = await t.post('/users.setActiveStatus', {
        userId: user.userId,
        activeStatus: true,
      });
      expect(back.body).toEqual({ user: { _id: user.userId, active: true }, success: true });
      // The old token stays revoked; a new login works.
      expect((await t.get('/me', { as: user })).status).toBe(401);
      const session = await t.login(user.username, user.password);
      expect((await t.get('/me', { as: session })).status).toBe(200);
    });

    it('a deactivated agent becomes not-available and is not routed; its assignments stay', async () => {
      const agent = await t.createAgent({ available: true });
      const { department } = await t.createDepartment({}, [{ agentId: agent.userId }]);
      const before = await t.post(`/livechat/department/${department._id}/next-agent`);
      expect(before.body.agent?.agentId).toBe(agent.userId);

      const res = await t.post('/users.setActiveStatus', {
        userId: agent.userId,
        activeStatus: false,
      });
      expect(res.status).toBe(200);
      expect((await stored(agent.userId))?.statusLivechat).toBe('not-available');
      const after = await t.post(`/livechat/department/${department._id}/next-agent`);
      expect(after.body).toEqual({ agent: null, success: true });
      // As in Rocket.Chat: deactivation keeps the assignment (and numAgents).
      expect(await assignments().countDocuments({ agentId: agent.userId })).toBe(1);
      expect((await departments().findOne({ _id: department._id }))?.numAgents).toBe(1);
    });

    it('refuses to deactivate the last active admin, and changes nothing', async () => {
      const res = await t.post('/users.setActiveStatus', {
        userId: t.admin.userId,
        activeStatus: false,
      });
      expectError(
        res,
        'error-action-not-allowed',
        'Leaving the app without an active admin is not allowed',
      );
      expect((await stored(t.admin.userId))?.active).toBe(true);
      expect((await t.get('/me')).status).toBe(200);
    });

    it('answers bad input with 400, an unknown user with 400, and changes nothing', async () => {
      const user = await t.createUser();
      expectInvalidParams(
        await t.post('/users.setActiveStatus', { activeStatus: false }),
        'userId',
      );
      expectInvalidParams(
        await t.post('/users.setActiveStatus', { userId: user.userId }),
        'activeStatus',
      );
      expectInvalidParams(
        await t.post('/users.setActiveStatus', { userId: user.userId, activeStatus: 'false' }),
        'activeStatus',
      );
      expectError(
        await t.post('/users.setActiveStatus', { userId: 'no-such-user', activeStatus: false }),
        'error-invalid-user',
        'User not found',
      );
      expect((await stored(user.userId))?.active).toBe(true);
    });

    it('is 403 without edit-other-user-active-status, and the user stays active', async () => {
      const caller = await t.createUser({ roles: ['livechat-manager'] });
      const target = await t.createUser();
      const res = await t.post(
        '/users.setActiveStatus',
        { userId: target.userId, activeStatus: false },
        { as: caller },
      );
      expect(res.status).toBe(403);
      expect(res.body).toEqual(FORBIDDEN_403);
      expect((await stored(target.userId))?.active).toBe(true);
      expect((await t.get('/me', { as: target })).status).toBe(200);
    });
  });
});
