import type { Tx } from '../db/connect.js';
import type { TemplateAction } from '../db/knowledge-tables.js';
import type { Directory } from '../directory/directory-cache.js';
import { recordDirectoryEvent } from '../directory/directory-audit.js';
import type { StaffMember } from '../directory/staff.js';
import type { Db } from '../db/connect.js';
import type { Clock } from '../platform/clock.js';
import { AppError } from '../platform/errors.js';
import { assertKnownPlaceholders, fillTemplate, isTemplateAction, placeholderValues, templateActions } from './template-placeholders.js';

/**
 * Response templates (issue 18): ready-made words per division, request type and action, offered
 * in the case page's forms with the case's details filled in, and edited before they are sent.
 * Division Heads (and the Manager of Customer Service for Customer Service) manage their
 * division's; Department Heads their department's; administrators every division's.
 */

export interface ResponseTemplate {
  id: number;
  divisionId: number;
  requestTypeId: number | null;
  action: TemplateAction;
  name: string;
  body: string;
  active: boolean;
}

const columns = ['id', 'division_id', 'request_type_id', 'action', 'name', 'body', 'active'] as const;
const toTemplate = (r: { id: number; division_id: number; request_type_id: number | null; action: TemplateAction; name: string; body: string; active: boolean }): ResponseTemplate => ({
  id: r.id,
  divisionId: r.division_id,
  requestTypeId: r.request_type_id,
  action: r.action,
  name: r.name,
  body: r.body,
  active: r.active,
});

/** May this person manage the templates of this division? */
export function canManageTemplates(staff: StaffMember, division: { id: number; departmentId: number }): boolean {
  if (staff.role === 'administrator') return true;
  if (staff.role === 'division_head' || staff.role === 'manager_customer_service') return staff.divisionId === division.id;
  if (staff.role === 'department_head') return staff.departmentId === division.departmentId;
  return false;
}

/** The divisions whose templates this person manages (none: they may not manage any). */
export function managedDivisions(staff: StaffMember, directory: Directory): Directory['divisions'] {
  return directory.divisions.filter((d) => canManageTemplates(staff, d));
}

export function assertManagesTemplates(staff: StaffMember, directory: Directory, divisionId: number): void {
  const division = directory.division(divisionId);
  if (!division || !canManageTemplates(staff, division)) {
    throw new AppError('FORBIDDEN', `Response templates are managed by the head of ${division?.name ?? 'the division'} and by administrators. Ask them to change this one.`);
  }
}

/** A case's offer for one form: the division's active templates for its type (or for any case), filled in. */
export async function offeredTemplates(
  tx: Tx,
  options: {
    directory: Directory;
    staff: StaffMember;
    action: TemplateAction;
    now: Date;
    caseRow: { reference: string; division_id: number; request_type_id: number | null; customer_name: string | null; received_at: Date | string; acknowledge_by: Date | string; resolve_by: Date | string | null; revised_resolve_by: Date | string | null };
  },
): Promise<{ id: number; name: string; text: string }[]> {
  const { directory, staff, action, now, caseRow: c } = options;
  let query = tx.selectFrom('response_template').select(columns).where('division_id', '=', c.division_id).where('action', '=', action).where('active', '=', true);
  query = c.request_type_id === null ? query.where('request_type_id', 'is', null) : query.where((eb) => eb.or([eb('request_type_id', 'is', null), eb('request_type_id', '=', c.request_type_id)]));
  const rows = await query.orderBy('request_type_id', (o) => o.asc().nullsLast()).orderBy('name').orderBy('id').execute();
  if (rows.length === 0) return [];
  const division = directory.division(c.division_id);
  const contact = directory.municipality.settings.contact;
  const values = placeholderValues({
    reference: c.reference,
    requestTypeName: c.request_type_id === null ? null : (directory.requestType(c.request_type_id)?.name ?? null),
    divisionName: division?.name ?? 'the responsible division',
    divisionPhone: division?.contactPhone ?? contact.phone,
    divisionEmail: division?.contactEmail ?? contact.email,
    receivedAt: new Date(c.received_at),
    acknowledgeBy: new Date(c.acknowledge_by),
    resolveBy: c.revised_resolve_by ? new Date(c.revised_resolve_by) : c.resolve_by ? new Date(c.resolve_by) : null,
    staffName: staff.name,
    staffEmail: staff.email,
    customerName: c.customer_name,
    timeZone: directory.calendar.timeZone,
    now,
  });
  return rows.map((r) => ({ id: r.id, name: r.name, text: fillTemplate(r.body, values) }));
}

