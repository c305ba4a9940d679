import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { nameParts, personalDetailRedactor, publicWebAddress, redactContactDetails, removed } from '../../src/standard/redaction.js';

/**
 * Issue #11, finding 3: public texts carry no personal information in any common written form
 * (INTERPRETATION §9). Tables of the forms people write, and properties over generated ones.
 */

const customer = personalDetailRedactor({
  customerNames: ['Dana Quixote-Smithers'],
  customerEmails: ['dana.q@example.org'],
  customerPhones: ['705-555-0199'],
  staffNames: ['Riley Chen', 'Will Drew', 'Sam Patel'],
});

test('finding 3: phone numbers are taken out however they are written', () => {
  const forms = [
    '7055550199',
    '17055550199',
    '(705)5550199',
    '(705) 555-0199',
    '705-555-0199',
    '705.555.0199',
    '705 555 0199',
    '+1 705 555 0199',
    '+1-705-555-0199',
    '+17055550199',
    '1-705-555-0199',
    '705\u2010555\u20100199', // hyphen
    '705\u2011555\u20110199', // non-breaking hyphen
    '705\u2012555\u20120199', // figure dash
    '705\u2013555\u20130199', // en dash
    '705\u2014555\u20140199', // em dash
    '705\u2212555\u22120199', // minus
    '705\u00A0555\u00A00199', // no-break spaces
    '705 555 0199 ext. 42',
    '555-0199',
    '555 0123',
    '+44 20 7946 0958',
  ];
  for (const form of forms) {
    for (const around of [(p: string) => p, (p: string) => `Call ${p} after 5.`, (p: string) => `(${p})`, (p: string) => `tel:${p}`]) {
      const text = around(form);
      const out = redactContactDetails(text);
      assert.ok(out.includes(removed), `"${text}" → "${out}"`);
      assert.doesNotMatch(out, /\d{3}/, `"${text}" → "${out}" keeps digits`);
    }
  }
  // The customer's own number, by its digits, however it is split.
  assert.equal(customer('call 70 55 55 01 99'), `call ${removed}`);
  assert.equal(customer('5550199'), removed, 'the customer\u2019s own seven digits');
});

test('finding 3: dates, times, reference numbers, decimals, years and other figures are kept', () => {
  for (const text of [
    'SR-2026-000123',
    'GI-2026-000045 was answered.',
    'by 2026-11-25 16:30',
    '2026-11-25T16:30:00-05:00',
    'in 2026\u20132027',
    'lat 44.3500123, long -78.7400456',
    'pole KL-0042',
    'road class 3, 50 Kent St. W.',
    'address id 10023456',
    'between 8:30 and 4:30',
    'We will call you tomorrow.',
  ]) {
    assert.equal(customer(text), text, text);
  }
});

test('finding 3: e-mail addresses are taken out, also spelt out', () => {
  const forms = [
    'x@example.org',
    'first.last+tag@mail.example.co.uk',
    'x @ example.org',
    'x at example dot org',
    'x AT example DOT org',
    'x [at] example [dot] org',
    'x[at]example.org',
    'x (at) example (dot) org',
    'x{at}example{dot}org',
    'x <at> example <dot> org',
    'x\uFF20example.org',
    'x at mail dot example dot ca',
  ];
  for (const form of forms) {
    const out = redactContactDetails(`Write to ${form} please.`);
    assert.equal(out, `Write to ${removed} please.`, form);
  }
  // Ordinary words stay.
  for (const text of ['Meet at the park. Then call.', 'See details at kawarthalakes.ca/garbage', 'Look at it.', 'Done at 4 pm.']) assert.equal(redactContactDetails(text), text);
});

