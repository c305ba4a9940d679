import type { ComponentChildren } from 'preact';
import type { CaseRow } from '../../cases/case-record.js';
import { defaultMethod } from '../../cases/case-record.js';
import { assertOpen, assertResponsibleDivision, canAnswerTransfer, canTransferOut, type DivisionAction } from '../../cases/case-policy.js';
import { messageContext } from '../../cases/case-services.js';
import { caseResolutionUnit } from '../../cases/resolution-target.js';
import type { Directory } from '../../directory/directory-cache.js';
import type { StaffMember } from '../../directory/staff.js';
import { isEscalationHead } from '../../escalation/review-escalation.js';
import { acknowledgmentMessage } from '../../notify/templates.js';
import type { AttributeDefinition } from '../../standard/attributes.js';
import { escalationRoles, type EscalationLevel } from '../../standard/escalation.js';
import { Choices, Select, TextArea, TextField, fieldId, type FieldErrors, type Option } from '../components.js';
import { dateFieldHint, formatDate, formatDateTime, formatTargetDue } from '../format.js';
import { heldDate } from '../../cases/send-update.js';
import type { CaseEscalation } from './case-details.js';
import type { TemplateAction } from '../../db/knowledge-tables.js';
import { templateActions } from '../../knowledge/template-placeholders.js';

/**
 * The actions on the case page: one small form each, posted to /staff/cases/:reference/<path>.
 * Which forms show is a courtesy (the policy functions say what this person may do); the use case
 * behind each form is the judge, and its refusal shows beside the form.
 */

export const actionPaths = {
  acknowledge: 'acknowledge',
  update: 'update',
  assign: 'assign',
  transfer: 'transfer',
  'transfer-confirm': 'transfer/confirm',
  'transfer-withdraw': 'transfer/withdraw',
  'transfer-decline': 'transfer/decline',
  progress: 'progress',
  reclassify: 'reclassify',
  resolve: 'resolve',
  reopen: 'reopen',
  note: 'note',
  review: 'escalation/review',
  decision: 'escalation/decision',
  escalate: 'escalation-request',
  // What the public sees (case-moderation.tsx shows these forms, in the page's main column).
  moderate: 'moderation/description',
  photo: 'moderation/photo',
  duplicate: 'duplicate',
  'duplicate-undo': 'duplicate/undo',
} as const;

export type ActionName = keyof typeof actionPaths;

/** A form field's name on this page: unique across the page's forms (`acknowledge.nextSteps`). */
export const fieldName = (action: ActionName, field: string): string => `${action}.${field}`;

/** What a form sent, and what was wrong with it, to show it again. */
export interface FormState {
  action: ActionName;
  values: Record<string, string>;
  errors: FieldErrors;
}

export interface RequestTypeChoice {
  code: string;
  name: string;
  divisionName: string;
  attributes: AttributeDefinition[];
}

export interface CaseActionsModel {
  staff: StaffMember;
  directory: Directory;
  now: Date;
  caseRow: CaseRow;
  escalation: CaseEscalation | null;
  reviewListPending: boolean;
  divisionStaff: { id: number; name: string }[];
  requestTypes: RequestTypeChoice[];
  /** The division's ready-made responses for each form, filled in from this case (issue 18). */
  templates: Partial<Record<TemplateAction, { id: number; name: string; text: string }[]>>;
  /** Issue 18: the request this one duplicates, or the ones that duplicate it; open requests of the same type at the same place. */
  duplicates: { parent: string | null; children: { reference: string; mergedAt: Date }[]; candidates: { reference: string; summary: string; address: string | null }[] };
  form?: FormState | undefined;
}

const divisionMay = (staff: StaffMember, c: CaseRow, action: DivisionAction): boolean => {
  try {
    if (action !== 'reopen') assertOpen(c);
    assertResponsibleDivision(staff, c, action, '', '');
    return true;
  } catch {
    return false;
  }
};

