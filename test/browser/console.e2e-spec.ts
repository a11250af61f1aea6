// The admin console in a real browser against the real service and database: login, the
// departments list, create/edit (incl. the 412 conflict), archive, delete, agents, settings,
// permissions, accessibility (axe), the 360 px layout and a clean browser console.
import type { Browser, Page } from 'playwright-core';
import { randomId } from '../../src/common/ids';
import { ADMIN, TestApp } from '../support/test-app';
import {
  axeViolations,
  expectHidden,
  expectVisible,
  launchBrowser,
  logIn,
  openConsole,
  screenshot,
  scrollsHorizontally,
  until,
  type ConsolePage,
} from './support';

const DEPARTMENTS = 'rocketchat_livechat_department';

// Browser flows take seconds each on this shared 2-core machine.
jest.setTimeout(60_000);

describe('admin console (browser)', () => {
  let app: TestApp;
  let browser: Browser;
  let current: ConsolePage | undefined;

  beforeAll(async () => {
    [app, browser] = await Promise.all([TestApp.start(), launchBrowser()]);
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  /** A fresh browser context, closed (and checked for console errors) after the test. */
  async function open(options: { width?: number } = {}): Promise<Page> {
    current = await openConsole(browser, app, options);
    return current.page;
  }

  async function openAsAdmin(options: { width?: number } = {}): Promise<Page> {
    const page = await open(options);
    await logIn(page, ADMIN.username, ADMIN.password);
    await page.getByRole('heading', { name: 'Departments', level: 1, exact: true }).waitFor();
    return page;
  }

  afterEach(async () => {
    if (!current) return;
    const { context, errors } = current;
    const failures = takeFailures();
    current = undefined;
    await context.close();
    expect(errors).toEqual([]);
    expect(failures).toEqual([]);
  });

  /** The page's failed API answers so far, then forgets them. */
  function takeFailures(): string[] {
    return current!.failures.splice(0);
  }

  async function setSetting(id: string, value: unknown) {
    const res = await app.post(`/settings/${id}`, { value });
    expect(res.status).toBe(200);
  }

  async function setRemoval(value: boolean) {
    await setSetting('Omnichannel_enable_department_removal', value);
  }

  async function departmentByName(name: string) {
    const res = await app.get(
      `/livechat/department?text=${encodeURIComponent(name)}&showArchived=true`,
    );
    return res.body.departments.find((department: { name: string }) => department.name === name);
  }

  it('serves the console with its security headers, and / redirects to it', async () => {
    const res = await app.request('GET', '!/', { as: null });
    expect(res.status).toBe(200); // fetch followed the redirect
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(String(res.body)).toContain('<div id="root">');
  });

  it('rejects a wrong password on the page, then logs in and out', async () => {
    const page = await open();
    await logIn(page, ADMIN.username, 'wrong-password');
    await expectVisible(
      page.getByRole('alert').filter({ hasText: 'Wrong username, email or password.' }),
    );
    expect(takeFailures()).toEqual(['401 POST /api/v1/login']);
    await page.getByLabel(/^Password/).fill(ADMIN.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await expectVisible(page.getByRole('heading', { name: 'Departments', level: 1, exact: true }));
    // The token is kept in sessionStorage only, never in localStorage or the URL.
    const storage = await page.evaluate(() => ({
      local: localStorage.length,
      session: sessionStorage.length,
    }));
    expect(storage).toEqual({ local: 0, session: 1 });
    expect(page.url()).not.toMatch(/token/i);
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Log out' }).click();
    await expectVisible(page.getByRole('button', { name: 'Log in' }));
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
  });

  it('returns to the login page when the token is revoked', async () => {
    const page = await openAsAdmin();
    const session = JSON.parse(
      (await page.evaluate(() => Object.values(sessionStorage)[0])) as string,
    );
    await app.post('/logout', undefined, { as: session });
    await page.reload();
    await expectVisible(page.getByText('Your session has ended. Log in again.'));
    await expectVisible(page.getByRole('button', { name: 'Log in' }));
    expect(takeFailures()).toContain('401 GET /api/v1/me');
  });

  it('creates a department with an agent, by keyboard-reachable controls', async () => {
    const agent = await app.createAgent();
    const page = await openAsAdmin();
    await page.getByRole('link', { name: 'New department' }).click();
    await expectVisible(page.getByRole('heading', { name: 'New department', exact: true }));
    expect(await axeViolations(page)).toEqual([]);
    const name = `Sales ${Date.now()}`;
    await page.getByLabel(/^Name/).fill(name);
    await page.getByLabel(/^Email/).fill('sales@example.com');
    await page.getByLabel('Description').fill('Pre-sales questions');
    await page.getByRole('combobox', { name: 'Add agent' }).fill(agent.username);
    await page.getByRole('option', { name: agent.username }).click();
    await expectVisible(page.getByRole('cell', { name: agent.username, exact: true }));
    await page.getByLabel(`Order of ${agent.username}`).fill('2');
    await page.getByRole('button', { name: 'Save' }).click();
    await expectVisible(page.getByRole('heading', { name: `Edit ${name}` }));

    const created = await departmentByName(name);
    expect(created).toMatchObject({
      email: 'sales@example.com',
      description: 'Pre-sales questions',
      numAgents: 1,
      enabled: true,
    });
    const agents = await app.get(`/livechat/department/${created._id}/agents`);
    expect(agents.body.agents).toEqual([
      expect.objectContaining({ agentId: agent.userId, order: 2, count: 0 }),
    ]);
  });

  it('lists, searches, filters and shows API text as text', async () => {
    const tag = Date.now().toString(36);
    await app.createDepartment({ name: `alpha-${tag}` });
    await app.createDepartment({ name: `beta-${tag}` });
    const hostile = `<img src=x onerror=alert(1)> ${tag}`;
    await app.createDepartment({ name: hostile });
    const page = await openAsAdmin();
    let dialogs = 0;
    page.on('dialog', (dialog) => {
      dialogs += 1;
      void dialog.dismiss();
    });
    await page.getByLabel('Search departments').fill(tag);
    await expectVisible(page.getByRole('link', { name: `alpha-${tag}` }));
    await expectVisible(page.getByRole('link', { name: hostile }));
    await page.getByLabel('Search departments').fill(`alpha-${tag}`);
    await expectHidden(page.getByRole('link', { name: `beta-${tag}` }));
    await expectVisible(page.getByRole('link', { name: `alpha-${tag}` }));
    expect(await page.locator('img[src=x]').count()).toBe(0);
    expect(dialogs).toBe(0);
    const nameHeader = page.getByRole('columnheader', { name: 'Name' });
    expect(await nameHeader.getAttribute('aria-sort')).toBe('ascending');
    await page.getByLabel('Search departments').fill(tag);
    await nameHeader.getByRole('button').click();
    await until(async () => (await nameHeader.getAttribute('aria-sort')) === 'descending');
    await expectVisible(
      page
        .getByRole('row')
        .nth(1)
        .getByRole('link', { name: `beta-${tag}` }),
    );
    await page.getByLabel('Search departments').fill(`nothing-${tag}`);
    await expectVisible(page.getByText(`No department matches “nothing-${tag}”.`));
    expect(await axeViolations(page)).toEqual([]);
  });

  it('edits a department and saves it with If-Match', async () => {
    const { department } = await app.createDepartment({ name: `Support ${Date.now()}` });
    const page = await openAsAdmin();
    await page.goto(`/admin/departments/${department._id}`);
    await expectVisible(page.getByRole('heading', { name: `Edit ${department.name}` }));
    await page.getByLabel('Description').fill('Second-line support');
    await page.getByRole('switch', { name: 'Show on offline page' }).uncheck();
    await page.getByLabel('Max simultaneous chats').fill('4');
    await page.getByRole('button', { name: 'Save' }).click();
    await expectVisible(page.getByText(/^Department “.*” saved\.$/));
    const stored = await app.get(`/livechat/department/${department._id}`);
    expect(stored.body.department).toMatchObject({
      description: 'Second-line support',
      showOnOfflineForm: false,
      maxNumberSimultaneousChat: 4,
    });
    expect(await axeViolations(page)).toEqual([]);
  });

  it('shows a 400 from the API at the field it concerns, with a toast', async () => {
    const { department } = await app.createDepartment();
    const { department: fallback } = await app.createDepartment({ name: `Fallback ${Date.now()}` });
    const page = await openAsAdmin();
    await page.goto(`/admin/departments/${department._id}`);
    await page.getByRole('combobox', { name: 'Fallback forward department' }).fill(fallback.name);
    await page.getByRole('option', { name: fallback.name }).click();
    // Someone deletes the chosen fallback before the save: error-fallback-department-not-found.
    await setRemoval(true);
    expect((await app.request('DELETE', `/livechat/department/${fallback._id}`)).status).toBe(200);
    await setRemoval(false);
    await page.getByRole('button', { name: 'Save' }).click();
    await expectVisible(
      page
        .getByRole('alert')
        .filter({ hasText: 'Check the highlighted field: Fallback forward department.' }),
    );
    expect(
      await page
        .getByRole('combobox', { name: 'Fallback forward department' })
        .getAttribute('aria-invalid'),
    ).toBe('true');
    expect(takeFailures()).toEqual([`400 PUT /api/v1/livechat/department/${department._id}`]);

    // The form's own checks come first: tags are required when closing asks for them.
    await page.getByRole('switch', { name: 'Request tag before closing chat' }).check();
    await page.getByRole('button', { name: 'Save' }).click();
    await expectVisible(page.getByText('Add at least one closing tag'));
  });

  it('asks before leaving unsaved changes', async () => {
    const { department } = await app.createDepartment();
    const page = await openAsAdmin();
    await page.goto(`/admin/departments/${department._id}`);
    await page.getByLabel('Description').fill('not saved yet');
    const asked: string[] = [];
    page.once('dialog', (dialog) => {
      asked.push(dialog.message());
      void dialog.dismiss();
    });
    await page.getByRole('link', { name: 'Agents' }).click();
    await until(async () => asked.length === 1);
    expect(asked[0]).toContain('unsaved changes');
    await expectVisible(
      page.getByRole('heading', { name: `Edit ${department.name}`, exact: true }),
    );
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('link', { name: 'Agents' }).click();
    await expectVisible(page.getByRole('heading', { name: 'Agents', exact: true }));
  });

  it('says when to retry after too many login attempts (429)', async () => {
    const limited = await TestApp.start({ RATE_LIMIT_LOGIN_PER_MINUTE: '2' });
    const context = await openConsole(browser, limited);
    try {
      const { page } = context;
      for (let attempt = 0; attempt < 3; attempt += 1) {
        await logIn(page, 'nobody', 'wrong-password');
        await expectVisible(page.getByRole('alert'));
      }
      await expectVisible(page.getByText(/^Too many requests\. Try again in \d+ seconds\.$/));
      expect(context.failures).toContain('429 POST /api/v1/login');
      expect(context.errors).toEqual([]);
    } finally {
      await context.context.close();
      await limited.close();
    }
  });

  it('does not overwrite a change made by someone else (412) and offers a reload', async () => {
    const { department } = await app.createDepartment({ name: `Billing ${Date.now()}` });
    const page = await openAsAdmin();
    await page.goto(`/admin/departments/${department._id}`);
    await expectVisible(page.getByRole('heading', { name: `Edit ${department.name}` }));
    const renamed = `${department.name} (renamed)`;
    const other = await app.put(`/livechat/department/${department._id}`, {
      department: {
        name: renamed,
        email: department.email,
        enabled: true,
        showOnRegistration: true,
        showOnOfflineForm: true,
      },
    });
    expect(other.status).toBe(200);
    await page.getByLabel('Description').fill('my edit');
    await page.getByRole('button', { name: 'Save' }).click();
    await expectVisible(page.getByRole('alert').filter({ hasText: 'changed by someone else' }));
    const stored = await app.get(`/livechat/department/${department._id}`);
    expect(stored.body.department.name).toBe(renamed);
    expect(stored.body.department.description).toBeUndefined();
    await page.getByRole('button', { name: 'Reload, keeping my edits' }).click();
    await expectVisible(page.getByRole('heading', { name: `Edit ${renamed}` }));
    expect(await page.getByLabel(/^Name/).inputValue()).toBe(renamed);
    // The user's own edit is kept, on top of the current version.
    expect(await page.getByLabel('Description').inputValue()).toBe('my edit');
    expect(takeFailures()).toEqual([`412 PUT /api/v1/livechat/department/${department._id}`]);
  });

  it('archives and unarchives after confirmation', async () => {
    const { department } = await app.createDepartment();
    const page = await openAsAdmin();
    await page.goto(`/admin/departments/${department._id}`);
    await page.getByRole('button', { name: 'Archive', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Archive department?' });
    await expectVisible(dialog);
    expect(await axeViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Archive department' }).click();
    await expectVisible(page.getByText(/^Department “.*” archived\.$/));
    expect((await app.get(`/livechat/department/${department._id}`)).body.department).toMatchObject(
      { archived: true, enabled: false },
    );
    await page.getByRole('button', { name: 'Unarchive', exact: true }).click();
    await page
      .getByRole('dialog', { name: 'Unarchive department?' })
      .getByRole('button', { name: 'Unarchive department' })
      .click();
    await expectVisible(page.getByText(/^Department “.*” unarchived\.$/));
    expect((await app.get(`/livechat/department/${department._id}`)).body.department.archived).toBe(
      false,
    );
  });

  it('disables Delete with its reason while removal is off, and deletes when it is on', async () => {
    const { department } = await app.createDepartment();
    await setRemoval(false);
    const page = await openAsAdmin();
    await page.goto(`/admin/departments/${department._id}`);
    const deleteButton = page.getByRole('button', { name: 'Delete', exact: true });
    await expectVisible(page.getByText('Deleting departments is turned off.'));
    expect(await deleteButton.isDisabled()).toBe(true);

    await setRemoval(true);
    await page.reload();
    await expectVisible(page.getByRole('heading', { name: `Edit ${department.name}` }));
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete department?' });
    await dialog.getByLabel("Type the department's name to confirm").fill(department.name);
    await dialog.getByRole('button', { name: 'Delete department' }).click();
    await expectVisible(page.getByText(/^Department “.*” deleted\.$/));
    await expectVisible(page.getByRole('heading', { name: 'Departments', level: 1, exact: true }));
    expect((await app.get(`/livechat/department/${department._id}`)).body.department).toBeNull();
    await setRemoval(false);
  });

  it('manages agents: make an agent, set the status, see departments, remove', async () => {
    const user = await app.createUser();
    const page = await openAsAdmin();
    await page.getByRole('link', { name: 'Agents' }).click();
    await expectVisible(page.getByRole('heading', { name: 'Agents', exact: true }));
    await page.getByRole('combobox', { name: 'Username', exact: true }).fill(user.username);
    await page.getByRole('button', { name: 'Make agent' }).click();
    await expectVisible(page.getByText(`${user.username} is now an agent.`));
    await app.createDepartment({ name: `Team of ${user.username}` }, [{ agentId: user.userId }]);
    await page.getByLabel('Search agents').fill(user.username);
    const row = page.getByRole('row').filter({ hasText: user.username });
    await expectVisible(row);
    expect(await axeViolations(page)).toEqual([]);

    await row.getByLabel(`Status of ${user.username}`).click();
    await page.getByRole('option', { name: 'Available', exact: true }).click();
    await until(
      async () =>
        (await app.get(`/livechat/users/agent?text=${user.username}`)).body.users[0]
          ?.statusLivechat === 'available',
    );

    await row.getByRole('button', { name: 'Departments' }).click();
    await expectVisible(page.getByRole('link', { name: `Team of ${user.username}` }));

    await row.getByRole('button', { name: 'Remove' }).click();
    await page
      .getByRole('dialog', { name: 'Remove agent?' })
      .getByRole('button', { name: 'Remove agent' })
      .click();
    await expectVisible(page.getByText(`${user.username} is no longer an agent.`));
    expect((await app.get(`/livechat/users/agent?text=${user.username}`)).body.total).toBe(0);
  });

  it('changes the settings', async () => {
    await setRemoval(false);
    const page = await openAsAdmin();
    await page.getByRole('link', { name: 'Settings' }).click();
    await expectVisible(page.getByRole('heading', { name: 'Settings', exact: true }));
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('switch', { name: 'Allow deleting departments' }).click();
    await expectVisible(page.getByText('Departments can now be deleted.'));
    expect((await app.get('/settings/Omnichannel_enable_department_removal')).body.value).toBe(
      true,
    );
    await setRemoval(false);
    await page.getByRole('switch', { name: 'Use business hours' }).click();
    await expectVisible(page.getByText('Business hours are now in use.'));
    expect((await app.get('/settings/Livechat_enable_business_hours')).body.value).toBe(true);
    await setSetting('Livechat_enable_business_hours', false);
  });

  it('offers a user without department permissions no department actions', async () => {
    const plain = await app.createUser({ roles: ['user'] });
    const page = await open();
    await logIn(page, plain.username, plain.password);
    await expectVisible(page.getByText('You do not have permission to view departments.'));
    expect(await page.getByRole('link', { name: 'New department' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Agents' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Settings' }).count()).toBe(0);

    // An agent may view departments (view-l-room) but not create or change them.
    const { department } = await app.createDepartment({ name: `Viewable ${Date.now()}` });
    const agent = await app.createAgent();
    await page.getByRole('button', { name: 'Log out' }).click();
    await logIn(page, agent.username, agent.password);
    await expectVisible(page.getByRole('heading', { name: 'Departments', level: 1, exact: true }));
    expect(await page.getByRole('link', { name: 'New department' }).count()).toBe(0);
    await page.goto(`/admin/departments/${department._id}`);
    await expectVisible(page.getByRole('heading', { name: `View ${department.name}` }));
    expect(await page.getByRole('button', { name: 'Save' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Archive', exact: true }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Delete', exact: true }).count()).toBe(0);
  });

  it('shows the change history of a department on its edit page', async () => {
    const { department } = await app.createDepartment({ name: `History ${Date.now()}` });
    const renamed = `${department.name} renamed`;
    const put = await app.put(`/livechat/department/${department._id}`, {
      department: {
        name: renamed,
        email: department.email,
        enabled: true,
        showOnRegistration: true,
        showOnOfflineForm: true,
      },
    });
    expect(put.status).toBe(200);
    const page = await openAsAdmin();
    await page.goto(`/admin/departments/${department._id}`);
    const history = page.getByRole('table', { name: 'Change history' });
    await expectVisible(history);
    await expectVisible(history.getByText('Created'));
    await expectVisible(history.getByText(`Name: ${department.name} → ${renamed}`));
    expect(await history.getByRole('cell', { name: ADMIN.username, exact: true }).count()).toBe(2);
  });

  it('previews what the widget shows, from livechat/config', async () => {
    const agent = await app.createAgent({ available: true });
    const tag = Date.now().toString(36);
    await app.createDepartment(
      { name: `Registration ${tag}`, showOnRegistration: true, showOnOfflineForm: false },
      [{ agentId: agent.userId }],
    );
    await app.createDepartment(
      { name: `Offline ${tag}`, showOnRegistration: false, showOnOfflineForm: true },
      [{ agentId: agent.userId }],
    );
    const page = await openAsAdmin();
    await page.getByRole('link', { name: 'Widget preview' }).click();
    await expectVisible(page.getByRole('heading', { name: 'Widget preview', exact: true }));
    const registration = page.getByRole('region', { name: 'Registration form' });
    const offline = page.getByRole('region', { name: 'Offline form' });
    await expectVisible(registration.getByText(`Registration ${tag}`));
    expect(await registration.getByText(`Offline ${tag}`).count()).toBe(0);
    await expectVisible(offline.getByText(`Offline ${tag}`));
    expect(await offline.getByText(`Registration ${tag}`).count()).toBe(0);
    await expectVisible(page.getByText('Online', { exact: true }));
    expect(await axeViolations(page)).toEqual([]);

    // The department picker open, then the real widget shown (its frame is this origin's
    // /livechat page: axe is run there too).
    const picker = page.getByRole('combobox', { name: 'Widget opened for department' });
    await picker.click();
    await expectVisible(page.getByRole('option', { name: `Offline ${tag}` }));
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('option', { name: `Offline ${tag}` }).click();
    await until(async () => (await picker.inputValue()) === `Offline ${tag}`);
    await page.getByRole('button', { name: 'Show the real widget' }).click();
    const frame = page.locator('iframe[title="Live Chat widget"]');
    await expectVisible(
      page
        .frameLocator('iframe[title="Live Chat widget"]')
        .getByText('Leave a message', { exact: true })
        .first(),
    );
    expect(await axeViolations(page)).toEqual([]);
    const widget = (await (await frame.elementHandle())!.contentFrame())!;
    expect(await axeViolations(widget)).toEqual([]);
    // The same on a phone: the preview and the real widget fit 360 px.
    await page.setViewportSize({ width: 360, height: 800 });
    await until(async () => !(await scrollsHorizontally(page)));
    expect(await axeViolations(page)).toEqual([]);
    expect(await axeViolations(widget)).toEqual([]);
  });

  it('edits business hours: a custom schedule for a department, shown on its page', async () => {
    const { department } = await app.createDepartment({ name: `Night shift ${Date.now()}` });
    const page = await openAsAdmin();
    await page.getByRole('link', { name: 'Business hours' }).click();
    await expectVisible(page.getByRole('heading', { name: 'Business hours', exact: true }));
    await expectVisible(page.getByRole('link', { name: /\(default\)$/ }));
    expect(await axeViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'New schedule' }).click();
    await expectVisible(page.getByRole('heading', { name: 'New schedule', exact: true }));
    await page.getByLabel(/^Name/).fill('Closed on Sundays');
    await page.getByRole('combobox', { name: 'Time zone' }).fill('Europe/Berl');
    await page.getByRole('option', { name: 'Europe/Berlin' }).click();
    await page.getByRole('switch', { name: 'Open on Saturday' }).check();
    await page.getByLabel('Saturday opens at').fill('10:00');
    await page.getByLabel('Saturday closes at').fill('14:00');
    await page
      .getByRole('combobox', { name: 'Departments on this schedule' })
      .fill(department.name.slice(0, 8));
    await page.getByRole('option', { name: department.name }).click();
    await page.keyboard.press('Escape');
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Save' }).click();
    await expectVisible(page.getByRole('heading', { name: 'Edit Closed on Sundays', exact: true }));

    const list = await app.get('/livechat/business-hours?name=Closed on Sundays');
    const saved = list.body.businessHours[0];
    expect(saved).toMatchObject({
      type: 'custom',
      active: true,
      timezone: { name: 'Europe/Berlin' },
    });
    const byDay = Object.fromEntries(saved.workHours.map((day: { day: string }) => [day.day, day]));
    expect(byDay.Saturday).toMatchObject({
      open: true,
      start: { time: '10:00' },
      finish: { time: '14:00' },
    });
    expect(byDay.Sunday.open).toBe(false);
    expect(
      (await app.get(`/livechat/department/${department._id}`)).body.department.businessHourId,
    ).toBe(saved._id);

    // In "Single" mode (the default) every department follows the default schedule; in
    // "Multiple" mode, its own.
    const schedule = page.getByRole('region', { name: 'Business hours' });
    await page.goto(`/admin/departments/${department._id}`);
    await expectVisible(schedule.getByRole('link', { name: 'the default schedule' }));
    await expectVisible(schedule.getByText('Its own schedule “Closed on Sundays” is ignored'));
    await expectVisible(schedule.getByText('Always open', { exact: true }));
    await setSetting('Livechat_business_hour_type', 'Multiple');
    await setSetting('Livechat_enable_business_hours', true);
    try {
      await page.reload();
      await expectVisible(schedule.getByRole('link', { name: 'Closed on Sundays' }));
      await expectVisible(schedule.getByText(/^(Open|Closed) now$/));
    } finally {
      await setSetting('Livechat_business_hour_type', 'Single');
      await setSetting('Livechat_enable_business_hours', false);
    }
  });

  it('creates, edits and archives a department by keyboard alone', async () => {
    const agent = await app.createAgent();
    const page = await openAsAdmin();
    const name = `Keyboard ${Date.now()}`;
    await page.getByRole('link', { name: 'New department' }).focus();
    await page.keyboard.press('Enter');
    await expectVisible(page.getByRole('heading', { name: 'New department', exact: true }));
    await page.getByLabel(/^Name/).focus();
    await page.keyboard.type(name);
    await page.keyboard.press('Tab');
    await page.keyboard.type('keys@example.com');
    await page.getByRole('combobox', { name: 'Add agent' }).focus();
    await page.keyboard.type(agent.username);
    await expectVisible(page.getByRole('option', { name: agent.username }));
    // Once the search has narrowed the options to this agent, the arrow keys move the
    // combobox's active option (aria-activedescendant) and Enter picks it.
    await until(async () => (await page.getByRole('option').count()) === 1);
    const highlighted = page.locator('[role=option][data-combobox-selected]');
    for (let tries = 0; tries < 3 && (await highlighted.count()) === 0; tries += 1) {
      await page.keyboard.press('ArrowDown');
    }
    await page.keyboard.press('Enter');
    await expectVisible(page.getByRole('cell', { name: agent.username, exact: true }));
    await page.getByRole('button', { name: 'Save' }).focus();
    await page.keyboard.press('Enter');
    await expectVisible(page.getByRole('heading', { name: `Edit ${name}`, exact: true }));

    await page.getByLabel('Description').focus();
    await page.keyboard.type('Typed, not clicked');
    await page.getByLabel('Description').press('Tab');
    await page.getByRole('button', { name: 'Save' }).focus();
    await page.keyboard.press('Enter');
    await expectVisible(page.getByText(/^Department “.*” saved\.$/));

    await page.getByRole('button', { name: 'Archive', exact: true }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Archive department?' });
    await expectVisible(dialog);
    await dialog.getByRole('button', { name: 'Archive department' }).focus();
    await page.keyboard.press('Enter');
    await expectVisible(page.getByText(/^Department “.*” archived\.$/));

    const stored = await departmentByName(name);
    expect(stored).toMatchObject({
      description: 'Typed, not clicked',
      archived: true,
      numAgents: 1,
    });
  });

  it('shows the first page of 1,000 departments (time until the table shows is printed)', async () => {
    const tag = `bulk${Date.now().toString(36)}`;
    const names = Array.from(
      { length: 1000 },
      (_, index) => `${tag}-${String(index).padStart(4, '0')}`,
    );
    // The first through the API; the other 999 are copies of the document it stored, with
    // their own _id and name, written in one batch (creating each through the API took
    // ~24 s of this file and is not what this test is about: the console's list at scale).
    const { department: first } = await app.createDepartment({ name: names[0] });
    const stored = await app.db
      .collection<{ _id: string }>(DEPARTMENTS)
      .findOne({ _id: first._id });
    expect(stored).not.toBeNull();
    await app.db
      .collection<{ _id: string }>(DEPARTMENTS)
      .insertMany(names.slice(1).map((name) => ({ ...stored!, _id: randomId(), name })));
    const total = await app.get(`/livechat/department?text=${tag}&count=1`);
    expect(total.body.total).toBe(1000);
    // A first visit (empty browser cache) with a session already in sessionStorage, as after
    // a login in this tab: navigation start → the first row shown.
    const page = await open();
    const session = await app.login(ADMIN.username, ADMIN.password);
    await current!.context.addInitScript((stored) => {
      sessionStorage.setItem('departments-console.session', stored);
    }, JSON.stringify(session));
    await page.goto('/admin/');
    const shownAt = await page.waitForFunction(
      (first) => {
        const link = [...document.querySelectorAll('tbody a')].find((a) => a.textContent === first);
        return link ? performance.now() : null;
      },
      names[0],
      { polling: 'raf', timeout: 15_000 },
    );
    const ms = Math.round(Number(await shownAt.jsonValue()));
    const requests = await page.evaluate(() =>
      performance
        .getEntriesByType('resource')
        .map(
          (entry) =>
            `${new URL(entry.name).pathname} ${Math.round(entry.startTime)}+${Math.round(entry.duration)} ms`,
        ),
    );
    console.log(
      `1,000 departments: the list table showed ${ms} ms after navigation start\n${requests.join('\n')}`,
    );
    await page.getByLabel('Search departments').fill(tag);
    // The search is applied (it reaches the URL) before paging: run alone, this test's 1,000
    // departments are all there are, so the count alone would not tell.
    await page.waitForURL((url) => url.searchParams.get('q') === tag);
    await expectVisible(page.getByText('1000 departments'));
    await page.getByRole('button', { name: 'Next page' }).click();
    await expectVisible(page.getByRole('link', { name: names[25], exact: true }));
    await page.getByLabel('Search departments').fill(names[999]);
    await expectVisible(page.getByText('1 department', { exact: true }));
  });

  // Every screen at 360 px (and axe on each): manager-day.e2e-spec.ts, test 11.

  it('takes screenshots of the list and edit pages for the README (UPDATE_SCREENSHOTS=1)', async () => {
    // A service of its own, so the pictures show a plausible set of departments only.
    const shop = await TestApp.start();
    let context: ConsolePage | undefined;
    try {
      const agents: { userId: string }[] = [];
      for (const username of ['alice.moreira', 'bruno.tanaka', 'chloe.okafor']) {
        const user = await shop.createUser({ username });
        expect((await shop.post('/livechat/users/agent', { username })).status).toBe(200);
        agents.push(user);
      }
      const departments: Record<string, string> = {};
      for (const [name, email, enabled, team] of [
        ['Billing', 'billing@example.com', true, [0, 1]],
        ['Customer Success', 'success@example.com', true, [0, 1, 2]],
        ['Enterprise Sales', 'sales@example.com', true, [2]],
        ['Partners', 'partners@example.com', false, [1]],
        ['Returns', 'returns@example.com', true, []],
      ] as const) {
        const created = await shop.createDepartment(
          { name, email, enabled, description: `${name} questions from the website` },
          team.map((index, order) => ({ agentId: agents[index].userId, order })),
        );
        departments[name] = created.department._id;
      }
      expect((await shop.post(`/livechat/department/${departments.Returns}/archive`)).status).toBe(
        200,
      );
      context = await openConsole(browser, shop);
      const { page } = context;
      await logIn(page, ADMIN.username, ADMIN.password);
      await expectVisible(page.getByRole('link', { name: 'Customer Success' }));
      await screenshot(page, 'console-departments.png');
      await page.getByRole('link', { name: 'Customer Success' }).click();
      await expectVisible(
        page.getByRole('heading', { name: 'Edit Customer Success', exact: true }),
      );
      await expectVisible(page.getByRole('table', { name: 'Change history' }));
      // The window as the user sees it, Save and Cancel stuck to its bottom.
      await screenshot(page, 'console-edit.png', false);
      expect(context.errors).toEqual([]);
      expect(context.failures).toEqual([]);
    } finally {
      await context?.context.close();
      await shop.close();
    }
  });
});
