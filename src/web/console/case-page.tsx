import { resolutionTargetUnit } from '../../cases/resolution-target.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { allowMapTiles, mapAssets } from '../point-map.js';
import { acknowledgeCase } from '../../cases/acknowledge-case.js';
import { addNote } from '../../cases/add-note.js';
import { assignCase } from '../../cases/assign-case.js';
import { caseTimeline, getCase } from '../../cases/case-queries.js';
import { isAnyReference, referencePattern } from '../../cases/case-record.js';
import type { CaseServices } from '../../cases/case-services.js';
import { reclassifyCase } from '../../cases/reclassify-case.js';
import { reopenCase, resolveCase } from '../../cases/resolve-case.js';
import { sendUpdate } from '../../cases/send-update.js';
import { confirmTransfer, declineTransfer, transferCase, withdrawTransfer } from '../../cases/transfer-case.js';
import type { MessageMethod } from '../../db/schema.js';
import type { StaffMember } from '../../directory/staff.js';
import { decideReviewListEntry, reviewEscalation } from '../../escalation/review-escalation.js';
import { AppError, isAppError } from '../../platform/errors.js';
import type { AttributeDefinition } from '../../standard/attributes.js';
import { escalationRoles, type EscalationLevel } from '../../standard/escalation.js';
import { Badge, Breadcrumbs, ErrorSummary, type FieldErrors } from '../components.js';
import { Layout } from '../layout.js';
import { sendPage } from '../render.js';
import { requestEscalation } from '../../escalation/request-escalation.js';
import { answerOpen311Updates } from '../../open311/answer-open311-update.js';
import { CaseActions, actionPaths, fieldName, type ActionName, type CaseActionsModel, type FormState } from './case-actions.js';
import { CaseFacts, CaseTargets, CaseTimeline, timeLeftWords, type CaseEscalation } from './case-details.js';
import { consoleLayout, requireStaffPage } from './console-auth.js';
import type { CaseView, TimelineEntry } from '../../cases/case-queries.js';
import { listCaseMail, undeliverableAddress, type CaseMailEntry } from '../../mail/case-mail.js';
import { CaseMail } from './case-mail.js';
import { CasePublicView } from './case-moderation.js';
import { listCasePhotos, photoNotFound, readPhoto, type PhotoRow } from '../../cases/case-photos.js';
import { moderateDescription, moderatePhoto } from '../../cases/moderate-case.js';
import type { TemplateAction } from '../../db/knowledge-tables.js';
import { offeredTemplates } from '../../knowledge/response-templates.js';
import { templateActions } from '../../knowledge/template-placeholders.js';
import { listDuplicates, markDuplicate, undoDuplicate } from '../../cases/mark-duplicate.js';
import { findNearbyOpenRequests } from '../../cases/find-cases.js';
import { formatDateTime } from '../format.js';
import { countFollowers } from '../../notify/follow-request.js';

/**
 * The case page, /staff/cases/:reference: everything about one case, and the actions the signed-in
 * person may take on it. Each action posts a small form to the same use case the JSON API calls;
 * success redirects back here with a status message, a refusal shows the page again with the use
 * case's words beside the form.
 */

interface CasePageModel extends CaseActionsModel {
  view: CaseView;
  photos: PhotoRow[];
  followers: number;
  timeline: TimelineEntry[];
  mail: CaseMailEntry[];
  undeliverable: Awaited<ReturnType<typeof undeliverableAddress>>;
  done?: string | undefined;
}

const doneWords: Record<string, string> = {
  acknowledged: 'Acknowledged. The acknowledgment is in the timeline below.',
  updated: 'Update sent. The revised timeline is shown beside the original target.',
  assigned: 'Owner assigned.',
  transferred: 'Transfer requested. It stays with your division until the receiving division confirms receipt.',
  'transfer-confirmed': 'Transfer confirmed: the case is now your division’s and the customer has been told.',
  'transfer-withdrawn': 'Transfer withdrawn.',
  'progress-sent': 'Progress note sent. The date the customer holds still stands.',
  reclassified: 'Request type changed. The targets were recomputed from the original receipt.',
  resolved: 'Resolved. The resolution message is in the timeline below.',
  reopened: 'Reopened. The customer has been told.',
  'customer-answered': 'Answer sent: the resident reads it in the app that sent the update; the request stays resolved.',
  noted: 'Internal note added.',
  reviewed: 'Review recorded and the customer updated.',
  decided: 'Review-list decision recorded.',
  'duplicate-marked': 'Marked as a duplicate: it is closed, its customer has been told, and it counts once, under the request it duplicates.',
  'duplicate-undone': 'No longer a duplicate: it is open again on its own and the customer has been told.',
  'escalation-accepted': 'Escalation accepted: it went to the head named in the timeline, who reviews it and updates the customer (CSS §5.2).',
  'escalation-declined': 'Escalation declined: the reason and the dates are in the timeline below. Tell the customer.',
  moderated: 'Saved: the public now sees the description as chosen under "What the public sees".',
  'photo-moderated': 'Saved: the photo is shown or hidden as chosen under "What the public sees".',
};