/** The actions this person may take on this case now, by the same policies the use cases apply. */
export function availableActions(m: Pick<CaseActionsModel, 'staff' | 'caseRow' | 'escalation' | 'reviewListPending'>): Set<ActionName> {
  const { staff, caseRow: c } = m;
  const open = c.status === 'open';
  const pending = c.transfer_to_division_id !== null;
  const sender = canTransferOut(staff, c);
  const actions = new Set<ActionName>();
  if (canAnswerTransfer(staff, c)) {
    actions.add('transfer-confirm');
    actions.add('transfer-decline');
  }
  if (open && m.escalation && isEscalationHead(staff, m.escalation.level, { division_id: m.escalation.divisionId, department_id: m.escalation.departmentId })) actions.add('review');
  if (m.reviewListPending && staff.role === 'manager_customer_service') actions.add('decision');
  if (!c.acknowledged_at && divisionMay(staff, c, 'acknowledge')) actions.add('acknowledge');
  if (c.acknowledged_at && divisionMay(staff, c, 'update')) {
    actions.add('progress');
    actions.add('update');
  }
  if (divisionMay(staff, c, 'resolve')) actions.add('resolve');
  if (divisionMay(staff, c, 'assign')) actions.add('assign');
  if (c.kind === 'service_request' && divisionMay(staff, c, 'reclassify')) actions.add('reclassify');
  if (open && !pending && sender) actions.add('transfer');
  if (pending && sender) actions.add('transfer-withdraw');
  if (c.status === 'resolved' && c.duplicate_of_id === null && divisionMay(staff, c, 'reopen')) actions.add('reopen');
  if (divisionMay(staff, c, 'merge')) actions.add('duplicate');
  if (c.duplicate_of_id !== null && staff.divisionId === c.division_id && !pending) actions.add('duplicate-undo');
  // §5.3: the staff who take the customer's call or visit ask on their behalf (heads receive escalations).
  if (open && c.kind === 'service_request' && ['customer_service', 'manager_customer_service', 'division_staff'].includes(staff.role)) actions.add('escalate');
  actions.add('note');
  return actions;
}

const methodLabels = (c: CaseRow): Option[] => [
  ...(c.customer_email ? [{ value: 'email', label: `E-mail: citydesk sends it to ${c.customer_email}` }] : []),
  ...(c.customer_phone ? [{ value: 'phone', label: `Phone call: you call ${c.customer_phone} and tell them` }] : []),
  { value: 'letter', label: 'Letter: you post it' },
  { value: 'in_person', label: 'In person: you tell them at the counter or on site' },
  { value: 'record', label: 'On record only: there is no way to reach the customer' },
];

/** The form's own view of a field: its name, what was sent, and its error. */
function fields(m: CaseActionsModel, action: ActionName) {
  const mine = m.form?.action === action ? m.form : undefined;
  return {
    name: (field: string) => fieldName(action, field),
    value: (field: string, fallback = '') => mine?.values[fieldName(action, field)] ?? fallback,
    error: (field: string) => mine?.errors[fieldName(action, field)],
    formError: mine?.errors[fieldName(action, '_form')],
    hasErrors: mine !== undefined && Object.keys(mine.errors).length > 0,
    sent: mine !== undefined,
  };
}

