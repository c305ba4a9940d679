import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testEngines } from '../helpers/db.js';
import { expectAccessible, recordContact, screenshot, signInAs, startSite, viewports } from '../helpers/browser.js';
import { demo, potholeByPhone } from '../helpers/api.js';
import { changeServiceTargets } from '../../src/directory/change-service-targets.js';
import { loadStaffMember } from '../../src/directory/staff.js';

const [engine] = testEngines();

test('reference and administration pages: every page passes axe; the DST page shows the version in force, the scheduled one and past ones (CSS §4, §8.2); the outbox lists mail with its state', async (t) => {
  const site = await startSite(engine!, '2026-03-02T10:00:00-05:00');
  t.after(() => site.close());

  // History: Roads Operations' targets changed once already (version 2 from 2025-06-02).
  const adminRow = await site.db.kysely.selectFrom('staff_user').select('id').where('email', '=', demo.admin).executeTakeFirstOrThrow();
  const adminMember = (await loadStaffMember(site.db.kysely, adminRow.id))!;
  await changeServiceTargets({
    db: site.db,
    actor: adminMember,
    requestType: 'sidewalk-hazard',
    targets: { acknowledge: '2 business days', resolve: '21 calendar days' },
    effectiveFrom: '2025-06-02',
    note: 'Spring review',
    now: new Date('2025-05-20T12:00:00-04:00'),
  });

  // Mail in the outbox: the receipt e-mail of a pothole reported by phone.
  site.clock.advance(1_100);
  const reference = await recordContact(site, potholeByPhone());

  // An administrator schedules new pothole targets through the form, with JavaScript off.
  const plain = await (await site.context({ javaScript: false })).newPage();
  await signInAs(plain, demo.admin);
  await plain.goto('/staff/admin/targets/pothole');
  await plain.getByLabel('Acknowledge within').first().fill('1 business day');
  await plain.getByLabel('Take effect on').fill('2026-04-01');
  await plain.getByRole('button', { name: 'Save the new targets' }).click();
  await plain.waitForURL(/\/staff\/targets\/roads-operations\?changed=3/);
  assert.match(await plain.getByRole('status').innerText(), /Version 3 of Roads Operations's Division Service Targets takes effect on Wednesday 1 April 2026/);

  const page = await (await site.context({ viewport: viewports.desktop })).newPage();
  await signInAs(page, demo.admin);

  await page.goto('/staff/targets');
  assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Division Service Targets');
  const roadsRow = page.getByRole('row', { name: /Roads Operations/ });
  assert.match(await roadsRow.innerText(), /Version 2, since Monday 2 June 2025.*Version 3 from Wednesday 1 April 2026/s);
  await expectAccessible(page, 'targets list');

  await page.getByRole('link', { name: 'Roads Operations' }).click();
  await page.waitForURL(/\/staff\/targets\/roads-operations$/);
  assert.match(await page.getByRole('heading', { level: 2, name: /In force now/ }).innerText(), /In force now: version 2/);
  assert.match(await page.getByRole('heading', { level: 3, name: /Version 3/ }).innerText(), /Version 3, from Wednesday 1 April 2026/);
  assert.match(await page.getByRole('heading', { level: 3, name: /Version 1/ }).innerText(), /Version 1, in force from Wednesday 1 January 2025/);
  const currentTable = page.getByRole('table', { name: 'Version 2 targets by request type' });
  assert.match(await currentTable.getByRole('row', { name: /Sidewalk trip hazard/ }).innerText(), /Acknowledge within 2 business days; resolve within 21 calendar days/);
  assert.match(await currentTable.getByRole('row', { name: /Pothole/ }).innerText(), /Class 2: a busy main road — resolve within 4 calendar days/);
  const pastTable = page.getByRole('table', { name: 'Version 1 targets by request type' });
  assert.match(await pastTable.getByRole('row', { name: /Sidewalk trip hazard/ }).innerText(), /resolve within 14 calendar days/);
  await expectAccessible(page, 'DST page');
  await screenshot(page, 'console-dst');

  await page.goto('/staff/closures');
  assert.ok(await page.getByRole('heading', { level: 2, name: '2026' }).isVisible());
  assert.ok(await page.getByRole('heading', { level: 2, name: '2027' }).isVisible());
  assert.match(await page.getByRole('row', { name: /Good Friday/ }).first().innerText(), /Friday 3 April 2026/);
  await expectAccessible(page, 'closures');

  await page.goto('/staff/admin/closures');
  await page.getByLabel('Date').fill('2026-04-06');
  await page.getByLabel('Name', { exact: true }).fill('Easter Monday');
  await page.getByLabel('Reason (optional)').fill('Council decision 2026-02');
  await page.getByRole('button', { name: 'Add the closure day' }).click();
  await page.waitForURL(/done=added/);
  assert.match(await page.getByRole('row', { name: /Easter Monday/ }).first().innerText(), /Monday 6 April 2026.*Added by an administrator/s);
  await page.getByRole('button', { name: 'Remove Friday 3 April 2026' }).first().click();
  await page.waitForURL(/done=removed/);
  assert.match(await page.getByRole('row', { name: /Good Friday/ }).first().innerText(), /Removed by an administrator/);
  await expectAccessible(page, 'admin closures');
  await screenshot(page, 'console-admin-closures');
  await page.goto('/staff/closures?year=2026');
  assert.match(await page.getByRole('table').innerText(), /Easter Monday/);
  await page.getByLabel('Year', { exact: true }).fill('1850');
  await page.getByRole('button', { name: 'Show' }).click();
  assert.match(await page.getByRole('alert').innerText(), /Enter a year between 2000 and 2100/);
  await expectAccessible(page, 'closures with an error');

  await page.goto('/staff/outbox');
  const mail = page.getByRole('row', { name: new RegExp(reference) });
  assert.match(await mail.innerText(), /dana@example\.org.*Waiting/s);
  assert.equal(await mail.getByRole('link', { name: reference }).getAttribute('href'), `/staff/cases/${reference}`);
  await expectAccessible(page, 'outbox');
  await screenshot(page, 'console-outbox');
  await page.getByLabel('Show').selectOption('sent');
  await page.getByRole('button', { name: 'Show' }).click();
  await page.waitForURL(/state=sent/);
  assert.match(await page.getByRole('main').innerText(), /No messages to show/);

  await page.goto('/staff/admin');
  await expectAccessible(page, 'administration');
  await screenshot(page, 'console-admin');

  await page.goto('/staff/admin/staff');
  await expectAccessible(page, 'staff accounts');
  await page.getByRole('link', { name: 'Add a staff account' }).click();
  await page.getByLabel('Full name').fill('Sam Plough');
  await page.getByLabel('Work e-mail').fill('sam.plough@kawarthalakes.example');
  await page.getByLabel('Role').selectOption('division_staff');
  await page.getByLabel('Password').fill('short');
  await page.getByRole('button', { name: 'Create the account' }).click();
  assert.match(await page.getByRole('alert').innerText(), /A password needs at least 12 characters/);
  await expectAccessible(page, 'new account with errors');
  await page.getByLabel('Division (optional)').selectOption('roads-operations');
  await page.getByLabel('Password').fill('plough-the-roads-2026');
  await page.getByRole('button', { name: 'Create the account' }).click();
  await page.waitForURL(/done=created/);
  assert.match(await page.getByRole('status').innerText(), /The account is created/);
  await expectAccessible(page, 'one staff account');
  await screenshot(page, 'console-admin-account');

  await page.goto('/staff/admin/targets');
  await expectAccessible(page, 'admin targets');
  await page.goto('/staff/admin/targets/pothole');
  await page.getByLabel('Take effect on').fill('2020-01-01');
  await page.getByRole('button', { name: 'Save the new targets' }).click();
  assert.match(await page.getByRole('alert').innerText(), /cannot take effect in the past/);
  await expectAccessible(page, 'target form with an error');
  await screenshot(page, 'console-admin-targets-error');

  await page.goto('/staff/admin/api-keys');
  await page.getByLabel('Who uses it').fill('Ward app');
  await page.getByRole('button', { name: 'Issue the key' }).click();
  assert.match(await page.getByLabel('New API key').inputValue(), /^cdk_/);
  await expectAccessible(page, 'api keys with a new key');
  await screenshot(page, 'console-admin-api-keys');

  const roads = await (await site.context()).newPage();
  await signInAs(roads, demo.roadsStaff);
  const forbidden = await roads.goto('/staff/admin/api-keys');
  assert.equal(forbidden?.status(), 403);
  assert.match(await roads.getByRole('main').innerText(), /Only an administrator/);
  await expectAccessible(roads, '403 page');
  await roads.goto('/staff/outbox');
  assert.match(await roads.getByRole('row', { name: new RegExp(reference) }).innerText(), /Waiting/, 'roads staff see the mail of their division’s cases');
  const phone = await (await site.context({ viewport: viewports.phone })).newPage();
  await signInAs(phone, demo.roadsHead);
  await phone.goto('/staff/targets/roads-operations');
  await expectAccessible(phone, 'DST page on a phone');
  await screenshot(phone, 'console-dst-phone');
});
