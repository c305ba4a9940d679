import { randomUUID } from 'node:crypto';
import { findArticleVersion, searchArticles, type ArticleHit } from '../../knowledge/knowledge-base.js';
import type { FastifyInstance } from 'fastify';
import { DateTime } from 'luxon';
import type { ComponentChildren } from 'preact';
import type { CaseServices } from '../../cases/case-services.js';
import { getCase, type CaseView } from '../../cases/case-queries.js';
import { assertTakesContacts } from '../../cases/case-policy.js';
import { referencePattern } from '../../cases/case-record.js';
import { resolutionTargetUnit } from '../../cases/resolution-target.js';
import { checkIntake, createCase, type IntakeInput } from '../../cases/create-case.js';
import { findCustomerCases, findNearbyOpenRequests, type RelatedCase } from '../../cases/find-cases.js';
import type { PreferredContact } from '../../db/schema.js';
import type { Directory } from '../../directory/directory-cache.js';
import type { StaffMember } from '../../directory/staff.js';
import { AppError, isAppError } from '../../platform/errors.js';
import { attributeAnswerWords, type AttributeDefinition } from '../../standard/attributes.js';
import { Breadcrumbs, Choices, ErrorSummary, Select, TextArea, TextField, type FieldErrors, type Option } from '../components.js';
import { dateTimeFieldHint, formatDateTime, formatShortDateTime, formatTargetDue } from '../format.js';
import { Layout } from '../layout.js';
import { officialChannelsReply } from '../../notify/official-channels-reply.js';
import { serviceCentreAddresses } from '../portal/contact-page.js';
import { sendPage } from '../render.js';
import { requestTypeOptions, StatusBadge } from './c1-case-list.js';
import { consoleLayout, requireStaffPage } from './console-auth.js';

/**
 * Intake for phone, e-mail, counter and social-media contacts (CSS §3.1–§3.3): what kind of
 * contact it is, the request type's questions, location, customer, then a read-back the customer
 * confirms, and the reference and targets to tell them. Plain forms, one step a page; the rules
 * are createCase's (checkIntake asks them before the read-back), and its messages are shown
 * beside the fields they name.
 */

type Kind = 'inquiry' | 'service_request';

/** What the form holds, as the browser sends it (qs: customer[name], attribute[road_class]). */
interface IntakeForm {
  kind: Kind;
  requestType: string;
  division: string;
  channel: string;
  serviceCentre: string;
  receivedAt: string;
  customer: { name: string; email: string; phone: string; preferredContact: string };
  location: { address: string; latitude: string; longitude: string };
  attribute: Record<string, string | string[]>;
  description: string;
  summary: string;
  answer: string;
  /** Issue 18: the knowledge-base article version the answer came from ("slug@version"), and the words searched. */
  article: string;
  answerSearch: string;
  /** Issue 18: the request type of a service request refused for its channel (social media) and recorded as an inquiry instead. */
  refusedType: string;
  idempotencyKey: string;
}

const str = (v: unknown, max = 4000): string => (typeof v === 'string' ? v.slice(0, max + 1) : '');
const obj = (v: unknown): Record<string, unknown> => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

function readForm(body: Record<string, unknown>): IntakeForm {
  const customer = obj(body['customer']);
  const location = obj(body['location']);
  const attribute: Record<string, string | string[]> = {};
  for (const [code, value] of Object.entries(obj(body['attribute'])).slice(0, 50)) {
    if (typeof value === 'string') attribute[code] = value;
    else if (Array.isArray(value)) attribute[code] = value.filter((v): v is string => typeof v === 'string');
  }
  return {
    kind: body['kind'] === 'service_request' ? 'service_request' : 'inquiry',
    requestType: str(body['requestType'], 64),
    division: str(body['division'], 64),
    channel: str(body['channel'], 40),
    serviceCentre: str(body['serviceCentre'], 64),
    receivedAt: str(body['receivedAt'], 40),
    customer: { name: str(customer['name'], 200), email: str(customer['email'], 254), phone: str(customer['phone'], 40), preferredContact: str(customer['preferredContact'], 20) },
    location: { address: str(location['address'], 500), latitude: str(location['latitude'], 40), longitude: str(location['longitude'], 40) },
    attribute,
    description: str(body['description']),
    summary: str(body['summary'], 1000),
    answer: str(body['answer']),
    article: /^[a-z0-9-]{1,80}@\d{1,7}$/.test(str(body['article'], 90)) ? str(body['article'], 90) : '',
    answerSearch: str(body['answerSearch'], 200),
    refusedType: str(body['refusedType'], 64),
    idempotencyKey: str(body['idempotencyKey'], 200),
  };
}

/** The limits of the JSON API's intake schema, said in words. */
const limits: [keyof IntakeForm | string, (f: IntakeForm) => string, number, string][] = [
  ['description', (f) => f.description, 4000, 'The description'],
  ['summary', (f) => f.summary, 1000, 'The summary'],
  ['answer', (f) => f.answer, 4000, 'The answer'],
  ['customer[name]', (f) => f.customer.name, 200, 'The name'],
  ['customer[email]', (f) => f.customer.email, 254, 'The e-mail address'],
  ['customer[phone]', (f) => f.customer.phone, 40, 'The phone number'],
  ['location[address]', (f) => f.location.address, 500, 'The address'],
];