function ActionCard(props: {
  m: CaseActionsModel;
  action: ActionName;
  title: string;
  open?: boolean;
  submit: string;
  intro?: ComponentChildren;
  extraButtons?: ComponentChildren;
  children?: ComponentChildren;
}) {
  const f = fields(props.m, props.action);
  const url = `/staff/cases/${encodeURIComponent(props.m.caseRow.reference)}/${actionPaths[props.action]}`;
  // Enter in a one-line field presses the form's first submit button (HTML implicit submission).
  // With a template picker that would be "Use this template", putting the template's text back
  // over what was typed: a hidden copy of the form's own button comes first instead.
  const picksTemplates = (props.m.templates[props.action as TemplateAction]?.length ?? 0) > 0;
  return (
    <details class="case-action" id={`action-${props.action}`} open={props.open || f.sent}>
      <summary>{props.title}</summary>
      <div class="case-action__body">
        {f.formError ? (
          <div class="alert alert--error case-action__refusal" id={fieldId(fieldName(props.action, '_form'))} tabIndex={-1}>
            <p>
              <span class="visually-hidden">Error: </span>
              {f.formError}
            </p>
          </div>
        ) : null}
        {props.intro}
        <form method="post" action={url} novalidate hx-post={url} hx-target="#case-page" hx-select="#case-page" hx-swap="outerHTML show:window:top">
          {picksTemplates ? (
            <button type="submit" class="visually-hidden" tabIndex={-1} aria-hidden="true">
              {props.submit}
            </button>
          ) : null}
          {props.children}
          <div class="actions">
            <button type="submit">{props.submit}</button>
            {props.extraButtons}
          </div>
        </form>
      </div>
    </details>
  );
}

function MethodField(props: { m: CaseActionsModel; action: ActionName; label: string }) {
  const f = fields(props.m, props.action);
  return (
    <Choices
      name={f.name('method')}
      label={props.label}
      hint="By default the way the customer prefers."
      options={methodLabels(props.m.caseRow)}
      value={f.value('method', defaultMethod(props.m.caseRow))}
      error={f.error('method')}
      required
    />
  );
}

const dateHint = (m: CaseActionsModel) => `It means the close of business that day. ${dateFieldHint(formatDate(m.now, m.directory.calendar.timeZone))}`;

/** §4.1: the acknowledgment as the customer will read it, from the same template the use case uses. */
function AcknowledgmentPreview(props: { m: CaseActionsModel }) {
  const { m } = props;
  const f = fields(m, 'acknowledge');
  const c = m.caseRow;
  const calendar = m.directory.calendar;
  const timeline = f.value('timeline').trim();
  let promised: number | null = null;
  if (/^\d{4}-\d{2}-\d{2}$/.test(timeline)) {
    try {
      promised = calendar.hoursOf(timeline).closes;
    } catch {
      promised = null;
    }
  }
  const context = messageContext(m.directory, c, c.division_id);
  const message = acknowledgmentMessage({
    ...context,
    contact: f.value('contact', context.contact).trim() || '[contact information]',
    staffName: m.staff.name,
    nextSteps: f.value('nextSteps').trim() || '[the next steps you write above]',
    respondBy: c.kind === 'inquiry' ? (promised ?? null) : null,
    resolveBy: c.kind === 'service_request' ? (promised ?? (c.resolve_by ? new Date(c.resolve_by).getTime() : null)) : null,
    resolveUnit: promised === null ? caseResolutionUnit(m.directory, c) : undefined,
    note: f.value('note').trim() || null,
    now: m.now.getTime(),
  });
  return (
    <section class="case-preview" aria-labelledby="ack-preview-title">
      <h3 id="ack-preview-title">The message the customer will get</h3>
      <p class="case-preview__subject">
        <strong>Subject:</strong> {message.subject}
      </p>
      <div class="body case-text">{message.body}</div>
    </section>
  );
}

