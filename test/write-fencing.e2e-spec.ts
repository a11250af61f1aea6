// Fencing the database enforces: two instances on one database, the lease holder paused
// between deciding a write and sending it (its heartbeat stopped, as a frozen process's
// would) for longer than its lease. The other instance takes over and writes; when the
// paused one resumes and sends its old write, the database refuses it. Each scenario is
// one the advisory lease check let through.
import { getModelToken } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { Department } from '../src/livechat/departments/schemas/department.schema';
import { DepartmentRecovery } from '../src/livechat/write-path/department-recovery';
import { WriteLeases } from '../src/livechat/write-path/write-leases';
import { invariantViolations } from './support/invariants';
import { TestApp } from './support/test-app';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- stored documents are checked field by field
type Json = any;

const ENV = { WRITE_LEASE_TTL_MS: '1000', DEPARTMENT_REMOVAL_ENABLED: 'true' };

let a: TestApp;
let b: TestApp;

beforeAll(async () => {
  a = await TestApp.start(ENV);
  b = await TestApp.start(ENV, { sameDatabaseAs: a });
  // The tests run recovery passes themselves.
  await a.app.get(DepartmentRecovery).onApplicationShutdown();
  await b.app.get(DepartmentRecovery).onApplicationShutdown();
});

afterAll(async () => {
  jest.restoreAllMocks();
  await b?.close();
  await a?.close();
});

/**
 * Pauses instance A at its next call of `method` on `model` (matching `when`): resolves
 * `reached` there and waits for `resume()`. A's heartbeat stops too, so its lease expires
 * as a frozen process's would.
 */
function pauseA<T>(
  modelName: string,
  method: 'updateOne' | 'insertMany' | 'bulkWrite',
  when: (args: unknown[]) => boolean = () => true,
): { reached: Promise<void>; resume: () => void } {
  const model = a.app.get<Model<T>>(getModelToken(modelName));
  const original = (model[method] as (...args: unknown[]) => unknown).bind(model);
  let resume!: () => void;
  const resumed = new Promise<void>((resolve) => (resume = resolve));
  let reached!: () => void;
  const reachedP = new Promise<void>((resolve) => (reached = resolve));
  let armed = true;
  const spy = jest.spyOn(model, method).mockImplementation((async (...args: unknown[]) => {
    if (armed && when(args)) {
      armed = false;
      a.app.get(WriteLeases).onApplicationShutdown();
      reached();
      await resumed;
      spy.mockRestore();
    }
    return original(...args);
  }) as never);
  return { reached: reachedP, resume };
}

const departments = () => a.db.collection<Json>('rocketchat_livechat_department');

async function expectConsistent(): Promise<void> {
  // Sweeps of overtaken writers' late inserts, on both instances.
  await b.app.get(DepartmentRecovery).background();
  await a.app.get(DepartmentRecovery).background();
  expect(await invariantViolations(a.db)).toEqual([]);
}

/** Restarts A's heartbeat for the next scenario (a new WriteLeases timer on the next acquire). */
function reviveA(): void {
  (a.app.get(WriteLeases) as unknown as { heartbeat?: NodeJS.Timeout }).heartbeat = undefined;
}

afterEach(() => reviveA());

describe('a writer paused past its lease cannot undo a later acknowledged write', () => {
  it('PUT: the later PUT stays, the paused one answers 503', async () => {
    const { department } = await a.createDepartment({ name: 'before' });
    const pause = pauseA<Department>(Department.name, 'updateOne', ([filter]) => {
      return (filter as { _id?: string })._id === department._id;
    });
    const body = (name: string) => ({
      department: {
        name,
        email: 'dept@example.com',
        enabled: true,
        showOnRegistration: true,
        showOnOfflineForm: true,
      },
    });
    const fromA = a.put(`/livechat/department/${department._id}`, body('from-A'));
    await pause.reached;
    const fromB = await b.put(`/livechat/department/${department._id}`, body('from-B'));
    expect(fromB.status).toBe(200);
    pause.resume();
    expect((await fromA).status).toBe(503);
    expect((await departments().findOne({ _id: department._id }))?.name).toBe('from-B');
    const history = (await b.get(`/livechat/department/${department._id}/history`)).body.history;
    expect(history[0].changes).toEqual([
      expect.objectContaining({ field: 'name', from: 'from-A', to: 'from-B' }),
    ]);
    await expectConsistent();
    expect((await departments().findOne({ _id: department._id }))?.name).toBe('from-B');
  });
});