/** What the form can tell before the use case sees it: lengths, numbers, the fields to read back. */
function checkForm(form: IntakeForm): FieldErrors {
  const errors: FieldErrors = {};
  for (const [field, get, max, what] of limits) if (get(form).length > max) errors[field] = `${what} can have at most ${max.toLocaleString('en-CA')} characters.`;
  for (const axis of ['latitude', 'longitude'] as const) {
    const v = form.location[axis].trim();
    const limit = axis === 'latitude' ? 90 : 180;
    // As the API's schema: a number within the globe's range, said in words.
    if (v !== '' && (!Number.isFinite(Number(v)) || Math.abs(Number(v)) > limit)) {
      errors[`location[${axis}]`] = `The ${axis} must be a number between -${limit} and ${limit}, such as ${axis === 'latitude' ? '44.3500' : '-78.7400'}.`;
    }
  }
  if (form.description.trim() === '' && !errors['description']) errors['description'] = 'Describe what the customer asked or reported.';
  if (form.summary.trim() === '' && !errors['summary']) errors['summary'] = 'Write the summary you will read back to the customer (CSS §3.1).';
  if (form.channel === '') errors['channel'] = 'Choose how the customer contacted the City.';
  return errors;
}

const blankToUndefined = (s: string): string | undefined => (s.trim() === '' ? undefined : s.trim());
const numberOrUndefined = (s: string): number | undefined => (s.trim() === '' ? undefined : Number(s));

/** The form as createCase takes it: what the JSON route's body would be. */
function toIntakeInput(form: IntakeForm, summaryConfirmed: boolean): IntakeInput {
  const attributes: Record<string, string | string[]> = {};
  for (const [code, value] of Object.entries(form.attribute)) {
    if (Array.isArray(value) ? value.length > 0 : value.trim() !== '') attributes[code] = Array.isArray(value) ? value : value.trim();
  }
  const customer = {
    name: blankToUndefined(form.customer.name),
    email: blankToUndefined(form.customer.email),
    phone: blankToUndefined(form.customer.phone),
    preferredContact: blankToUndefined(form.customer.preferredContact) as PreferredContact | undefined,
  };
  const location = { address: blankToUndefined(form.location.address), latitude: numberOrUndefined(form.location.latitude), longitude: numberOrUndefined(form.location.longitude) };
  return {
    kind: form.kind,
    channel: form.channel,
    serviceCentre: blankToUndefined(form.serviceCentre),
    requestType: form.kind === 'service_request' ? form.requestType : undefined,
    division: form.kind === 'inquiry' ? blankToUndefined(form.division) : undefined,
    customer,
    description: form.description,
    summary: form.summary,
    summaryConfirmed,
    location: location.address !== undefined || location.latitude !== undefined || location.longitude !== undefined ? location : undefined,
    attributes: form.kind === 'service_request' ? attributes : undefined,
    receivedAt: blankToUndefined(form.receivedAt),
    resolveAtFirstContact: form.kind === 'inquiry' && form.answer.trim() !== '' ? { answer: form.answer, article: articleOf(form) } : undefined,
  };
}

/** "pool-hours@2" → the article version the answer came from. */
function articleOf(form: IntakeForm): { slug: string; version: number } | undefined {
  const [slug, version] = form.article.split('@');
  return slug && version ? { slug, version: Number(version) } : undefined;
}

/** The use case's field names, as this form names its fields. */
const formFieldOf: Record<string, string> = {
  'customer.name': 'customer[name]',
  'customer.email': 'customer[email]',
  'customer.phone': 'customer[phone]',
  'customer.preferredContact': 'customer[preferredContact]',
  location: 'location[address]',
  'location.latitude': 'location[latitude]',
  'location.longitude': 'location[longitude]',
  'resolveAtFirstContact.answer': 'answer',
  'resolveAtFirstContact.article': 'answer',
};
const formFields = new Set(['channel', 'serviceCentre', 'receivedAt', 'division', 'description', 'summary', 'summaryConfirmed', 'customer[name]', 'customer[email]', 'customer[phone]', 'customer[preferredContact]', 'location[address]', 'location[latitude]', 'location[longitude]', 'answer']);

function errorsFrom(error: AppError): FieldErrors {
  const errors: FieldErrors = {};
  for (const d of error.details) {
    const field = d.field === undefined ? undefined : (formFieldOf[d.field] ?? d.field);
    if (field && (formFields.has(field) || field.startsWith('attribute['))) {
      // The use case's message says it best; a detail's own words are terse ("must be true").
      errors[field] = error.details.length === 1 ? error.message : d.message.charAt(0).toUpperCase() + d.message.slice(1);
    }
  }
  if (Object.keys(errors).length === 0) errors['_form'] = error.message;
  return errors;
}

interface TypeInfo {
  code: string;
  name: string;
  divisionName: string;
  attributes: AttributeDefinition[];
}

function findType(directory: Directory, code: string, now: Date): TypeInfo | undefined {
  if (!directory.activeRequestTypeCodes.includes(code)) return undefined;
  try {
    const found = directory.serviceTargets(code, now.getTime());
    return { code, name: found.requestType.name, divisionName: found.division.name, attributes: found.requestType.attributes };
  } catch {
    return undefined;
  }
}

const preferredOptions: Option[] = [
  { value: '', label: 'As given: e-mail if there is one, else phone' },
  { value: 'email', label: 'E-mail' },
  { value: 'phone', label: 'Phone' },
  { value: 'letter', label: 'Letter' },
  { value: 'in_person', label: 'In person' },
  { value: 'none', label: 'No contact wanted' },
];

/** Staff record contacts from every channel but the portal and the Open311 apps, which the public uses itself. */
const staffChannels = (directory: Directory): Option[] =>
  directory.channels
    .filter((c) => c.code !== 'web_portal' && c.code !== 'open311')
    .map((c) => ({ value: c.code, label: c.serviceRequests ? c.name : `${c.name} (general inquiries only, CSS §3.2)` }));

function IntakeShell(props: { staff: StaffMember; directory: Directory; title: string; step: string; scripts?: string[] | undefined; children: ComponentChildren }) {
  return (
    <Layout title={props.title} {...consoleLayout(props.staff, '/staff/intake', props.directory.municipality.name)} scripts={props.scripts}>
      <Breadcrumbs items={[{ href: '/staff', label: 'Home' }, { href: '/staff/intake', label: 'New contact' }, { label: props.step }]} />
      {props.children}
    </Layout>
  );
}

