import type { FastifyInstance } from 'fastify';
import type { CaseServices } from '../../cases/case-services.js';
import { decideRecheck, feedbackFacts, feedbackKindWords, feedbackThemes, findFeedback, listFeedback, reviewFeedback, surveyAnswerCounts, type FeedbackItem } from '../../feedback/customer-feedback.js';
import { feedbackAnalysis, type FeedbackAnalysis } from '../../standard/customer-satisfaction.js';
import { describeShare, shareFigure } from '../../standard/performance-indicators.js';
import { performanceRulesOf } from '../../directory/municipality.js';
import { isAppError } from '../../platform/errors.js';
import { chooseQuote, findQuote, mayChooseQuotes, maxQuoteLength } from '../../reports/choose-quote.js';
import { Alert, Badge, Choices, ErrorSummary, TextArea, type FieldErrors } from '../components.js';
import { formatShortDateTime } from '../format.js';
import { sendPage } from '../render.js';
import { requireStaffPage } from './console-auth.js';
import { ConsolePage, idOf, signedIn, textOf } from './reference-layout.js';

/**
 * Customer feedback in one place for staff (issue 14, CSS §6.3): survey comments, disagreements
 * recorded by escalation requests (§5.3), the portal's compliments and complaints. Shown as
 * written (Preact escapes every character); tagged with themes and marked read one at a time.
 */

const analysisDays = 90;

