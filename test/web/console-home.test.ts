import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { testEngines } from '../helpers/db.js';
import { expectAccessible, recordContact, screenshot, signInAs, startSite } from '../helpers/browser.js';
import { demo, inquiryByPhone, potholeByPhone } from '../helpers/api.js';
import { sweep } from '../../src/escalation/sweep.js';

const [engine] = testEngines();

const section = (page: Page, name: string | RegExp) => page.getByRole('region', { name });

test('the console home opens on what needs each person now: acknowledgments due and overdue (CSS §3.3, §4.1), escalations for heads (§5.2), and for the Manager of Customer Service what is overdue now across divisions', async (t) => {
  // Monday 2 March 2026, 10:00 in Lindsay.
  const site = await startSite(engine!, '2026-03-02T10:00:00-05:00');
  t.after(() => site.close());

  // Roads: one pothole whose acknowledgment is overdue (received Wednesday, due Friday 16:30), one due
  // today (received Thursday, due Monday 16:30), and a fallen tree reported at 07:00 today with a
  // two-hour acknowledgment target that the sweep has found missed at 09:00.
  const overdue = await recordContact(site, potholeByPhone({ receivedAt: '2026-02-25T10:00', summary: 'Pothole on Kent St. W., eastbound lane.' }));
  const dueToday = await recordContact(site, potholeByPhone({ receivedAt: '2026-02-26T11:00', summary: 'Pothole at 12 Lindsay St. S.', location: { address: '12 Lindsay St. S., Lindsay' } }));
  const tree = await recordContact(
    site,
    potholeByPhone({ requestType: 'tree-on-road', attributes: {}, receivedAt: '2026-03-02T07:00', summary: 'Tree across Pigeon Lake Rd.', location: { address: 'Pigeon Lake Rd. at Hwy 36' } }),
  );
  // Customer Service: a general inquiry received Wednesday, due today (3 business days).
  const inquiry = await recordContact(site, inquiryByPhone({ division: undefined, receivedAt: '2026-02-25T09:00', summary: 'Asks when the Lindsay pool reopens.' }));
  // Traffic: a streetlight, which Roads staff never see.
  const streetlight = await recordContact(site, potholeByPhone({ requestType: 'streetlight', attributes: {}, receivedAt: '2026-02-25T10:00', summary: 'Streetlight out on Kent St. W.' }));
  const swept = await sweep({ db: site.db, now: site.clock.now() });
  assert.ok(swept.escalations.some((e) => e.reference === tree), 'the tree is escalated to the Division Head');

  // Division staff: their division's work, most urgent first.
  const roads = await (await site.context()).newPage();
  await signInAs(roads, demo.roadsStaff);
  assert.equal(new URL(roads.url()).pathname, '/staff');
  assert.equal(await roads.getByRole('heading', { level: 1 }).innerText(), 'What needs you today');
  assert.match(await roads.locator('.lede').innerText(), /Monday 2 March 2026 for Roads Operations/);
  const rOverdue = section(roads, /^Acknowledgments overdue/);
  assert.match(await rOverdue.innerText(), new RegExp(overdue));
  assert.match(await rOverdue.innerText(), /Overdue/);
  assert.match(await rOverdue.innerText(), /Overdue by 2 days/);
  assert.match(await rOverdue.innerText(), new RegExp(tree));
  assert.equal(
    await rOverdue.getByRole('link', { name: /See all 2 in acknowledgments overdue/ }).getAttribute('href'),
    '/staff/queues/acknowledge-overdue?division=roads-operations',
  );
  const rToday = section(roads, /^Acknowledgments due today/);
  assert.match(await rToday.innerText(), new RegExp(dueToday));
  assert.match(await rToday.innerText(), /due in 6 hours 30 minutes/);
  assert.doesNotMatch(await roads.locator('main').innerText(), new RegExp(streetlight), 'a Traffic case is not on a Roads home page');
  assert.doesNotMatch(await roads.locator('main').innerText(), /Escalations assigned to you/, 'division staff have no escalations');
  await roads.getByRole('link', { name: new RegExp(`^${dueToday}`) }).first().waitFor();
  assert.equal(await roads.getByRole('link', { name: dueToday }).first().getAttribute('href'), `/staff/cases/${dueToday}`);
  await expectAccessible(roads, 'home for roads.staff');

  // The Division Head sees the escalation assigned to them.
  const head = await (await site.context()).newPage();
  await signInAs(head, demo.roadsHead);
  const escalations = section(head, /^Escalations assigned to you/);
  assert.match(await escalations.innerText(), new RegExp(tree));
  assert.match(await escalations.innerText(), /Level 1 \(Division Head\)/);
  assert.match(await escalations.innerText(), /Not reviewed yet/);

  // A Customer Service Representative: the Customer Service division's inquiries.
  const rep = await (await site.context()).newPage();
  await signInAs(rep, demo.csRep);
  assert.match(await section(rep, /^Acknowledgments due today/).innerText(), new RegExp(inquiry));
  assert.match(await rep.locator('.lede').innerText(), /for Customer Service/);
  // The tiles count each queue and link to it.
  const tile = rep.getByRole('navigation', { name: 'Queue counts' }).getByRole('link', { name: /Acknowledgments due today/ });
  assert.match(await tile.innerText(), /^1\s/);
  await expectAccessible(rep, 'home for cs.rep');

  // The Manager of Customer Service: the review list and the day's breaches across divisions.
  const manager = await (await site.context()).newPage();
  await signInAs(manager, demo.csManager);
  assert.match(await section(manager, /^Your review list/).innerText(), /None right now/);
  // Issue 18: the panel counts what is overdue now, not only what was first missed today.
  const breaches = section(manager, /^Overdue now across divisions/);
  const breachText = await breaches.innerText();
  assert.match(breachText, /Roads Operations\s+2\s+1/, 'two overdue now in Roads (the pothole missed on Friday and the tree), one of them first missed today');
  assert.match(breachText, new RegExp(`${overdue}[\\s\\S]*Acknowledgment overdue since Fri 27 Feb 2026, 4:30 pm[\\s\\S]*${tree}[\\s\\S]*Acknowledgment overdue since Mon 2 Mar 2026, 9:00 am`));
  assert.match(await section(manager, /^Open escalations/).innerText(), new RegExp(tree));
  await expectAccessible(manager, 'home for cs.manager');
  await screenshot(manager, 'console-home');

  // Working Group members have no queues: the page says so instead of failing.
  const group = await (await site.context()).newPage();
  await signInAs(group, demo.workingGroup);
  assert.match(await group.locator('main').innerText(), /case queues are for the staff who handle cases/);
});