function StartPage(props: { staff: StaffMember; directory: Directory; now: Date; kind?: string; type?: string; errors: FieldErrors }) {
  return (
    <IntakeShell staff={props.staff} directory={props.directory} title="New contact" step="What it is">
      <p class="step-label">Step 1 of 3</p>
      <h1>Record a new contact</h1>
      <p class="lede">For a phone call, an e-mail, a visit to a Service Centre or a social-media message. First, what does the customer need?</p>
      <ErrorSummary errors={props.errors} />
      <form method="get" action="/staff/intake" class="panel" novalidate>
        <Choices
          name="kind"
          label="Is it a general inquiry or a service request?"
          hint="CSS §3.3: an inquiry asks for information; a service request reports an issue that needs City action."
          options={[
            { value: 'inquiry', label: 'General inquiry: the customer needs information' },
            { value: 'service_request', label: 'Service request: something needs City action' },
          ]}
          value={props.kind}
          error={props.errors['kind']}
          required
        />
        <Select
          name="type"
          label="Request type"
          hint="Needed for a service request: it decides the division and the targets."
          options={requestTypeOptions(props.directory, props.now)}
          value={props.type}
          placeholder="Choose the request type"
          error={props.errors['type']}
          markOptional={false}
        />
        <div class="actions">
          <button type="submit">Continue</button>
        </div>
      </form>
    </IntakeShell>
  );
}

export function AttributeField(props: { definition: AttributeDefinition; value: string | string[] | undefined; error: string | undefined; example?: string | undefined }) {
  const { definition: d } = props;
  const name = `attribute[${d.code}]`;
  const value = props.value;
  const single = typeof value === 'string' ? value : undefined;
  switch (d.datatype) {
    case 'singlevaluelist': {
      const options = (d.values ?? []).map((v) => ({ value: v.key, label: v.name }));
      return options.length <= 6 ? (
        <Choices name={name} label={d.description} options={options} value={single} error={props.error} required={d.required} />
      ) : (
        <Select name={name} label={d.description} options={options} value={single} placeholder="Choose one" error={props.error} required={d.required} />
      );
    }
    case 'multivaluelist':
      return <Choices name={`${name}[]`} label={d.description} options={(d.values ?? []).map((v) => ({ value: v.key, label: v.name }))} value={value} multiple error={props.error} required={d.required} />;
    case 'number':
      return <TextField name={name} label={d.description} type="text" inputmode="decimal" value={single} error={props.error} required={d.required} class="narrow" />;
    case 'datetime':
      return <TextField name={name} label={d.description} type="datetime-local" hint={props.example ? dateTimeFieldHint(props.example) : undefined} value={single} error={props.error} required={d.required} class="narrow" />;
    case 'text':
      return <TextArea name={name} label={d.description} value={single} error={props.error} required={d.required} rows={3} />;
    default:
      return <TextField name={name} label={d.description} value={single} error={props.error} required={d.required} maxLength={1000} />;
  }
}

/**
 * Issue 18: answering at first contact from the knowledge base. The search and "Give this answer"
 * post the whole form to /staff/intake/answers, which shows it again with the results or with the
 * article's text in the answer: nothing typed is lost, and no JavaScript is needed.
 */
function AnswerFinder(props: { form: IntakeForm; answers: AnswerSearch | undefined; directory: Directory }) {
  const { form, answers, directory } = props;
  const used = answers?.used;
  return (
    <div class="answer-finder">
      <div class="field">
        <label for="f-answerSearch">Find an answer in the knowledge base</label>
        <span class="hint" id="f-answerSearch-hint">
          Words of the question, e.g. pool hours or tax due date. Word forms count: “pools” finds “pool”.
        </span>
        <div class="template-picker__row">
          <input type="search" id="f-answerSearch" name="answerSearch" value={form.answerSearch} maxLength={200} aria-describedby="f-answerSearch-hint" />
          <button type="submit" class="button--secondary" formAction="/staff/intake/answers" formNoValidate>
            Search the answers
          </button>
        </div>
      </div>
      {answers && answers.searched && !used ? (
        answers.hits.length === 0 ? (
          <p role="status">{`No article matches “${form.answerSearch}”. Try other words, or answer in your own.`}</p>
        ) : (
          <section aria-labelledby="answer-hits-title">
            <div role="status">
              <h3 id="answer-hits-title">{`${answers.hits.length} article${answers.hits.length === 1 ? '' : 's'} found`}</h3>
            </div>
            <ol class="article-hits">
              {answers.hits.map((h) => (
                <li>
                  <strong>{h.title}</strong>
                  <span class="muted">{` — ${directory.division(h.divisionId)?.name ?? ''}, version ${h.version}`}</span>
                  <p>{`…${h.excerpt}…`}</p>
                  <button type="submit" class="button--secondary" name="useArticle" value={`${h.slug}@${h.version}`} formAction="/staff/intake/answers" formNoValidate aria-label={`Give this answer: ${h.title}`}>
                    Give this answer
                  </button>
                </li>
              ))}
            </ol>
          </section>
        )
      ) : null}
      {form.article ? (
        <p class="alert" role="status">
          {`The answer below is from the article “${used?.title ?? form.article.split('@')[0]}”, version ${form.article.split('@')[1]}. Edit it if you need to; the record keeps the version given.`}
        </p>
      ) : null}
      <input type="hidden" name="article" value={form.article} />
    </div>
  );
}

/**
 * Issue 18: social media takes no service requests (CSS §3.2), so the refusal offers the way that
 * is open: the same contact as a general inquiry, in one click. The button posts the whole form
 * (everything typed, as it stands) to /staff/intake/as-inquiry, without JavaScript; the reply to
 * give the resident names the official channels.
 */
