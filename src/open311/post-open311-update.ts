import { sql } from 'kysely';
import type { CaseServices } from '../cases/case-services.js';
import { checkReference } from '../cases/case-record.js';
import { checkText, optionalDateTime, optionalText, type Arguments } from './open311-arguments.js';
import { badRequest, notFound } from './open311-errors.js';
import { asksToReopen, postedStatuses, type PostedStatus } from './open311-update-status.js';
import { descriptionLimit, readMediaUrls } from './submit-open311-request.js';

/**
 * POST servicerequestupdates (the mySociety extension): a resident's update sent by an Open311
 * client (FixMyStreet) becomes a customer message on the case, which staff see on its timeline.
 * "Not fixed" on a resolved request (OPEN or REOPEN) puts it before the responsible division to
 * reopen or answer. The same update_id from the same client is one update: sent again, the first
 * one's id comes back and nothing more is recorded. The answer is the update's id at citydesk.
 */
export async function postOpen311Update(options: { services: CaseServices; args: Arguments; key: { id: number; name: string } }): Promise<{ update_id: string }> {
  const { services, args, key } = options;
  const directory = await services.directory.get();
  const zone = directory.calendar.timeZone;

  const reference = optionalText(args, 'service_request_id', 40);
  if (reference === undefined) throw badRequest('service_request_id is required: the request this update is about.');
  const updateId = optionalText(args, 'update_id', 200) ?? optionalText(args, 'update_id_ext', 200);
  if (updateId === undefined) throw badRequest('update_id is required: your own id for this update, so that sending it again records it once.');
  const statusText = optionalText(args, 'status', 40);
  if (statusText === undefined) throw badRequest(`status is required: one of ${postedStatuses.join(', ')}.`);
  const status = statusText.toUpperCase() as PostedStatus;
  if (!postedStatuses.includes(status)) throw badRequest(`status "${statusText.slice(0, 40)}" is not one of ${postedStatuses.join(', ')}.`);
  const updatedAt = optionalDateTime(args, 'updated_datetime', zone);
  if (updatedAt === undefined) throw badRequest('updated_datetime is required: when the resident wrote the update, e.g. 2026-11-23T10:15:00-05:00.');
  const rawDescription = args['description'];
  if (rawDescription === undefined || rawDescription === null) throw badRequest('description is required: the text of the update (it may be empty when only a photo is sent).');
  if (typeof rawDescription !== 'string') throw badRequest('description must be given once, as text.');
  checkText('description', rawDescription);
  const description = rawDescription.trim();
  if (description.length > descriptionLimit) throw badRequest(`description is too long: at most 4,000 characters (it has ${description.length.toLocaleString('en-CA')}).`);
  const firstName = optionalText(args, 'first_name', 100);
  const lastName = optionalText(args, 'last_name', 100);
  const email = optionalText(args, 'email', 254);
  const phone = optionalText(args, 'phone', 40);
  const title = optionalText(args, 'title', 100);
  // Accepted and checked, not kept: citydesk has no account records, and FixMyStreet's own ids are its business.
  for (const name of ['account_id', 'service_request_id_ext', 'service_code', 'public_anonymity_required', 'email_alerts_requested']) optionalText(args, name, 200);
  const mediaUrls = readMediaUrls(args);
  for (const url of mediaUrls) {
    let ok = false;
    try {
      const parsed = new URL(url);
      ok = (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.hostname !== '';
    } catch {
      ok = false;
    }
    if (!ok) throw badRequest(`media_url "${url.slice(0, 100)}" is not a web address; give the photo's http:// or https:// address.`);
  }

  const missing = (): never => {
    throw notFound(`There is no service request "${reference.slice(0, 100)}". Service request ids look like SR-2026-000123.`);
  };
  try {
    checkReference(reference);
  } catch {
    missing();
  }
  if (!reference.startsWith('SR-')) missing();

  const now = services.clock.now();
  return services.db.kysely.transaction().execute(async (trx) => {
    const found = await trx.selectFrom('service_case').select(['id', 'status', 'kind']).where('reference', '=', reference).forUpdate().executeTakeFirst();
    if (!found || found.kind !== 'service_request') return missing();
    // open311_update is this area's own table, read in SQL (schema.ts stays the shared tables').
    const earlier = async () =>
      (await sql<{ case_event_id: string | number; case_id: string | number }>`select case_event_id, case_id from open311_update where api_key_id = ${key.id} and update_id = ${updateId}`.execute(trx)).rows[0];
    const before = await earlier();
    if (before) {
      if (Number(before.case_id) !== Number(found.id)) throw badRequest(`update_id "${updateId.slice(0, 100)}" was already sent for another request: give each update its own update_id.`);
      return { update_id: String(before.case_event_id) };
    }
    const resolved = found.status === 'resolved';
    const waits = resolved && asksToReopen(status);
    // Claimed first: a copy of this update sent at the same moment waits here, then finds it.
    const { rows: claimed } = await sql<{ id: string | number }>`
      insert into open311_update (api_key_id, update_id, case_id, status, received_at, attention_at)
      values (${key.id}, ${updateId}, ${found.id}, ${status}, ${now}, ${waits ? now : null})
      on conflict (api_key_id, update_id) do nothing
      returning id`.execute(trx);
    if (claimed.length === 0) {
      const winner = await earlier();
      if (!winner || Number(winner.case_id) !== Number(found.id)) throw badRequest(`update_id "${updateId.slice(0, 100)}" was already sent for another request: give each update its own update_id.`);
      return { update_id: String(winner.case_event_id) };
    }
    const name = [firstName, lastName].filter((s) => s !== undefined && s !== '-').join(' ');
    const event = await trx
      .insertInto('case_event')
      .values({
        case_id: found.id,
        at: now,
        actor_id: null,
        actor_label: `open311:${key.name}`,
        type: 'customer_update',
        data: JSON.stringify({
          via: `open311:${key.name}`,
          updateId,
          status,
          text: description,
          writtenAt: directory.calendar.format(Math.floor(updatedAt / 1000) * 1000),
          ...(name !== '' ? { name } : {}),
          ...(title !== undefined ? { title } : {}),
          ...(email !== undefined ? { email } : {}),
          ...(phone !== undefined ? { phone } : {}),
          ...(mediaUrls.length > 0 ? { mediaUrls } : {}),
          ...(resolved ? { whileResolved: true } : {}),
          ...(waits ? { asksToReopen: true } : {}),
        }),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await sql`update open311_update set case_event_id = ${event.id} where id = ${claimed[0]!.id}`.execute(trx);
    return { update_id: String(event.id) };
  });
}
