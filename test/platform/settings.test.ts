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
    });
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

  test('a password in a bad URL is never shown', () => {
    assert.throws(() => readSettings({ DATABASE_URL: 'mysql://u:hunter2@db/x' }), (error: unknown) => !(error as Error).message.includes('hunter2'));
  });
});