function ChannelRefusal(props: { channel: string; reply: string }) {
  return (
    <section class="alert alert--warn intake-refusal" aria-labelledby="intake-refusal-title">
      <h2 id="intake-refusal-title">{`${props.channel} takes no service requests: record it as a general inquiry`}</h2>
      <p>
        {`${props.channel} is monitored for general inquiries but is not an official channel for service requests (CSS §3.2). Record this contact as a general inquiry: everything you typed is kept. Then give the resident the reply below, which names the official channels.`}
      </p>
      <div class="actions">
        <button type="submit" formaction="/staff/intake/as-inquiry" formNoValidate>
          Record it as a general inquiry
        </button>
      </div>
      <ReadyReply reply={props.reply} />
    </section>
  );
}

/** The reply to copy to the resident: read-only text staff can select, and send where the resident wrote. */
function ReadyReply(props: { reply: string; label?: string }) {
  return (
    <div class="field ready-reply">
      <label for="ready-reply">{props.label ?? 'Reply to the resident'}</label>
      <span class="hint" id="ready-reply-hint">
        Copy it into your answer where the resident wrote: it names the official channels.
      </span>
      <textarea id="ready-reply" readonly rows={12} aria-describedby="ready-reply-hint">
        {props.reply}
      </textarea>
    </div>
  );
}

export interface AnswerSearch {
  searched: boolean;
  hits: ArticleHit[];
  used?: { title: string } | undefined;
}

function DetailsPage(props: { staff: StaffMember; directory: Directory; form: IntakeForm; type: TypeInfo | undefined; errors: FieldErrors; answers?: AnswerSearch | undefined; reply?: string | undefined; now: Date }) {
  const { form, type, errors, directory } = props;
  const sr = form.kind === 'service_request';
  const divisions: Option[] = [...directory.divisions].sort((a, b) => a.name.localeCompare(b.name)).map((d) => ({ value: d.code, label: d.name }));
  const title = sr && type ? `New service request: ${type.name}` : 'New general inquiry';
  const example = formatDateTime(props.now, directory.calendar.timeZone);
  return (
    <IntakeShell staff={props.staff} directory={directory} title={title} step="Details" scripts={sr ? undefined : ['/assets/answer-search.js']}>
      <p class="step-label">Step 2 of 3</p>
      <h1>{title}</h1>
      <p class="lede">
        {sr && type ? `${type.divisionName} is responsible for it. ` : 'Customer Service answers it unless you choose the division responsible for the topic. '}
        <a href={`/staff/intake?kind=${form.kind}`}>Change what it is</a>
      </p>
      <ErrorSummary errors={errors} />
      <form method="post" action="/staff/intake/check" class="intake-form" novalidate>
        {/* Enter in a one-line field means "Continue to read-back", not the first button of the form
            (the knowledge base's search, the refusal's way out). In the search box itself, Enter
            searches (answer-search.js); without JavaScript the search is its button's. */}
        <button type="submit" class="visually-hidden" tabindex={-1} aria-hidden="true">
          Continue to read-back
        </button>
        <input type="hidden" name="kind" value={form.kind} />
        {sr ? <input type="hidden" name="requestType" value={form.requestType} /> : null}
        {form.refusedType ? <input type="hidden" name="refusedType" value={form.refusedType} /> : null}
        <input type="hidden" name="idempotencyKey" value={form.idempotencyKey} />
        {sr && props.reply !== undefined ? <ChannelRefusal channel={directory.channel(form.channel)?.name ?? form.channel} reply={props.reply} /> : null}

        <section class="card intake-step" aria-labelledby="intake-contact">
          <h2 id="intake-contact">The contact</h2>
          <Choices name="channel" label="How did the customer contact the City?" options={staffChannels(directory)} value={form.channel} error={errors['channel']} required inline />
          <Select
            name="serviceCentre"
            label="Service Centre"
            hint="Needed for an in-person contact: where the customer came in."
            options={directory.serviceCentres.map((c) => ({ value: c.code, label: c.name }))}
            value={form.serviceCentre}
            placeholder="Not in person"
            error={errors['serviceCentre']}
            markOptional={false}
          />
          <TextField
            name="receivedAt"
            type="datetime-local"
            label="Received at"
            hint={`Leave empty for now. Fill in only for a contact received earlier (a voicemail, an e-mail from this morning); the history records that it was back-dated. ${dateTimeFieldHint(example)}`}
            value={form.receivedAt}
            error={errors['receivedAt']}
            class="narrow"
          />
          {sr ? null : (
            <Select
              name="division"
              label="Division responsible for the topic"
              hint="Property tax, permits, by-laws, programs, facility hours..."
              options={divisions}
              value={form.division}
              placeholder="Customer Service"
              error={errors['division']}
            />
          )}
        </section>

        {sr && type && type.attributes.length > 0 ? (
          <section class="card intake-step" aria-labelledby="intake-questions">
            <h2 id="intake-questions">About the {type.name.toLowerCase()}</h2>
            {type.attributes.map((d) => (
              <AttributeField definition={d} value={form.attribute[d.code]} error={errors[`attribute[${d.code}]`]} example={example} />
            ))}
          </section>
        ) : null}

        <section class="card intake-step" aria-labelledby="intake-location">
          <h2 id="intake-location">Where</h2>
          <TextField
            name="location[address]"
            label="Address or place"
            hint={sr ? 'A service request needs a location: the address, or the point below.' : 'If the question is about a place.'}
            value={form.location.address}
            error={errors['location[address]']}
            required={sr}
            maxLength={500}
            autocomplete="off"
          />
          <div class="intake-pair">
            <TextField name="location[latitude]" label="Latitude" inputmode="decimal" value={form.location.latitude} error={errors['location[latitude]']} class="narrow" />
            <TextField name="location[longitude]" label="Longitude" inputmode="decimal" value={form.location.longitude} error={errors['location[longitude]']} class="narrow" />
          </div>
        </section>

        <section class="card intake-step" aria-labelledby="intake-customer">
          <h2 id="intake-customer">The customer</h2>
          <p class="muted">Every detail is optional: a customer may stay anonymous. With an e-mail address or phone number, the next step lists their earlier cases.</p>
          <TextField name="customer[name]" label="Name" value={form.customer.name} error={errors['customer[name]']} maxLength={200} autocomplete="off" />
          <TextField name="customer[email]" type="email" label="E-mail address" value={form.customer.email} error={errors['customer[email]']} maxLength={254} autocomplete="off" />
          <TextField name="customer[phone]" type="tel" label="Phone number" hint="For example 705-555-0123 or 705-555-0123 ext 42" value={form.customer.phone} error={errors['customer[phone]']} maxLength={40} autocomplete="off" class="narrow" />
          <Choices name="customer[preferredContact]" label="How they would like to hear back" options={preferredOptions} value={form.customer.preferredContact} error={errors['customer[preferredContact]']} inline />
        </section>

        <section class="card intake-step" aria-labelledby="intake-what">
          <h2 id="intake-what">What they {sr ? 'reported' : 'asked'}</h2>
          <TextArea name="description" label={sr ? 'What the customer reported' : 'What the customer asked'} value={form.description} error={errors['description']} required maxLength={4000} />
          <TextArea
            name="summary"
            label="Summary to read back to the customer"
            hint="One or two sentences. You will read it back and the customer confirms it (CSS §3.1)."
            value={form.summary}
            error={errors['summary']}
            required
            rows={3}
            maxLength={1000}
          />
          {sr ? null : <AnswerFinder form={form} answers={props.answers} directory={directory} />}
          {sr ? null : (
            <TextArea
              name="answer"
              label="Answered at first contact? The answer you gave"
              hint="Fill in only if you answered the question now: the inquiry is recorded as acknowledged and resolved by you in one step."
              value={form.answer}
              error={errors['answer']}
              rows={3}
              maxLength={4000}
            />
          )}
        </section>
        <div class="actions">
          <button type="submit">Continue to read-back</button>
        </div>
      </form>
    </IntakeShell>
  );
}

