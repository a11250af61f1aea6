// A manager's week in the console (issue 18): one test per defect that was found, driven by
// accessible names, plus axe and the 360 px layout on every screen.
import type { Browser, Page } from 'playwright-core';
import { ADMIN, TestApp } from '../support/test-app';
import {
  axeViolations,
  expectVisible,
  launchBrowser,
  logIn,
  openConsole,
  scrollsHorizontally,
  toast,
  until,
  type ConsolePage,
} from './support';

jest.setTimeout(90_000);

describe('a manager’s day in the console (browser)', () => {
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

  async function open(options: { width?: number; timezoneId?: string } = {}): Promise<Page> {
    current = await openConsole(browser, app, options);
    return current.page;
  }

  async function openAs(
    user: { username: string; password: string },
    options: { width?: number; timezoneId?: string } = {},
  ): Promise<Page> {
    const page = await open(options);
    await logIn(page, user.username, user.password);
    await page.getByRole('heading', { name: 'Departments', level: 1, exact: true }).waitFor();
    return page;
  }

  const openAsAdmin = (options: { width?: number; timezoneId?: string } = {}) =>
    openAs(ADMIN, options);

  afterEach(async () => {
    if (!current) return;
    const { context, errors, failures } = current;
    current = undefined;
    await context.close();
    expect(errors).toEqual([]);
    expect(failures.splice(0)).toEqual([]);
  });

  async function setSetting(id: string, value: unknown) {
    expect((await app.post(`/settings/${id}`, { value })).status).toBe(200);
  }

  async function department(id: string) {
    return (await app.get(`/livechat/department/${id}`)).body.department;
  }

  it('1: clears emptied fields on save (a text, a number, the fallback), and says so where the user is', async () => {
    const { department: fallback } = await app.createDepartment({ name: `Spill ${Date.now()}` });
    const { department: stored } = await app.createDepartment({
      description: 'Old text',
      maxNumberSimultaneousChat: 4,
      fallbackForwardDepartment: fallback._id,
    });
    const page = await openAsAdmin();
    await page.goto(`/admin/departments/${stored._id}`);
    await page.getByLabel('Description').fill('');
    await page.getByRole('textbox', { name: 'Max simultaneous chats' }).fill('');
    const fallbackPicker = page.getByRole('combobox', { name: 'Fallback forward department' });
    await until(async () => (await fallbackPicker.inputValue()) === fallback.name);
    // By keyboard: the picker's clear button is a named, focusable button.
    await page.getByRole('button', { name: 'Clear Fallback forward department' }).focus();
    await page.keyboard.press('Enter');
    await until(async () => (await fallbackPicker.inputValue()) === '');
    await page.getByRole('button', { name: 'Save' }).click();
    await expectVisible(toast(page, /^Department “.*” saved\.$/));
    const saved = await department(stored._id);
    expect(saved.description ?? '').toBe('');
    // Cleared means unset (docs/api.md §4.1), not the old value kept.
    expect(saved).not.toHaveProperty('maxNumberSimultaneousChat');
    expect(saved).not.toHaveProperty('fallbackForwardDepartment');
    // The page shows what is stored after the save: still empty.
    await page.reload();
    await until(async () => (await page.getByLabel('Description').isVisible()) === true);
    expect(await page.getByRole('textbox', { name: 'Max simultaneous chats' }).inputValue()).toBe(
      '',
    );
    expect(await fallbackPicker.inputValue()).toBe('');
  });

  it('2 and 3: a keyboard-only create with two agents; Enter in "Add agent" never submits', async () => {
    const [first, second] = [await app.createAgent(), await app.createAgent()];
    const page = await openAsAdmin();
    const name = `Keys ${Date.now()}`;
    await page.getByRole('link', { name: 'New department' }).focus();
    await page.keyboard.press('Enter');
    await expectVisible(page.getByRole('heading', { name: 'New department', exact: true }));
    await page.getByLabel(/^Name/).focus();
    await page.keyboard.type(name);
    await page.keyboard.press('Tab');
    await page.keyboard.type('keys@example.com');
    const picker = page.getByRole('combobox', { name: 'Add agent' });
    await picker.focus();
    for (const agent of [first, second]) {
      // Focus stays in "Add agent" after a pick: the next name is typed straight away.
      await page.keyboard.type(agent.username);
      await until(async () => (await page.getByRole('option').count()) === 1);
      const highlighted = page.locator('[role=option][data-combobox-selected]');
      for (let tries = 0; tries < 3 && (await highlighted.count()) === 0; tries += 1) {
        await page.keyboard.press('ArrowDown');
      }
      await page.keyboard.press('Enter');
      await expectVisible(page.getByRole('cell', { name: agent.username, exact: true }));
      expect(await picker.evaluate((element) => element === document.activeElement)).toBe(true);
    }
    // Enter in a text box does not save either.
    await page.keyboard.type('nobody-matches');
    await page.keyboard.press('Enter');
    await page.getByLabel(`Count of ${second.username}`).press('Enter');
    await expectVisible(page.getByRole('heading', { name: 'New department', exact: true }));
    expect(current!.failures).toEqual([]);

    // Save sits in a sticky bar, in view without scrolling down the long form.
    const save = page.getByRole('button', { name: 'Save' });
    const box = (await save.boundingBox())!;
    expect(box.y + box.height).toBeLessThanOrEqual(900);
    await save.focus();
    await page.keyboard.press('Enter');
    await expectVisible(toast(page, `Department “${name}” created.`));
    await expectVisible(page.getByRole('heading', { name: `Edit ${name}`, exact: true }));
    const created = (await app.get(`/livechat/department?text=${encodeURIComponent(name)}`)).body
      .departments[0];
    expect(created.numAgents).toBe(2);
    expect(await axeViolations(page)).toEqual([]);
  });

  it('4: Back with unsaved edits asks first; the list keeps search, sort and page in the URL', async () => {
    const tag = `back${Date.now().toString(36)}`;
    for (let index = 0; index < 12; index += 1)
      await app.createDepartment({ name: `${tag}-${String(index).padStart(2, '0')}` });
    const page = await openAsAdmin();
    await page.getByLabel('Search departments').fill(tag);
    await page.getByRole('columnheader', { name: 'Name' }).getByRole('button').click();
    await page.getByRole('combobox', { name: 'Rows per page' }).click();
    await page.getByRole('option', { name: '10', exact: true }).click();
    await page.getByRole('button', { name: 'Page 2' }).click();
    await until(async () => page.url().includes('page=2'));
    expect(page.url()).toContain(`q=${tag}`);
    expect(page.url()).toContain('sort=-name');
    const firstOnPage2 = `${tag}-01`;
    await page.getByRole('link', { name: firstOnPage2 }).click();
    await expectVisible(page.getByRole('heading', { name: `Edit ${firstOnPage2}` }));

    await page.getByLabel('Description').fill('not saved yet');
    const asked: string[] = [];
    page.once('dialog', (dialog) => {
      asked.push(dialog.message());
      void dialog.dismiss();
    });
    await page.goBack();
    await until(async () => asked.length === 1);
    expect(asked[0]).toContain('unsaved changes');
    await expectVisible(page.getByRole('heading', { name: `Edit ${firstOnPage2}` }));
    expect(await page.getByLabel('Description').inputValue()).toBe('not saved yet');

    page.once('dialog', (dialog) => void dialog.accept());
    await page.goBack();
    await expectVisible(page.getByRole('heading', { name: 'Departments', level: 1, exact: true }));
    expect(await page.getByLabel('Search departments').inputValue()).toBe(tag);
    expect(await page.getByRole('columnheader', { name: 'Name' }).getAttribute('aria-sort')).toBe(
      'descending',
    );
    await expectVisible(page.getByRole('link', { name: firstOnPage2 }));
    expect(await page.getByRole('button', { name: 'Page 2' }).getAttribute('aria-current')).toBe(
      'page',
    );
  });

  it('5 and 14: never offers what will be refused (Delete with removal off, enabling an archived department)', async () => {
    await setSetting('Omnichannel_enable_department_removal', false);
    const { department: stored } = await app.createDepartment({ name: `Keep ${Date.now()}` });
    expect((await app.post(`/livechat/department/${stored._id}/archive`)).status).toBe(200);
    const page = await openAsAdmin();
    await page.getByRole('tab', { name: 'Archived' }).click();
    await page.getByRole('button', { name: `Actions for ${stored.name}` }).click();
    await expectVisible(page.getByRole('menuitem', { name: 'Unarchive' }));
    expect(await page.getByRole('menuitem', { name: 'Delete' }).count()).toBe(0);
    await page.keyboard.press('Escape');

    await page.goto(`/admin/departments/${stored._id}`);
    const enabled = page.getByRole('switch', { name: 'Enabled' });
    await expectVisible(page.getByText('An archived department cannot be enabled.'));
    expect(await enabled.isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Delete', exact: true }).isDisabled()).toBe(true);
    await expectVisible(page.getByText('Deleting departments is turned off.'));
  });

  it('5: a manager with removal off is never offered Delete, and is told why', async () => {
    await setSetting('Omnichannel_enable_department_removal', false);
    const manager = await app.createUser({ roles: ['user', 'livechat-manager'] });
    const { department: stored } = await app.createDepartment({ name: `Managed ${Date.now()}` });
    const page = await openAs(manager);
    // The list's row menu leaves Delete out…
    await page.getByRole('searchbox', { name: 'Search departments' }).fill(stored.name);
    await page.getByRole('button', { name: `Actions for ${stored.name}` }).click();
    await expectVisible(page.getByRole('menuitem', { name: 'Archive' }));
    expect(await page.getByRole('menuitem', { name: 'Delete' }).count()).toBe(0);
    await page.keyboard.press('Escape');

    // …and the edit page disables it with the reason, before any click (the manager may read the
    // setting: docs/api.md §3). No request fails: afterEach checks it.
    await page.goto(`/admin/departments/${stored._id}`);
    await expectVisible(page.getByRole('heading', { name: `Edit ${stored.name}` }));
    const deleteButton = page.getByRole('button', { name: 'Delete', exact: true });
    await until(() => deleteButton.isDisabled());
    await expectVisible(page.getByText('Deleting departments is turned off.'));
    expect(await department(stored._id)).not.toBeNull();

    // With removal on, the same manager gets Delete.
    await setSetting('Omnichannel_enable_department_removal', true);
    try {
      await page.reload();
      await expectVisible(page.getByRole('heading', { name: `Edit ${stored.name}` }));
      await until(async () => !(await deleteButton.isDisabled()));
      expect(await page.getByText('Deleting departments is turned off.').count()).toBe(0);
    } finally {
      await setSetting('Omnichannel_enable_department_removal', false);
    }
  });

  it('6: an agent gets a read-only view with its real agents', async () => {
    const [one, two] = [await app.createAgent(), await app.createAgent()];
    const { department: stored } = await app.createDepartment({ name: `Tier 2 ${Date.now()}` }, [
      { agentId: one.userId },
      { agentId: two.userId },
    ]);
    const page = await openAs(one);
    await page.goto(`/admin/departments/${stored._id}`);
    await expectVisible(page.getByRole('heading', { name: `View ${stored.name}`, exact: true }));
    await expectVisible(page.getByText('You can see this department and its agents'));
    const agents = page.getByRole('table', { name: 'Department agents' });
    await expectVisible(agents.getByRole('cell', { name: one.username, exact: true }));
    await expectVisible(agents.getByRole('cell', { name: two.username, exact: true }));
    expect(await page.getByText('No agents in this department.').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Save' }).count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
  });

  it('7: the history speaks in names and records only what changed, one entry per save', async () => {
    const { department: target } = await app.createDepartment({ name: `Overflow ${Date.now()}` });
    const { department: stored } = await app.createDepartment({ name: `Front ${Date.now()}` });
    const page = await openAsAdmin();
    await page.goto(`/admin/departments/${stored._id}`);
    await page.getByRole('combobox', { name: 'Fallback forward department' }).fill(target.name);
    await page.getByRole('option', { name: target.name }).click();
    await page.getByRole('button', { name: 'Save' }).click();
    await expectVisible(toast(page, /^Department “.*” saved\.$/));
    const history = page.getByRole('table', { name: 'Change history' });
    await expectVisible(history.getByText(`Fallback forward department: (empty) → ${target.name}`));
    // Created + one edit, and the edit lists the one field that changed.
    await until(async () => (await history.getByRole('row').count()) === 3);
    const edit = history.getByRole('row').nth(1);
    expect(await edit.getByRole('listitem').count()).toBe(1);
    expect(await history.getByText(target._id).count()).toBe(0);
  });

  it('7: a save that edits a field and removes an agent is one entry, naming the agent', async () => {
    const [kept, removed] = [await app.createAgent(), await app.createAgent()];
    const { department: stored } = await app.createDepartment({ name: `Desk ${Date.now()}` }, [
      { agentId: kept.userId },
      { agentId: removed.userId },
    ]);
    const page = await openAsAdmin();
    await page.goto(`/admin/departments/${stored._id}`);
    await page.getByLabel('Description').fill('Walk-in desk');
    await page.getByRole('button', { name: `Remove ${removed.username}` }).click();
    await page.getByRole('button', { name: 'Save' }).click();
    await expectVisible(toast(page, /^Department “.*” saved\.$/));

    // The PUT and the POST …/agents of the save share one X-Request-Id: one entry (docs/api.md §4.14).
    const history = page.getByRole('table', { name: 'Change history' });
    await expectVisible(history.getByText(`Agents removed: ${removed.username}`));
    await until(async () => (await history.getByRole('row').count()) === 3);
    const edit = history.getByRole('row').nth(1);
    await expectVisible(edit.getByText('Description: (empty) → Walk-in desk'));
    await expectVisible(edit.getByText(`Agents removed: ${removed.username}`));
    expect(await history.getByText(removed.userId).count()).toBe(0);

    const stored2 = await app.get(`/livechat/department/${stored._id}/history`);
    expect(stored2.body.total).toBe(2);
    expect(stored2.body.history[0]).toMatchObject({
      action: 'update',
      requestId: expect.stringMatching(/^[A-Za-z0-9._:-]{1,128}$/),
      agents: { removed: [removed.userId] },
    });
  });

  it('8: schedules start in the browser time zone, use 24-hour times, cancel, confirm and say what moves', async () => {
    const { department: moving } = await app.createDepartment({ name: `Mover ${Date.now()}` });
    const other = await app.post('/livechat/business-hour', {
      name: `Lisbon ${Date.now()}`,
      active: true,
      type: 'custom',
      timezone: 'Europe/Lisbon',
      workHours: ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'].map(
        (day) => ({ day, start: '09:00', finish: '18:00', open: day !== 'Sunday' }),
      ),
      departmentsToApplyBusinessHour: moving._id,
    });
    expect(other.status).toBe(200);
    const page = await openAsAdmin({ timezoneId: 'Europe/Berlin' });
    await page.goto('/admin/business-hours/new');
    await expectVisible(page.getByRole('heading', { name: 'New schedule', exact: true }));
    expect(await page.getByRole('combobox', { name: 'Time zone' }).inputValue()).toBe(
      'Europe/Berlin',
    );
    expect(await page.getByLabel('Monday closes at').inputValue()).toBe('17:00');
    await page.getByLabel('Monday closes at').fill('5:00 PM');
    await page.getByLabel(/^Name/).fill(`Berlin ${Date.now()}`);
    await page.getByRole('button', { name: 'Save' }).click();
    await expectVisible(page.getByText('Enter a 24-hour time, like 08:00 or 17:30'));
    await page.getByLabel('Monday closes at').fill('17:30');
    await page
      .getByRole('combobox', { name: 'Departments on this schedule' })
      .fill(moving.name.slice(0, 8));
    await page.getByRole('option', { name: moving.name }).click();
    await page.keyboard.press('Escape');
    await expectVisible(page.getByText(`${moving.name}, from “${other.body.businessHour.name}”`));
    await page.getByRole('button', { name: 'Save' }).click();
    await expectVisible(toast(page, /^Schedule “Berlin \d+” created\.$/));
    await expectVisible(page.getByRole('heading', { name: /^Edit Berlin/ }));
    expect((await department(moving._id)).businessHourId).not.toBe(other.body.businessHour._id);

    await page.getByLabel(/^Name/).fill('Changed, then cancelled');
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expectVisible(page.getByRole('heading', { name: 'Business hours', exact: true }));
  });

  it('9: the widget preview hides a form that is off and says why it is offline', async () => {
    await app.createAgent(); // not available
    const page = await openAsAdmin();
    await setSetting('Livechat_registration_form', false);
    try {
      await page.goto('/admin/widget');
      const registration = page.getByRole('region', { name: 'Registration form' });
      await expectVisible(registration.getByText('The registration form is turned off'));
      expect(await registration.getByRole('listitem').count()).toBe(0);
      await expectVisible(page.getByText('Offline', { exact: true }));
      await expectVisible(page.getByText(/^Why: No agent is available/));
    } finally {
      await setSetting('Livechat_registration_form', true);
    }
  });

  it('10: validation warns of a duplicate name and tells a bad e-mail from an empty one', async () => {
    const { department: existing } = await app.createDepartment({ name: `Taken ${Date.now()}` });
    const page = await openAsAdmin();
    await page.goto('/admin/departments/new');
    await page.getByLabel(/^Name/).fill(existing.name.toUpperCase());
    await expectVisible(page.getByText('Another department is already named'));
    await page.getByRole('button', { name: 'Save' }).click();
    await expectVisible(page.getByText('Enter an email address', { exact: true }));
    await page.getByLabel(/^Email/).fill('x@y.');
    await page.getByRole('button', { name: 'Save' }).click();
    await expectVisible(page.getByText('An email address cannot end with a dot'));
    await page.getByLabel(/^Email/).fill('support');
    await page.getByRole('button', { name: 'Save' }).click();
    await expectVisible(page.getByText('An email address needs an @'));
    await expectVisible(toast(page, 'Some fields need attention'));
  });

  it('11: every screen fits 360 px, "Log out" shows whole, and axe finds nothing serious', async () => {
    const agent = await app.createAgent();
    const { department: stored } = await app.createDepartment(
      { name: `Narrow ${Date.now()}`, description: 'A long description that wraps on a phone' },
      [{ agentId: agent.userId }],
    );
    const page = await openAsAdmin({ width: 360 });
    const check = async (what: string) => {
      expect([what, await scrollsHorizontally(page)]).toEqual([what, false]);
      const logOut = (await page.getByRole('button', { name: 'Log out' }).boundingBox())!;
      expect(logOut.x + logOut.width).toBeLessThanOrEqual(360);
      expect([what, await axeViolations(page)]).toEqual([what, []]);
    };
    // Each row stacks its cells with their column names: the row's actions are on screen.
    await expectVisible(page.getByRole('button', { name: `Actions for ${stored.name}` }));
    await check('list');
    for (const [path, heading] of [
      [`/departments/${stored._id}`, `Edit ${stored.name}`],
      ['/departments/new', 'New department'],
      ['/agents', 'Agents'],
      ['/business-hours', 'Business hours'],
      ['/business-hours/new', 'New schedule'],
      ['/widget', 'Widget preview'],
      ['/settings', 'Settings'],
    ]) {
      await page.goto(`/admin${path}`);
      await expectVisible(page.getByRole('heading', { name: heading, exact: true, level: 1 }));
      await check(path);
    }
  });

  it('12: "Make agent" offers users by part of their name, no exact username needed', async () => {
    const user = await app.createUser();
    const page = await openAsAdmin();
    await page.goto('/admin/agents');
    await page
      .getByRole('combobox', { name: 'Username', exact: true })
      .fill(user.username.slice(0, -3));
    await page.getByRole('option', { name: user.username, exact: true }).click();
    await page.getByRole('button', { name: 'Make agent' }).click();
    await expectVisible(toast(page, `${user.username} is now an agent.`));
  });

  it('12: the agents page says "already an agent", confirms a status change and sorts departments', async () => {
    const agent = await app.createAgent();
    for (const name of ['Zulu', 'alpha', 'Mike'])
      await app.createDepartment({ name: `${name} ${agent.username}` }, [
        { agentId: agent.userId },
      ]);
    const page = await openAsAdmin();
    await page.goto('/admin/agents');
    await page.getByRole('combobox', { name: 'Username', exact: true }).fill(agent.username);
    await page.getByRole('button', { name: 'Make agent' }).click();
    await expectVisible(toast(page, `${agent.username} is already an agent.`));
    await page.getByLabel('Search agents').fill(agent.username);
    const row = page.getByRole('row').filter({ hasText: agent.username });
    await row.getByLabel(`Status of ${agent.username}`).click();
    await page.getByRole('option', { name: 'Available', exact: true }).click();
    await expectVisible(toast(page, `${agent.username} is now available.`));
    await row.getByRole('button', { name: 'Departments' }).click();
    const list = page.getByRole('list', { name: `Departments of ${agent.username}` });
    await expectVisible(list);
    expect(await list.getByRole('link').allTextContents()).toEqual([
      `alpha ${agent.username}`,
      `Mike ${agent.username}`,
      `Zulu ${agent.username}`,
    ]);
  });

  it('13: the session follows the user into a new tab, never through the URL', async () => {
    const { department: stored } = await app.createDepartment({ name: `Tabbed ${Date.now()}` });
    const page = await openAsAdmin();
    const tab = await current!.context.newPage();
    await tab.goto(`/admin/departments/${stored._id}`);
    await expectVisible(tab.getByRole('heading', { name: `Edit ${stored.name}` }));
    expect(tab.url()).not.toMatch(/token/i);
    expect(await tab.evaluate(() => localStorage.length)).toBe(0);
    // Logging out in one tab ends the session in the others.
    await page.getByRole('button', { name: 'Log out' }).click();
    await expectVisible(tab.getByText('You logged out in another tab.'));
    await expectVisible(tab.getByRole('button', { name: 'Log in' }));
  });

  it('lists like Rocket.Chat: All and Archived tabs, row menus, its columns, a typed-name delete', async () => {
    await setSetting('Omnichannel_enable_department_removal', true);
    const agent = await app.createAgent();
    const { department: stored } = await app.createDepartment(
      { name: `Rowmenu ${Date.now()}`, description: 'Shown in the list' },
      [{ agentId: agent.userId }],
    );
    const page = await openAsAdmin();
    await page.getByLabel('Search departments').fill(stored.name);
    const row = page.getByRole('row').filter({ hasText: stored.name });
    await expectVisible(row.getByRole('cell', { name: 'Shown in the list' }));
    for (const column of ['Description', 'Agents', 'Show on registration'])
      await expectVisible(page.getByRole('columnheader', { name: column }));
    await row.getByRole('button', { name: `Actions for ${stored.name}` }).click();
    await page.getByRole('menuitem', { name: 'Archive' }).click();
    await page
      .getByRole('dialog', { name: 'Archive department?' })
      .getByRole('button', { name: 'Archive department' })
      .click();
    await expectVisible(toast(page, /^Department “.*” archived\.$/));
    await expectVisible(page.getByText(`No department matches “${stored.name}”.`));
    await page.getByRole('tab', { name: 'Archived' }).click();
    expect(page.url()).toContain('tab=archived');
    await page.getByRole('button', { name: `Actions for ${stored.name}` }).click();
    await page.getByRole('menuitem', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete department?' });
    await dialog.getByLabel("Type the department's name to confirm").fill('wrong name');
    expect(await dialog.getByRole('button', { name: 'Delete department' }).isDisabled()).toBe(true);
    await dialog.getByLabel("Type the department's name to confirm").fill(stored.name);
    await dialog.getByRole('button', { name: 'Delete department' }).click();
    await expectVisible(toast(page, /^Department “.*” deleted\.$/));
    expect(await department(stored._id)).toBeNull();
    await setSetting('Omnichannel_enable_department_removal', false);
  });
});