test('finding 3: each part of the customer\u2019s name is taken out in any case, and staff names as names', () => {
  assert.deepEqual(nameParts('Dana Quixote-Smithers').sort(), ['Dana', 'Dana Quixote-Smithers', 'Quixote', 'Quixote-Smithers', 'Smithers'].sort());
  assert.equal(customer('Thanks Smithers, and Dana.'), `Thanks ${removed}, and ${removed}.`);
  assert.equal(customer('QUIXOTE called; smithers too'), `${removed} called; ${removed} too`);
  assert.equal(customer('Dana Quixote\u2013Smithers'), `${removed} ${removed}\u2013${removed}`);
  assert.equal(customer('Riley will call; Sam and Chen too.'), `${removed} will call; ${removed} and ${removed} too.`);
  assert.equal(customer('riley chen'), removed, 'a whole staff name in any case');
  assert.equal(customer('The crew will fill it; it drew a crowd.'), 'The crew will fill it; it drew a crowd.', 'the verbs "will" and "drew" stay');
  assert.equal(customer('Will Drew called.'), `${removed} called.`);
  assert.equal(customer('Will called, then Drew.'), `${removed} called, then ${removed}.`);
  assert.equal(customer('Mail dana.q@example.org or Dana.Q@Example.org'), `Mail ${removed} or ${removed}`);
});

test('finding 3: a web address with personal details in it is not shown at all', () => {
  assert.equal(publicWebAddress('https://photos.example/p/1234.jpg', customer), 'https://photos.example/p/1234.jpg');
  assert.equal(publicWebAddress('https://photos.example/IMG_20261125.jpg', customer), 'https://photos.example/IMG_20261125.jpg');
  assert.equal(publicWebAddress('https://photos.example/u/someone@example.net/p.jpg', customer), null);
  assert.equal(publicWebAddress('https://photos.example/u/someone%40example.net/p.jpg', customer), null);
  assert.equal(publicWebAddress('https://photos.example/Dana-Smithers.jpg', customer), null);
  assert.equal(publicWebAddress('https://photos.example/?tel=7055550142', customer), null);
});

const separatorChars = [' ', '-', '.', '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2212', '\u00A0', ''];

test('finding 3 (property): a North American number with any separators and prefix never leaves three of its digits together', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 200, max: 999 }),
      fc.integer({ min: 200, max: 999 }),
      fc.integer({ min: 0, max: 9999 }),
      fc.constantFrom(...separatorChars),
      fc.constantFrom(...separatorChars),
      fc.constantFrom('', '+1 ', '1-', '+1', '('),
      fc.constantFrom('', 'Call ', 'my number is ', 'Tel: ', 'phone='),
      fc.constantFrom('', '.', ' today', ', thanks', ' ext 12'),
      (area, exchange, line, a, b, prefix, before, after) => {
        const areaText = prefix === '(' ? `(${area})` : `${prefix}${area}`;
        const text = `${before}${areaText}${a}${exchange}${b}${String(line).padStart(4, '0')}${after}`;
        const out = redactContactDetails(text);
        assert.ok(!/\d{3}/.test(out.replace(/ext \d+/, '')), `"${text}" → "${out}"`);
      },
    ),
    { numRuns: 500 },
  );
});

test('finding 3 (property): any e-mail address, plain or spelt out, is taken out whole', () => {
  const word = fc.stringMatching(/^[a-z][a-z0-9]{0,9}$/);
  fc.assert(
    fc.property(
      word,
      word,
      fc.constantFrom('org', 'ca', 'com', 'net'),
      fc.constantFrom(['@', '.'], [' at ', ' dot '], [' [at] ', ' [dot] '], ['(at)', '(dot)'], [' @ ', '.'], ['[at]', '.']),
      (user, domain, tld, [at, dot]) => {
        const address = `${user}${at}${domain}${dot}${tld}`;
        const out = redactContactDetails(`Reply to ${address} soon`);
        assert.equal(out, `Reply to ${removed} soon`, address);
      },
    ),
    { numRuns: 500 },
  );
});

test('finding 3 (property): every part of a generated customer name is taken out wherever it appears', () => {
  const part = fc.stringMatching(/^[A-Z][a-z]{2,9}$/);
  fc.assert(
    fc.property(part, part, part, fc.constantFrom('-', ' ', '\u2010'), (first, last1, last2, join) => {
      const name = `${first} ${last1}${join}${last2}`;
      const redact = personalDetailRedactor({ customerNames: [name] });
      for (const shown of [first, last1, last2, first.toLowerCase(), last2.toUpperCase()]) {
        const out = redact(`Note from ${shown}.`);
        assert.equal(out, `Note from ${removed}.`, `${name}: ${shown}`);
      }
    }),
    { numRuns: 300 },
  );
});