function Analysis(props: { analysis: FeedbackAnalysis; answers: Awaited<ReturnType<typeof surveyAnswerCounts>>; themeName: (code: string) => string; minimumGroupSize: number }) {
  const { analysis, answers } = props;
  const share = (n: number) => describeShare(shareFigure(n, answers.answers, { periodRule: 'received', minimumGroupSize: props.minimumGroupSize }));
  return (
    <section aria-labelledby="analysis-title">
      <h2 id="analysis-title">Feedback analysis: the last {analysisDays} days</h2>
      <p>
        {analysis.current} item{analysis.current === 1 ? '' : 's'} of feedback ({analysis.previous} in the {analysisDays} days before).{' '}
        {Object.entries(analysis.bySource).map(([source, n], i) => `${i > 0 ? ', ' : 'By source: '}${feedbackKindWords[source] ?? source} ${n}`).join('')}
        {analysis.risingMost.length > 0 ? `. Rising most: ${analysis.risingMost.map((t) => `${props.themeName(t.theme)} (+${t.change})`).join(', ')}.` : '.'}
      </p>
      <p>
        Survey answers: {answers.answers} ({answers.byChannel.web} through the link, {answers.byChannel.phone} by follow-up call). Was it resolved? Yes {share(answers.resolved.yes)}, partly{' '}
        {share(answers.resolved.partly)}, no {share(answers.resolved.no)}.
      </p>
      {analysis.themes.length > 0 ? (
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Feedback by theme">
          <table>
            <caption>Feedback by theme (an item may have several)</caption>
            <thead>
              <tr>
                <th scope="col">Theme</th>
                <th scope="col" class="num">Last {analysisDays} days</th>
                <th scope="col" class="num">The {analysisDays} before</th>
                <th scope="col" class="num">Change</th>
              </tr>
            </thead>
            <tbody>
              {analysis.themes.map((t) => (
                <tr>
                  <th scope="row">{t.theme === 'untagged' ? 'Not tagged yet' : props.themeName(t.theme)}</th>
                  <td class="num">{t.current}</td>
                  <td class="num">{t.previous}</td>
                  <td class="num">{`${t.change > 0 ? '+' : ''}${t.change}${t.changeShare !== null ? ` (${t.changeShare > 0 ? '+' : ''}${Math.round(t.changeShare * 100)}%)` : ''}`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

const decisionWords: Record<string, string> = { reopened: 'Reopened', replied: 'Replied to the customer', no_action: 'Nothing more to do' };

function ItemSummary(props: { item: FeedbackItem; zone: string; themeName: (code: string) => string }) {
  const { item } = props;
  return (
    <>
      <p>
        <strong>{feedbackKindWords[item.kind] ?? item.kind}</strong> {item.readAt ? <Badge kind="muted">Read</Badge> : <Badge kind="warn">Not read</Badge>}{' '}
        {item.recheck && !item.recheck.decidedAt ? <Badge kind="bad">Look at the case again</Badge> : null}
      </p>
      <p class="case-text">{item.text}</p>
      <p class="muted">
        {formatShortDateTime(item.receivedAt, props.zone)}
        {item.reference ? `, ${item.reference} (${item.divisionName ?? ''})` : ', no request named'}
        {item.themes.length > 0 ? `; themes: ${item.themes.map(props.themeName).join(', ')}` : ''}
      </p>
    </>
  );
}

export function registerFeedbackPages(app: FastifyInstance, services: CaseServices): void {
  app.get<{ Querystring: { show?: string; theme?: string } }>('/staff/feedback', { onRequest: requireStaffPage(services) }, async (request, reply) => {
    const staff = signedIn(request);
    const directory = await services.directory.get();
    const zone = directory.calendar.timeZone;
    const themes = await feedbackThemes(services.db.kysely);
    const unreadOnly = request.query.show !== 'all';
    const theme = themes.some((t) => t.code === request.query.theme) ? request.query.theme : undefined;
    const items = await listFeedback(services.db.kysely, staff, { unreadOnly, theme });
    const themeName = (code: string) => themes.find((t) => t.code === code)?.name ?? code;
    const now = services.clock.now();
    const from = new Date(now.getTime() - analysisDays * 86_400_000);
    const { minimumGroupSize } = performanceRulesOf(directory.municipality);
    const analysis = feedbackAnalysis(await feedbackFacts(services.db.kysely, staff, new Date(from.getTime() - analysisDays * 86_400_000)), { from: from.getTime(), to: now.getTime() + 1 }, minimumGroupSize);
    const answers = await surveyAnswerCounts(services.db.kysely, staff, from, new Date(now.getTime() + 1));
    return sendPage(
      reply,
      <ConsolePage staff={staff} municipality={directory.municipality.name} path="/staff/feedback" title="Customer feedback" crumbs={[{ label: 'Customer feedback' }]}>
        <h1>Customer feedback</h1>
        <p class="lede">Survey comments, disagreements with an outcome and the portal's compliments and complaints, as customers wrote them. Never published.</p>
        <form method="get" action="/staff/feedback" class="toolbar" aria-label="Filter the feedback">
          <div class="field">
            <label for="f-show">Show</label>
            <select id="f-show" name="show">
              <option value="unread" selected={unreadOnly}>Not read yet</option>
              <option value="all" selected={!unreadOnly}>All feedback</option>
            </select>
          </div>
          <div class="field">
            <label for="f-theme">Theme</label>
            <select id="f-theme" name="theme">
              <option value="">Any theme</option>
              {themes.map((t) => (
                <option value={t.code} selected={t.code === theme}>
                  {t.name}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" class="button--secondary">
            Show
          </button>
        </form>
        <Analysis analysis={analysis} answers={answers} themeName={themeName} minimumGroupSize={minimumGroupSize} />
        <h2>{unreadOnly ? 'Not read yet' : 'All feedback'}</h2>
        {items.length === 0 ? (
          <p>{unreadOnly ? 'No feedback waiting to be read.' : 'No feedback to show.'}</p>
        ) : (
          <ol class="timeline">
            {items.map((item) => (
              <li>
                <ItemSummary item={item} zone={zone} themeName={themeName} />
                <p>
                  <a href={`/staff/feedback/${item.id}`}>Tag and mark read: feedback {item.id}</a>
                  {item.reference ? (
                    <>
                      {' · '}
                      <a href={`/staff/cases/${encodeURIComponent(item.reference)}`}>Open {item.reference}</a>
                    </>
                  ) : null}
                </p>
              </li>
            ))}
          </ol>
        )}
      </ConsolePage>,
    );
  });

  const itemPage = async (request: Parameters<typeof signedIn>[0], id: number, errors: FieldErrors, saved?: string) => {
    const staff = signedIn(request);
    const directory = await services.directory.get();
    const zone = directory.calendar.timeZone;
    const themes = await feedbackThemes(services.db.kysely);
    const item = await findFeedback(services.db.kysely, staff, id);
    const quote = mayChooseQuotes(staff) ? await findQuote(services.db, item.id) : null;
    const themeName = (code: string) => themes.find((t) => t.code === code)?.name ?? code;
    return (
      <ConsolePage staff={staff} municipality={directory.municipality.name} path="/staff/feedback" title={`${Object.keys(errors).length > 0 ? 'Error: ' : ''}Feedback ${item.id}`} crumbs={[{ href: '/staff/feedback', label: 'Customer feedback' }, { label: `Feedback ${item.id}` }]}>
        <ErrorSummary errors={errors} />
        <h1>Feedback {item.id}</h1>
        {saved ? (
          <Alert kind="ok">
            <p>{saved}</p>
          </Alert>
        ) : null}
        <ItemSummary item={item} zone={zone} themeName={themeName} />
        {item.contact.name || item.contact.email || item.contact.phone ? (
          <p>Contact given: {[item.contact.name, item.contact.email, item.contact.phone].filter(Boolean).join(', ')}</p>
        ) : null}
        {item.reference ? (
          <p>
            <a href={`/staff/cases/${encodeURIComponent(item.reference)}`}>Open {item.reference}</a>
          </p>
        ) : null}
        <form method="post" action={`/staff/feedback/${item.id}`} class="panel">
          <Choices name="themes" label="Themes" multiple options={themes.map((t) => ({ value: t.code, label: t.name }))} value={item.themes} error={errors['themes']} />
          <Choices name="read" label="Read?" required inline options={[{ value: 'yes', label: 'Read' }, { value: 'no', label: 'Not read yet' }]} value="yes" />
          <div class="actions">
            <button type="submit">Save</button>
          </div>
        </form>
        {mayChooseQuotes(staff) ? (
          <form method="post" action={`/staff/feedback/${item.id}/quote`} class="panel">
            <h2>Quote it in the reports</h2>
            <p class="muted">
              The feedback analysis in the reports (CSS §6.3) quotes the comments chosen here, without names, e-mail addresses or phone numbers: they are taken out when you save.
              {quote ? ' Empty the box to stop quoting it.' : ''}
            </p>
            <TextArea name="quote" label="Quote" hint={`Up to ${maxQuoteLength} characters: the comment, or the part of it that matters`} rows={3} maxLength={maxQuoteLength} value={quote ?? item.text.slice(0, maxQuoteLength)} error={errors['quote']} />
            <div class="actions">
              <button type="submit">{quote ? 'Save the quote' : 'Quote it in the reports'}</button>
            </div>
          </form>
        ) : null}
        {item.recheck ? (
          item.recheck.decidedAt ? (
            <p>Looked at again: {decisionWords[item.recheck.decision ?? ''] ?? item.recheck.decision}, {formatShortDateTime(item.recheck.decidedAt, zone)}.</p>
          ) : (
            <form method="post" action={`/staff/feedback/${item.id}/recheck`} class="panel">
              <h2>The customer says it is not resolved</h2>
              <p class="muted">Look at the case again. Reopen it from the case page, or reply to the customer, then record here what was done. The customer is told nothing unless you reopen or reply.</p>
              <Choices name="decision" label="What was done" required options={Object.entries(decisionWords).map(([value, label]) => ({ value, label }))} error={errors['decision']} />
              <TextArea name="note" label="Why, in a sentence" required rows={3} maxLength={2000} error={errors['note']} />
              <div class="actions">
                <button type="submit">Record the decision</button>
              </div>
            </form>
          )
        ) : null}
      </ConsolePage>
    );
  };

  app.get<{ Params: { id: string } }>('/staff/feedback/:id', { onRequest: requireStaffPage(services) }, async (request, reply) => sendPage(reply, await itemPage(request, idOf(request.params.id), {})));

  app.post<{ Params: { id: string } }>('/staff/feedback/:id', { onRequest: requireStaffPage(services) }, async (request, reply) => {
    const staff = signedIn(request);
    const id = idOf(request.params.id);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const raw = body['themes'];
    const themes = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter((t): t is string => typeof t === 'string').slice(0, 50);
    try {
      await reviewFeedback({ db: services.db, staff, id, themes, read: textOf(body, 'read') !== 'no', now: services.clock.now() });
      return sendPage(reply, await itemPage(request, id, {}, 'Saved.'));
    } catch (error) {
      if (!isAppError(error) || error.code !== 'VALIDATION_FAILED') throw error;
      return sendPage(reply, await itemPage(request, id, { themes: error.message }), 400);
    }
  });

  app.post<{ Params: { id: string } }>('/staff/feedback/:id/quote', { onRequest: requireStaffPage(services) }, async (request, reply) => {
    const staff = signedIn(request);
    const id = idOf(request.params.id);
    try {
      const quote = await chooseQuote({ db: services.db, directory: await services.directory.get(), staff, feedbackId: id, quote: textOf(request.body, 'quote'), now: services.clock.now() });
      return sendPage(reply, await itemPage(request, id, {}, quote === null ? 'No longer quoted in the reports.' : `Quoted in the reports as: “${quote}”`));
    } catch (error) {
      if (!isAppError(error) || error.code !== 'VALIDATION_FAILED') throw error;
      return sendPage(reply, await itemPage(request, id, { quote: error.message }), 400);
    }
  });

  app.post<{ Params: { id: string } }>('/staff/feedback/:id/recheck', { onRequest: requireStaffPage(services) }, async (request, reply) => {
    const staff = signedIn(request);
    const id = idOf(request.params.id);
    try {
      await decideRecheck({ db: services.db, staff, feedbackId: id, decision: textOf(request.body, 'decision'), note: textOf(request.body, 'note'), now: services.clock.now() });
      return sendPage(reply, await itemPage(request, id, {}, 'Decision recorded.'));
    } catch (error) {
      if (!isAppError(error) || (error.code !== 'VALIDATION_FAILED' && error.code !== 'CONFLICT')) throw error;
      const field = error.details[0]?.field ?? '_form';
      return sendPage(reply, await itemPage(request, id, { [field]: error.message }), error.httpStatus);
    }
  });
}