function Acknowledge(props: { m: CaseActionsModel }) {
  const { m } = props;
  const f = fields(m, 'acknowledge');
  const c = m.caseRow;
  const context = messageContext(m.directory, c, c.division_id);
  const inquiry = c.kind === 'inquiry';
  // Issue 18: an overdue case's target is not promised again; staff are asked for a new date.
  const passed = !inquiry && c.resolve_by !== null && new Date(c.resolve_by).getTime() <= m.now.getTime();
  const zone = m.directory.calendar.timeZone;
  const previewUrl = `/staff/cases/${encodeURIComponent(c.reference)}/acknowledge/preview`;
  return (
    <ActionCard
      m={m}
      action="acknowledge"
      title="Acknowledge"
      open
      submit="Acknowledge and send"
      intro={
        <p class="hint">
          {`A personal acknowledgment confirms receipt, names ${context.divisionName} as the responsible division, outlines the next steps and gives contact information (CSS §3.3, §4.1). The automatic receipt e-mail never counts.`}
        </p>
      }
      extraButtons={
        <button type="submit" class="button--secondary" formAction={previewUrl} formNoValidate>
          Preview the message
        </button>
      }
    >
      <TemplatePicker m={m} action="acknowledge" />
      <TextArea name={f.name('nextSteps')} label="Next steps" hint="What happens next, in words the customer understands." value={f.value('nextSteps')} error={f.error('nextSteps')} rows={3} maxLength={2000} required />
      <TextField
        name={f.name('contact')}
        label="Contact information for follow-up"
        hint="A name, phone number or e-mail address the customer can use. Prefilled with the division's contact."
        value={f.value('contact', context.contact)}
        error={f.error('contact')}
        maxLength={500}
        required
      />
      <TextField
        name={f.name('timeline')}
        type="date"
        label={inquiry ? 'Date of the full response' : passed ? 'New expected resolution date' : 'Expected resolution date'}
        hint={
          inquiry
            ? `An inquiry that needs investigation gets a timeline (CSS §3.3). ${dateHint(m)}`
            : passed
              ? `The resolution target, ${formatTargetDue(c.resolve_by!, zone, caseResolutionUnit(m.directory, c))}, has passed: give the customer a new date. Left empty, the message says the request is overdue and that a new date will follow. ${dateHint(m)}`
              : `Leave empty to keep the resolution target. ${dateHint(m)}`
        }
        value={f.value('timeline')}
        error={f.error('timeline')}
        class="narrow"
        required={inquiry}
      />
      <MethodField m={m} action="acknowledge" label="How the acknowledgment reaches the customer" />
      <TextArea name={f.name('note')} label="A personal line added to the message" value={f.value('note')} error={f.error('note')} rows={2} maxLength={2000} />
      <AcknowledgmentPreview m={m} />
    </ActionCard>
  );
}

function Update(props: { m: CaseActionsModel }) {
  const f = fields(props.m, 'update');
  return (
    <ActionCard m={props.m} action="update" title="Send an update with a revised timeline" submit="Send the update" intro={<p class="hint">The new date becomes the date the customer holds; compliance is still measured against the original target.</p>}>
      <TemplatePicker m={props.m} action="update" />
      <TextArea name={f.name('status')} label="Where things stand" value={f.value('status')} error={f.error('status')} rows={3} maxLength={2000} required />
      <TextField name={f.name('timeline')} type="date" label="Revised timeline" hint={dateHint(props.m)} value={f.value('timeline')} error={f.error('timeline')} class="narrow" required />
      <TextArea name={f.name('reason')} label="Why the date changes" value={f.value('reason')} error={f.error('reason')} rows={2} maxLength={2000} required />
      <MethodField m={props.m} action="update" label="How the update reaches the customer" />
    </ActionCard>
  );
}

/** §3.3: where things stand, without a new date: the date the customer holds still stands. */
function Progress(props: { m: CaseActionsModel }) {
  const { m } = props;
  const f = fields(m, 'progress');
  const held = heldDate(m.caseRow);
  const passed = held !== null && held.getTime() <= m.now.getTime();
  const zone = m.directory.calendar.timeZone;
  return (
    <ActionCard
      m={m}
      action="progress"
      title="Send a progress note (no new date)"
      submit="Send the progress note"
      intro={
        <p class="hint">
          {held === null
            ? 'Tells the customer where things stand; no date changes.'
            : passed
              ? `The date the customer holds, ${formatDate(held, zone)}, has passed: send an update with a revised timeline instead (CSS §3.3).`
              : `Tells the customer where things stand; the date they hold, ${formatDate(held, zone)}, still stands.`}
        </p>
      }
    >
      <TextArea name={f.name('status')} label="Where things stand" value={f.value('status')} error={f.error('status')} rows={3} maxLength={2000} required />
      <MethodField m={m} action="progress" label="How the note reaches the customer" />
    </ActionCard>
  );
}

