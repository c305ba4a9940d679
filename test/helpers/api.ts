/**
 * The staff API in a test: the app on a fresh database (seeded with the sample municipality and
 * its demo accounts), a clock the test moves, and a signed-in client per demo account.
 */
import type { FastifyInstance, InjectOptions } from 'fastify';
import { buildApp } from '../../src/server.js';
import { fixedClock, type Clock } from '../../src/platform/clock.js';
import type { Db } from '../../src/db/connect.js';
import type { TestEngine } from './db.js';
import { forgetSession, sessionToken } from './sessions.js';

export const demoPassword = 'citydesk-demo-2025';

/** The sample's demo accounts by what they are. */
export const demo = {
  csRep: 'cs.rep@kawarthalakes.example',
  csManager: 'cs.manager@kawarthalakes.example',
  roadsStaff: 'roads.staff@kawarthalakes.example',
  roadsHead: 'roads.head@kawarthalakes.example',
  trafficStaff: 'traffic.staff@kawarthalakes.example',
  trafficHead: 'traffic.head@kawarthalakes.example',
  worksDirector: 'works.director@kawarthalakes.example',
  engineeringDirector: 'engineering.director@kawarthalakes.example',
  cao: 'cao@kawarthalakes.example',
  workingGroup: 'working.group@kawarthalakes.example',
  admin: 'admin@kawarthalakes.example',
} as const;

export interface ApiResponse {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  headers: Record<string, unknown>;
}

export interface TestApi {
  app: FastifyInstance;
  db: Db;
  clock: ReturnType<typeof fixedClock>;
  /** A client signed in as the demo account. */
  as(email: string): Promise<Client>;
  close(): Promise<void>;
}

export interface Client {
  get(url: string): Promise<ApiResponse>;
  post(url: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse>;
  raw(options: InjectOptions): Promise<ApiResponse>;
}

export async function startApi(engine: TestEngine, now: string): Promise<TestApi> {
  const db = await engine.open({ seed: true });
  const clock = fixedClock(now);
  const app = await buildApp({ db, clock });
  return {
    app,
    db,
    clock,
    as: (email) => apiAs({ app, db, clock }, email),
    async close() {
      await app.close();
      await db.close();
    },
  };
}

/**
 * A client of the staff API signed in as `email` on any test app (startApi's, a browser site's):
 * one session per account and clock day, shared with the console and browser helpers (see
 * sessions.ts); a session signed out under the test (a 401) is replaced once. JSON answers come
 * back parsed.
 */
export async function apiAs(site: { app: FastifyInstance; db: Db; clock: Clock }, email: string): Promise<Client> {
  const send = async (options: InjectOptions): Promise<ApiResponse> => {
    const response = await site.app.inject(options);
    let body: unknown = response.body;
    try {
      body = response.body === '' ? undefined : JSON.parse(response.body);
    } catch {
      // Not JSON: keep the text.
    }
    return { status: response.statusCode, body, headers: response.headers };
  };
  await sessionToken(site, email);
  const call = async (options: InjectOptions): Promise<ApiResponse> => {
    const withToken = (token: string) => ({ ...options, headers: { authorization: `Bearer ${token}`, ...(options.headers ?? {}) } });
    const response = await send(withToken(await sessionToken(site, email)));
    if (response.status !== 401) return response;
    forgetSession(site, email);
    return send(withToken(await sessionToken(site, email)));
  };
  return {
    get: (url) => call({ method: 'GET', url }),
    post: (url, body, headers = {}) => call({ method: 'POST', url, payload: body as InjectOptions['payload'], headers }),
    raw: (options) => call(options),
  };
}

/** A phone report of a pothole, as a Customer Service representative records it. */
export function potholeByPhone(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: 'service_request',
    channel: 'phone',
    requestType: 'pothole',
    customer: { name: 'Dana Resident', email: 'dana@example.org', phone: '705-555-0142', preferredContact: 'email' },
    description: 'Deep pothole in the eastbound lane, about a metre from the curb.',
    summary: 'Pothole on Kent St. W. near Victoria Ave., eastbound lane.',
    summaryConfirmed: true,
    location: { address: '50 Kent St. W., Lindsay' },
    attributes: { road_class: '3' },
    ...overrides,
  };
}

export function inquiryByPhone(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: 'inquiry',
    channel: 'phone',
    division: 'revenue-taxation',
    customer: { name: 'Lee Taxpayer', phone: '705-555-0199', preferredContact: 'phone' },
    description: 'Asks why the interim tax bill is higher than last year.',
    summary: 'Question about the 2026 interim property tax bill amount.',
    summaryConfirmed: true,
    ...overrides,
  };
}
