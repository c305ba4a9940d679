import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { loadMunicipalityConfig } from '../../src/directory/municipality-config.js';
import { AppError } from '../../src/platform/errors.js';
import { configCopy } from '../helpers/config-dir.js';

function loadError(edits: Record<string, (text: string) => string>): AppError {
  const dir = configCopy(edits);
  try {
    loadMunicipalityConfig(dir);
  } catch (error) {
    assert.ok(error instanceof AppError);
    return error;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.fail('the broken configuration was accepted');
}

describe('the shipped municipality (SAMPLE-MUNICIPALITY.md)', () => {
  const config = loadMunicipalityConfig('config');

  test('has the Standard’s channels, numbers and four Service Centres (CSS §3.2)', () => {
    assert.deepEqual(config.channels.find((c) => c.code === 'phone')?.phones, ['705-324-9411', '1-888-822-2225']);
    assert.equal(config.channels.find((c) => c.code === 'email')?.email, 'inquiries@kawarthalakes.ca');
    assert.equal(config.channels.find((c) => c.code === 'web_portal')?.hours, 'always');
    assert.deepEqual(config.channels.find((c) => c.code === 'after_hours_emergency')?.phones, ['1-877-885-7337']);
    assert.equal(config.channels.find((c) => c.code === 'social_media')?.serviceRequests, false);
    assert.equal(config.emergency.phone, '911');
    assert.deepEqual(
      config.serviceCentres.map((c) => `${c.name}: ${c.address}`),
      [
        'Bobcaygeon Service Centre: 123 East St. S., Bobcaygeon',
        'Coboconk Service Centre: 9 Grandy Rd., Coboconk',
        'Lindsay Service Centre: 26 Francis St., Lindsay',
        'Omemee Service Centre: 1 King St. W., Omemee',
      ],
    );
  });

  test('administration hours are Monday to Friday, 08:30 to 16:30, in America/Toronto (INTERPRETATION §1)', () => {
    assert.deepEqual(config.calendar, { timeZone: 'America/Toronto', hours: { days: [1, 2, 3, 4, 5], opens: 510, closes: 990 } });
  });

  test('has the sample organization: six departments, nine divisions, the CAO office', () => {
    assert.equal(config.departments.length, 6);
    assert.equal(config.departments.flatMap((d) => d.divisions).length, 9);
    assert.equal(config.customerServiceDivision, 'customer-service');
    assert.equal(config.departments.find((d) => d.code === config.caoOffice)?.head, 'Chief Administrative Officer');
  });

  test('has the twelve sample request types with their Division Service Targets', () => {
    const table = Object.fromEntries(
      config.requestTypes.map((t) => [t.code, `${t.division} ${t.targets.acknowledge.amount} ${t.targets.acknowledge.unit} / ${t.targets.resolve.amount} ${t.targets.resolve.unit}`]),
    );
    assert.deepEqual(table, {
      pothole: 'roads-operations 2 business_days / 7 calendar_days',
      'sidewalk-hazard': 'roads-operations 2 business_days / 14 calendar_days',
      'road-sign': 'roads-operations 1 business_days / 10 business_days',
      'tree-on-road': 'roads-operations 2 hours / 24 hours',
      'dead-animal': 'roads-operations 1 business_days / 2 business_days',
      'missed-collection': 'environmental-services 1 business_days / 2 business_days',
      'bin-repair': 'environmental-services 2 business_days / 10 business_days',
      'water-main': 'water-wastewater 1 hours / 24 hours',
      streetlight: 'traffic-streetlights 2 business_days / 10 business_days',
      'property-standards': 'municipal-law-enforcement 2 business_days / 15 business_days',
      noise: 'municipal-law-enforcement 2 business_days / 10 business_days',
      'park-maintenance': 'parks-recreation-culture 3 business_days / 15 business_days',
    });
    assert.deepEqual(config.generalInquiry.acknowledge, { amount: 3, unit: 'business_days' });
  });
});

describe('a broken configuration fails with the file, the field and what is wrong', () => {
  test('a target that is not a number and a unit', () => {
    const error = loadError({ 'request-types.yaml': (t) => t.replace('resolve: 7 calendar days', 'resolve: 7 days') });
    assert.equal(error.code, 'CONFIG_INVALID');
    assert.match(error.message, /request-types\.yaml:\d+: requestTypes\[0\]\.resolve: "7 days" is not a target: write a whole number and a unit/);
  });

  test('a request type in a division that does not exist', () => {
    const error = loadError({ 'request-types.yaml': (t) => t.replace('division: traffic-streetlights', 'division: streetlights') });
    assert.match(error.message, /request-types\.yaml:\d+: requestTypes\[8\]\.division: "streetlights" is not a division in organization\.yaml/);
  });

  test('a misspelt setting', () => {
    const error = loadError({ 'municipality.yaml': (t) => t.replace('timeZone:', 'timezone:') });
    assert.match(error.message, /municipality\.yaml:\d+: timezone: is not a setting citydesk knows; did you mean timeZone\?/);
    assert.ok(error.details.some((d) => /timeZone: is required but missing/.test(d.message)));
  });

  test('administration hours that close before they open', () => {
    const error = loadError({ 'municipality.yaml': (t) => t.replace('closes: "16:30"', 'closes: "07:30"') });
    assert.match(error.message, /municipality\.yaml:\d+: administrationHours\.closes: closes \(07:30\) must be after opens \(08:30\)/);
  });

  test('an unknown time zone', () => {
    const error = loadError({ 'municipality.yaml': (t) => t.replace('America/Toronto', 'America/Lindsay') });
    assert.match(error.message, /timeZone: "America\/Lindsay" is not an IANA time zone/);
  });

  test('a holiday name the holiday data does not know', () => {
    const error = loadError({ 'closures.yaml': (t) => t.replace('- Civic Holiday', '- Simcoe Day') });
    assert.match(error.message, /closures\.yaml:\d+: include: "Simcoe Day" is not a holiday of CA-ON/);
  });

  test('targets chosen by a value the attribute does not have', () => {
    const error = loadError({ 'request-types.yaml': (t) => t.replace('"5": { resolve: 30 calendar days }', '"6": { resolve: 30 calendar days }') });
    assert.match(error.message, /requestTypes\[0\]\.targetsBy\.values\["6"\]: "6" is not a value of road_class/);
  });

  test('invalid YAML', () => {
    const error = loadError({ 'channels.yaml': (t) => t.replace('channels:', 'channels: [') });
    assert.match(error.message, /channels\.yaml:\d+: not valid YAML/);
  });

  test('a missing file', () => {
    const error = loadError({ 'organization.yaml': () => '' });
    assert.match(error.message, /organization\.yaml/);
  });

  test('social media offered as a service-request channel (CSS §3.2)', () => {
    const error = loadError({ 'channels.yaml': (t) => t.replace(/(code: social_media[\s\S]*?serviceRequests:) false/, '$1 true') });
    assert.match(error.message, /social media is not an official service-request channel/);
  });

  test('several problems are all listed, the first in the message', () => {
    const error = loadError({
      'request-types.yaml': (t) => t.replace('resolve: 7 calendar days', 'resolve: 7 days').replace('acknowledge: 3 business days', 'acknowledge: soon'),
    });
    assert.equal(error.details.length, 2);
    assert.match(error.message, /and 1 more problem/);
  });

  test('feedback.yaml: a survey timing that is not a target, a bad limit, a theme listed twice (issue 14)', () => {
    assert.match(loadError({ 'feedback.yaml': (t) => t.replace('inviteAfter: 2 business days', 'inviteAfter: soon') }).message, /feedback\.yaml:\d+: survey\.inviteAfter/);
    assert.match(loadError({ 'feedback.yaml': (t) => t.replace('linkExpiresDays: 30', 'linkExpiresDays: 0') }).message, /survey\.linkExpiresDays/);
    assert.match(loadError({ 'feedback.yaml': (t) => t.replace('code: policy', 'code: other') }).message, /theme "other" is listed twice/);
  });
});

describe('survey settings shipped and by default (issue 14)', () => {
  test('invite 2 business days after resolution, links for 30 days, once per customer per 30 days', () => {
    const dir = configCopy();
    try {
      const config = loadMunicipalityConfig(dir);
      assert.deepEqual(config.feedback.survey, { inviteAfter: { amount: 2, unit: 'business_days' }, linkExpiresDays: 30, oncePerDays: 30 });
      assert.ok(config.feedback.themes.some((t) => t.code === 'timeliness'));
      rmSync(`${dir}/feedback.yaml`);
      assert.deepEqual(loadMunicipalityConfig(dir).feedback.survey, config.feedback.survey);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
