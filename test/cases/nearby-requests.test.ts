import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { testEngines } from '../helpers/db.js';
import { demo, potholeByPhone, startApi, type Client, type TestApi } from '../helpers/api.js';
import { findNearbyOpenRequests } from '../../src/cases/find-cases.js';
import { createApiKey } from '../../src/open311/api-keys.js';
import { DirectoryCache } from '../../src/directory/directory-cache.js';

/**
 * Issue 19: "already reported?" and the municipal boundary. The one nearby query (staff intake and
 * the portal) finds the open requests of the same type within the type's radius and none outside
 * it, on both engines; a point outside the City is refused on every channel.
 */

// A place in Lindsay, and points so many metres north and east of it on the sphere the query uses.
const origin = { latitude: 44.35, longitude: -78.74 };
const metresPerDegree = (6_371_000 * Math.PI) / 180;
const offset = (north: number, east: number) => ({
  latitude: origin.latitude + north / metresPerDegree,
  longitude: origin.longitude + east / (metresPerDegree * Math.cos((origin.latitude * Math.PI) / 180)),
});

// [label, metres north, metres east, request type, found within pothole's 50 m?]
const points: [string, number, number, string, boolean][] = [
  ['the same point', 0, 0, 'pothole', true],
  ['10 m north', 10, 0, 'pothole', true],
  ['49 m north', 49, 0, 'pothole', true],
  ['51 m north', 51, 0, 'pothole', false],
  ['49 m west', 0, -49, 'pothole', true],
  ['52 m east', 0, 52, 'pothole', false],
  ['35 m north-east (49.5 m)', 35, 35, 'pothole', true],
  ['36 m south-west (50.9 m)', -36, -36, 'pothole', false],
  ['120 m south', -120, 0, 'pothole', false],
  ['a streetlight 5 m away', 5, 0, 'streetlight', false],
];

for (const engine of testEngines()) {
  describe(`nearby open requests and the City's boundary (${engine.name})`, () => {
    let api: TestApi;
    let cs: Client;
    const references = new Map<string, string>();

    before(async () => {
      api = await startApi(engine, '2026-03-02T10:00:00-05:00');
      cs = await api.as(demo.csRep);
      for (const [label, north, east, type] of points) {
        const response = await cs.post(
          '/api/v1/cases',
          potholeByPhone({ requestType: type, attributes: {}, summary: `Report ${label}`, location: offset(north, east), customer: { name: 'Dana Resident', phone: '705-555-0142', preferredContact: 'phone' } }),
        );
        assert.equal(response.status, 201, JSON.stringify(response.body));
        references.set(label, response.body.case.reference);
      }
    });
    after(() => api.close());

    test('the pothole radius is the one config/request-types.yaml gives (50 m)', async () => {
      const directory = await new DirectoryCache(api.db, api.clock).get();
      assert.equal(directory.nearbyMetres('pothole'), 50);
      assert.equal(directory.nearbyMetres('water-main'), 200);
    });

    test('finds the open potholes within 50 m of the point and none outside it, nearest first', async () => {
      const directory = await new DirectoryCache(api.db, api.clock).get();
      const found = await findNearbyOpenRequests(api.db.kysely, { staff: null, calendar: directory.calendar }, { requestType: 'pothole', ...origin, radiusMetres: 50 }, 20);
      const expected = points.filter((p) => p[4]).map((p) => references.get(p[0]));
      assert.deepEqual(new Set(found.map((f) => f.reference)), new Set(expected));
      for (const [label, , , , inside] of points) {
        assert.equal(found.some((f) => f.reference === references.get(label)), inside, `${label}: ${inside ? 'within' : 'outside'} 50 m`);
      }
      const metres = found.map((f) => f.metres!);
      assert.deepEqual(metres, [...metres].sort((a, b) => a - b));
      assert.equal(metres[0], 0);
      assert.ok(metres.every((m) => m <= 50));
    });

    test('a wider radius takes in the farther ones; a radius of 1 m only the same point', async () => {
      const directory = await new DirectoryCache(api.db, api.clock).get();
      const context = { staff: null, calendar: directory.calendar };
      const wide = await findNearbyOpenRequests(api.db.kysely, context, { requestType: 'pothole', ...origin, radiusMetres: 130 }, 20);
      assert.equal(wide.length, points.filter((p) => p[3] === 'pothole').length);
      const tight = await findNearbyOpenRequests(api.db.kysely, context, { requestType: 'pothole', ...origin, radiusMetres: 1 }, 20);
      assert.deepEqual(
        tight.map((f) => f.reference),
        [references.get('the same point')],
      );
    });

    test('a point outside the City of Kawartha Lakes is refused through the staff API and Open311 (GeoReport v2 error), with what to do', async () => {
      const toronto = { latitude: 43.6532, longitude: -79.3832 };
      const refused = await cs.post('/api/v1/cases', potholeByPhone({ location: toronto }));
      assert.equal(refused.status, 400);
      assert.equal(refused.body.error.code, 'VALIDATION_FAILED');
      assert.match(refused.body.error.message, /outside the City of Kawartha Lakes.*Move the marker, or check the latitude and longitude/);

      const { key } = await createApiKey({ tx: api.db.kysely, name: 'Boundary client', now: api.clock.now() });
      const open311 = await api.app.inject({
        method: 'POST',
        url: '/open311/v2/requests.json',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ api_key: key, service_code: 'pothole', lat: String(toronto.latitude), long: String(toronto.longitude), description: 'A pothole' }).toString(),
        remoteAddress: '10.19.0.1',
      });
      assert.equal(open311.statusCode, 400, open311.body);
      const errors = JSON.parse(open311.body) as { code: number; description: string }[];
      assert.equal(errors[0]!.code, 400);
      assert.match(errors[0]!.description, /outside the City of Kawartha Lakes/);

      const inside = await cs.post('/api/v1/cases', potholeByPhone({ location: { latitude: 44.5392, longitude: -78.5497 } }));
      assert.equal(inside.status, 201, 'Bobcaygeon is inside');
    });
  });
}