/** The form's values as hidden fields, so the read-back page can send them on or back. */
function HiddenFields(props: { form: IntakeForm }) {
  const { form } = props;
  const pairs: [string, string][] = [
    ['kind', form.kind],
    ['requestType', form.requestType],
    ['division', form.division],
    ['channel', form.channel],
    ['serviceCentre', form.serviceCentre],
    ['receivedAt', form.receivedAt],
    ['customer[name]', form.customer.name],
    ['customer[email]', form.customer.email],
    ['customer[phone]', form.customer.phone],
    ['customer[preferredContact]', form.customer.preferredContact],
    ['location[address]', form.location.address],
    ['location[latitude]', form.location.latitude],
    ['location[longitude]', form.location.longitude],
    ['description', form.description],
    ['summary', form.summary],
    ['answer', form.answer],
    ['article', form.article],
    ['refusedType', form.refusedType],
    ['idempotencyKey', form.idempotencyKey],
  ];
  for (const [code, value] of Object.entries(form.attribute)) {
    if (Array.isArray(value)) for (const v of value) pairs.push([`attribute[${code}][]`, v]);
    else pairs.push([`attribute[${code}]`, value]);
  }
  return (
    <>
      {pairs.map(([name, value]) => (
        <input type="hidden" name={name} value={value} />
      ))}
    </>
  );
}