const methods = new Set<string>(['email', 'phone', 'letter', 'in_person', 'record']);

async function loadModel(services: CaseServices, staff: StaffMember, reference: string): Promise<Omit<CasePageModel, 'form' | 'done'>> {
  if (!isAnyReference(reference)) throw new AppError('NOT_FOUND', `There is no case ${reference.slice(0, 40)}: reference numbers look like SR-2026-000123 (imported history: its source and its id, such as BALTIMORE-18-00123456).`);
  const tx = services.db.kysely;
  const directory = await services.directory.get();
  const calendar = directory.calendar;
  const { caseRow, view } = await getCase(tx, staff, reference, calendar);
  const now = services.clock.now();
  const offer = (action: TemplateAction) => offeredTemplates(tx, { directory, staff, action, caseRow, now });
  const [timeline, escalationRow, reviewList, divisionStaff, requestTypes, mail, undeliverable, photos, templates, duplicates, followers] = await Promise.all([
    caseTimeline(tx, caseRow.id, calendar),
    caseRow.escalation_level > 0
      ? tx
          .selectFrom('escalation as e')
          // Reviewed by the heads of the division responsible now (CSS §5.2), which a confirmed transfer changes.
          .innerJoin('division as d', (join) => join.on('d.id', '=', caseRow.division_id))
          .select(['e.level', 'e.escalated_at', 'e.reason', 'd.id as division_id', 'd.department_id'])
          .select((eb) => eb.exists(eb.selectFrom('escalation_review as r').select('r.id').whereRef('r.escalation_id', '=', 'e.id')).as('reviewed'))
          .where('e.case_id', '=', caseRow.id)
          .where('e.level', '=', caseRow.escalation_level)
          .executeTakeFirst()
      : undefined,
    staff.role === 'manager_customer_service' && caseRow.escalation_level > 0
      ? tx.selectFrom('review_list_entry').select('id').where('case_id', '=', caseRow.id).where('decided_at', 'is', null).executeTakeFirst()
      : undefined,
    tx.selectFrom('staff_user').select(['id', 'name']).where('division_id', '=', caseRow.division_id).where('active', '=', true).orderBy('name').execute(),
    caseRow.kind === 'service_request'
      ? // Any type: one of another division transfers the case with it (reclassify-case.ts).
        tx
          .selectFrom('request_type as t')
          .innerJoin('division as d', 'd.id', 't.division_id')
          .select(['t.code', 't.name', 't.attributes', 'd.name as division'])
          .where('t.active', '=', true)
          .orderBy('t.name')
          .execute()
      : [],
    listCaseMail(tx, caseRow.id),
    undeliverableAddress(tx, caseRow.id, caseRow.customer_email),
    listCasePhotos(tx, caseRow.id),
    caseRow.status === 'open'
      ? Promise.all(templateActionNames.map(async (a) => [a, await offer(a)] as const)).then((pairs) => Object.fromEntries(pairs) as CaseActionsModel['templates'])
      : {},
    duplicatesOf(tx, staff, caseRow, calendar),
    countFollowers(tx, caseRow.id),
  ]);
  const escalation: CaseEscalation | null = escalationRow
    ? {
        level: escalationRow.level,
        escalatedAt: new Date(escalationRow.escalated_at),
        reason: escalationRow.reason,
        divisionId: escalationRow.division_id,
        departmentId: escalationRow.department_id,
        reviewed: Boolean(escalationRow.reviewed),
      }
    : null;
  return {
    staff,
    directory,
    now,
    caseRow,
    view,
    photos,
    followers,
    timeline,
    mail,
    undeliverable,
    escalation,
    reviewListPending: reviewList !== undefined,
    divisionStaff,
    requestTypes: requestTypes.map((t) => ({ code: t.code, name: t.name, divisionName: t.division, attributes: t.attributes as AttributeDefinition[] })),
    templates,
    duplicates,
  };
}