export async function listTemplates(tx: Tx, divisionIds: number[]): Promise<ResponseTemplate[]> {
  if (divisionIds.length === 0) return [];
  const rows = await tx.selectFrom('response_template').select(columns).where('division_id', 'in', divisionIds).orderBy('division_id').orderBy('action').orderBy('name').orderBy('id').execute();
  return rows.map(toTemplate);
}

export async function findTemplate(tx: Tx, id: number): Promise<ResponseTemplate> {
  const row = await tx.selectFrom('response_template').select(columns).where('id', '=', id).executeTakeFirst();
  if (!row) throw new AppError('NOT_FOUND', `There is no response template ${id}.`);
  return toTemplate(row);
}

export interface TemplateInput {
  division: string;
  /** A request type code of the division, or '' for every case of the division. */
  requestType: string;
  action: string;
  name: string;
  body: string;
  active: boolean;
}

function checkInput(directory: Directory, input: TemplateInput): { divisionId: number; requestTypeId: number | null; action: TemplateAction; name: string; body: string } {
  const problems: { field: string; message: string }[] = [];
  const division = directory.divisionByCode(input.division);
  if (!division) problems.push({ field: 'division', message: 'Choose the division the template is for.' });
  let requestTypeId: number | null = null;
  if (input.requestType.trim() !== '') {
    const type = directory.requestTypeByCode(input.requestType.trim());
    if (!type || (division && type.divisionId !== division.id)) problems.push({ field: 'requestType', message: `Choose one of ${division?.name ?? 'the division'}’s request types, or every case of the division.` });
    else requestTypeId = type.id;
  }
  if (!isTemplateAction(input.action)) problems.push({ field: 'action', message: 'Choose what the template is for: acknowledgment, update, resolution or transfer notice.' });
  const name = input.name.trim();
  if (name === '' || name.length > 120) problems.push({ field: 'name', message: 'Give the template a short name staff will recognise (up to 120 characters).' });
  const body = input.body.trim();
  if (body === '' || body.length > 4000) problems.push({ field: 'body', message: 'Write the template’s text (up to 4,000 characters).' });
  if (problems.length > 0) throw new AppError('VALIDATION_FAILED', problems[0]!.message, problems);
  assertKnownPlaceholders(body);
  return { divisionId: division!.id, requestTypeId, action: input.action as TemplateAction, name, body };
}

/** Creates a template (id absent) or changes one; audited as a directory event. */
export async function saveTemplate(options: { db: Db; clock: Clock; directory: Directory; staff: StaffMember; id?: number | undefined; input: TemplateInput }): Promise<ResponseTemplate> {
  const { db, clock, directory, staff, id, input } = options;
  const checked = checkInput(directory, input);
  assertManagesTemplates(staff, directory, checked.divisionId);
  const now = clock.now();
  return db.kysely.transaction().execute(async (trx) => {
    const values = { division_id: checked.divisionId, request_type_id: checked.requestTypeId, action: checked.action, name: checked.name, body: checked.body, active: input.active, updated_at: now, updated_by: staff.id };
    let row;
    if (id === undefined) {
      row = await trx.insertInto('response_template').values(values).returning(columns).executeTakeFirstOrThrow();
    } else {
      const before = await findTemplate(trx, id);
      assertManagesTemplates(staff, directory, before.divisionId);
      row = await trx.updateTable('response_template').set(values).where('id', '=', id).returning(columns).executeTakeFirstOrThrow();
    }
    await recordDirectoryEvent(trx, { actor: staff, type: 'response_template_saved', now, data: { id: row.id, name: row.name, action: row.action, active: row.active, created: id === undefined } });
    return toTemplate(row);
  });
}

export const templateActionLabel = (action: TemplateAction): string => templateActions[action].label;
