// The console as a daily user meets it (issue 27): what a manager's week trips over, one test
// per behaviour, with axe in the states visited (menus and dialogs open, 360 px) and the
// keyboard-only paths. One server and one browser for the whole file.
import type { Browser, Page } from 'playwright-core';
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
  toast,
  until,
  type ConsolePage,
} from './support';

jest.setTimeout(90_000);

describe('the console for a daily user (browser)', () => {
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

  afterEach(async () => {
    if (!current) return;
    const { context, errors, failures } = current;
    current = undefined;
    await context.close();
    expect(errors).toEqual([]);
    expect(failures.splice(0)).toEqual([]);
  });

  async function openAs(
    user: { username: string; password: string },
    options: { width?: number } = {},
  ): Promise<Page> {
    current = await openConsole(browser, app, options);
    const { page } = current;
    await logIn(page, user.username, user.password);
    await page.getByRole('heading', { name: 'Departments', level: 1, exact: true }).waitFor();
    return page;
  }

  /** Navigates inside the console (the app's own links, no reload). */
  async function go(page: Page, label: string) {
    const burger = page.getByRole('button', { name: 'Open navigation' });
    if (await burger.isVisible()) await burger.click();
    await page.getByRole('link', { name: label, exact: true }).click();
    await page.getByRole('heading', { name: label, level: 1, exact: true }).waitFor();
  }

  const focused = (page: Page) =>
    page.evaluate(() => {
      const element = document.activeElement;
      return element ? `${element.tagName} ${element.textContent?.trim() ?? ''}` : 'none';
    });

  async function schedulesNamed(name: string) {
    const res = await app.get(`/livechat/business-hours?name=${encodeURIComponent(name)}`);
    return (res.body.businessHours as { name: string; timezone: { name: string } }[]).filter(
      (schedule) => schedule.name === name,
    );
  }

  it('Enter in a schedule’s name, times, departments or time zone never saves it; Save does, and a typed zone replaces the old one', async () => {
    const page = await openAs(ADMIN);
    await app.post('/settings/Livechat_business_hour_type', { value: 'Multiple' });
    const name = `Tokyo desk ${Date.now()}`;
    await go(page, 'Business hours');
    await page.getByRole('button', { name: 'New schedule' }).click();
    await page.getByRole('heading', { name: 'New schedule', level: 1 }).waitFor();

    // Keyboard only from here: type, Enter everywhere, Tab to Save.
    await page.getByLabel('Name').focus();
    await page.keyboard.type('Half');
    await page.keyboard.press('Enter');
    await page.getByLabel('Monday opens at').focus();
    await page.keyboard.press('Enter');
    await page.getByRole('combobox', { name: 'Departments on this schedule' }).focus();
    await page.keyboard.type('x');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Backspace');
    // The time zone: focus selects the current zone, so typing replaces it.
    const zone = page
      .getByRole('textbox', { name: 'Time zone' })
      .or(page.getByRole('combobox', { name: 'Time zone' }));
    await zone.focus();
    await page.keyboard.type('zzqq');
    await expectVisible(page.getByText('No time zone matches'));
    await page.keyboard.press('Control+A');
    await page.keyboard.type('tokyo');
    await expectVisible(page.getByRole('option', { name: 'Asia/Tokyo' }));
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    expect(await zone.inputValue()).toBe('Asia/Tokyo');
    expect(await axeViolations(page)).toEqual([]);
    // Nothing was sent by any Enter.
    expect(await schedulesNamed('Half')).toEqual([]);
    await expectVisible(page.getByText('Unsaved changes', { exact: true }));

    await page.getByLabel('Name').focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.type(name);
    await page.getByRole('button', { name: 'Save' }).focus();
    await page.keyboard.press('Enter');
    await expectVisible(toast(page, `Schedule “${name}” created.`));
    const [saved] = await schedulesNamed(name);
    expect(saved.timezone.name).toBe('Asia/Tokyo');
    expect(await schedulesNamed('Half')).toEqual([]);
    // Focus continues from the new schedule's page, not from <body>.
    await until(async () => (await focused(page)).startsWith('H1'));
  });

  it('a refused Save’s toast closes by itself, and the next successful Save takes it away at once', async () => {
    const page = await openAs(ADMIN);
    await page.getByRole('link', { name: 'New department' }).click();
    await page.getByRole('heading', { name: 'New department', level: 1 }).waitFor();
    // Save waits for a change.
    expect(await page.getByRole('button', { name: 'Save' }).isDisabled()).toBe(true);
    await page.getByLabel('Description').fill('Only a description');
    await page.getByRole('button', { name: 'Save' }).click();
    const refused = toast(page, 'Some fields need attention');
    await expectVisible(refused);
    const name = `Toasty ${Date.now()}`;
    await page.getByRole('textbox', { name: /^Name/ }).fill(name);
    await page.getByLabel('Email', { exact: false }).first().fill('toasty@example.com');
    await page.getByRole('button', { name: 'Save' }).click();
    await expectVisible(toast(page, `Department “${name}” created.`));
    await expectHidden(refused);
    // A toast never covers Log out.
    const logOut = await page.getByRole('button', { name: 'Log out' }).boundingBox();
    const shown = await toast(page, `Department “${name}” created.`).boundingBox();
    expect(logOut && shown && shown.y >= logOut.y + logOut.height).toBe(true);
  });

  it('a livechat-manager sees and reads Offline messages (its permissions come from the API)', async () => {
    const manager = await app.createUser({ roles: ['livechat-manager'] });
    const page = await openAs(manager);
    await expectHidden(page.getByRole('link', { name: 'Settings', exact: true }));
    await go(page, 'Offline messages');
    await expectVisible(page.getByRole('table', { name: 'Offline messages' }));
    await expectHidden(page.getByText('You do not have permission'));
  });

  it('edits typed before the session ended come back after logging in again, and save', async () => {
    const { department } = await app.createDepartment({ name: `Kept ${Date.now()}` });
    const page = await openAs(ADMIN);
    await page.goto(`/admin/departments/${department._id}`);
    await page.getByRole('heading', { name: `Edit ${department.name}` }).waitFor();
    await page.getByLabel('Description').fill('Typed before the session ended');
    const session = JSON.parse(
      (await page.evaluate(() => sessionStorage.getItem('departments-console.session'))) as string,
    );
    await app.post('/logout', undefined, { as: session });
    await page.getByRole('button', { name: 'Save' }).click();
    await expectVisible(page.getByText('Your session has ended. Log in again.'));
    expect(current!.failures.splice(0)).toContain(
      `401 PUT /api/v1/livechat/department/${department._id}`,
    );
    await page.getByLabel('Username or email').fill(ADMIN.username);
    await page.getByLabel(/^Password/).fill(ADMIN.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: `Edit ${department.name}` }).waitFor();
    await expectVisible(toast(page, 'Your unsaved edits'));
    expect(await page.getByLabel('Description').inputValue()).toBe(
      'Typed before the session ended',
    );
    await page.getByRole('button', { name: 'Save' }).click();
    await expectVisible(toast(page, `Department “${department.name}” saved.`));
    const stored = await app.get(`/livechat/department/${department._id}`);
    expect(stored.body.department.description).toBe('Typed before the session ended');
    // Focus continues from the saved department's title.
    await until(async () => (await focused(page)) === `H1 Edit ${department.name}`);
  });

  it('at 360 px every table shows its row action without sideways scrolling, and passes axe', async () => {
    const agent = await app.createAgent();
    const monitor = await app.createUser();
    await app.post('/livechat/monitors.create', { username: monitor.username });
    await app.createDepartment({ name: `Narrow ${Date.now()}` }, [{ agentId: agent.userId }]);
    await app.post('/settings/Livechat_offline_email', { value: 'desk@example.com' });
    await app.post(
      '/livechat/offline.message',
      { name: 'Narrow Visitor', email: 'narrow@example.org', message: 'Call me' },
      { as: null },
    );
    const page = await openAs(ADMIN, { width: 360 });
    const withinScreen = async (name: string | RegExp) => {
      const box = await page.getByRole('button', { name }).first().boundingBox();
      expect(box).not.toBeNull();
      expect(box!.x).toBeGreaterThanOrEqual(0);
      expect(box!.x + box!.width).toBeLessThanOrEqual(360);
    };
    await withinScreen(/^Actions for Narrow/);
    await page.getByLabel('Search departments').fill('Narrow');
    await until(async () => (await page.getByRole('row').count()) <= 4);
    await screenshot(page, 'console-narrow.png', false);
    expect(await scrollsHorizontally(page)).toBe(false);
    expect(await axeViolations(page)).toEqual([]);

    await go(page, 'Agents');
    await withinScreen(`Remove ${agent.username}`);
    await expectVisible(page.getByRole('button', { name: 'Departments' }).first());
    expect(await scrollsHorizontally(page)).toBe(false);
    expect(await axeViolations(page)).toEqual([]);

    await go(page, 'Monitors');
    await withinScreen(`Remove ${monitor.username}`);
    await expectHidden(page.getByText('open a row'));
    expect(await scrollsHorizontally(page)).toBe(false);
    expect(await axeViolations(page)).toEqual([]);

    await go(page, 'Offline messages');
    await withinScreen('Retry the message from Narrow Visitor');
    expect(await scrollsHorizontally(page)).toBe(false);
    expect(await axeViolations(page)).toEqual([]);

    await go(page, 'Business hours');
    const badge = page.locator('.mantine-Badge-root').first();
    await expectVisible(badge);
    expect(
      await badge.evaluate((element) => {
        const label = element.querySelector('.mantine-Badge-label') ?? element;
        return label.scrollWidth <= label.clientWidth;
      }),
    ).toBe(true);
    expect(await scrollsHorizontally(page)).toBe(false);

    await go(page, 'Departments');
    await page
      .getByRole('link', { name: /^Narrow/ })
      .first()
      .click();
    await page.getByRole('heading', { name: /^Edit Narrow/ }).waitFor();
    const remove = page.getByRole('button', { name: `Remove ${agent.username}` });
    expect(await remove.textContent()).toBe('Remove');
    expect(await remove.evaluate((element) => element.scrollWidth <= element.clientWidth)).toBe(
      true,
    );
    expect(await scrollsHorizontally(page)).toBe(false);
    expect(await axeViolations(page)).toEqual([]);
  });

  it('a row menu opens with focus on its first item, axe-clean; archiving names the department and focus stays on the page', async () => {
    const { department } = await app.createDepartment({ name: `Menu ${Date.now()}` });
    const page = await openAs(ADMIN);
    await page.getByLabel('Search departments').fill(department.name);
    const menu = page.getByRole('button', { name: `Actions for ${department.name}` });
    await menu.focus();
    await page.keyboard.press('Enter');
    await expectVisible(page.getByRole('menu'));
    await until(async () => (await focused(page)) === 'BUTTON Edit');
    expect(await axeViolations(page)).toEqual([]);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await expectVisible(page.getByRole('dialog', { name: 'Archive department?' }));
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Archive department' }).click();
    await expectVisible(toast(page, `Department “${department.name}” archived.`));
    await until(async () => !(await focused(page)).startsWith('BODY'));
    // Back from a department's page starts again from the list's title.
    await page.getByRole('tab', { name: 'Archived' }).click();
    await page.getByRole('link', { name: department.name }).click();
    await page.getByRole('heading', { name: `Edit ${department.name}` }).waitFor();
    await page.goBack();
    await page.getByRole('heading', { name: 'Departments', level: 1 }).waitFor();
    await until(async () => (await focused(page)) === 'H1 Departments');
  });

  it('Add agent: an exact username and Enter makes the user an agent (keyboard only)', async () => {
    const user = await app.createUser();
    const page = await openAs(ADMIN);
    await go(page, 'Agents');
    await page.getByRole('combobox', { name: 'Username', exact: true }).focus();
    await page.keyboard.type(user.username);
    // The suggestions show the very user typed: Enter adds it, not just picks it.
    await expectVisible(page.getByRole('option', { name: user.username }));
    expect(await axeViolations(page)).toEqual([]);
    await page.keyboard.press('Enter');
    await expectVisible(toast(page, `${user.username} is now an agent.`));
    const agents = await app.get(`/livechat/users/agent?text=${user.username}`);
    expect(agents.body.users.map((agent: { username: string }) => agent.username)).toEqual([
      user.username,
    ]);
    // An unknown username is said at the field.
    await page.getByRole('combobox', { name: 'Username', exact: true }).focus();
    await page.keyboard.type('nobody-by-this-name');
    await page.keyboard.press('Enter');
    await expectVisible(page.getByText(/user/i).and(page.locator('.mantine-InputWrapper-error')));
    current!.failures.splice(0);
  });

  it('a department is created with the keyboard alone: Tab, typing, arrows and Enter from the list', async () => {
    const agent = await app.createAgent();
    const page = await openAs(ADMIN);
    const name = `Tabbed ${Date.now()}`;
    /** What has focus: its accessible name as a user hears it (label, aria-label or text). */
    const focusedName = () =>
      page.evaluate(() => {
        const element = document.activeElement as HTMLInputElement | null;
        if (!element) return '';
        const label =
          element.getAttribute('aria-label') ??
          element.labels?.[0]?.textContent ??
          element.textContent ??
          '';
        return label.replace(/\s+/g, ' ').trim();
      });
    /** Tab (forwards) until `name` has focus; never more presses than a page has stops. */
    const tabTo = async (name: string | RegExp) => {
      for (let presses = 0; presses < 80; presses += 1) {
        const now = await focusedName();
        if (typeof name === 'string' ? now === name : name.test(now)) return;
        await page.keyboard.press('Tab');
      }
      throw new Error(`Tab never reached ${String(name)}`);
    };

    await tabTo('New department');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'New department', level: 1 }).waitFor();
    await tabTo(/^Name/);
    await page.keyboard.type(name);
    await tabTo(/^Email/);
    await page.keyboard.type('tabbed@example.com');
    await tabTo('Add agent');
    await page.keyboard.type(agent.username);
    await expectVisible(page.getByRole('option', { name: agent.username }));
    await until(async () => (await page.getByRole('option').count()) === 1);
    const highlighted = page.locator('[role=option][data-combobox-selected]');
    for (let tries = 0; tries < 3 && (await highlighted.count()) === 0; tries += 1) {
      await page.keyboard.press('ArrowDown');
    }
    await page.keyboard.press('Enter');
    await expectVisible(page.getByRole('cell', { name: agent.username, exact: true }));
    await tabTo('Save');
    await page.keyboard.press('Enter');
    await expectVisible(toast(page, `Department “${name}” created.`));
    await page.getByRole('heading', { name: `Edit ${name}`, level: 1 }).waitFor();

    const listed = await app.get(`/livechat/department?text=${encodeURIComponent(name)}`);
    expect(listed.body.departments).toEqual([
      expect.objectContaining({ name, email: 'tabbed@example.com', numAgents: 1 }),
    ]);
  });

  it('a monitor on its department is told why there is no Add agent', async () => {
    const monitor = await app.createUser();
    await app.post('/livechat/monitors.create', { username: monitor.username });
    const { department } = await app.createDepartment({ name: `Watched ${Date.now()}` });
    const unit = await app.post('/livechat/units', {
      unitData: { name: `Unit ${Date.now()}`, visibility: 'public' },
      unitMonitors: [{ monitorId: monitor.userId, username: monitor.username }],
      unitDepartments: [{ departmentId: department._id }],
    });
    expect(unit.status).toBe(200);
    const page = await openAs(monitor);
    await page.goto(`/admin/departments/${department._id}`);
    await page.getByRole('heading', { name: `Edit ${department.name}` }).waitFor();
    await expectVisible(page.getByText('No “Add agent” here'));
    await expectHidden(page.getByLabel('Add agent'));
    expect(await axeViolations(page)).toEqual([]);
  });

  it('a page past the end of the list shows the last page', async () => {
    const page = await openAs(ADMIN);
    await page.goto('/admin/?count=10&page=999');
    await until(async () => !new URL(page.url()).searchParams.get('page')?.startsWith('999'));
    await expectVisible(page.getByRole('row').nth(1));
    await expectHidden(page.getByText('No departments yet.'));
  });

  it('number fields refuse what is not a whole number instead of changing it', async () => {
    const { department } = await app.createDepartment({ name: `Numbers ${Date.now()}` });
    const page = await openAs(ADMIN);
    await page.goto(`/admin/departments/${department._id}`);
    await page.getByRole('heading', { name: `Edit ${department.name}` }).waitFor();
    const max = page.getByLabel('Max simultaneous chats');
    await max.fill('-3.5');
    expect(await max.inputValue()).toBe('-3.5');
    await page.getByRole('button', { name: 'Save' }).click();
    await expectVisible(page.getByText('“-3.5” is not a whole number'));
    await max.fill('99999999999999999999');
    await page.getByRole('button', { name: 'Save' }).click();
    await expectVisible(page.getByText('“99999999999999999999” is not a whole number'));
    const stored = await app.get(`/livechat/department/${department._id}`);
    expect(stored.body.department.maxNumberSimultaneousChat).toBeUndefined();
    await max.fill('4');
    await page.getByRole('button', { name: 'Save' }).click();
    await expectVisible(toast(page, `Department “${department.name}” saved.`));
    const saved = await app.get(`/livechat/department/${department._id}`);
    expect(saved.body.department.maxNumberSimultaneousChat).toBe(4);
    // The hint no longer points at a global setting Settings does not offer.
    await expectHidden(page.getByText('global setting'));
  });

  it('departments with equal agent counts sort by name', async () => {
    const tag = `Tie${Date.now()}`;
    for (const name of ['c', 'a', 'b']) await app.createDepartment({ name: `${tag} ${name}` });
    const page = await openAs(ADMIN);
    await page.goto(`/admin/?q=${tag}&sort=-numAgents`);
    const table = page.getByRole('table', { name: 'Departments' });
    await until(
      async () => (await table.getByRole('link', { name: new RegExp(tag) }).count()) === 3,
    );
    expect(await table.getByRole('link', { name: new RegExp(tag) }).allTextContents()).toEqual([
      `${tag} a`,
      `${tag} b`,
      `${tag} c`,
    ]);
  });

  it('a two-tab conflict’s reload keeps your own edits on top of the current version', async () => {
    const { department } = await app.createDepartment({ name: `Clash ${Date.now()}` });
    const page = await openAs(ADMIN);
    await page.goto(`/admin/departments/${department._id}`);
    await page.getByRole('heading', { name: `Edit ${department.name}` }).waitFor();
    await page.getByLabel('Description').fill('Mine');
    // Someone else changes another field meanwhile.
    const other = await app.put(`/livechat/department/${department._id}`, {
      department: {
        name: department.name,
        email: 'other@example.com',
        enabled: true,
        showOnRegistration: true,
        showOnOfflineForm: true,
      },
    });
    expect(other.status).toBe(200);
    await page.getByRole('button', { name: 'Save' }).click();
    await expectVisible(page.getByText('Changed by someone else', { exact: true }));
    expect(current!.failures.splice(0)).toEqual([
      `412 PUT /api/v1/livechat/department/${department._id}`,
    ]);
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Reload, keeping my edits' }).click();
    await expectVisible(toast(page, 'with your edits on top'));
    expect(await page.getByLabel('Description').inputValue()).toBe('Mine');
    expect(await page.getByLabel(/^Email/).inputValue()).toBe('other@example.com');
    await page.getByRole('button', { name: 'Save' }).click();
    await expectVisible(toast(page, `Department “${department.name}” saved.`));
    const stored = await app.get(`/livechat/department/${department._id}`);
    expect(stored.body.department).toMatchObject({
      description: 'Mine',
      email: 'other@example.com',
    });
  });

  it('Offline messages say when no mail server is configured, and Retry then promises nothing', async () => {
    await app.post('/settings/SMTP_Host', { value: '' });
    await app.post('/settings/Livechat_offline_email', { value: 'desk@example.com' });
    const sent = await app.post(
      '/livechat/offline.message',
      { name: 'Waiting Visitor', email: 'waiting@example.org', message: 'Hello?' },
      { as: null },
    );
    expect(sent.status).toBe(200);
    const page = await openAs(ADMIN);
    await go(page, 'Offline messages');
    await expectVisible(page.getByText('No mail server is configured'));
    await page
      .getByRole('button', { name: 'Retry the message from Waiting Visitor' })
      .first()
      .click();
    await expectVisible(toast(page, 'waits: no mail server is configured'));
    await expectHidden(page.getByText('will be sent again now'));
    expect(await axeViolations(page)).toEqual([]);
  });

  it('Settings offer a test e-mail, and say plainly when the service cannot send one yet', async () => {
    const page = await openAs(ADMIN);
    await go(page, 'Settings');
    await page.getByLabel('Send a test e-mail to').fill('me@example.com');
    await page.getByRole('button', { name: 'Send a test e-mail' }).click();
    // Either the service sends it, or it answers why not (an SMTP error, or no such endpoint yet).
    await expectVisible(
      page
        .locator('.mantine-Notification-root')
        .filter({ hasText: /Test e-mail sent to me@example.com|not sent|cannot send/ })
        .last(),
    );
    current!.failures.splice(0);
    expect(await axeViolations(page)).toEqual([]);
  });
});
