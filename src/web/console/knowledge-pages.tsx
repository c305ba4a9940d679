import type { FastifyInstance, FastifyReply } from 'fastify';
import type { CaseServices } from '../../cases/case-services.js';
import type { Directory } from '../../directory/directory-cache.js';
import type { StaffMember } from '../../directory/staff.js';
import { articleVersions, findArticle, findArticleVersion, listArticles, saveArticle, searchArticles, type Article, type ArticleHit, type ArticleInput } from '../../knowledge/knowledge-base.js';
import { canManageTemplates, findTemplate, listTemplates, managedDivisions, saveTemplate, type ResponseTemplate, type TemplateInput } from '../../knowledge/response-templates.js';
import { placeholders, templateActions } from '../../knowledge/template-placeholders.js';
import { AppError } from '../../platform/errors.js';
import { Badge, Choices, ErrorSummary, Select, TextArea, TextField, type FieldErrors } from '../components.js';
import { formatDateTime } from '../format.js';
import { sendPage } from '../render.js';
import { requireStaffPage } from './console-auth.js';
import { ConsolePage, formErrors, idOf, signedIn, textOf } from './reference-layout.js';

/**
 * Issue 18: the knowledge base (every staff member reads and searches it; heads and administrators
 * write it, each edit a new version) and the response templates (heads and administrators manage
 * their divisions'). Plain forms: they work without JavaScript.
 */

const divisionName = (directory: Directory, id: number) => directory.division(id)?.name ?? '';

