// Configuration as code and undo in the console (issue 28): download, upload → the plan as a
// diff → apply; "Restore this version" in a department's history; the Recently deleted list.
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { ADMIN, TestApp } from '../support/test-app';
import {
  axeViolations,
  launchBrowser,
  logIn,
  openConsole,
  screenshot,
  toast,
  until,
  type ConsolePage,
} from './support';

jest.setTimeout(90_000);

describe('configuration and undo in the console (browser)', () => {
  let app: TestApp;
  let browser: Browser;
  let current: ConsolePage | undefined;

  beforeAll(async () => {
    [app, browser] = await Promise.all([
      TestApp.start({ DEPARTMENT_REMOVAL_ENABLED: 'true' }),
      launchBrowser(),
    ]);
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

  async function openAsAdmin(): Promise<Page> {
    current = await openConsole(browser, app);
    const { page } = current;
    await logIn(page, ADMIN.username, ADMIN.password);
    await page.getByRole('heading', { name: 'Departments', level: 1, exact: true }).waitFor();
    return page;
  }

  async function go(page: Page, label: string) {
    await page.getByRole('link', { name: label, exact: true }).click();
    await page.getByRole('heading', { name: label, level: 1, exact: true }).waitFor();
  }

  const departmentNamed = async (name: string) =>
    (await app.get(`/livechat/department?text=${encodeURIComponent(name)}`)).body.departments[0];

  it('downloads the configuration, plans an uploaded one as a diff, and applies it', async () => {
    const agent = await app.createAgent();
    await app.createDepartment({ name: 'Sales', description: 'Buyers' });
    await app.createDepartment({ name: 'Support' });
    const page = await openAsAdmin();
    await go(page, 'Configuration');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download configuration' }).click(),
    ]);
    const downloaded = JSON.parse(readFileSync((await download.path()) as string, 'utf8'));
    expect(downloaded).toEqual((await app.get('/livechat/configuration')).body.configuration);

    const edited = structuredClone(downloaded);
    edited.departments.Sales.description = 'Buyers and prospects';
    edited.departments.Sales.agents = { [agent.username]: { count: 0, order: 1 } };
    edited.departments.Billing = {
      email: 'billing@example.com',
      enabled: true,
      showOnRegistration: true,
      showOnOfflineForm: false,
    };
    delete edited.departments.Support;
    await page.locator('input[type=file]').setInputFiles({
      name: 'departments.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(edited, null, 2)),
    });
    const diff = page.getByLabel('Changes');
    await diff.getByText('~ Department "Sales"').waitFor();
    await diff.getByText('description: "Buyers" → "Buyers and prospects"').waitFor();
    await diff.getByText(`agent added: ${agent.username}`).waitFor();
    await diff.getByText('+ Department "Billing"').waitFor();
    await diff.getByText('- Department "Support"').waitFor();
    await diff.getByText('Appears in the widget: Sales').waitFor();
    await page.getByText('3 changes to apply.').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, 'console-configuration-plan.png');
    // Planning wrote nothing.
    expect((await departmentNamed('Sales')).description).toBe('Buyers');

    await page.getByRole('button', { name: 'Apply these changes' }).click();
    await toast(page, 'Applied 3 change(s).').waitFor();
    await page.getByText('No changes: the service already has this configuration.').waitFor();
    expect((await departmentNamed('Sales')).description).toBe('Buyers and prospects');
    expect(await departmentNamed('Billing')).toBeDefined();
    expect(await departmentNamed('Support')).toBeUndefined();

    // A refused document: the reason is shown, and there is nothing to apply.
    edited.departments.Sales.agents = { nobody: {} };
    await page.locator('input[type=file]').setInputFiles({
      name: 'refused.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(edited)),
    });
    await diff.getByText('Refused: Department "Sales": Agent not found: nobody').waitFor();
    await page.getByText('1 part is refused: nothing can be applied.').waitFor();
    expect(await page.getByRole('button', { name: 'Apply these changes' }).isDisabled()).toBe(true);
  });

  it('restores a version from the history, and a deleted department from Recently deleted', async () => {
    const created = await app.createDepartment({ name: 'Desk', description: 'first' });
    const id = created.department._id;
    await app.put(`/livechat/department/${id}`, {
      department: {
        name: 'Desk',
        email: 'dept@example.com',
        enabled: true,
        showOnRegistration: true,
        showOnOfflineForm: true,
        description: 'second',
      },
    });
    const page = await openAsAdmin();
    await page.goto(`/admin/departments/${id}`);
    await page.getByLabel('Description').waitFor();
    expect(await page.getByLabel('Description').inputValue()).toBe('second');
    // Only the older entry can be restored (the newest is the version shown).
    const restoreButtons = page.getByRole('button', { name: /^Restore this version \(/ });
    await restoreButtons.first().waitFor();
    expect(await restoreButtons.count()).toBe(1);
    await restoreButtons.first().click();
    await page.getByRole('dialog', { name: 'Restore this version?' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Restore', exact: true }).click();
    await toast(page, /^Restored the version of /).waitFor();
    await until(async () => (await departmentNamed('Desk')).description === 'first');
    // The form shows the restored version, and the restore is a new history entry.
    await until(async () => (await page.getByLabel('Description').inputValue()) === 'first');
    await until(async () => (await restoreButtons.count()) === 2);

    const doomed = await app.createDepartment({ name: 'Doomed desk' });
    expect((await app.delete(`/livechat/department/${doomed.department._id}`)).status).toBe(200);
    await go(page, 'Recently deleted');
    const restore = page.getByRole('button', { name: 'Restore Doomed desk' });
    await restore.waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await restore.click();
    await toast(page, 'Doomed desk is restored.').waitFor();
    // Listed no more; Support, deleted by the apply above, still is.
    await restore.waitFor({ state: 'hidden' });
    await page.getByRole('button', { name: 'Restore Support' }).waitFor();
    expect(
      (await app.get(`/livechat/department/${doomed.department._id}`)).body.department,
    ).toMatchObject({
      _id: doomed.department._id,
      name: 'Doomed desk',
    });
  });
});
