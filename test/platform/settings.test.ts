import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { readSettings } from '../../src/platform/config.js';
import { AppError } from '../../src/platform/errors.js';

describe('settings are read once from the environment and a bad one is named', () => {
  test('the defaults run on the embedded database at localhost:3000', () => {
    assert.deepEqual(readSettings({}), {
      port: 3000,
      host: 'localhost',
      databaseUrl: undefined,
      dataDir: resolve('data'),
      configDir: resolve('config'),
      smtpUrl: undefined,
      logLevel: 'info',
      trustProxy: false,
      imap: undefined,
      publicUrl: 'http://localhost:3000',
      surveyLinkSecret: undefined,
      chromiumPath: '/usr/bin/chromium',
    });
  });

  test('CHROMIUM_PATH names the Chromium that prints reports to PDF (CSS §6.3); empty means the default', () => {
    assert.equal(readSettings({ CHROMIUM_PATH: '/opt/chromium/chrome' }).chromiumPath, '/opt/chromium/chrome');
    assert.equal(readSettings({ CHROMIUM_PATH: '' }).chromiumPath, '/usr/bin/chromium');
  });

  test('survey links: PUBLIC_URL must be a web address and SURVEY_LINK_SECRET at least 32 characters (issue 14)', () => {
    assert.equal(readSettings({ PUBLIC_URL: 'https://service.example.ca/' }).publicUrl, 'https://service.example.ca');
    assert.throws(() => readSettings({ PUBLIC_URL: 'service.example.ca' }), /PUBLIC_URL.*use the portal's address/);
    assert.throws(() => readSettings({ SURVEY_LINK_SECRET: 'short' }), (error: Error) => /SURVEY_LINK_SECRET.*at least 32/.test(error.message) && !error.message.includes('short'));
  });

  test('an empty setting is treated as absent', () => {
    assert.equal(readSettings({ DATABASE_URL: '', PORT: ' ' }).databaseUrl, undefined);
  });

  const bad: [Record<string, string>, RegExp][] = [
    [{ PORT: 'eighty' }, /^Setting PORT="eighty" is not valid: use a whole number from 1 to 65535/],
    [{ PORT: '70000' }, /^Setting PORT="70000"/],
    [{ DATABASE_URL: 'mysql://localhost/x' }, /^Setting DATABASE_URL="mysql:\/\/localhost\/x" is not valid: use postgres:\/\//],
    [{ DATABASE_URL: 'not a url' }, /^Setting DATABASE_URL=/],
    [{ SMTP_URL: 'http://mail' }, /^Setting SMTP_URL=.* use smtp:\/\//],
    [{ LOG_LEVEL: 'loud' }, /^Setting LOG_LEVEL="loud"/],
    [{ IMAP_URL: 'pop3://mail.example.ca' }, /^Setting IMAP_URL=.* use imaps:\/\/user:password@host:993\/INBOX/],
    [{ IMAP_URL: 'imaps://mail.example.ca/INBOX' }, /^Setting IMAP_URL=.* use imaps:\/\//],
    [{ IMAP_URL: 'imaps://u:p@mail.example.ca/INBOX?auth=kerberos' }, /auth= takes password or oauth2/],
    [{ IMAP_URL: 'imaps://u:p@mail.example.ca/INBOX?folder=x' }, /"folder" is not an option/],
    [{ IMAP_URL: 'imaps://u:p@mail.example.ca', IMAP_POLL_SECONDS: 'often' }, /^Setting IMAP_POLL_SECONDS="often"/],
    [{ TRUST_PROXY: 'the load balancer' }, /^Setting TRUST_PROXY="the load balancer" is not valid: use true, a number of proxy hops/],
  ];
  for (const [env, message] of bad) {
    test(`${Object.keys(env)[0]}=${Object.values(env)[0]} is refused`, () => {
      assert.throws(() => readSettings(env), (error: unknown) => error instanceof AppError && error.code === 'CONFIG_INVALID' && message.test(error.message));
    });
  }

  test('TRUST_PROXY names which proxies to believe: none by default, all, a hop count or addresses', () => {
    assert.equal(readSettings({}).trustProxy, false);
    assert.equal(readSettings({ TRUST_PROXY: 'true' }).trustProxy, true);
    assert.equal(readSettings({ TRUST_PROXY: '1' }).trustProxy, 1);
    assert.deepEqual(readSettings({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).trustProxy, ['10.0.0.0/8', '127.0.0.1']);
  });

  test('IMAP_URL names the mailbox to read: TLS or STARTTLS, a password or an OAuth2 token, flag or move taken mail', () => {
    assert.deepEqual(readSettings({ IMAP_URL: 'imaps://inquiries%40city.ca:s%3Acret@mail.city.ca/Inbox%2FCitizens?move=Taken' }).imap, {
      host: 'mail.city.ca',
      port: 993,
      secure: true,
      user: 'inquiries@city.ca',
      secret: 's:cret',
      auth: 'password',
      mailbox: 'Inbox/Citizens',
      moveTo: 'Taken',
      pollSeconds: 60,
      display: 'imaps://inquiries%40city.ca:*****@mail.city.ca/Inbox%2FCitizens?move=Taken',
    });
    const oauth = readSettings({ IMAP_URL: 'imap://me:ya29.token@127.0.0.1?auth=oauth2', IMAP_POLL_SECONDS: '15' }).imap!;
    assert.deepEqual([oauth.secure, oauth.port, oauth.auth, oauth.secret, oauth.mailbox, oauth.moveTo, oauth.pollSeconds], [false, 143, 'oauth2', 'ya29.token', 'INBOX', undefined, 15]);
    assert.throws(() => readSettings({ IMAP_URL: 'pop3://u:hunter2@mail' }), (error: unknown) => !(error as Error).message.includes('hunter2'));
  });

  test('a password in a bad URL is never shown', () => {
    assert.throws(() => readSettings({ DATABASE_URL: 'mysql://u:hunter2@db/x' }), (error: unknown) => !(error as Error).message.includes('hunter2'));
  });
});