function KnowledgeList(props: { staff: StaffMember; directory: Directory; q: string; articles: Article[]; hits: ArticleHit[] | undefined }) {
  const { staff, directory, q, articles, hits } = props;
  const writes = managedDivisions(staff, directory).length > 0;
  return (
    <ConsolePage staff={staff} municipality={directory.municipality.name} path="/staff/knowledge" title="Answers" crumbs={[{ label: 'Answers' }]}>
      <h1>Answers: the knowledge base</h1>
      <p class="lede">Articles that answer general inquiries, by division. Published ones are on the portal at /answers. Intake searches them too.</p>
      <p class="actions">
        {writes ? <a href="/staff/knowledge/new">Write a new article</a> : null} {writes ? <a href="/staff/templates">Response templates</a> : null}
      </p>
      <form method="get" action="/staff/knowledge" role="search">
        <label for="q">Search the articles</label>
        <div class="template-picker__row">
          <input type="search" id="q" name="q" value={q} maxLength={200} />
          <button type="submit">Search</button>
        </div>
      </form>
      <table class="table">
        <caption class="visually-hidden">{hits ? `Articles matching ${q}` : 'All articles'}</caption>
        <thead>
          <tr>
            <th scope="col">Article</th>
            <th scope="col">Division</th>
            <th scope="col">Version</th>
            <th scope="col">On the portal</th>
          </tr>
        </thead>
        <tbody>
          {(hits ?? articles).map((a) => (
            <tr>
              <td>
                <a href={`/staff/knowledge/${a.slug}`}>{a.title}</a>
                {'excerpt' in a ? <p class="muted">{`…${a.excerpt}…`}</p> : null}
              </td>
              <td>{divisionName(directory, a.divisionId)}</td>
              <td>{String(a.version)}</td>
              <td>{a.published ? <Badge kind="ok">Published</Badge> : <Badge kind="muted">Staff only</Badge>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {hits && hits.length === 0 ? <p role="status">{`No article matches “${q}”.`}</p> : null}
    </ConsolePage>
  );
}

const articleFields = ['slug', 'division', 'title', 'keywords', 'body', 'published'] as const;

function ArticleForm(props: { staff: StaffMember; directory: Directory; action: string; values: ArticleInput; errors: FieldErrors; isNew: boolean }) {
  const { staff, directory, values, errors } = props;
  return (
    <form method="post" action={props.action} novalidate class="card">
      <h2>{props.isNew ? 'The new article' : 'Edit: saves a new version'}</h2>
      {props.isNew ? (
        <TextField name="slug" label="Web address" hint="Lower-case words joined by “-”: the page will be /answers/pool-hours." value={values.slug} error={errors['slug']} maxLength={80} required class="narrow" />
      ) : (
        <input type="hidden" name="slug" value={values.slug} />
      )}
      <Select
        name="division"
        label="Division"
        options={managedDivisions(staff, directory).map((d) => ({ value: d.code, label: d.name }))}
        value={values.division}
        placeholder="Choose the division"
        error={errors['division']}
        required
      />
      <TextField name="title" label="Title" hint="As a resident would ask it, e.g. Pool hours and public swims." value={values.title} error={errors['title']} maxLength={200} required />
      <TextField name="keywords" label="Other search words" hint="Words residents use that the text may not, e.g. swimming aquatics." value={values.keywords} error={errors['keywords']} maxLength={500} />
      <TextArea name="body" label="The answer" hint="Plain words; a blank line starts a paragraph." value={values.body} error={errors['body']} rows={12} maxLength={20000} required />
      <Choices
        name="published"
        label="Who reads it"
        options={[
          { value: 'yes', label: 'Published: on the portal for residents, and for staff' },
          { value: 'no', label: 'Staff only' },
        ]}
        value={values.published ? 'yes' : 'no'}
        required
      />
      <div class="actions">
        <button type="submit">{props.isNew ? 'Publish the article' : 'Save as a new version'}</button>
      </div>
    </form>
  );
}

function ArticlePage(props: {
  staff: StaffMember;
  directory: Directory;
  article: Article & { editedAt?: Date; editedBy?: string | null; latest?: number };
  versions: { version: number; title: string; editedAt: Date; editedBy: string | null }[];
  form?: { values: ArticleInput; errors: FieldErrors } | undefined;
  done?: boolean;
}) {
  const { staff, directory, article, versions } = props;
  const zone = directory.calendar.timeZone;
  const division = directory.division(article.divisionId);
  const old = article.latest !== undefined && article.version !== article.latest;
  const mayEdit = !old && division !== undefined && canManageTemplates(staff, division);
  return (
    <ConsolePage staff={staff} municipality={directory.municipality.name} path="/staff/knowledge" title={article.title} crumbs={[{ href: '/staff/knowledge', label: 'Answers' }, { label: article.title }]}>
      {props.done ? (
        <div class="alert alert--ok" role="status">
          <p>{`Saved as version ${article.version}. Earlier versions are kept below.`}</p>
        </div>
      ) : null}
      <ErrorSummary errors={props.form?.errors ?? {}} />
      <p class="caption">{`${division?.name ?? ''} · version ${article.version}${old ? ` of ${article.latest}` : ''}`}</p>
      <h1>{article.title}</h1>
      {old ? (
        <div class="alert alert--warn">
          <p>
            {`This is version ${article.version}, as it was given to customers from ${formatDateTime(article.editedAt!, zone)}. `}
            <a href={`/staff/knowledge/${article.slug}`}>Read the current version</a>
          </p>
        </div>
      ) : null}
      <div class="article-body">{article.body}</div>
      <p class="muted">{article.published ? `Published on the portal at /answers/${article.slug}.` : 'Staff only: not on the portal.'}</p>
      <section aria-labelledby="versions-title">
        <h2 id="versions-title">Versions</h2>
        <ol reversed>
          {versions.map((v) => (
            <li>
              <a href={`/staff/knowledge/${article.slug}/versions/${v.version}`}>{`Version ${v.version}`}</a>
              {`: “${v.title}”, ${formatDateTime(v.editedAt, zone)}${v.editedBy ? `, by ${v.editedBy}` : ', shipped with citydesk'}`}
            </li>
          ))}
        </ol>
      </section>
      {mayEdit ? (
        <ArticleForm
          staff={staff}
          directory={directory}
          action={`/staff/knowledge/${article.slug}`}
          isNew={false}
          values={props.form?.values ?? { slug: article.slug, division: division.code, title: article.title, keywords: article.keywords, body: article.body, published: article.published }}
          errors={props.form?.errors ?? {}}
        />
      ) : null}
    </ConsolePage>
  );
}

function NewArticlePage(props: { staff: StaffMember; directory: Directory; values: ArticleInput; errors: FieldErrors }) {
  return (
    <ConsolePage staff={props.staff} municipality={props.directory.municipality.name} path="/staff/knowledge" title="New article" crumbs={[{ href: '/staff/knowledge', label: 'Answers' }, { label: 'New article' }]}>
      <ErrorSummary errors={props.errors} />
      <h1>Write a new article</h1>
      <ArticleForm staff={props.staff} directory={props.directory} action="/staff/knowledge/new" isNew values={props.values} errors={props.errors} />
    </ConsolePage>
  );
}

const templateFields = ['division', 'requestType', 'action', 'name', 'body', 'active'] as const;

function TemplateForm(props: { staff: StaffMember; directory: Directory; action: string; values: TemplateInput; errors: FieldErrors; isNew: boolean }) {
  const { staff, directory, values, errors } = props;
  const divisions = managedDivisions(staff, directory);
  const ids = new Set(divisions.map((d) => d.id));
  const types = directory.activeRequestTypeCodes.map((c) => directory.requestTypeByCode(c)!).filter((t) => ids.has(t.divisionId));
  return (
    <form method="post" action={props.action} novalidate class="card">
      <h2>{props.isNew ? 'A new template' : 'Edit the template'}</h2>
      <Select name="division" label="Division" options={divisions.map((d) => ({ value: d.code, label: d.name }))} value={values.division} placeholder="Choose the division" error={errors['division']} required />
      <Select
        name="requestType"
        label="Request type"
        hint="Leave it at “every case” for a template offered on all the division's cases, its general inquiries among them."
        options={[{ value: '', label: 'Every case of the division' }, ...types.map((t) => ({ value: t.code, label: `${t.name} (${divisionName(directory, t.divisionId)})` }))]}
        value={values.requestType}
        error={errors['requestType']}
        required
      />
      <Select name="action" label="Used in" options={Object.entries(templateActions).map(([value, a]) => ({ value, label: a.label }))} value={values.action} placeholder="Choose the form" error={errors['action']} required />
      <TextField name="name" label="Name staff choose it by" value={values.name} error={errors['name']} maxLength={120} required />
      <TextArea
        name="body"
        label="Text"
        hint={`Placeholders filled from the case: ${Object.entries(placeholders)
          .map(([p, what]) => `{${p}} ${what}`)
          .join('; ')}.`}
        value={values.body}
        error={errors['body']}
        rows={6}
        maxLength={4000}
        required
      />
      <Choices
        name="active"
        label="Offered to staff"
        options={[
          { value: 'yes', label: 'Yes, offer it in the form' },
          { value: 'no', label: 'No, keep it but do not offer it' },
        ]}
        value={values.active ? 'yes' : 'no'}
        required
      />
      <div class="actions">
        <button type="submit">{props.isNew ? 'Add the template' : 'Save the template'}</button>
      </div>
    </form>
  );
}

function TemplatesPage(props: { staff: StaffMember; directory: Directory; templates: ResponseTemplate[]; values: TemplateInput; errors: FieldErrors; done?: boolean }) {
  const { staff, directory, templates } = props;
  return (
    <ConsolePage staff={staff} municipality={directory.municipality.name} path="/staff/knowledge" title="Response templates" crumbs={[{ href: '/staff/knowledge', label: 'Answers' }, { label: 'Response templates' }]}>
      {props.done ? (
        <div class="alert alert--ok" role="status">
          <p>Template saved. Staff see it in the case page's forms.</p>
        </div>
      ) : null}
      <ErrorSummary errors={props.errors} />
      <h1>Response templates</h1>
      <p class="lede">Ready-made words for the acknowledgment, update, resolution and transfer forms, filled in from each case. Staff edit them before sending.</p>
      <table class="table">
        <caption class="visually-hidden">Your divisions' templates</caption>
        <thead>
          <tr>
            <th scope="col">Template</th>
            <th scope="col">Division</th>
            <th scope="col">Request type</th>
            <th scope="col">Used in</th>
            <th scope="col">Offered</th>
          </tr>
        </thead>
        <tbody>
          {templates.map((t) => (
            <tr>
              <td>
                <a href={`/staff/templates/${t.id}`}>{t.name}</a>
              </td>
              <td>{divisionName(directory, t.divisionId)}</td>
              <td>{t.requestTypeId === null ? 'Every case' : (directory.requestType(t.requestTypeId)?.name ?? '')}</td>
              <td>{templateActions[t.action].label}</td>
              <td>{t.active ? <Badge kind="ok">Yes</Badge> : <Badge kind="muted">No</Badge>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <TemplateForm staff={staff} directory={directory} action="/staff/templates" isNew values={props.values} errors={props.errors} />
    </ConsolePage>
  );
}

function TemplatePage(props: { staff: StaffMember; directory: Directory; id: number; values: TemplateInput; errors: FieldErrors }) {
  return (
    <ConsolePage
      staff={props.staff}
      municipality={props.directory.municipality.name}
      path="/staff/knowledge"
      title={`Template: ${props.values.name}`}
      crumbs={[{ href: '/staff/knowledge', label: 'Answers' }, { href: '/staff/templates', label: 'Response templates' }, { label: props.values.name }]}
    >
      <ErrorSummary errors={props.errors} />
      <h1>{props.values.name}</h1>
      <TemplateForm staff={props.staff} directory={props.directory} action={`/staff/templates/${props.id}`} isNew={false} values={props.values} errors={props.errors} />
    </ConsolePage>
  );
}

const readArticle = (body: unknown, slug?: string): ArticleInput => ({
  slug: slug ?? textOf(body, 'slug').trim(),
  division: textOf(body, 'division'),
  title: textOf(body, 'title'),
  keywords: textOf(body, 'keywords'),
  body: textOf(body, 'body'),
  published: textOf(body, 'published') !== 'no',
});

const readTemplate = (body: unknown): TemplateInput => ({
  division: textOf(body, 'division'),
  requestType: textOf(body, 'requestType'),
  action: textOf(body, 'action'),
  name: textOf(body, 'name'),
  body: textOf(body, 'body'),
  active: textOf(body, 'active') !== 'no',
});

const asTemplateInput = (t: ResponseTemplate, directory: Directory): TemplateInput => ({
  division: directory.division(t.divisionId)?.code ?? '',
  requestType: t.requestTypeId === null ? '' : (directory.requestType(t.requestTypeId)?.code ?? ''),
  action: t.action,
  name: t.name,
  body: t.body,
  active: t.active,
});

function assertManagesSome(staff: StaffMember, directory: Directory): void {
  if (managedDivisions(staff, directory).length === 0) {
    throw new AppError('FORBIDDEN', 'Response templates and articles are written by Division Heads, Department Heads, the Manager of Customer Service and administrators. Ask your head to add or change one.');
  }
}

export function registerKnowledgePages(app: FastifyInstance, services: CaseServices): void {
  const onRequest = requireStaffPage(services);
  const tx = services.db.kysely;
  const directoryOf = () => services.directory.get();
  const notFound = () => new AppError('NOT_FOUND', 'There is no such article. Search the knowledge base.');

  app.get<{ Querystring: { q?: unknown; done?: unknown } }>('/staff/knowledge', { onRequest }, async (request, reply) => {
    const q = typeof request.query.q === 'string' ? request.query.q.trim().slice(0, 200) : '';
    const [directory, articles, hits] = await Promise.all([directoryOf(), q ? [] : listArticles(tx), q ? searchArticles(tx, { query: q, limit: 25 }) : undefined]);
    return sendPage(reply, <KnowledgeList staff={signedIn(request)} directory={directory} q={q} articles={articles} hits={hits} />);
  });

  const emptyArticle: ArticleInput = { slug: '', division: '', title: '', keywords: '', body: '', published: true };
  app.get('/staff/knowledge/new', { onRequest }, async (request, reply) => {
    const directory = await directoryOf();
    assertManagesSome(signedIn(request), directory);
    return sendPage(reply, <NewArticlePage staff={signedIn(request)} directory={directory} values={emptyArticle} errors={{}} />);
  });
  app.post('/staff/knowledge/new', { onRequest }, async (request, reply) => {
    const staff = signedIn(request);
    const directory = await directoryOf();
    const values = readArticle(request.body);
    try {
      const saved = await saveArticle({ db: services.db, clock: services.clock, directory, staff, input: values, expectNew: true });
      return reply.redirect(`/staff/knowledge/${saved.slug}?done=saved`, 303);
    } catch (error) {
      return sendPage(reply, <NewArticlePage staff={staff} directory={directory} values={values} errors={formErrors(error, articleFields)} />, 400);
    }
  });

  const showArticle = async (reply: FastifyReply, staff: StaffMember, slug: string, extra: { form?: { values: ArticleInput; errors: FieldErrors }; done?: boolean }, status = 200) => {
    const [directory, article, versions] = await Promise.all([directoryOf(), findArticle(tx, slug), articleVersions(tx, slug)]);
    if (!article) throw notFound();
    return sendPage(reply, <ArticlePage staff={staff} directory={directory} article={article} versions={versions} {...extra} />, status);
  };
  app.get<{ Params: { slug: string }; Querystring: { done?: unknown } }>('/staff/knowledge/:slug', { onRequest }, async (request, reply) =>
    showArticle(reply, signedIn(request), request.params.slug, { done: request.query.done === 'saved' }),
  );
  app.post<{ Params: { slug: string } }>('/staff/knowledge/:slug', { onRequest }, async (request, reply) => {
    const staff = signedIn(request);
    const { slug } = request.params;
    if (!(await findArticle(tx, slug))) throw notFound();
    const values = readArticle(request.body, slug);
    try {
      await saveArticle({ db: services.db, clock: services.clock, directory: await directoryOf(), staff, input: values });
      return reply.redirect(`/staff/knowledge/${slug}?done=saved`, 303);
    } catch (error) {
      return showArticle(reply, staff, slug, { form: { values, errors: formErrors(error, articleFields) } }, 400);
    }
  });
  app.get<{ Params: { slug: string; version: string } }>('/staff/knowledge/:slug/versions/:version', { onRequest }, async (request, reply) => {
    const [directory, article, versions] = await Promise.all([directoryOf(), findArticleVersion(tx, request.params.slug, idOf(request.params.version)), articleVersions(tx, request.params.slug)]);
    if (!article) throw notFound();
    return sendPage(reply, <ArticlePage staff={signedIn(request)} directory={directory} article={article} versions={versions} />);
  });

  const emptyTemplate: TemplateInput = { division: '', requestType: '', action: '', name: '', body: '', active: true };
  const showTemplates = async (reply: FastifyReply, staff: StaffMember, values: TemplateInput, errors: FieldErrors, done = false, status = 200) => {
    const directory = await directoryOf();
    assertManagesSome(staff, directory);
    const templates = await listTemplates(tx, managedDivisions(staff, directory).map((d) => d.id));
    return sendPage(reply, <TemplatesPage staff={staff} directory={directory} templates={templates} values={values} errors={errors} done={done} />, status);
  };
  app.get<{ Querystring: { done?: unknown } }>('/staff/templates', { onRequest }, async (request, reply) => showTemplates(reply, signedIn(request), emptyTemplate, {}, request.query.done === 'saved'));
  app.post('/staff/templates', { onRequest }, async (request, reply) => {
    const staff = signedIn(request);
    const values = readTemplate(request.body);
    try {
      await saveTemplate({ db: services.db, clock: services.clock, directory: await directoryOf(), staff, input: values });
      return reply.redirect('/staff/templates?done=saved', 303);
    } catch (error) {
      return showTemplates(reply, staff, values, formErrors(error, templateFields), false, 400);
    }
  });
  const editable = async (staff: StaffMember, idText: string) => {
    const directory = await directoryOf();
    const id = idOf(idText);
    if (!Number.isFinite(id)) throw new AppError('NOT_FOUND', 'There is no such template.');
    const template = await findTemplate(tx, id);
    const division = directory.division(template.divisionId);
    if (!division || !canManageTemplates(staff, division)) throw new AppError('NOT_FOUND', 'There is no such template among your divisions’.');
    return { directory, id, template };
  };
  app.get<{ Params: { id: string } }>('/staff/templates/:id', { onRequest }, async (request, reply) => {
    const staff = signedIn(request);
    const { directory, id, template } = await editable(staff, request.params.id);
    return sendPage(reply, <TemplatePage staff={staff} directory={directory} id={id} values={asTemplateInput(template, directory)} errors={{}} />);
  });
  app.post<{ Params: { id: string } }>('/staff/templates/:id', { onRequest }, async (request, reply) => {
    const staff = signedIn(request);
    const { directory, id } = await editable(staff, request.params.id);
    const values = readTemplate(request.body);
    try {
      await saveTemplate({ db: services.db, clock: services.clock, directory, staff, id, input: values });
      return reply.redirect('/staff/templates?done=saved', 303);
    } catch (error) {
      return sendPage(reply, <TemplatePage staff={staff} directory={directory} id={id} values={values} errors={formErrors(error, templateFields)} />, 400);
    }
  });
}