const templateActionNames: TemplateAction[] = ['acknowledge', 'update', 'resolve', 'transfer'];

/** Issue 18: the parent of a duplicate, the duplicates of a parent, and the likely duplicates of an open request. */
async function duplicatesOf(tx: CaseServices['db']['kysely'], staff: StaffMember, c: CasePageModel['caseRow'], calendar: CasePageModel['directory']['calendar']): Promise<CaseActionsModel['duplicates']> {
  const [parent, children, nearby] = await Promise.all([
    c.duplicate_of_id === null ? undefined : tx.selectFrom('service_case').select('reference').where('id', '=', c.duplicate_of_id).executeTakeFirst(),
    listDuplicates(tx, c.id),
    c.status === 'open' && c.request_type_id !== null && c.duplicate_of_id === null
      ? tx
          .selectFrom('request_type')
          .select(['code', 'nearby_metres'])
          .where('id', '=', c.request_type_id)
          .executeTakeFirstOrThrow()
          .then((t) =>
            findNearbyOpenRequests(tx, { staff, calendar }, { requestType: t.code, address: c.address ?? undefined, latitude: c.latitude ?? undefined, longitude: c.longitude ?? undefined, radiusMetres: t.nearby_metres }, 6),
          )
      : [],
  ]);
  return {
    parent: parent?.reference ?? null,
    children,
    candidates: nearby.filter((r) => r.reference !== c.reference).map((r) => ({ reference: r.reference, summary: r.summary, address: r.address })),
  };
}

function CasePage(props: { m: CasePageModel; path: string }) {
  const { m } = props;
  const c = m.caseRow;
  const calendar = m.directory.calendar;
  const kind = c.kind === 'inquiry' ? 'General inquiry' : 'Service request';
  const errors: FieldErrors = m.form?.errors ?? {};
  const ackLeft = c.status === 'open' && !c.acknowledged_at ? timeLeftWords(new Date(c.acknowledge_by), m.now, calendar) : undefined;
  return (
    <Layout title={`${c.reference}: ${m.view.requestType?.name ?? kind}`} {...consoleLayout(m.staff, props.path, m.directory.municipality.name)} scripts={['/assets/response-templates.js', ...mapAssets.scripts]} styles={mapAssets.styles}>
      {/* htmx (an enhancement): a refused form's page is swapped in too, so its words show beside the form. */}
      <meta name="htmx-config" content='{"responseHandling":[{"code":"204","swap":false},{"code":"[23]..","swap":true},{"code":"4..","swap":true,"error":false},{"code":"5..","swap":false,"error":true}]}' />
      <Breadcrumbs items={[{ href: '/staff', label: 'Console' }, { href: '/staff/queues', label: 'Queues' }, { label: c.reference }]} />
      <div id="case-page">
        <ErrorSummary errors={errors} title={m.form && Object.keys(errors).every((k) => k.endsWith('._form')) ? 'That could not be done' : 'There is a problem'} />
        {m.done && doneWords[m.done] ? (
          <div class="alert alert--ok" role="status" id="case-status">
            <p>{doneWords[m.done]}</p>
          </div>
        ) : null}
        <header class="case-head">
          <p class="case-head__kind">{`${kind}${m.view.requestType ? `: ${m.view.requestType.name}` : ''}`}</p>
          <h1>
            <span class="reference">{c.reference}</span>
          </h1>
          <p class="case-head__badges">
            {c.status === 'open' ? <Badge kind="open">Open</Badge> : <Badge kind="ok">Resolved</Badge>}{' '}
            {c.transfer_to_division_id ? <Badge kind="warn">{`Transfer pending to ${m.view.transfer?.toDivision.name ?? 'another division'}`}</Badge> : null}{' '}
            {c.escalation_level > 0 ? <Badge kind="bad">{`Escalated: level ${c.escalation_level}, ${escalationRoles[c.escalation_level as EscalationLevel] ?? ''}`}</Badge> : null}{' '}
            {m.duplicates.parent ? <Badge kind="muted">{`Duplicate of ${m.duplicates.parent}`}</Badge> : null}{' '}
            {ackLeft ? <Badge kind={ackLeft.overdue ? 'bad' : 'warn'}>{ackLeft.overdue ? 'Not acknowledged: overdue' : 'Not acknowledged yet'}</Badge> : null}
          </p>
          <p class="lede">{c.summary}</p>
          <nav aria-label="On this page" class="case-jump">
            <a href="#targets-title">Targets</a> <a href="#customer-title">Customer</a> <a href="#timeline-title">Timeline</a> <a href="#actions-title">Actions</a>
          </nav>
        </header>
        <div class="columns case-columns">
          <div class="case-main">
            <CaseDuplicates duplicates={m.duplicates} zone={calendar.timeZone} />
            <CaseTargets caseRow={c} view={m.view} now={m.now} calendar={calendar} resolveUnit={resolutionTargetUnit(m.directory, m.view)} />
            <CaseFacts caseRow={c} view={m.view} escalation={m.escalation} calendar={calendar} map={m.directory.map} directory={m.directory} />
            <CasePublicView caseRow={c} photos={m.photos} followers={m.followers} form={m.form} zone={calendar.timeZone} />
            <CaseMail reference={c.reference} resolved={c.status === 'resolved'} entries={m.mail} undeliverable={m.undeliverable} zone={calendar.timeZone} />
            <CaseTimeline entries={m.timeline} zone={calendar.timeZone} reference={m.caseRow.reference} status={m.caseRow.status} />
          </div>
          <div class="case-side">
            {c.import_source_id !== null ? (
              <section aria-labelledby="actions-title" class="case-actions">
                <h2 id="actions-title">Imported history</h2>
                <p>{`This case was imported from another system's records (${(c.created_via ?? '').replace(/^import:/, '') || 'an import'}) and is kept as that system recorded it. It is never swept, escalated or mailed, and nobody changes it here.`}</p>
              </section>
            ) : (
              <CaseActions m={m} />
            )}
          </div>
        </div>
      </div>
    </Layout>
  );
}