function RelatedList(props: { cases: RelatedCase[]; zone: string; empty: string; caption: string }) {
  if (props.cases.length === 0) return <p>{props.empty}</p>;
  return (
    <div class="table-wrap">
      <table>
        <caption class="visually-hidden">{props.caption}</caption>
        <thead>
          <tr>
            <th scope="col">Reference</th>
            <th scope="col">What</th>
            <th scope="col">Status</th>
            <th scope="col">Received</th>
          </tr>
        </thead>
        <tbody>
          {props.cases.map((c) => (
            <tr>
              <td>
                <a href={`/staff/cases/${c.reference}`} class="case-ref">
                  {c.reference}
                </a>
              </td>
              <td>
                {c.requestType ?? 'General inquiry'}, {c.division}
                <span class="case-summary">{c.summary}</span>
                {c.address ? (
                  <span class="muted case-address">
                    {c.address}
                    {c.metres !== undefined ? `, ${c.metres} m away` : ''}
                  </span>
                ) : null}
              </td>
              <td>
                <StatusBadge item={c} />
              </td>
              <td>{formatShortDateTime(c.receivedAt, props.zone)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function CheckPage(props: {
  staff: StaffMember;
  directory: Directory;
  form: IntakeForm;
  type: TypeInfo | undefined;
  earlier: RelatedCase[];
  nearby: RelatedCase[] | null;
  errors: FieldErrors;
  refused?: { reply: string; typeName: string } | undefined;
}) {
  const { form, type, directory, errors } = props;
  const zone = directory.calendar.timeZone;
  const sr = form.kind === 'service_request';
  const channel = directory.channel(form.channel);
  const centre = form.serviceCentre ? directory.serviceCentre(form.serviceCentre) : undefined;
  const division = form.division ? directory.divisionByCode(form.division) : undefined;
  const attributeAnswers = (type?.attributes ?? [])
    .filter((d) => form.attribute[d.code] !== undefined && form.attribute[d.code] !== '')
    .map((d) => {
      return { question: d.description, answer: attributeAnswerWords(d, form.attribute[d.code]!) };
    });
  const preferred = preferredOptions.find((o) => o.value === form.customer.preferredContact)?.label;
  const hasCustomerKey = form.customer.email.trim() !== '' || form.customer.phone.trim() !== '';
  return (
    <IntakeShell staff={props.staff} directory={directory} title="Read back and confirm" step="Read-back">
      <p class="step-label">Step 3 of 3</p>
      <h1>Read back and confirm</h1>
      <ErrorSummary errors={errors} />
      <div class="intake-readback card" aria-labelledby="readback-title">
        <h2 id="readback-title">Read this to the customer</h2>
        <blockquote class="intake-readback__summary">{form.summary}</blockquote>
        <p class="muted">Ask: "Have I got that right?" Change the details if anything is wrong.</p>
      </div>

      {props.refused ? (
        <section class="card intake-section" aria-labelledby="check-refused">
          <h2 id="check-refused">A general inquiry, not a service request</h2>
          <p>
            {`The customer asked by ${(channel?.name ?? form.channel).toLowerCase()} for a service request (${props.refused.typeName}). ${channel?.name ?? form.channel} takes no service requests (CSS §3.2): this contact will be recorded as a general inquiry with what you typed. Give the resident the reply below: it points them to an official channel.`}
          </p>
          <ReadyReply reply={props.refused.reply} />
        </section>
      ) : null}

      <section class="card intake-section" aria-labelledby="check-details">
        <h2 id="check-details">What will be recorded</h2>
        <dl class="facts">
          <dt>Kind</dt>
          <dd>{sr ? `Service request: ${type?.name ?? form.requestType} (${type?.divisionName ?? ''})` : `General inquiry, ${division?.name ?? 'Customer Service'}`}</dd>
          <dt>Channel</dt>
          <dd>
            {channel?.name ?? form.channel}
            {centre ? `, ${centre.name}` : ''}
          </dd>
          <dt>Received</dt>
          <dd>{form.receivedAt.trim() ? `${formatDateTimeLocal(form.receivedAt, zone)} (back-dated)` : 'Now, when you record it'}</dd>
          {attributeAnswers.map((a) => (
            <>
              <dt>{a.question}</dt>
              <dd>{a.answer}</dd>
            </>
          ))}
          <dt>Where</dt>
          <dd>
            {form.location.address.trim() || 'No address'}
            {form.location.latitude.trim() && form.location.longitude.trim() ? ` (${form.location.latitude.trim()}, ${form.location.longitude.trim()})` : ''}
          </dd>
          <dt>Customer</dt>
          <dd>{[form.customer.name, form.customer.email, form.customer.phone].map((s) => s.trim()).filter(Boolean).join(', ') || 'Anonymous'}</dd>
          <dt>Hears back by</dt>
          <dd>{preferred}</dd>
          <dt>{sr ? 'Reported' : 'Asked'}</dt>
          <dd class="preserve-lines">{form.description}</dd>
          {!sr && form.answer.trim() ? (
            <>
              <dt>Answered at first contact</dt>
              <dd class="preserve-lines">{form.answer}</dd>
            </>
          ) : null}
        </dl>
      </section>

      <section class="card intake-section" aria-labelledby="check-earlier">
        <h2 id="check-earlier">The customer's earlier cases</h2>
        {hasCustomerKey ? (
          <RelatedList cases={props.earlier} zone={zone} caption="Earlier cases with the same e-mail address or phone number" empty="No earlier cases with this e-mail address or phone number." />
        ) : (
          <p>Give an e-mail address or phone number to look up the customer's earlier cases.</p>
        )}
      </section>

      {props.nearby ? (
        <section class="card intake-section" aria-labelledby="check-nearby">
          <h2 id="check-nearby">Open {type?.name.toLowerCase() ?? 'requests'} reports nearby</h2>
          <p class="muted">The same address, or within {props.directory.nearbyMetres(props.form.requestType)} m of the point. If one is the same issue, tell the customer its reference instead of recording a duplicate.</p>
          <RelatedList cases={props.nearby} zone={zone} caption="Open requests of the same type nearby" empty="No open requests of this type at this address or nearby." />
        </section>
      ) : null}

      <form method="post" action="/staff/intake" class="card intake-confirm" novalidate>
        <HiddenFields form={form} />
        <Choices
          name="summaryConfirmed"
          label="Did the customer confirm the summary?"
          options={[{ value: 'yes', label: 'Yes, the customer confirmed the summary is right' }]}
          multiple
          error={errors['summaryConfirmed']}
          required
        />
        <div class="actions">
          <button type="submit">{!sr && form.answer.trim() ? 'Record and resolve the inquiry' : `Record the ${sr ? 'service request' : 'inquiry'}`}</button>
          <button type="submit" class="button--secondary" formaction="/staff/intake/check" name="change" value="1">
            Change the details
          </button>
        </div>
      </form>
    </IntakeShell>
  );
}

/** A datetime-local value ("2026-03-02T09:15") in words, read as the use case reads it: the City's local time. */
function formatDateTimeLocal(text: string, zone: string): string {
  const parsed = DateTime.fromISO(text.trim(), { zone });
  return parsed.isValid ? formatDateTime(parsed.toMillis(), zone) : text;
}

function DonePage(props: { staff: StaffMember; directory: Directory; view: CaseView; reply?: string | undefined; now: Date }) {
  const { view, directory } = props;
  const zone = directory.calendar.timeZone;
  // Issue 18: a back-dated contact may be past its targets already; a passed one is not promised.
  const passed = (at: string | Date) => new Date(at).getTime() <= props.now.getTime();
  const sr = view.kind === 'service_request';
  const resolved = view.status === 'resolved';
  return (
    <IntakeShell staff={props.staff} directory={directory} title={`Recorded ${view.reference}`} step="Recorded">
      <div class="alert alert--ok done-banner" role="status">
        <h1>{sr ? 'Service request recorded' : resolved ? 'Inquiry recorded and resolved' : 'Inquiry recorded'}</h1>
        <p>Reference number</p>
        <p class="reference done-reference">{view.reference}</p>
      </div>
      <section class="card intake-section" aria-labelledby="tell-caller">
        <h2 id="tell-caller">Tell the customer</h2>
        <ul class="tell-list">
          <li>
            Your reference number is <strong>{view.reference}</strong>. Please quote it if you contact us about this again.
          </li>
          {resolved ? (
            <li>Your question was answered today and is now closed; call us again if you need anything more.</li>
          ) : (
            <>
              {passed(view.targets.acknowledgeBy!) ? (
                <li>
                  It is overdue: the target to acknowledge it was <strong>{formatDateTime(view.targets.acknowledgeBy!, zone)}</strong>. {view.division.name} will contact you as soon as possible; we are sorry for the delay.
                </li>
              ) : (
                <li>
                  {view.division.name} will contact you to acknowledge it by <strong>{formatDateTime(view.targets.acknowledgeBy!, zone)}</strong>.
                </li>
              )}
              {view.targets.resolveBy ? (
                <li>
                  {passed(view.targets.resolveBy) ? 'The target to resolve it was ' : 'The target to resolve it is '}
                  <strong>{formatTargetDue(view.targets.resolveBy, zone, resolutionTargetUnit(props.directory, view))}</strong>
                  {passed(view.targets.resolveBy) ? ', which has passed: we will give you a new date.' : '.'}
                </li>
              ) : null}
              {view.customer.email && view.customer.preferredContact === 'email' ? <li>A receipt with the reference is on its way to {view.customer.email}.</li> : null}
            </>
          )}
        </ul>
        {props.reply !== undefined ? <ReadyReply reply={props.reply} label="Reply to the resident, with the reference" /> : null}
        <dl class="facts">
          <dt>Received</dt>
          <dd>{formatDateTime(view.receivedAt!, zone)}</dd>
          <dt>What</dt>
          <dd>{view.requestType?.name ?? 'General inquiry'}</dd>
          <dt>Summary</dt>
          <dd>{view.summary}</dd>
        </dl>
      </section>
      <div class="actions">
        <a class="button" href="/staff/intake">
          Record another contact
        </a>
        <a class="button button--secondary" href={`/staff/cases/${view.reference}`}>
          Open {view.reference}
        </a>
      </div>
    </IntakeShell>
  );
}

/** The intake pages: start, details, read-back, record, and the reference to tell the caller. */
export async function registerIntakePages(app: FastifyInstance, services: CaseServices): Promise<void> {
  const onRequest = requireStaffPage(services);
  const refuseNonIntake = (staff: StaffMember) => assertTakesContacts(staff);

  // Issue 18: the reply naming the official channels, from the municipality's channels and Service Centres.
  const readyReply = async (directory: Directory, reference?: string) =>
    officialChannelsReply(
      {
        municipality: directory.municipality.name,
        channels: directory.channels,
        hours: directory.calendar.rules.hours,
        centres: await serviceCentreAddresses(services.db),
        emergency: directory.municipality.settings.emergency,
      },
      reference,
    );
  const refusesRequests = (directory: Directory, form: IntakeForm) => directory.channel(form.channel)?.serviceRequests === false;

  const showDetails = async (staff: StaffMember, form: IntakeForm, errors: FieldErrors, answers?: AnswerSearch) => {
    const directory = await services.directory.get();
    // A service request on a channel that takes none (social media): the refusal offers the inquiry.
    const refused = form.kind === 'service_request' && errors['channel'] !== undefined && refusesRequests(directory, form);
    const now = services.clock.now();
    return DetailsPage({ staff, directory, form, type: findType(directory, form.requestType, now), errors, answers, reply: refused ? await readyReply(directory) : undefined, now });
  };

  const showCheck = async (staff: StaffMember, form: IntakeForm, errors: FieldErrors) => {
    const directory = await services.directory.get();
    const context = { staff, now: services.clock.now(), calendar: directory.calendar };
    const tx = services.db.kysely;
    const earlier = await findCustomerCases(tx, context, { email: form.customer.email, phone: form.customer.phone });
    const sr = form.kind === 'service_request';
    const nearby = sr
      ? await findNearbyOpenRequests(tx, context, {
          requestType: form.requestType,
          address: form.location.address,
          latitude: numberOrUndefined(form.location.latitude),
          longitude: numberOrUndefined(form.location.longitude),
          radiusMetres: directory.nearbyMetres(form.requestType),
        })
      : null;
    const refused =
      !sr && form.refusedType && refusesRequests(directory, form) ? { reply: await readyReply(directory), typeName: findType(directory, form.refusedType, context.now)?.name ?? form.refusedType } : undefined;
    return CheckPage({ staff, directory, form, type: findType(directory, form.requestType, context.now), earlier, nearby, errors, refused });
  };

  /** The form checked as createCase will check it; what passes goes on to the read-back. */
  const checkThenReadBack = async (staff: StaffMember, form: IntakeForm) => {
    const errors = checkForm(form);
    if (Object.keys(errors).length > 0) return { page: await showDetails(staff, form, errors), status: 400 };
    // What intake would refuse (social media takes no service requests, a receipt in the future…)
    // is refused now, before the read-back, while the caller is still on the line.
    try {
      checkIntake({ directory: await services.directory.get(), staff, input: toIntakeInput(form, true), now: services.clock.now() });
    } catch (error) {
      if (!isAppError(error) || !['VALIDATION_FAILED', 'RULE_VIOLATION', 'NOT_FOUND'].includes(error.code)) throw error;
      return { page: await showDetails(staff, form, errorsFrom(error)), status: 400 };
    }
    return { page: await showCheck(staff, form, {}), status: 200 };
  };

  app.get<{ Querystring: Record<string, unknown> }>('/staff/intake', { onRequest }, async (request, reply) => {
    const staff = request.staff!;
    refuseNonIntake(staff);
    const directory = await services.directory.get();
    const now = services.clock.now();
    const kind = typeof request.query['kind'] === 'string' ? request.query['kind'] : undefined;
    const type = typeof request.query['type'] === 'string' ? request.query['type'] : undefined;
    const started = kind !== undefined;
    const errors: FieldErrors = {};
    if (started && kind !== 'inquiry' && kind !== 'service_request') errors['kind'] = 'Choose general inquiry or service request.';
    if (kind === 'service_request' && !type) errors['type'] = 'Choose the request type of the service request.';
    else if (kind === 'service_request' && !findType(directory, type!, now)) errors['type'] = 'Choose a request type from the list.';
    if (!started || Object.keys(errors).length > 0) {
      return sendPage(reply, StartPage({ staff, directory, now, kind, type, errors }), started ? 400 : 200);
    }
    const form = readForm({ kind, requestType: kind === 'service_request' ? type : '', channel: typeof request.query['channel'] === 'string' ? request.query['channel'] : 'phone' });
    form.idempotencyKey = randomUUID();
    return sendPage(reply, await showDetails(staff, form, {}));
  });

  app.post<{ Body: Record<string, unknown> }>('/staff/intake/check', { onRequest }, async (request, reply) => {
    const staff = request.staff!;
    refuseNonIntake(staff);
    const form = readForm(request.body ?? {});
    if (!form.idempotencyKey) form.idempotencyKey = randomUUID();
    if (request.body?.['change']) return sendPage(reply, await showDetails(staff, form, {}));
    const { page, status } = await checkThenReadBack(staff, form);
    return sendPage(reply, page, status);
  });

  // Issue 18: the social-media refusal's one click. The same contact, every field as typed, becomes a
  // general inquiry (CSS §3.2) and goes to its read-back, with the reply naming the official channels.
  app.post<{ Body: Record<string, unknown> }>('/staff/intake/as-inquiry', { onRequest }, async (request, reply) => {
    const staff = request.staff!;
    refuseNonIntake(staff);
    const form = readForm(request.body ?? {});
    if (!form.idempotencyKey) form.idempotencyKey = randomUUID();
    if (form.kind === 'service_request') form.refusedType = form.requestType;
    form.kind = 'inquiry';
    const { page, status } = await checkThenReadBack(staff, form);
    return sendPage(reply, page, status);
  });

  // Issue 18: search the knowledge base from intake, or give an article's text as the answer.
  app.post<{ Body: Record<string, unknown> }>('/staff/intake/answers', { onRequest }, async (request, reply) => {
    const staff = request.staff!;
    refuseNonIntake(staff);
    const body = request.body ?? {};
    const form = readForm(body);
    if (!form.idempotencyKey) form.idempotencyKey = randomUUID();
    const use = typeof body['useArticle'] === 'string' ? /^([a-z0-9-]{1,80})@(\d{1,7})$/.exec(body['useArticle']) : null;
    if (use) {
      const article = await findArticleVersion(services.db.kysely, use[1]!, Number(use[2]));
      if (!article) return sendPage(reply, await showDetails(staff, form, { answerSearch: 'That article is no longer there: search again.' }), 400);
      form.answer = article.body;
      form.article = `${article.slug}@${article.version}`;
      return sendPage(reply, await showDetails(staff, form, {}, { searched: true, hits: [], used: { title: article.title } }));
    }
    if (form.answerSearch.trim() === '') return sendPage(reply, await showDetails(staff, form, { answerSearch: 'Type words of the question to search the answers, e.g. pool hours.' }), 400);
    const hits = await searchArticles(services.db.kysely, { query: form.answerSearch, limit: 5 });
    return sendPage(reply, await showDetails(staff, form, {}, { searched: true, hits }));
  });

  app.post<{ Body: Record<string, unknown> }>('/staff/intake', { onRequest }, async (request, reply) => {
    const staff = request.staff!;
    refuseNonIntake(staff);
    const body = request.body ?? {};
    const form = readForm(body);
    const errors = checkForm(form);
    if (Object.keys(errors).length > 0) return sendPage(reply, await showDetails(staff, form, errors), 400);
    const confirmed = body['summaryConfirmed'] === 'yes' || (Array.isArray(body['summaryConfirmed']) && body['summaryConfirmed'].includes('yes'));
    try {
      const { caseRow } = await createCase({ services, origin: { staff }, input: toIntakeInput(form, confirmed), idempotencyKey: form.idempotencyKey || undefined });
      // An inquiry that was a refused service request: its done page gives the reply with the reference.
      return reply.redirect(`/staff/intake/done/${caseRow.reference}${form.kind === 'inquiry' && form.refusedType ? '?reply=official-channels' : ''}`, 303);
    } catch (error) {
      if (!isAppError(error) || !['VALIDATION_FAILED', 'RULE_VIOLATION', 'CONFLICT', 'NOT_FOUND'].includes(error.code)) throw error;
      const found = errorsFrom(error);
      // Confirming the read-back is the last step's own question; the rest are the details'.
      if (found['summaryConfirmed']) return sendPage(reply, await showCheck(staff, form, { summaryConfirmed: 'Read the summary back to the customer and tick that they confirmed it (CSS §3.1).' }), 400);
      return sendPage(reply, await showDetails(staff, form, found), 400);
    }
  });

  app.get<{ Params: { reference: string }; Querystring: Record<string, unknown> }>('/staff/intake/done/:reference', { onRequest }, async (request, reply) => {
    const staff = request.staff!;
    const reference = request.params.reference;
    if (!new RegExp(referencePattern).test(reference)) throw new AppError('NOT_FOUND', `There is no case ${reference}.`);
    const directory = await services.directory.get();
    const { view } = await getCase(services.db.kysely, staff, reference, directory.calendar);
    const pointed = request.query['reply'] === 'official-channels' && view.kind === 'inquiry' && view.channel.code !== null && directory.channel(view.channel.code)?.serviceRequests === false;
    return sendPage(reply, DonePage({ staff, directory, view, reply: pointed ? await readyReply(directory, view.reference) : undefined, now: services.clock.now() }));
  });
}