function Assign(props: { m: CaseActionsModel }) {
  const { m } = props;
  const f = fields(m, 'assign');
  const division = m.directory.division(m.caseRow.division_id)?.name ?? 'the division';
  return (
    <ActionCard m={m} action="assign" title="Assign the owner" submit="Assign">
      <Select
        name={f.name('ownerId')}
        label="Owner"
        hint={`A member of ${division}, the responsible division.`}
        options={m.divisionStaff.map((s) => ({ value: String(s.id), label: s.name }))}
        value={f.value('ownerId', m.caseRow.owner_id ? String(m.caseRow.owner_id) : '')}
        placeholder="Choose a staff member"
        error={f.error('ownerId')}
        required
      />
    </ActionCard>
  );
}

function Transfer(props: { m: CaseActionsModel }) {
  const { m } = props;
  const f = fields(m, 'transfer');
  const from = m.directory.division(m.caseRow.division_id)?.name ?? 'this division';
  return (
    <ActionCard
      m={m}
      action="transfer"
      title="Transfer to another division"
      submit="Transfer"
      intro={<p class="hint">{`${from} keeps the case until a member of the receiving division confirms receipt (CSS §3.1); the customer's targets never restart.`}</p>}
    >
      <Select
        name={f.name('toDivision')}
        label="Division"
        options={m.directory.divisions.filter((d) => d.id !== m.caseRow.division_id).map((d) => ({ value: d.code, label: d.name }))}
        value={f.value('toDivision')}
        placeholder="Choose a division"
        error={f.error('toDivision')}
        required
      />
      <TemplatePicker m={m} action="transfer" />
      <TextArea name={f.name('note')} label="Note for the receiving division" hint="Why it is theirs and what they need to know." value={f.value('note')} error={f.error('note')} rows={3} maxLength={2000} required />
    </ActionCard>
  );
}

function TransferConfirm(props: { m: CaseActionsModel }) {
  const to = props.m.caseRow.transfer_to_division_id ? props.m.directory.division(props.m.caseRow.transfer_to_division_id)?.name : undefined;
  return (
    <ActionCard
      m={props.m}
      action="transfer-confirm"
      title="Confirm receipt of the transfer"
      open
      submit="Confirm receipt"
      intro={<p>{`Confirming makes ${to ?? 'your division'} responsible for the case and tells the customer which division now has it.`}</p>}
    />
  );
}

function TransferDecline(props: { m: CaseActionsModel }) {
  const f = fields(props.m, 'transfer-decline');
  const from = props.m.directory.division(props.m.caseRow.division_id)?.name ?? 'the sending division';
  return (
    <ActionCard
      m={props.m}
      action="transfer-decline"
      title="Decline the transfer"
      submit="Decline and send it back"
      intro={<p class="hint">{`Not for your division? It goes back to ${from}, which keeps it and its owner (CSS §3.1). Say why, and who should have it if you know.`}</p>}
    >
      <TextArea name={f.name('reason')} label="Why it is not for your division" value={f.value('reason')} error={f.error('reason')} rows={2} maxLength={2000} required />
    </ActionCard>
  );
}

function TransferWithdraw(props: { m: CaseActionsModel }) {
  const f = fields(props.m, 'transfer-withdraw');
  return (
    <ActionCard m={props.m} action="transfer-withdraw" title="Withdraw the transfer" submit="Withdraw the transfer">
      <TextArea name={f.name('reason')} label="Why the transfer is withdrawn" value={f.value('reason')} error={f.error('reason')} rows={2} maxLength={2000} required />
    </ActionCard>
  );
}

