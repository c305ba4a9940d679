import { Type, type Static } from '@sinclair/typebox';
import { unknownPlaceholders } from './template-placeholders.js';

/**
 * The shipped response templates (config/response-templates.yaml) and knowledge-base articles
 * (config/knowledge-base.yaml), both optional. Seeding adds what is missing and never overwrites
 * what heads and staff have edited since.
 */

const Code = Type.String({ pattern: '^[a-z0-9][a-z0-9_-]*$', maxLength: 64 });

export const ResponseTemplatesFile = Type.Object(
  {
    templates: Type.Array(
      Type.Object(
        {
          code: Code,
          division: Code,
          requestType: Type.Optional(Code),
          action: Type.Union([Type.Literal('acknowledge'), Type.Literal('update'), Type.Literal('resolve'), Type.Literal('transfer')]),
          name: Type.String({ minLength: 1, maxLength: 120 }),
          body: Type.String({ minLength: 1, maxLength: 4000 }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const KnowledgeBaseFile = Type.Object(
  {
    articles: Type.Array(
      Type.Object(
        {
          slug: Type.String({ pattern: '^[a-z0-9]+(-[a-z0-9]+)*$', maxLength: 80 }),
          division: Code,
          title: Type.String({ minLength: 1, maxLength: 200 }),
          keywords: Type.Optional(Type.String({ maxLength: 500 })),
          published: Type.Optional(Type.Boolean()),
          body: Type.String({ minLength: 1, maxLength: 20000 }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export type TemplateConfig = Static<typeof ResponseTemplatesFile>['templates'][number];
export type ArticleConfig = Static<typeof KnowledgeBaseFile>['articles'][number];

type Problem = (path: (string | number)[], message: string) => void;

/** The cross-checks a schema cannot make: divisions and types exist, codes are unique, placeholders known. */
export function checkTemplatesConfig(templates: TemplateConfig[], divisionCodes: Set<string>, typeDivision: Map<string, string>, problem: Problem): void {
  const codes = new Set<string>();
  templates.forEach((t, i) => {
    if (codes.has(t.code)) problem(['templates', i, 'code'], `template "${t.code}" is listed twice`);
    codes.add(t.code);
    if (!divisionCodes.has(t.division)) problem(['templates', i, 'division'], `"${t.division}" is not a division in organization.yaml`);
    if (t.requestType !== undefined && typeDivision.get(t.requestType) !== t.division) {
      problem(['templates', i, 'requestType'], `"${t.requestType}" is not a request type of ${t.division} in request-types.yaml`);
    }
    const unknown = unknownPlaceholders(t.body);
    if (unknown.length > 0) problem(['templates', i, 'body'], `uses ${unknown.map((u) => `{${u}}`).join(', ')}, which citydesk cannot fill`);
  });
}

export function checkArticlesConfig(articles: ArticleConfig[], divisionCodes: Set<string>, problem: Problem): void {
  const slugs = new Set<string>();
  articles.forEach((a, i) => {
    if (slugs.has(a.slug)) problem(['articles', i, 'slug'], `article "${a.slug}" is listed twice`);
    slugs.add(a.slug);
    if (!divisionCodes.has(a.division)) problem(['articles', i, 'division'], `"${a.division}" is not a division in organization.yaml`);
  });
}
