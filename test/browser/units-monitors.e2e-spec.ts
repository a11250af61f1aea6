// Units and monitors in the console (issue 19): an admin makes a user a monitor and builds a unit
// with two departments through the screens; the monitor then sees exactly those two departments
// and no control it may not use. Also: delete a unit and remove a monitor (both confirmed), and
// the department page's Unit field.
import type { Browser, Page } from 'playwright-core';
import { ADMIN, TestApp, type TestUser } from '../support/test-app';
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

jest.setTimeout(60_000);

describe('units and monitors in the console (browser)', () => {
  let app: TestApp;
  let browser: Browser;
  /** The admin's console, logged in once and shared by the tests (few page loads: a fast file). */
  let adminConsole: ConsolePage;
  let admin: Page;
  /** Other users' consoles, closed after their test. */
  const opened: ConsolePage[] = [];

  /** A fresh browser context logged in as `user`, on the departments list. */
  async function openAs(user: { username: string; password: string }): Promise<ConsolePage> {
    const session = await openConsole(browser, app);
    await logIn(session.page, user.username, user.password);
    await session.page
      .getByRole('heading', { name: 'Departments', level: 1, exact: true })
      .waitFor();
    return session;
  }

  beforeAll(async () => {
    [app, browser] = await Promise.all([TestApp.start(), launchBrowser()]);
    adminConsole = await openAs(ADMIN);
    admin = adminConsole.page;
  });

  afterAll(async () => {
    await adminConsole?.context.close();
    await browser?.close();
    await app?.close();
  });

  // Every page of the test: no browser console error and no refused API call.
  afterEach(async () => {
    expect(adminConsole.errors.splice(0)).toEqual([]);
    expect(adminConsole.failures.splice(0)).toEqual([]);
    for (const { context, errors, failures } of opened.splice(0)) {
      await context.close();
      expect(errors).toEqual([]);
      expect(failures).toEqual([]);
    }
  });

  /**
   * The current screen at 360 px: whether it fits without scrolling sideways once the layout
   * has settled (the navigation slides away), and axe's serious and critical violations
   * there; then back to full width.
   */
  async function atNarrowScreen(page: Page): Promise<{ fits: boolean; violations: string[] }> {
    await page.setViewportSize({ width: 360, height: 800 });
    let scrolls = true;
    for (let tries = 0; tries < 20 && scrolls; tries += 1) {
      scrolls = await scrollsHorizontally(page);
      if (scrolls) await page.waitForTimeout(100);
    }
    const violations = await axeViolations(page);
    await page.setViewportSize({ width: 1280, height: 900 });
    return { fits: !scrolls, violations };
  }
  const FITS_CLEAN = { fits: true, violations: [] };

  /** Picks `option` in a search picker after typing `text`. */
  async function pick(page: Page, picker: string | RegExp, text: string, option: string) {
    await page.getByRole('combobox', { name: picker }).fill(text);
    await page.getByRole('option', { name: option, exact: true }).click();
  }

  async function departmentNamed(name: string) {
    const res = await app.get(`/livechat/department?text=${encodeURIComponent(name)}`);
    return res.body.departments.find((department: { name: string }) => department.name === name);
  }

  async function createUnit(name: string, departmentIds: string[], monitors: TestUser[] = []) {
    const res = await app.post('/livechat/units', {
      unitData: { name, visibility: 'public' },
      unitMonitors: monitors.map((monitor) => ({
        monitorId: monitor.userId,
        username: monitor.username,
      })),
      unitDepartments: departmentIds.map((departmentId) => ({ departmentId })),
    });
    expect(res.status).toBe(200);
    return res.body as { _id: string; name: string };
  }

  it('an admin makes a monitor and a unit of two departments; the monitor sees exactly those two', async () => {
    const monitor = await app.createUser({ username: 'mona.lisboa' });
    await app.createDepartment({ name: 'Billing' });
    await app.createDepartment({ name: 'Returns' });
    const outside = (await app.createDepartment({ name: 'Enterprise Sales' })).department;
    // Other units, as a service would have them: their departments are not on offer.
    const supervisor = await app.createUser({ username: 'rafael.souza' });
    const made = await app.post('/livechat/monitors.create', { username: supervisor.username });
    expect(made.status).toBe(200);
    await createUnit(
      'Americas',
      [(await app.createDepartment({ name: 'Sales US' })).department._id],
      [supervisor],
    );
    await createUnit(
      'Asia Pacific',
      [(await app.createDepartment({ name: 'Support APAC' })).department._id],
      [supervisor],
    );

    await admin.getByRole('link', { name: 'Monitors' }).click();
    await pick(admin, 'Username', monitor.username.slice(0, 4), monitor.username);
    await admin.getByRole('button', { name: 'Add monitor' }).click();
    await expectVisible(toast(admin, `${monitor.username} is now a monitor.`));
    // Its username, and its name (users.create gave it the same).
    await expectVisible(admin.getByRole('cell', { name: monitor.username, exact: true }).first());

    await admin.getByRole('link', { name: 'Units' }).click();
    await admin.getByRole('link', { name: 'New unit' }).click();
    await expectVisible(admin.getByRole('heading', { name: 'New unit', exact: true }));
    expect(await atNarrowScreen(admin)).toEqual(FITS_CLEAN);
    await admin.getByLabel(/^Name/).fill('Europe');
    await admin.getByRole('combobox', { name: 'Visibility' }).click();
    await admin.getByRole('option', { name: 'Private', exact: true }).click();
    await pick(admin, 'Monitors', 'mona', monitor.username);
    // Departments already in another unit are not offered.
    await admin.getByRole('combobox', { name: 'Departments' }).fill('Sales');
    await expectVisible(admin.getByRole('option', { name: 'Enterprise Sales', exact: true }));
    expect(await admin.getByRole('option', { name: 'Sales US' }).count()).toBe(0);
    await pick(admin, 'Departments', 'Bill', 'Billing');
    await pick(admin, 'Departments', 'Ret', 'Returns');
    await admin.keyboard.press('Escape');
    expect(await axeViolations(admin)).toEqual([]);
    await admin.getByRole('button', { name: 'Save' }).click();
    await expectVisible(toast(admin, 'Unit “Europe” created.'));
    await expectVisible(admin.getByRole('heading', { name: 'Edit Europe', exact: true }));
    // The unit with its monitor and departments, on a phone.
    await expectVisible(admin.getByText('Billing', { exact: true }).first());
    expect(await atNarrowScreen(admin)).toEqual(FITS_CLEAN);

    const units = await app.get('/livechat/units?text=Europe');
    expect(units.body.units).toEqual([
      expect.objectContaining({
        name: 'Europe',
        visibility: 'private',
        numMonitors: 1,
        numDepartments: 2,
      }),
    ]);
    const unitId = units.body.units[0]._id;
    expect((await departmentNamed('Billing')).parentId).toBe(unitId);
    expect((await departmentNamed('Returns')).parentId).toBe(unitId);
    expect((await departmentNamed('Enterprise Sales')).parentId).toBeUndefined();

    await admin.getByRole('link', { name: 'Units', exact: true }).first().click();
    const europe = admin.getByRole('row').filter({ hasText: 'Europe' });
    await expectVisible(europe.getByRole('cell', { name: '2', exact: true }));
    await expectVisible(admin.getByText('3 units'));
    expect(await axeViolations(admin)).toEqual([]);
    // Close every toast still up (how many depends on the machine's speed) for the screenshot.
    const notices = admin.getByRole('button', { name: 'Close notification' });
    for (let tries = 0; tries < 10 && (await notices.count()) > 0; tries++) {
      // A toast closing on its own may be detached under the click: try the next one.
      await notices
        .first()
        .click({ timeout: 2_000 })
        .catch(() => undefined);
    }
    await expectHidden(admin.locator('.mantine-Notification-root').first());
    await screenshot(admin, 'console-units.png', false);

    // The monitor: its two departments, nothing else, and no control it may not use.
    const monitorConsole = await openAs(monitor);
    opened.push(monitorConsole);
    const mine = monitorConsole.page;
    await expectVisible(mine.getByText('2 departments', { exact: true }));
    const table = mine.getByRole('table', { name: 'Departments' });
    expect(await table.locator('tbody a').allTextContents()).toEqual(['Billing', 'Returns']);
    await mine.getByRole('button', { name: 'Actions for Billing' }).click();
    await expectVisible(mine.getByRole('menuitem', { name: 'Archive' }));
    expect(await mine.getByRole('menuitem', { name: 'Delete' }).count()).toBe(0);
    await mine.keyboard.press('Escape');
    const nav = mine.getByRole('navigation', { name: 'Main' });
    for (const hidden of ['Monitors', 'Agents', 'Business hours', 'Settings'])
      expect(await nav.getByRole('link', { name: hidden }).count()).toBe(0);

    // Its units, read only.
    await nav.getByRole('link', { name: 'Units' }).click();
    await expectVisible(mine.getByText('1 unit', { exact: true }));
    await expectVisible(mine.getByRole('cell', { name: 'Europe', exact: true }));
    expect(await mine.getByRole('link', { name: 'New unit' }).count()).toBe(0);
    expect(await mine.getByRole('button', { name: 'Actions for Europe' }).count()).toBe(0);

    // A department of its unit: the Unit field is required and offers its own unit only; no Delete.
    await nav.getByRole('link', { name: 'Departments' }).click();
    await mine.getByRole('link', { name: 'Billing', exact: true }).click();
    await expectVisible(mine.getByRole('heading', { name: 'Edit Billing', exact: true }));
    const unitField = mine.getByRole('combobox', { name: /^Unit/ });
    await until(async () => (await unitField.inputValue()) === 'Europe');
    expect(await mine.getByRole('button', { name: 'Delete' }).count()).toBe(0);
    await unitField.click();
    await until(async () => (await mine.getByRole('option').allTextContents()).join() === 'Europe');
    await mine.keyboard.press('Escape');
    // A new department must go in one of its units: Save says so before any request.
    await nav.getByRole('link', { name: 'Departments' }).click();
    await mine.getByRole('link', { name: 'New department' }).click();
    await mine.getByLabel(/^Name/).fill('Outside any unit');
    await mine.getByLabel(/^Email/).fill('outside@example.com');
    await mine.getByRole('button', { name: 'Save' }).click();
    await expectVisible(mine.getByText('Choose one of your units'));
    mine.once('dialog', (dialog) => void dialog.accept()); // leaving the unsaved form
    // Another department is not found, even by its address.
    await mine.goto(`/admin/departments/${outside._id}`);
    await expectVisible(mine.getByRole('heading', { name: 'Department not found' }));
  });

  it('deletes a unit and removes a monitor, each after a confirmation', async () => {
    const monitor = await app.createUser();
    expect(
      (await app.post('/livechat/monitors.create', { username: monitor.username })).status,
    ).toBe(200);
    const kept = (await app.createDepartment({ name: `Kept ${Date.now()}` })).department;
    const unit = await createUnit(`Closing ${Date.now()}`, [kept._id], [monitor]);

    await admin.getByRole('link', { name: 'Units', exact: true }).first().click();
    expect(await atNarrowScreen(admin)).toEqual(FITS_CLEAN);
    await admin.getByLabel('Search units').fill(unit.name);
    await admin.getByRole('button', { name: `Actions for ${unit.name}` }).click();
    await admin.getByRole('menuitem', { name: 'Delete' }).click();
    const dialog = admin.getByRole('dialog', { name: 'Delete unit?' });
    await expectVisible(dialog.getByText('in no unit'));
    await dialog.getByRole('button', { name: 'Delete unit' }).click();
    await expectVisible(toast(admin, `Unit “${unit.name}” deleted.`));
    await expectVisible(admin.getByText(`No unit matches “${unit.name}”.`));
    expect((await app.get(`/livechat/units/${unit._id}`)).body).toBeNull();
    // Its department stays, in no unit.
    const stored = (await app.get(`/livechat/department/${kept._id}`)).body.department;
    expect(stored).not.toBeNull();
    expect(stored).toMatchObject({ parentId: null, ancestors: null });

    await admin.getByRole('link', { name: 'Monitors' }).click();
    await admin.getByLabel('Search monitors').fill(monitor.username);
    await admin.getByRole('button', { name: `Remove ${monitor.username}` }).click();
    await admin
      .getByRole('dialog', { name: 'Remove monitor?' })
      .getByRole('button', { name: 'Remove monitor' })
      .click();
    await expectVisible(toast(admin, `${monitor.username} is no longer a monitor.`));
    await expectVisible(admin.getByText(`No monitor matches “${monitor.username}”.`));
    const monitors = await app.get(`/livechat/monitors?text=${monitor.username}`);
    expect(monitors.body.monitors).toEqual([]);
    expect(await atNarrowScreen(admin)).toEqual(FITS_CLEAN);
    expect(await axeViolations(admin)).toEqual([]);
  });

  it('puts a department in a unit from the department page, and takes it out', async () => {
    const anchor = (await app.createDepartment({ name: `Anchor ${Date.now()}` })).department;
    const unit = await createUnit(`Nordics ${Date.now()}`, [anchor._id]);
    const moving = (await app.createDepartment({ name: `Moving ${Date.now()}` })).department;

    await admin.getByRole('link', { name: 'Departments', exact: true }).click();
    await admin.getByRole('link', { name: moving.name, exact: true }).click();
    await expectVisible(admin.getByRole('heading', { name: `Edit ${moving.name}` }));
    /** Clicks Save and waits for the department's PUT to be answered. */
    const save = async () => {
      const answered = admin.waitForResponse(
        (response) => response.request().method() === 'PUT' && response.url().includes(moving._id),
      );
      await admin.getByRole('button', { name: 'Save' }).click();
      expect((await answered).status()).toBe(200);
    };
    const path = `/livechat/department/${moving._id}`;
    const numDepartments = async () =>
      (await app.get(`/livechat/units/${unit._id}`)).body.numDepartments;

    await pick(admin, /^Unit/, unit.name.slice(0, 7), unit.name);
    await save();
    expect((await app.get(path)).body.department).toMatchObject({
      parentId: unit._id,
      ancestors: [unit._id],
    });
    expect(await numDepartments()).toBe(2);
    // Reopened, the page shows the unit by its name.
    await expectVisible(toast(admin, /^Department “.*” saved\.$/));
    await admin.reload();
    const unitField = admin.getByRole('combobox', { name: /^Unit/ });
    await until(async () => (await unitField.inputValue()) === unit.name);

    await admin.getByRole('button', { name: 'Clear Unit' }).click();
    await save();
    expect((await app.get(path)).body.department).toMatchObject({ parentId: null, ancestors: null });
    expect(await numDepartments()).toBe(1);
  });
});