function Reclassify(props: { m: CaseActionsModel }) {
  const { m } = props;
  const f = fields(m, 'reclassify');
  const calendar = m.directory.calendar;
  const choices = m.requestTypes.filter((t) => m.caseRow.request_type_id === null || m.directory.requestType(m.caseRow.request_type_id)?.code !== t.code);
  return (
    <ActionCard
      m={m}
      action="reclassify"
      title="Change the request type"
      submit="Reclassify"
      intro={
        <p class="hint">{`The targets are recomputed for the new type from the original receipt (${formatDateTime(m.caseRow.received_at, calendar.timeZone)}), with the Division Service Targets in force then: the clock does not restart. A type of another division transfers the case to it (CSS §3.1).`}</p>
      }
    >
      <Select name={f.name('requestType')} label="New request type" options={choices.map((t) => ({ value: t.code, label: `${t.name} (${t.divisionName})` }))} value={f.value('requestType')} placeholder="Choose a request type" error={f.error('requestType')} required />
      {choices
        .filter((t) => t.attributes.length > 0)
        .map((t) => (
          <fieldset class="case-attributes">
            <legend>{`If it is ${t.name}`}</legend>
            {t.attributes.map((a) => {
              const name = f.name(`attribute.${t.code}.${a.code}`);
              const label = a.description;
              return a.values && a.values.length > 0 ? (
                <Select name={name} label={label} options={a.values.map((v) => ({ value: v.key, label: v.name }))} value={f.value(`attribute.${t.code}.${a.code}`)} placeholder="Not known" error={f.error(`attribute.${t.code}.${a.code}`)} required={a.required} />
              ) : (
                <TextField name={name} label={label} value={f.value(`attribute.${t.code}.${a.code}`)} error={f.error(`attribute.${t.code}.${a.code}`)} required={a.required} />
              );
            })}
          </fieldset>
        ))}
      <TextArea name={f.name('reason')} label="Why the type changes" value={f.value('reason')} error={f.error('reason')} rows={2} maxLength={2000} required />
    </ActionCard>
  );
}

function Resolve(props: { m: CaseActionsModel }) {
  const f = fields(props.m, 'resolve');
  return (
    <ActionCard
      m={props.m}
      action="resolve"
      title="Resolve"
      submit="Resolve and send"
      intro={props.m.caseRow.acknowledged_at ? undefined : <p class="hint">Not acknowledged yet: the resolution message will count as the acknowledgment.</p>}
    >
      <TemplatePicker m={props.m} action="resolve" />
      <TextArea name={f.name('resolution')} label="Resolution message" hint="What was done, in words the customer understands." value={f.value('resolution')} error={f.error('resolution')} rows={4} maxLength={4000} required />
      <MethodField m={props.m} action="resolve" label="How the resolution reaches the customer" />
    </ActionCard>
  );
}

function Reopen(props: { m: CaseActionsModel }) {
  const f = fields(props.m, 'reopen');
  return (
    <ActionCard m={props.m} action="reopen" title="Reopen" submit="Reopen" intro={<p class="hint">The case opens again with its original targets; the customer is told.</p>}>
      <TextArea name={f.name('reason')} label="Why it is reopened" value={f.value('reason')} error={f.error('reason')} rows={2} maxLength={2000} required />
    </ActionCard>
  );
}

function Note(props: { m: CaseActionsModel }) {
  const f = fields(props.m, 'note');
  return (
    <ActionCard m={props.m} action="note" title="Add an internal note" submit="Add the note">
      <TextArea name={f.name('text')} label="Internal note" hint="Staff who can see the case read it. The customer never sees it." value={f.value('text')} error={f.error('text')} rows={3} maxLength={4000} required />
    </ActionCard>
  );
}

function Review(props: { m: CaseActionsModel }) {
  const { m } = props;
  const f = fields(m, 'review');
  const level = m.escalation?.level ?? 1;
  return (
    <ActionCard
      m={m}
      action="review"
      title={`Review the escalation (${escalationRoles[level as EscalationLevel] ?? 'head'})`}
      open={!m.escalation?.reviewed}
      submit="Record the review and update the customer"
      intro={<p class="hint">{`${m.escalation?.reviewed ? 'Already reviewed once; a new review replaces the revised timeline. ' : ''}CSS §5.2: review the request, give a revised resolution timeline and update the customer, in one step.`}</p>}
    >
      <TextArea name={f.name('findings')} label="What the review found and the actions decided" hint="Internal: kept in the case history." value={f.value('findings')} error={f.error('findings')} rows={3} maxLength={4000} required />
      <TextField name={f.name('timeline')} type="date" label="Revised resolution timeline" hint={dateHint(m)} value={f.value('timeline')} error={f.error('timeline')} class="narrow" required />
      <TextArea name={f.name('update')} label="Message to the customer: where things stand" value={f.value('update')} error={f.error('update')} rows={3} maxLength={4000} required />
      <MethodField m={m} action="review" label="How the update reaches the customer" />
    </ActionCard>
  );
}

