import type { PhotoRow } from '../../cases/case-photos.js';
import { PhotoFields, PhotoReadback } from './report-photos.js';
import type { AttributeDefinition, AttributeValues } from '../../standard/attributes.js';
import { attributeAnswerWords, checkAttributeValues } from '../../standard/attributes.js';
import type { IntakeInput } from '../../cases/create-case.js';
import type { PublicCase } from '../../cases/find-public-case.js';
import { Breadcrumbs, ErrorSummary, Select, Choices, TextArea, TextField, type FieldErrors } from '../components.js';
import { dateTimeFieldHint, formatDateTime, formatTargetDue } from '../format.js';
import type { RelatedCase } from '../../cases/find-cases.js';
import { insideBoundary, outsideBoundaryMessage, type MunicipalBoundary } from '../../directory/map-settings.js';
import { PointMap, mapAssets } from '../point-map.js';
import { PortalLayout, Phones, EmergencyLines, type PortalContext } from './portal-layout.js';
import { ContactFacts, ContactFields, ConfirmationStep, ContactHidden, Honeypot, SentBanner, type ReachedBy, checkContact, customerInput, readContact, text, type ContactAnswers, type Form } from './portal-forms.js';

/** Report a problem (issue #5): choose a type, answer its questions, check the answers, send. */

export interface PortalRequestType {
  code: string;
  name: string;
  description: string | null;
  /** The heading it is listed under, in residents' words (config/request-types.yaml `group`), as Open311 gives it. */
  group: string;
  /** Its place in the list: the most reported first. */
  order: number;
  attributes: AttributeDefinition[];
}

export interface ReportAnswers {
  type: string;
  key: string;
  address: string;
  latitude: string;
  longitude: string;
  description: string;
  attributes: AttributeValues;
  contact: ContactAnswers;
}

export const maxDescription = 4000;