/** Issue 18: what the record says about merging: which request carries this one, or which ones it carries. */
function CaseDuplicates(props: { duplicates: CaseActionsModel['duplicates']; zone: string }) {
  const { parent, children } = props.duplicates;
  if (!parent && children.length === 0) return null;
  return (
    <section aria-labelledby="duplicates-title" class="case-duplicates">
      <h2 id="duplicates-title">{parent ? 'Duplicate' : 'Duplicates of this request'}</h2>
      {parent ? (
        <p>
          {'Closed as a duplicate of '}
          <a href={`/staff/cases/${parent}`}>{parent}</a>
          {`. It counts once in the performance figures, under ${parent}; its customer follows ${parent}'s updates.`}
        </p>
      ) : (
        <>
          <p>{`${children.length} other report${children.length === 1 ? ' was' : 's were'} joined to this one. They count once, under this request, and their customers are told when it has news.`}</p>
          <ul>
            {children.map((d) => (
              <li>
                <a href={`/staff/cases/${d.reference}`}>{d.reference}</a>
                {`, joined ${formatDateTime(d.mergedAt, props.zone)}`}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

/** Plain-words errors for a form: each detail beside its field, the rest beside the form. */
export function formErrors(action: ActionName, error: AppError, formFields: readonly string[]): FieldErrors {
  const errors: FieldErrors = {};
  const sentence = (text: string) => /^[A-Z].*[.)]$/.test(text.trim());
  for (const detail of error.details) {
    const attribute = /^attribute\[(.+)\]$/.exec(detail.field ?? '');
    const field = attribute ? formFields.find((f) => f.endsWith(`.${attribute[1]}`)) : formFields.find((f) => f === detail.field);
    if (field === undefined) continue;
    const key = fieldName(action, field);
    if (errors[key] === undefined) errors[key] = sentence(detail.message) ? detail.message : error.message;
  }
  if (Object.keys(errors).length === 0) errors[fieldName(action, '_form')] = error.message;
  return errors;
}

type Body = Record<string, unknown>;

/** The fields each form sends (as the use cases name them), to keep what was typed on a refusal. */
const formFieldsOf: Record<ActionName, (body: Body) => string[]> = {
  acknowledge: () => ['template', 'nextSteps', 'contact', 'timeline', 'method', 'note'],
  update: () => ['template', 'status', 'timeline', 'reason', 'method'],
  assign: () => ['ownerId'],
  transfer: () => ['template', 'toDivision', 'note'],
  'transfer-confirm': () => [],
  'transfer-withdraw': () => ['reason'],
  'transfer-decline': () => ['reason'],
  progress: () => ['status', 'method'],
  // The answers to the chosen type's questions (a refusal names them as attribute[code]).
  reclassify: (body) => ['requestType', 'reason', ...Object.keys(body).filter((k) => k.startsWith(`reclassify.attribute.${String(body['reclassify.requestType'])}.`)).map((k) => k.slice('reclassify.'.length))],
  resolve: () => ['template', 'resolution', 'method'],
  reopen: () => ['reason'],
  note: () => ['text'],
  review: () => ['findings', 'timeline', 'update', 'method'],
  decision: () => ['decision', 'reason'],
  escalate: () => ['grounds', 'comment'],
  moderate: () => ['action', 'publicText', 'reason'],
  photo: () => ['photoId', 'state', 'reason'],
  duplicate: () => ['parent', 'reason'],
  'duplicate-undo': () => ['reason'],
};

export async function registerCasePage(app: FastifyInstance, services: CaseServices): Promise<void> {
  const guard = requireStaffPage(services);

  const show = async (reply: FastifyReply, request: FastifyRequest, reference: string, extra: { form?: FormState; done?: string }, status = 200) => {
    const model = await loadModel(services, request.staff!, reference);
    return sendPage(allowMapTiles(reply, model.directory.map), <CasePage m={{ ...model, ...extra }} path={`/staff/cases/${reference}`} />, status);
  };

  app.get<{ Params: { reference: string }; Querystring: { done?: string } }>('/staff/cases/:reference', { onRequest: guard }, async (request, reply) =>
    show(reply, request, request.params.reference, { done: typeof request.query.done === 'string' ? request.query.done : undefined }),
  );

  /** One action: read the form, call the use case, redirect with the news or show the refusal. */
  /** `run` may name its own news (`{ done }`), e.g. an answer that can go either way. */
  const act = (action: ActionName, done: string, run: (args: { staff: StaffMember; reference: string; get: (field: string) => string; body: Body }) => Promise<unknown>) => {
    app.post<{ Params: { reference: string }; Body: Body }>(`/staff/cases/:reference/${actionPaths[action]}`, { onRequest: guard }, async (request, reply) => {
      const { reference } = request.params;
      const body = request.body ?? {};
      const get = (field: string): string => {
        const value = body[fieldName(action, field)];
        return typeof value === 'string' ? value : '';
      };
      const formFields = formFieldsOf[action](body);
      const values = Object.fromEntries(formFields.map((f) => [fieldName(action, f), get(f)]));
      let news = done;
      try {
        // An imported case's reference reaches the use case, which says it is history and unchanged.
        if (!isAnyReference(reference)) throw new AppError('NOT_FOUND', `There is no case ${reference.slice(0, 40)}.`);
        const result = await run({ staff: request.staff!, reference, get, body });
        if (result && typeof result === 'object' && 'done' in result && typeof result.done === 'string') news = result.done;
        // A case that left this person's reach (a declined transfer) is followed by a page they can see.
        if (result && typeof result === 'object' && 'redirect' in result && typeof result.redirect === 'string') {
          // htmx would follow a redirect and swap in part of another page: it navigates instead.
          if (request.headers['hx-request']) return reply.header('HX-Redirect', result.redirect).status(204).send();
          return reply.redirect(result.redirect, 303);
        }
      } catch (error) {
        // What no form can show (a case this person cannot see, a failure) gets the error page.
        if (!isAppError(error) || error.code === 'NOT_FOUND' || error.code === 'UNAUTHENTICATED' || error.httpStatus >= 500) throw error;
        return show(reply, request, reference, { form: { action, values, errors: formErrors(action, error, formFields) } }, error.httpStatus);
      }
      return reply.redirect(`/staff/cases/${encodeURIComponent(reference)}?done=${news}`, 303);
    });
  };

  const method = (value: string): MessageMethod | undefined => {
    if (value === '') return undefined;
    if (!methods.has(value)) throw new AppError('VALIDATION_FAILED', 'Choose how the message reaches the customer.', [{ field: 'method', message: 'Choose how the message reaches the customer.' }]);
    return value as MessageMethod;
  };

  act('acknowledge', 'acknowledged', ({ staff, reference, get }) =>
    acknowledgeCase({
      services,
      staff,
      reference,
      input: {
        nextSteps: get('nextSteps'),
        contact: get('contact'),
        timeline: get('timeline') || undefined,
        method: method(get('method')),
        note: get('note') || undefined,
        // The page never says so; a crafted form that does is refused by the use case (CSS §3.3).
        automated: ['true', 'on', '1'].includes(get('automated')),
      },
    }),
  );

  // The acknowledgment's preview: the page again, with what was typed and the message it makes.
  app.post<{ Params: { reference: string }; Body: Body }>('/staff/cases/:reference/acknowledge/preview', { onRequest: guard }, async (request, reply) => {
    const body = request.body ?? {};
    const values = Object.fromEntries(formFieldsOf.acknowledge(body).map((f) => [fieldName('acknowledge', f), typeof body[fieldName('acknowledge', f)] === 'string' ? (body[fieldName('acknowledge', f)] as string) : '']));
    return show(reply, request, request.params.reference, { form: { action: 'acknowledge', values, errors: {} } });
  });

  // Issue 18: "Use this template" without JavaScript: the page again, with what was typed and the chosen template's text in its field.
  for (const action of templateActionNames) {
    app.post<{ Params: { reference: string }; Body: Body }>(`/staff/cases/:reference/${actionPaths[action]}/template`, { onRequest: guard }, async (request, reply) => {
      const { reference } = request.params;
      const body = request.body ?? {};
      const field = (name: string) => (typeof body[fieldName(action, name)] === 'string' ? (body[fieldName(action, name)] as string) : '');
      const values: Record<string, string> = Object.fromEntries(formFieldsOf[action](body).map((f) => [fieldName(action, f), field(f)]));
      const model = await loadModel(services, request.staff!, reference);
      const chosen = (model.templates[action] ?? []).find((t) => String(t.id) === field('template'));
      const errors: FieldErrors = {};
      if (chosen) values[fieldName(action, templateActions[action].field)] = chosen.text;
      else errors[fieldName(action, 'template')] = 'Choose one of the ready-made responses, then use it.';
      return sendPage(allowMapTiles(reply, model.directory.map), <CasePage m={{ ...model, form: { action, values, errors } }} path={`/staff/cases/${reference}`} />, chosen ? 200 : 400);
    });
  }

  act('duplicate', 'duplicate-marked', ({ staff, reference, get }) => markDuplicate({ services, staff, reference, input: { parent: get('parent'), reason: get('reason') || undefined } }));
  act('duplicate-undo', 'duplicate-undone', ({ staff, reference, get }) => undoDuplicate({ services, staff, reference, input: { reason: get('reason') } }));

  act('update', 'updated', ({ staff, reference, get }) =>
    sendUpdate({ services, staff, reference, input: { status: get('status'), timeline: get('timeline'), reason: get('reason'), method: method(get('method')) } }),
  );

  act('assign', 'assigned', ({ staff, reference, get }) => {
    const ownerId = Number(get('ownerId'));
    if (!Number.isInteger(ownerId) || ownerId < 1 || ownerId > 2_147_483_647) {
      throw new AppError('VALIDATION_FAILED', 'Choose the staff member who will own the case.', [{ field: 'ownerId', message: 'Choose the staff member who will own the case.' }]);
    }
    return assignCase({ services, staff, reference, input: { ownerId } });
  });

  act('transfer', 'transferred', ({ staff, reference, get }) => {
    if (get('toDivision') === '') throw new AppError('VALIDATION_FAILED', 'Choose the division to transfer it to.', [{ field: 'toDivision', message: 'Choose the division to transfer it to.' }]);
    return transferCase({ services, staff, reference, input: { toDivision: get('toDivision'), note: get('note') } });
  });

  act('transfer-confirm', 'transfer-confirmed', ({ staff, reference }) => confirmTransfer({ services, staff, reference }));

  act('transfer-decline', 'transfer-declined', async ({ staff, reference, get }) => {
    await declineTransfer({ services, staff, reference, reason: get('reason') });
    return { redirect: `/staff/queues/transfers-in?declined=${encodeURIComponent(reference)}` };
  });

  act('progress', 'progress-sent', ({ staff, reference, get }) => sendUpdate({ services, staff, reference, input: { status: get('status'), method: method(get('method')) } }));

  act('transfer-withdraw', 'transfer-withdrawn', ({ staff, reference, get }) => withdrawTransfer({ services, staff, reference, reason: get('reason') }));

  act('reclassify', 'reclassified', ({ staff, reference, get, body }) => {
    const requestType = get('requestType');
    if (requestType === '') throw new AppError('VALIDATION_FAILED', 'Choose the new request type.', [{ field: 'requestType', message: 'Choose the new request type.' }]);
    // Only the answers to the chosen type's questions go with it.
    const prefix = `reclassify.attribute.${requestType}.`;
    const attributes = Object.fromEntries(
      Object.entries(body)
        .filter(([k, v]) => k.startsWith(prefix) && typeof v === 'string' && v.trim() !== '')
        .map(([k, v]) => [k.slice(prefix.length), (v as string).trim()]),
    );
    return reclassifyCase({ services, staff, reference, input: { requestType, reason: get('reason'), attributes } });
  });

  act('resolve', 'resolved', ({ staff, reference, get }) => resolveCase({ services, staff, reference, input: { resolution: get('resolution'), method: method(get('method')) } }));

  act('reopen', 'reopened', ({ staff, reference, get }) => reopenCase({ services, staff, reference, input: { reason: get('reason') } }));

  // The answer to a resident's "not fixed" from an Open311 app (the other way is to reopen).
  app.post<{ Params: { reference: string }; Body: Body }>('/staff/cases/:reference/customer-updates/answer', { onRequest: guard }, async (request, reply) => {
    const { reference } = request.params;
    if (!new RegExp(referencePattern).test(reference)) throw new AppError('NOT_FOUND', `There is no case ${reference.slice(0, 40)}.`);
    const answer = request.body?.['answer'];
    await answerOpen311Updates({ services, staff: request.staff!, reference, answer: typeof answer === 'string' ? answer : '' });
    return reply.redirect(`/staff/cases/${encodeURIComponent(reference)}?done=customer-answered`, 303);
  });

  act('moderate', 'moderated', ({ staff, reference, get }) =>
    moderateDescription({ services, staff, reference, input: { action: get('action'), publicText: get('publicText'), reason: get('reason') } }),
  );

  act('photo', 'photo-moderated', ({ staff, reference, get }) =>
    moderatePhoto({ services, staff, reference, input: { photoId: /^\d{1,15}$/.test(get('photoId')) ? Number(get('photoId')) : 0, state: get('state'), reason: get('reason') } }),
  );

  // A photo of a case, for staff who can see the case (whatever the public sees of it).
  app.get<{ Params: { reference: string; file: string } }>('/staff/cases/:reference/photos/:file', { onRequest: guard }, async (request, reply) => {
    const id = /^(\d{1,15})\.jpg$/.exec(request.params.file)?.[1];
    if (!id || !new RegExp(referencePattern).test(request.params.reference)) throw photoNotFound();
    const { caseRow } = await getCase(services.db.kysely, request.staff!, request.params.reference, (await services.directory.get()).calendar);
    const bytes = await readPhoto(services.db.kysely, Number(id), { caseId: caseRow.id });
    if (!bytes) throw photoNotFound();
    return reply.type('image/jpeg').header('cache-control', 'private, no-store').send(bytes);
  });

  act('note', 'noted', ({ staff, reference, get }) => addNote({ services, staff, reference, input: { text: get('text') } }));

  act('review', 'reviewed', ({ staff, reference, get }) =>
    reviewEscalation({ services, staff, reference, input: { findings: get('findings'), update: get('update'), timeline: get('timeline'), method: method(get('method')) } }),
  );

  act('escalate', 'escalation-accepted', async ({ staff, reference, get }) => {
    const grounds = get('grounds');
    if (grounds !== 'missed_target' && grounds !== 'disagree_with_outcome') {
      throw new AppError('VALIDATION_FAILED', 'Choose why the customer asks for an escalation.', [{ field: 'grounds', message: 'Choose why the customer asks for an escalation.' }]);
    }
    const answer = await requestEscalation({ services, reference, grounds, comment: get('comment') || undefined, staff });
    return { done: answer.outcome === 'accepted' ? 'escalation-accepted' : 'escalation-declined' };
  });

  act('decision', 'decided', ({ staff, reference, get }) => {
    const decision = get('decision');
    if (decision !== 'escalate' && decision !== 'keep') {
      throw new AppError('VALIDATION_FAILED', 'Choose whether to escalate it or keep it at this level.', [{ field: 'decision', message: 'Choose whether to escalate it or keep it at this level.' }]);
    }
    return decideReviewListEntry({ services, staff, reference, input: { decision, reason: get('reason') } });
  });
}
