import type { FastifyInstance } from 'fastify';
import type { CaseServices } from '../../cases/case-services.js';
import { findArticle, listArticles, searchArticles, type Article, type ArticleHit } from '../../knowledge/knowledge-base.js';
import { AppError } from '../../platform/errors.js';
import { Breadcrumbs } from '../components.js';
import { formatDate } from '../format.js';
import { sendPage } from '../render.js';
import { PortalLayout, portalContext, type PortalContext } from './portal-layout.js';

/**
 * Issue 18: the knowledge base's published articles on the portal, so residents can read the answer
 * before they ask: /answers lists them by division and searches them, /answers/:slug shows one.
 */

function AnswersPage(props: { ctx: PortalContext; q: string; articles: Article[]; hits: ArticleHit[] | undefined }) {
  const { ctx, q, articles, hits } = props;
  const byDivision = new Map<number, Article[]>();
  for (const a of articles) byDivision.set(a.divisionId, [...(byDivision.get(a.divisionId) ?? []), a]);
  return (
    <PortalLayout ctx={ctx} title={q ? `Answers: ${q}` : 'Answers'} path="/answers">
      <Breadcrumbs items={[{ href: '/', label: 'Home' }, { label: 'Answers' }]} />
      <h1>Answers to common questions</h1>
      <p class="lede">Hours, programs, by-laws and how things work, from the divisions that run them. Can’t find yours? <a href="/ask">Ask a question</a>.</p>
      <form method="get" action="/answers" role="search" class="answer-search">
        <label for="q">Search the answers</label>
        <div class="template-picker__row">
          <input type="search" id="q" name="q" value={q} maxLength={200} />
          <button type="submit">Search</button>
        </div>
      </form>
      {hits ? (
        <section aria-labelledby="hits-title">
          <h2 id="hits-title">{hits.length === 0 ? `No answers match “${q}”` : `${hits.length} answer${hits.length === 1 ? '' : 's'} for “${q}”`}</h2>
          {hits.length === 0 ? (
            <p>
              Try other words, or <a href="/ask">ask your question</a>: a member of staff answers it.
            </p>
          ) : (
            <ul class="article-hits">
              {hits.map((h) => (
                <li>
                  <a href={`/answers/${h.slug}`}>{h.title}</a>
                  <p>{`…${h.excerpt}…`}</p>
                </li>
              ))}
            </ul>
          )}
        </section>
      ) : (
        [...byDivision.entries()].map(([divisionId, list]) => (
          <section aria-labelledby={`division-${divisionId}`}>
            <h2 id={`division-${divisionId}`}>{ctx.directory.division(divisionId)?.name ?? 'City services'}</h2>
            <ul>
              {list.map((a) => (
                <li>
                  <a href={`/answers/${a.slug}`}>{a.title}</a>
                </li>
              ))}
            </ul>
          </section>
        ))
      )}
    </PortalLayout>
  );
}

function ArticlePage(props: { ctx: PortalContext; article: Article }) {
  const { ctx, article } = props;
  const division = ctx.directory.division(article.divisionId)?.name ?? 'the City';
  return (
    <PortalLayout ctx={ctx} title={article.title} path="/answers">
      <Breadcrumbs items={[{ href: '/', label: 'Home' }, { href: '/answers', label: 'Answers' }, { label: article.title }]} />
      <h1>{article.title}</h1>
      <div class="article-body">{article.body}</div>
      <p class="muted">{`From ${division}. Last updated ${formatDate(article.updatedAt, ctx.zone)}.`}</p>
      <p>
        Still have a question? <a href="/ask">Ask us</a> and quote this page if it helps.
      </p>
    </PortalLayout>
  );
}

export function registerAnswersPages(app: FastifyInstance, services: CaseServices): void {
  app.get<{ Querystring: { q?: unknown } }>('/answers', async (request, reply) => {
    const ctx = await portalContext(services);
    const q = typeof request.query.q === 'string' ? request.query.q.trim().slice(0, 200) : '';
    const tx = services.db.kysely;
    const [articles, hits] = await Promise.all([q ? [] : listArticles(tx, { publishedOnly: true }), q ? searchArticles(tx, { query: q, publishedOnly: true }) : undefined]);
    return sendPage(reply, <AnswersPage ctx={ctx} q={q} articles={articles} hits={hits} />);
  });
  app.get<{ Params: { slug: string } }>('/answers/:slug', async (request, reply) => {
    const article = await findArticle(services.db.kysely, request.params.slug, { publishedOnly: true });
    if (!article) throw new AppError('NOT_FOUND', 'There is no such answer. Search the answers, or ask your question.');
    return sendPage(reply, <ArticlePage ctx={await portalContext(services)} article={article} />);
  });
}
