import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { testEngines } from '../helpers/db.js';
import { demo, startApi, type TestApi } from '../helpers/api.js';
import { consoleAs, type ConsoleClient } from '../helpers/console.js';
import { gpsCamera, hasExif, jpegWithGps, multipartBody } from '../helpers/photos.js';
import { readStoredFile } from '../../src/files/file-store.js';
import { discardUnsentPhotos, heicReadable } from '../../src/cases/case-photos.js';

/**
 * Photos and moderation on the portal without a browser (issue 19): what is stored and served,
 * byte for byte, and what each public surface (tracking page, Open311) shows before and after
 * staff moderate a report. The browser walk is in resident-side-browser.test.ts.
 */

const secret = 'the man at 12 Elm Street dumps his trash here every night';
const reportFields = (key: string): Record<string, string> => ({
  type: 'pothole',
  key,
  'attribute[road_class]': '3',
  address: '50 Kent St. W., Lindsay',
  latitude: '',
  longitude: '',
  description: `Deep pothole by the laneway; ${secret}.`,
  name: '',
  email: '',
  phone: '',
  contact: '',
  website: '',
});

for (const engine of testEngines()) {
  describe(`report photos and moderation on ${engine.name}`, () => {
    let api: TestApi;
    let roads: ConsoleClient;
    let reference = '';
    let photoId = 0;
    before(async () => {
      api = await startApi(engine, '2026-03-02T10:00:00-05:00');
      roads = await consoleAs(api, demo.roadsStaff);
    });
    after(() => api.close());

    const html = async (url: string) => {
      const r = await api.app.inject({ method: 'GET', url, headers: { accept: 'text/html' } });
      return { status: r.statusCode, body: r.body };
    };
    const open311 = async (extensions: boolean) => {
      const r = await api.app.inject({ method: 'GET', url: `/open311/v2/requests.json?service_request_id=${reference}${extensions ? '&extensions=true' : ''}` });
      assert.equal(r.statusCode, 200, r.body);
      return { raw: r.body, request: JSON.parse(r.body)[0] as Record<string, unknown> };
    };

    test('a photo with GPS EXIF is kept and served without any location or camera data; a .jpg that is not an image and an oversized one are refused in words', async () => {
      const start = await html('/report?type=pothole');
      assert.match(start.body, /enctype="multipart\/form-data"/);
      const key = /name="key" value="([0-9a-f-]{36})"/.exec(start.body)![1]!;
      const original = await jpegWithGps();
      assert.ok(hasExif(original) && original.includes(Buffer.from(gpsCamera)), 'the test photo carries EXIF with GPS and the camera');

      const { payload, contentType } = await multipartBody(reportFields(key), [
        { name: 'photos', filename: 'pothole.jpg', type: 'image/jpeg', content: original },
        { name: 'photos', filename: 'invoice.jpg', type: 'image/jpeg', content: Buffer.from('%PDF-1.4 this is not a photo at all\n'.repeat(20)) },
        { name: 'photos', filename: 'huge.jpg', type: 'image/jpeg', content: Buffer.concat([original.subarray(0, 4), Buffer.alloc(11 * 1024 * 1024, 7)]) },
      ]);
      const check = await api.app.inject({ method: 'POST', url: '/report/check', payload, headers: { 'content-type': contentType, accept: 'text/html' } });
      assert.equal(check.statusCode, 400);
      assert.match(check.body, /There is a problem/);
      assert.match(check.body, /&quot;invoice\.jpg&quot; is not a photo we can take\. Choose a JPEG, PNG or WebP image\./);
      assert.match(check.body, /&quot;huge\.jpg&quot; is larger than 10 MB\. Choose a smaller photo/);
      assert.match(check.body, /Photo 1 you attached/, 'the good photo is kept with the form and shown');
      assert.match(check.body, new RegExp(`value="${key}"`), 'the same form, with its answers');

      // Continue with the photo kept: the check page reads it back; then send.
      const again = await multipartBody(reportFields(key), []);
      const checked = await api.app.inject({ method: 'POST', url: '/report/check', payload: again.payload, headers: { 'content-type': again.contentType } });
      assert.equal(checked.statusCode, 200, checked.body);
      assert.match(checked.body, /Check your answers before sending/);
      const formPhoto = /src="(\/report\/photos\/[^"]+)"/.exec(checked.body)![1]!;
      const sent = await api.app.inject({ method: 'POST', url: '/report/send', payload: new URLSearchParams(reportFields(key)).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assert.equal(sent.statusCode, 303, sent.body);
      reference = /SR-\d{4}-\d+/.exec(String(sent.headers.location))![0];

      const rows = await api.db.kysely
        .selectFrom('case_photo as p')
        .innerJoin('service_case as c', 'c.id', 'p.case_id')
        .select(['p.id', 'p.file_id', 'p.width', 'p.height', 'p.public_state'])
        .where('c.reference', '=', reference)
        .execute();
      assert.equal(rows.length, 1, 'only the good photo belongs to the report');
      photoId = Number(rows[0]!.id);
      assert.equal(rows[0]!.public_state, 'pending');
      assert.deepEqual([rows[0]!.width, rows[0]!.height], [1600, 1200], 'resized to 1600 pixels on its longest side');
      const stored = (await readStoredFile(api.db.kysely, rows[0]!.file_id))!.content;
      assert.equal(hasExif(stored), false, 'no EXIF in the stored bytes');
      assert.equal(stored.includes(Buffer.from(gpsCamera)), false, 'no camera make in the stored bytes');
      assert.equal((await sharp(stored).metadata()).exif, undefined);
      assert.equal(Number((await api.db.kysely.selectFrom('stored_file').select((eb) => eb.fn.countAll<string>().as('n')).where('purpose', '=', 'photo').executeTakeFirstOrThrow()).n), 1, 'the refused files were never stored');

      // The resident's own form shows it; the public does not see it before staff allow it.
      const own = await api.app.inject({ method: 'GET', url: formPhoto });
      assert.equal(own.statusCode, 200);
      assert.equal(hasExif(own.rawPayload), false);
      assert.equal((await api.app.inject({ method: 'GET', url: `/photos/${photoId}.jpg` })).statusCode, 404);
      assert.doesNotMatch((await html(`/track/${reference}`)).body, /\/photos\//);
      assert.equal((await open311(false)).request['media_url'], null);
    });

    test('staff see the photo on the case page and show it; then the tracking page and Open311 media_url link to the stripped bytes', async () => {
      const page = await roads.get(`/staff/cases/${reference}`);
      assert.equal(page.status, 200);
      assert.match(page.body, /What the public sees/);
      assert.match(page.body, /Not shown yet/);
      const staffPhoto = await roads.get(`/staff/cases/${reference}/photos/${photoId}.jpg`);
      assert.equal(staffPhoto.status, 200);
      // Staff of another division cannot open it.
      const traffic = await consoleAs(api, demo.trafficStaff);
      assert.equal((await traffic.get(`/staff/cases/${reference}/photos/${photoId}.jpg`)).status, 404);
      assert.equal((await traffic.post(`/staff/cases/${reference}/moderation/photo`, { 'photo.photoId': String(photoId), 'photo.state': 'shown', 'photo.reason': '' })).status, 404);

      const hideWithout = await roads.post(`/staff/cases/${reference}/moderation/photo`, { 'photo.photoId': String(photoId), 'photo.state': 'hidden', 'photo.reason': '' });
      assert.equal(hideWithout.status, 400);
      assert.match(hideWithout.body, /Give the reason for the change/);

      const shown = await roads.post(`/staff/cases/${reference}/moderation/photo`, { 'photo.photoId': String(photoId), 'photo.state': 'shown', 'photo.reason': '' });
      assert.equal(shown.status, 303);
      const served = await api.app.inject({ method: 'GET', url: `/photos/${photoId}.jpg` });
      assert.equal(served.statusCode, 200);
      assert.equal(served.headers['content-type'], 'image/jpeg');
      assert.equal(hasExif(served.rawPayload), false, 'no EXIF in the served bytes');
      assert.equal(served.rawPayload.includes(Buffer.from(gpsCamera)), false);
      assert.match((await html(`/track/${reference}`)).body, new RegExp(`src="/photos/${photoId}\\.jpg"`));
      assert.match(String((await open311(false)).request['media_url']), new RegExp(`^http://[^/]+/photos/${photoId}\\.jpg$`));

      await roads.post(`/staff/cases/${reference}/moderation/photo`, { 'photo.photoId': String(photoId), 'photo.state': 'hidden', 'photo.reason': 'Shows a car number plate' });
      assert.equal((await api.app.inject({ method: 'GET', url: `/photos/${photoId}.jpg` })).statusCode, 404, 'hidden again: gone from the public');
      assert.equal((await open311(false)).request['media_url'], null);
    });

    test('moderated text never appears on a public surface: the tracking page and Open311 show the redacted or no description; staff keep the original and the audit', async () => {
      const withoutReason = await roads.post(`/staff/cases/${reference}/moderation/description`, { 'moderate.action': 'redacted', 'moderate.publicText': 'Deep pothole by the laneway.', 'moderate.reason': '' });
      assert.equal(withoutReason.status, 400);
      assert.match(withoutReason.body, /Give the reason for the change: it is kept with the case\./);
      assert.match((await html(`/track/${reference}`)).body, /12 Elm Street/, 'nothing changed yet');

      const redacted = await roads.post(`/staff/cases/${reference}/moderation/description`, {
        'moderate.action': 'redacted',
        'moderate.publicText': 'Deep pothole by the laneway. [Removed by the City]',
        'moderate.reason': 'Accuses a neighbour by address',
      });
      assert.equal(redacted.status, 303);
      const track = await html(`/track/${reference}`);
      assert.match(track.body, /Deep pothole by the laneway\. \[Removed by the City\]/);
      assert.doesNotMatch(track.body, /Elm Street/);
      for (const extensions of [false, true]) {
        const { raw, request } = await open311(extensions);
        assert.equal(request['description'], 'Deep pothole by the laneway. [Removed by the City]');
        assert.doesNotMatch(raw, /Elm Street/);
      }
      const updates = await api.app.inject({ method: 'GET', url: '/open311/v2/servicerequestupdates.json' });
      assert.doesNotMatch(updates.body, /Elm Street/);

      const staffPage = await roads.get(`/staff/cases/${reference}`);
      assert.match(staffPage.body, /12 Elm Street/, 'staff keep the resident\'s words');
      assert.match(staffPage.body, /Redacted/);
      const event = await api.db.kysely
        .selectFrom('case_event as e')
        .innerJoin('service_case as c', 'c.id', 'e.case_id')
        .select(['e.data', 'e.actor_label'])
        .where('c.reference', '=', reference)
        .where('e.type', '=', 'moderated')
        .where(({ ref }) => ref('e.data', '->>').key('target'), '=', 'description')
        .executeTakeFirstOrThrow();
      assert.equal(event.data['reason'], 'Accuses a neighbour by address');
      assert.match(event.actor_label, /roads\.staff@/);

      await roads.post(`/staff/cases/${reference}/moderation/description`, { 'moderate.action': 'hidden', 'moderate.publicText': '', 'moderate.reason': 'Still identifies the neighbour' });
      assert.match((await html(`/track/${reference}`)).body, /The City does not show this description publicly\./);
      assert.equal((await open311(true)).request['description'], null);
      assert.doesNotMatch((await open311(true)).raw, /laneway/);
    });

    test('photos of a form never sent are discarded with their files after a day; a report\'s photos stay', async () => {
      const start = await html('/report?type=pothole');
      const key = /name="key" value="([0-9a-f-]{36})"/.exec(start.body)![1]!;
      const { payload, contentType } = await multipartBody(reportFields(key), [{ name: 'photos', filename: 'left.jpg', type: 'image/jpeg', content: await jpegWithGps() }]);
      assert.equal((await api.app.inject({ method: 'POST', url: '/report/check', payload, headers: { 'content-type': contentType } })).statusCode, 200);
      const photos = () => api.db.kysely.selectFrom('case_photo').select(['id', 'case_id', 'file_id']).execute();
      assert.equal((await photos()).length, 2);
      assert.equal(await discardUnsentPhotos(api.db, new Date(api.clock.now().getTime() + 23 * 3_600_000)), 0, 'kept within the day');
      assert.equal(await discardUnsentPhotos(api.db, new Date(api.clock.now().getTime() + 25 * 3_600_000)), 1);
      const left = await photos();
      assert.deepEqual(left.map((p) => Number(p.id)), [photoId], "only the report's photo is left");
      assert.ok(await readStoredFile(api.db.kysely, left[0]!.file_id));
      assert.equal(Number((await api.db.kysely.selectFrom('stored_file').select((eb) => eb.fn.countAll<string>().as('n')).where('purpose', '=', 'photo').executeTakeFirstOrThrow()).n), 1);
    });

    test('a HEIC photo (the iPhone camera\'s format) is known by its bytes, whatever its name, and refused in words that say which formats are taken and how to change the iPhone\'s setting', async () => {
      // sharp's prebuilt library reads HEIF only with AV1 (AVIF), not HEVC: HEIC is refused, not half-read.
      assert.equal(heicReadable, false, 'this sharp build has no HEVC decoder');
      const key = /name="key" value="([0-9a-f-]{36})"/.exec((await html('/report?type=pothole')).body)![1]!;
      // The opening of an iPhone HEIC file: an "ftyp" box of brand heic (compatible mif1, miaf, heic), then its "meta" box.
      const ftyp = Buffer.concat([Buffer.from([0, 0, 0, 0x1c]), Buffer.from('ftypheic', 'latin1'), Buffer.alloc(4), Buffer.from('mif1miafheic', 'latin1')]);
      const heic = Buffer.concat([ftyp, Buffer.from([0, 0, 0x01, 0x00]), Buffer.from('meta', 'latin1'), Buffer.alloc(252, 0x11)]);
      const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#336699' } }).png().toBuffer();
      const before = Number((await api.db.kysely.selectFrom('stored_file').select((eb) => eb.fn.countAll<string>().as('n')).where('purpose', '=', 'photo').executeTakeFirstOrThrow()).n);
      const { payload, contentType } = await multipartBody(reportFields(key), [
        { name: 'photos', filename: 'IMG_0412.HEIC', type: 'image/heic', content: heic },
        { name: 'photos', filename: 'IMG_0413.jpg', type: 'image/jpeg', content: heic },
        { name: 'photos', filename: 'IMG_0414.heic', type: 'image/heic', content: png },
      ]);
      const check = await api.app.inject({ method: 'POST', url: '/report/check', payload, headers: { 'content-type': contentType, accept: 'text/html' } });
      assert.equal(check.statusCode, 400);
      const words = (name: string) =>
        `"${name}" is a HEIC photo, the iPhone camera's own format, which we cannot take. Choose a JPEG, PNG or WebP image. On an iPhone, choose the photo from your Photo Library on this page (Safari sends it as a JPEG), or set Settings > Camera > Formats to "Most Compatible" so that new photos are taken as JPEG.`;
      const body = check.body.replace(/&quot;/g, '"').replace(/&#39;|&#x27;/g, "'").replace(/&gt;/g, '>').replace(/&amp;/g, '&');
      assert.ok(body.includes(words('IMG_0412.HEIC')), 'the HEIC file is named and refused in words');
      assert.ok(body.includes(words('IMG_0413.jpg')), 'a HEIC named .jpg is known by its bytes');
      assert.match(check.body, /Photo 1 you attached/, 'a PNG named .heic is a PNG: taken');
      const after = Number((await api.db.kysely.selectFrom('stored_file').select((eb) => eb.fn.countAll<string>().as('n')).where('purpose', '=', 'photo').executeTakeFirstOrThrow()).n);
      assert.equal(after, before + 1, 'only the PNG was stored');
    });
  });
}