function Decision(props: { m: CaseActionsModel }) {
  const f = fields(props.m, 'decision');
  const level = props.m.escalation?.level ?? 1;
  const next = escalationRoles[(level + 1) as EscalationLevel];
  return (
    <ActionCard
      m={props.m}
      action="decision"
      title="Decide the review-list entry"
      open
      submit="Record the decision"
      intro={<p class="hint">Two weeks after its escalation this request is unresolved but updated and within its revised timeline (INTERPRETATION §6): escalate it, or record why not.</p>}
    >
      <Choices
        name={f.name('decision')}
        label="Decision"
        options={[
          { value: 'escalate', label: next ? `Escalate to the ${next}` : 'Escalate to the next level' },
          { value: 'keep', label: 'Keep it at this level' },
        ]}
        value={f.value('decision')}
        error={f.error('decision')}
        required
      />
      <TextArea name={f.name('reason')} label="Reason for the decision" value={f.value('reason')} error={f.error('reason')} rows={2} maxLength={2000} required />
    </ActionCard>
  );
}

function Escalate(props: { m: CaseActionsModel }) {
  const f = fields(props.m, 'escalate');
  return (
    <ActionCard
      m={props.m}
      action="escalate"
      title="Ask for an escalation"
      submit="Ask for the escalation"
      intro={<p class="hint">For a customer asking on the phone or at the counter, or on your own (CSS §5.3). citydesk checks the criteria and answers at once; the answer is recorded in the timeline.</p>}
    >
      <Choices
        name={f.name('grounds')}
        label="Why the customer asks"
        options={[
          { value: 'missed_target', label: 'A target was missed and there is no current revised plan' },
          { value: 'disagree_with_outcome', label: 'They disagree with the outcome (recorded as feedback; not grounds for escalation)' },
        ]}
        value={f.value('grounds')}
        error={f.error('grounds')}
        required
      />
      <TextArea name={f.name('comment')} label="What the customer said" value={f.value('comment')} error={f.error('comment')} rows={2} maxLength={4000} />
    </ActionCard>
  );
}

/**
 * Issue 18: the division's ready-made responses for this form, already filled in from the case.
 * Without JavaScript, "Use this template" posts the form and the page comes back with the text in
 * its field; with it (response-templates.js), choosing one fills the field at once. Either way the
 * text stays editable before it is sent.
 */
function TemplatePicker(props: { m: CaseActionsModel; action: TemplateAction }) {
  const offered = props.m.templates[props.action] ?? [];
  if (offered.length === 0) return null;
  const f = fields(props.m, props.action as ActionName);
  const target = fieldId(f.name(templateActions[props.action].field));
  const id = fieldId(f.name('template'));
  const url = `/staff/cases/${encodeURIComponent(props.m.caseRow.reference)}/${actionPaths[props.action as ActionName]}/template`;
  return (
    <div class="field template-picker">
      <label for={id}>Ready-made response</label>
      <span class="hint" id={`${id}-hint`}>
        Fills the text below with the case's details; edit it before sending.
      </span>
      <div class="template-picker__row">
        <select id={id} name={f.name('template')} aria-describedby={`${id}-hint`} data-template-target={target}>
          <option value="">Choose a template</option>
          {offered.map((t) => (
            <option value={String(t.id)} data-text={t.text} selected={f.value('template') === String(t.id)}>
              {t.name}
            </option>
          ))}
        </select>
        <button type="submit" class="button--secondary" formAction={url} formNoValidate>
          Use this template
        </button>
      </div>
    </div>
  );
}