export function ReportTypeList(props: { ctx: PortalContext; types: PortalRequestType[]; error?: string }) {
  // Groups in the order of their first type: the most reported types (potholes) come first.
  const groups = new Map<string, PortalRequestType[]>();
  for (const type of [...props.types].sort((a, b) => a.order - b.order)) {
    const group = type.group;
    groups.set(group, [...(groups.get(group) ?? []), type]);
  }
  const sorted = [...groups];
  return (
    <PortalLayout ctx={props.ctx} title="Report a problem" path="/report">
      <Breadcrumbs items={[{ href: '/', label: 'Home' }, { label: 'Report a problem' }]} />
      <h1>Report a problem</h1>
      {props.error ? <ErrorSummary errors={{ _form: props.error }} /> : null}
      <p class="lede">Choose what you want to report. It takes about five minutes. You can report without giving your name.</p>
      {props.ctx.closed ? null : (
        // At night the notice at the top gives the emergency numbers; the offices' lines are closed then.
        <div class="alert alert--warn">
          <p>
            <strong>Is someone in danger?</strong> Call <a href={`tel:${props.ctx.emergency.phone}`}>{props.ctx.emergency.phone}</a>. For a water main break or a tree blocking a road, phone us now:{' '}
            <Phones numbers={props.ctx.phones} />.
          </p>
        </div>
      )}
      {sorted.map(([group, types]) => (
        <section aria-labelledby={`group-${slug(group)}`} class="type-group">
          <h2 id={`group-${slug(group)}`}>{group}</h2>
          <ul class="type-list">
            {types.map((t) => (
              <li>
                <a href={`/report?type=${encodeURIComponent(t.code)}`} class="card">
                  <strong>{t.name}</strong>
                  {t.description ? <span class="type-list__description">{t.description}</span> : null}
                </a>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </PortalLayout>
  );
}

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-');

/** The form field of an attribute: multivalue lists are checkboxes named `attribute[code][]`. */
export const attributeField = (a: AttributeDefinition): string => (a.datatype === 'multivaluelist' ? `attribute[${a.code}][]` : `attribute[${a.code}]`);

function AttributeInput(props: { attribute: AttributeDefinition; value: string | string[] | undefined; error: string | undefined; example: string }) {
  const a = props.attribute;
  const name = attributeField(a);
  const single = typeof props.value === 'string' ? props.value : undefined;
  const options = (a.values ?? []).map((v) => ({ value: v.key, label: v.name }));
  switch (a.datatype) {
    case 'singlevaluelist':
      return options.length <= 7 ? (
        <Choices name={name} label={a.description} options={options} value={single} required={a.required} error={props.error} />
      ) : (
        <Select name={name} label={a.description} options={options} value={single} placeholder="Choose one" required={a.required} error={props.error} />
      );
    case 'multivaluelist':
      return <Choices name={name} label={a.description} options={options} value={props.value} multiple hint="Choose all that apply." required={a.required} error={props.error} />;
    case 'text':
      return <TextArea name={name} label={a.description} value={single} rows={4} maxLength={4000} required={a.required} error={props.error} />;
    case 'number':
      return <TextField name={name} label={a.description} value={single} inputmode="decimal" class="narrow" required={a.required} error={props.error} />;
    case 'datetime':
      return <TextField name={name} label={a.description} value={single} type="datetime-local" class="narrow" required={a.required} error={props.error} hint={dateTimeFieldHint(props.example)} />;
    case 'string':
      return <TextField name={name} label={a.description} value={single} maxLength={1000} required={a.required} error={props.error} />;
  }
}

export function ReportForm(props: { ctx: PortalContext; type: PortalRequestType; answers: ReportAnswers; photos: PhotoRow[]; errors: FieldErrors }) {
  const { type, answers, errors } = props;
  return (
    <PortalLayout
      ctx={props.ctx}
      title={`${Object.keys(errors).length > 0 ? 'Error: ' : ''}Report: ${type.name}`}
      path="/report"
      scripts={['/assets/locate-me.js', ...mapAssets.scripts]}
      styles={mapAssets.styles}
    >
      <Breadcrumbs items={[{ href: '/', label: 'Home' }, { href: '/report', label: 'Report a problem' }, { label: type.name }]} />
      <ErrorSummary errors={errors} />
      <h1>
        <span class="caption">Report a problem</span>
        {type.name}
      </h1>
      {type.description ? <p class="lede">{type.description}</p> : null}
      <form method="post" action="/report/check" enctype="multipart/form-data" novalidate class="panel portal-form">
        <input type="hidden" name="type" value={type.code} />
        <input type="hidden" name="key" value={answers.key} />
        {type.attributes.length > 0 ? (
          <fieldset class="form-section">
            <legend class="form-section__title">About the problem</legend>
            {type.attributes.map((a) => (
              <AttributeInput attribute={a} value={answers.attributes[a.code]} error={errors[attributeField(a)]} example={formatDateTime(props.ctx.now, props.ctx.zone)} />
            ))}
          </fieldset>
        ) : null}
        <fieldset class="form-section">
          <legend class="form-section__title">Where is it?</legend>
          <p class="hint">Give the address or the nearest intersection, or the point on the map, or both.</p>
          <TextField name="address" label="Address or nearest intersection" autocomplete="off" value={answers.address} error={errors['address']} maxLength={300} hint="For example: 50 Kent St. W., Lindsay, or Kent St. W. at Victoria Ave." />
          <button type="button" id="locate-me" class="button--secondary" hidden>
            Use my current location
          </button>
          <p id="locate-me-status" class="hint" role="status" aria-live="polite"></p>
          <PointMap
            map={props.ctx.directory.map}
            label="Map: drag the marker, or tap the map, to show where the problem is"
            point={chosenPoint(answers)}
            choose={{ latitude: 'f-latitude', longitude: 'f-longitude', address: 'f-address', lookup: '/report/place' }}
          />
          <div class="coordinates">
            <TextField name="latitude" label="Latitude" value={answers.latitude} inputmode="decimal" class="narrow" error={errors['latitude']} hint="For example 44.3501" />
            <TextField name="longitude" label="Longitude" value={answers.longitude} inputmode="decimal" class="narrow" error={errors['longitude']} hint="For example -78.7391" />
          </div>
        </fieldset>
        <TextArea
          name="description"
          label="Describe the problem"
          hint="What is wrong, how big it is, and anything that helps our crews find it. Do not include personal information about other people."
          value={answers.description}
          required
          rows={6}
          maxLength={maxDescription}
          error={errors['description']}
        />
        <PhotoFields formKey={answers.key} photos={props.photos} error={errors['photos']} />
        <ContactFields
          values={answers.contact}
          errors={errors}
          why="All optional. Give an e-mail address or phone number if you want us to tell you what happens. We use them only for this report."
        />
        <Honeypot />
        <div class="actions">
          <button type="submit">Continue</button>
          <a href="/report">Choose a different problem</a>
        </div>
      </form>
    </PortalLayout>
  );
}

/** Reads a posted report form; only the request type's own questions are kept. */
export function readReport(form: Form, type: PortalRequestType, key: string): ReportAnswers {
  const posted = form['attribute'] && typeof form['attribute'] === 'object' && !Array.isArray(form['attribute']) ? (form['attribute'] as Record<string, unknown>) : {};
  const attributes: AttributeValues = {};
  for (const a of type.attributes) {
    const value = posted[a.code];
    if (a.datatype === 'multivaluelist') {
      const list = (Array.isArray(value) ? value : typeof value === 'string' ? [value] : []).filter((v): v is string => typeof v === 'string' && v.trim() !== '');
      if (list.length > 0) attributes[a.code] = list.map((v) => v.trim());
    } else if (typeof value === 'string' && value.trim() !== '') {
      attributes[a.code] = value.trim();
    }
  }
  return {
    type: type.code,
    key,
    address: text(form, 'address').slice(0, 300),
    latitude: text(form, 'latitude').slice(0, 40),
    longitude: text(form, 'longitude').slice(0, 40),
    description: text(form, 'description'),
    attributes,
    contact: readContact(form),
  };
}

/** The plain-words checks before "Check your answers"; createCase checks its rules again on sending. */
export function checkReport(answers: ReportAnswers, type: PortalRequestType, boundary: MunicipalBoundary | null): FieldErrors {
  const errors: FieldErrors = {};
  for (const problem of checkAttributeValues(type.attributes, answers.attributes, { enforceRequired: true })) {
    const code = /^attribute\[(.+)\]$/.exec(problem.field ?? '')?.[1];
    const a = type.attributes.find((d) => d.code === code);
    if (!a) continue;
    const field = attributeField(a);
    const given = answers.attributes[a.code];
    const missing = given === undefined || (Array.isArray(given) && given.length === 0);
    errors[field] ??= missing
      ? `Answer the question "${a.description}"`
      : a.datatype === 'number'
        ? `Enter a number for "${a.description}"`
        : a.datatype === 'datetime'
          ? `Enter a date and time for "${a.description}"`
          : a.datatype === 'singlevaluelist' || a.datatype === 'multivaluelist'
            ? `Choose from the answers given for "${a.description}"`
            : `Shorten your answer to "${a.description}"`;
  }
  Object.assign(errors, checkPlace(answers, boundary));
  if (answers.address === '' && answers.latitude === '' && answers.longitude === '') errors['address'] = 'Enter the address or nearest intersection of the problem';
  if (answers.description === '') errors['description'] = 'Describe the problem';
  else if (answers.description.length > maxDescription) errors['description'] = `Shorten the description to ${maxDescription.toLocaleString('en-CA')} characters or fewer (it has ${answers.description.length.toLocaleString('en-CA')})`;
  checkContact(answers.contact, errors);
  return errors;
}

/** The point typed or placed on the map, as numbers (either may be missing). */
/** The latitude and longitude given (both or neither, numbers, inside the City), errors by field. */
export function checkPlace(answers: Pick<ReportAnswers, 'latitude' | 'longitude'>, boundary: MunicipalBoundary | null): FieldErrors {
  const errors: FieldErrors = {};
  const point = reportPoint(answers);
  if (answers.latitude !== '' && (point.latitude === undefined || Math.abs(point.latitude) > 90)) errors['latitude'] = 'Enter the latitude as a number between -90 and 90, like 44.3501';
  if (answers.longitude !== '' && (point.longitude === undefined || Math.abs(point.longitude) > 180)) errors['longitude'] = 'Enter the longitude as a number between -180 and 180, like -78.7391';
  if (answers.latitude !== '' && answers.longitude === '' && !errors['latitude']) errors['longitude'] = 'Enter the longitude too, or leave both latitude and longitude empty';
  if (answers.longitude !== '' && answers.latitude === '' && !errors['longitude']) errors['latitude'] = 'Enter the latitude too, or leave both latitude and longitude empty';
  if (!errors['latitude'] && !errors['longitude'] && point.latitude !== undefined && point.longitude !== undefined && !insideBoundary(boundary, { latitude: point.latitude, longitude: point.longitude })) {
    errors['latitude'] = outsideBoundaryMessage(boundary!);
  }
  return errors;
}

/**
 * /report/place opened as a page (no JavaScript, or a link followed): the place checked in words,
 * with the error summary when the latitude or longitude cannot be read. The map's script asks the
 * same address for JSON.
 */
export function PlacePage(props: { ctx: PortalContext; latitude: string; longitude: string; errors: FieldErrors; address: string | null }) {
  const { ctx, errors } = props;
  const failed = Object.keys(errors).length > 0;
  const title = 'Check a place';
  return (
    <PortalLayout ctx={ctx} title={`${failed ? 'Error: ' : ''}${title}`} path="/report">
      <Breadcrumbs items={[{ href: '/', label: 'Home' }, { href: '/report', label: 'Report a problem' }, { label: title }]} />
      <ErrorSummary errors={errors} />
      <h1>{title}</h1>
      {!failed && props.latitude !== '' ? (
        <div class="alert alert--ok" role="status">
          <p>
            The point {props.latitude}, {props.longitude} is inside the {ctx.directory.map.boundary?.name ?? ctx.municipality}
            {props.address ? `, near ${props.address}` : ''}. You can <a href="/report">report a problem</a> there.
          </p>
        </div>
      ) : (
        <p class="lede">See whether a point is one we can take a report for. Give its latitude and longitude, as your phone's map shows them.</p>
      )}
      <form method="get" action="/report/place" novalidate class="panel">
        <TextField name="latitude" label="Latitude" required value={props.latitude} inputmode="decimal" class="narrow" error={errors['latitude']} hint="For example 44.3501" />
        <TextField name="longitude" label="Longitude" required value={props.longitude} inputmode="decimal" class="narrow" error={errors['longitude']} hint="For example -78.7391" />
        <button type="submit">Check this place</button>
      </form>
    </PortalLayout>
  );
}

export function reportPoint(answers: Pick<ReportAnswers, 'latitude' | 'longitude'>): { latitude?: number; longitude?: number } {
  const num = (s: string) => (s !== '' && /^[+-]?\d+(\.\d+)?$/.test(s) ? Number(s) : undefined);
  const latitude = num(answers.latitude);
  const longitude = num(answers.longitude);
  return { ...(latitude !== undefined ? { latitude } : {}), ...(longitude !== undefined ? { longitude } : {}) };
}

function answerText(a: AttributeDefinition, value: string | string[] | undefined): string {
  return value === undefined ? 'Not answered' : attributeAnswerWords(a, value);
}

function chosenPoint(answers: ReportAnswers): { latitude: number; longitude: number } | undefined {
  const { latitude, longitude } = reportPoint(answers);
  return latitude !== undefined && longitude !== undefined && Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180 ? { latitude, longitude } : undefined;
}

const where = (answers: ReportAnswers): string =>
  [answers.address, answers.latitude !== '' && answers.longitude !== '' ? `map point ${answers.latitude}, ${answers.longitude}` : ''].filter(Boolean).join('; ');

const clip = (s: string, n: number): string => (s.length <= n ? s : `${s.slice(0, n - 1).trimEnd()}…`);

/** §3.1: the summary read back to the customer, which they confirm by sending. */
export function reportSummary(answers: ReportAnswers, type: PortalRequestType): string {
  const questions = type.attributes.filter((a) => answers.attributes[a.code] !== undefined).map((a) => `${a.description} ${answerText(a, answers.attributes[a.code])}.`);
  return [`${type.name} at ${where(answers)}.`, ...questions, `"${clip(answers.description.replace(/\s+/g, ' '), 300)}"`].join(' ');
}

export function reportInput(answers: ReportAnswers, type: PortalRequestType): IntakeInput {
  const point = reportPoint(answers);
  return {
    kind: 'service_request',
    channel: 'web_portal',
    requestType: type.code,
    customer: customerInput(answers.contact),
    description: answers.description,
    summary: reportSummary(answers, type),
    summaryConfirmed: true,
    location: { address: answers.address || undefined, ...point },
    attributes: answers.attributes,
  };
}

/** createCase's fields as this form's fields. */
export function reportFieldFor(type: PortalRequestType) {
  return (field: string): string | undefined => {
    const code = /^attribute\[(.+)\]$/.exec(field)?.[1];
    if (code !== undefined) {
      const a = type.attributes.find((d) => d.code === code);
      return a ? attributeField(a) : undefined;
    }
    if (field === 'location') return 'address';
    if (field === 'customer.email') return 'email';
    if (field === 'customer.phone') return 'phone';
    if (field === 'customer.preferredContact') return 'contact';
    if (field === 'description') return 'description';
    return undefined;
  };
}

/** Hidden fields that carry every answer through the check page. */
function ReportHidden(props: { answers: ReportAnswers; type: PortalRequestType }) {
  const { answers, type } = props;
  return (
    <>
      <input type="hidden" name="type" value={answers.type} />
      <input type="hidden" name="key" value={answers.key} />
      <input type="hidden" name="address" value={answers.address} />
      <input type="hidden" name="latitude" value={answers.latitude} />
      <input type="hidden" name="longitude" value={answers.longitude} />
      <input type="hidden" name="description" value={answers.description} />
      {type.attributes.flatMap((a) => {
        const value = answers.attributes[a.code];
        if (value === undefined) return [];
        return (Array.isArray(value) ? value : [value]).map((v) => <input type="hidden" name={attributeField(a)} value={v} />);
      })}
      <ContactHidden values={answers.contact} />
      <input type="hidden" name="website" value="" />
    </>
  );
}

/**
 * "Already reported?" (issue 19): open requests of the same type near the point, each with what a
 * resident may know of it (reference, when, how far, where it stands) and never anyone's name,
 * contact or words.
 */
function AlreadyReported(props: { ctx: PortalContext; type: PortalRequestType; nearby: RelatedCase[] }) {
  const { ctx, type, nearby } = props;
  if (nearby.length === 0) return null;
  const radius = ctx.directory.nearbyMetres(type.code);
  const one = nearby.length === 1;
  return (
    <section class="panel already-reported" aria-labelledby="already-reported">
      <h2 id="already-reported" class="first">
        Already reported?
      </h2>
      <p>
        {one ? 'Someone has already reported' : `${nearby.length} open reports of`} {one ? `a ${type.name.toLowerCase()}` : type.name.toLowerCase()} within {radius} m of this place, or at the same address.
        If {one ? 'it is' : 'one of them is'} your problem, you do not need to send a new report: follow {one ? 'it' : 'that one'} instead to see what happens.
      </p>
      <ul class="nearby-list">
        {nearby.map((n) => (
          <li class="card">
            <p class="nearby-list__title">
              <strong>{n.reference}</strong>: {n.requestType ?? type.name}, {n.metres !== undefined ? `about ${n.metres} m away` : 'at the same address'}
            </p>
            <p class="muted">
              Reported {formatDateTime(n.receivedAt, ctx.zone)}. {n.acknowledged ? 'The City is working on it.' : 'Waiting for the City to acknowledge it.'}
            </p>
            <p class="actions">
              <a class="button button--secondary" href={followHref(n.reference)}>
                Follow {n.reference} instead
              </a>
              <a href={`/track/${n.reference}`}>See {n.reference}</a>
            </p>
          </li>
        ))}
      </ul>
      <p>Not the same problem? Check your answers below and send your report.</p>
    </section>
  );
}

/** Where "follow this one instead" leads: following the request by e-mail (follow-pages.tsx). */
const followHref = (reference: string): string => `/track/${reference}/follow`;

export function ReportCheck(props: { ctx: PortalContext; type: PortalRequestType; answers: ReportAnswers; photos: PhotoRow[]; nearby: RelatedCase[]; errors?: FieldErrors }) {
  const { answers, type, ctx } = props;
  const c = answers.contact;
  return (
    <PortalLayout ctx={ctx} title="Check your answers" path="/report">
      <Breadcrumbs items={[{ href: '/', label: 'Home' }, { href: '/report', label: 'Report a problem' }, { label: 'Check your answers' }]} />
      <ErrorSummary errors={props.errors ?? {}} />
      <h1>Check your answers before sending</h1>
      <AlreadyReported ctx={ctx} type={type} nearby={props.nearby} />
      <div class="panel">
        <h2 class="first">What we will record</h2>
        <p class="readback">{reportSummary(answers, type)}</p>
        <dl class="facts">
          <dt>Problem</dt>
          <dd>{type.name}</dd>
          {type.attributes.map((a) => (
            <>
              <dt>{a.description}</dt>
              <dd>{answerText(a, answers.attributes[a.code])}</dd>
            </>
          ))}
          <dt>Where</dt>
          <dd>{where(answers)}</dd>
          <dt>Description</dt>
          <dd class="pre-wrap">{answers.description}</dd>
          <dt>Photos</dt>
          <PhotoReadback formKey={answers.key} photos={props.photos} />
        </dl>
        <h2>Your contact details</h2>
        <ContactFacts contact={c} />
        {c.email === '' && c.phone === '' ? (
          <p class="alert alert--warn">You have not given an e-mail address or phone number, so we cannot tell you what happens. You can still track the report with its reference number.</p>
        ) : null}
        <form method="post" action="/report/send" novalidate>
          <ReportHidden answers={answers} type={type} />
          <p>By sending, you confirm this summary is right.</p>
          <div class="actions">
            <button type="submit">Send report</button>
            <button type="submit" class="button--secondary" formaction="/report/change">
              Change your answers
            </button>
          </div>
        </form>
      </div>
    </PortalLayout>
  );
}

/** What happens next, with the targets in plain dates (§3.3, §4). */
export function ReportSent(props: { ctx: PortalContext; found: PublicCase; reached?: ReachedBy | undefined }) {
  const { ctx, found } = props;
  const zone = ctx.zone;
  const passed = (at: Date) => at.getTime() <= ctx.now.getTime();
  return (
    <PortalLayout ctx={ctx} title={`Report sent: ${found.reference}`} path="/report">
      <SentBanner title="Your report has been sent" reference={found.reference} what="report" />
      <h2>What happens next</h2>
      <ol class="steps">
        {found.acknowledgedAt ? (
          <li>
            <strong>{found.division}</strong> acknowledged your report on <strong>{formatDateTime(found.acknowledgedAt, zone)}</strong>.
          </li>
        ) : passed(found.acknowledgeBy) ? (
          // Issue 18: a target that has passed is said to be overdue, never promised.
          <li>
            It is overdue: <strong>{found.division}</strong> aimed to acknowledge your report by <strong>{formatDateTime(found.acknowledgeBy, zone)}</strong>. A member of staff will confirm they
            have it and tell you the next steps{props.reached === 'none' ? ' on the Track a request page' : ''} as soon as possible.
          </li>
        ) : (
          <li>
            <strong>{found.division}</strong> will acknowledge your report by <strong>{formatDateTime(found.acknowledgeBy, zone)}</strong>: a member of staff confirms they have it and tells you the next
            steps{props.reached === 'none' ? ' on the Track a request page' : ''}.
          </li>
        )}
        {found.resolveBy && found.status === 'open' ? (
          <li>
            {passed(found.resolveBy) ? 'It is overdue: we aimed to fix the problem by ' : 'We aim to fix the problem by '}
            <strong>{formatTargetDue(found.resolveBy, zone, found.resolveUnit)}</strong>, the service target for {found.requestType?.name.toLowerCase() ?? 'this request'}
            {passed(found.resolveBy) ? '. We will give you a new date.' : '.'}
          </li>
        ) : null}
        <ConfirmationStep reached={props.reached} what="report" />
      </ol>
      <dl class="facts">
        <dt>Problem</dt>
        <dd>{found.requestType?.name}</dd>
        <dt>Received</dt>
        <dd>{formatDateTime(found.receivedAt, zone)}</dd>
        <dt>Responsible</dt>
        <dd>{found.division}</dd>
      </dl>
      <div class="actions">
        <a class="button" href={`/track/${found.reference}`}>
          Track this report
        </a>
        <a class="button button--secondary" href="/report">
          Report another problem
        </a>
      </div>
      {ctx.closed ? null : (
        <p class="muted">
          If the problem becomes dangerous before we fix it, phone <Phones numbers={ctx.phones} />. <EmergencyLines ctx={ctx} />
        </p>
      )}
    </PortalLayout>
  );
}

/**
 * A honeypot hit: the same kind of page as a real "sent" page, but nothing was recorded, so there is
 * no reference to give. Kept simple on purpose: a program learns nothing it can use, and a person
 * (who cannot have filled the hidden field) never sees it.
 */
export function ThanksWithoutReference(props: { ctx: PortalContext; what: string; path: string }) {
  return (
    <PortalLayout ctx={props.ctx} title="Thank you" path={props.path}>
      <div class="confirmation" role="status">
        <h1>Thank you</h1>
        <p>Your {props.what} has been received.</p>
      </div>
      <p>
        <a href="/">Go to the home page</a>
      </p>
    </PortalLayout>
  );
}