function Duplicate(props: { m: CaseActionsModel }) {
  const { m } = props;
  const f = fields(m, 'duplicate');
  const candidates = m.duplicates.candidates;
  return (
    <ActionCard
      m={m}
      action="duplicate"
      title="Mark as a duplicate"
      submit="Mark as a duplicate"
      intro={
        <p class="hint">{`Another report of the same problem: this one closes pointing at it, its customer is told and follows that request's updates, and the two count once in the performance figures. It can be undone.`}</p>
      }
    >
      {candidates.length > 0 ? (
        <div class="duplicate-candidates">
          <p>Open requests of the same type at the same place:</p>
          <ul>
            {candidates.map((c) => (
              <li>
                <a href={`/staff/cases/${c.reference}`}>{c.reference}</a>
                {` — ${c.summary}${c.address ? ` (${c.address})` : ''}`}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <TextField
        name={f.name('parent')}
        label="Reference of the request it duplicates"
        hint="e.g. SR-2026-000123: the request that carries the work."
        value={f.value('parent', candidates.length === 1 ? candidates[0]!.reference : '')}
        error={f.error('parent')}
        class="narrow"
        maxLength={30}
        required
      />
      <TextArea name={f.name('reason')} label="Why it is the same problem" hint="Kept in both requests' histories and told to the customer." value={f.value('reason')} error={f.error('reason')} rows={2} maxLength={2000} />
    </ActionCard>
  );
}

function DuplicateUndo(props: { m: CaseActionsModel }) {
  const f = fields(props.m, 'duplicate-undo');
  return (
    <ActionCard
      m={props.m}
      action="duplicate-undo"
      title="Undo: not a duplicate"
      open
      submit="Open it again on its own"
      intro={<p class="hint">{`It opens again under its own reference with its original targets, and counts on its own again; the customer is told.`}</p>}
    >
      <TextArea name={f.name('reason')} label="Why it is not a duplicate" value={f.value('reason')} error={f.error('reason')} rows={2} maxLength={2000} required />
    </ActionCard>
  );
}

const order: ActionName[] = ['transfer-confirm', 'transfer-decline', 'review', 'decision', 'acknowledge', 'progress', 'update', 'resolve', 'assign', 'reclassify', 'transfer', 'transfer-withdraw', 'reopen', 'duplicate-undo', 'duplicate', 'escalate', 'note'];

const render: Record<ActionName, (props: { m: CaseActionsModel }) => ComponentChildren> = {
  'transfer-confirm': TransferConfirm,
  review: Review,
  decision: Decision,
  acknowledge: Acknowledge,
  update: Update,
  resolve: Resolve,
  assign: Assign,
  reclassify: Reclassify,
  transfer: Transfer,
  'transfer-withdraw': TransferWithdraw,
  'transfer-decline': TransferDecline,
  progress: Progress,
  reopen: Reopen,
  escalate: Escalate,
  note: Note,
  // Shown under "What the public sees" (case-moderation.tsx), not in this panel.
  moderate: () => null,
  photo: () => null,
  duplicate: Duplicate,
  'duplicate-undo': DuplicateUndo,
};

/** The actions panel: the forms this person may use, and the one a refusal came from. */
export function CaseActions(props: { m: CaseActionsModel }) {
  const { m } = props;
  const available = availableActions(m);
  // A refused form shows beside its refusal even when the page would not have offered it.
  if (m.form) available.add(m.form.action);
  const shown = order.filter((a) => available.has(a));
  const onlyNote = shown.length === 1 && shown[0] === 'note';
  return (
    <section aria-labelledby="actions-title" class="case-actions">
      <h2 id="actions-title">Actions</h2>
      {onlyNote ? <p class="muted">Your role cannot change this case; you can add an internal note.</p> : null}
      {shown.map((a) => {
        const Action = render[a];
        return <Action m={m} />;
      })}
    </section>
  );
}
