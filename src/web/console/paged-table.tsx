import type { ComponentChildren, VNode } from 'preact';

/**
 * A long list shown a page at a time: a scrollable, named table region (keyboard users can
 * scroll it), or a sentence when the page has nothing, then links to the pages before and after.
 * The e-mail triage queue and the outbox list this way; each says in its own words what it lists.
 */
export function PagedTable<T>(props: {
  /** The region's name, as a screen reader announces it. */
  label: string;
  caption: ComponentChildren;
  columns: { label: string; num?: boolean }[];
  rows: T[];
  row: (item: T) => VNode;
  /** Said instead of the table when this page has no rows. */
  empty: string;
  page: number;
  /** Whether a page comes after this one. */
  more: boolean;
  href: (page: number) => string;
  /** The page links' names: the navigation's, and the links to the pages before and after. */
  pages: { label: string; previous: string; next: string };
}) {
  const { page, more, href, pages } = props;
  return (
    <>
      {props.rows.length === 0 ? (
        <p>{props.empty}</p>
      ) : (
        <div class="table-wrap" tabIndex={0} role="region" aria-label={props.label}>
          <table>
            <caption>{props.caption}</caption>
            <thead>
              <tr>
                {props.columns.map((c) => (
                  <th scope="col" class={c.num ? 'num' : undefined}>
                    {c.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>{props.rows.map(props.row)}</tbody>
          </table>
        </div>
      )}
      {page > 1 || more ? (
        <nav class="pagination" aria-label={pages.label}>
          {page > 1 ? <a href={href(page - 1)}>{pages.previous}</a> : null}
          <span>Page {page}</span>
          {more ? <a href={href(page + 1)}>{pages.next}</a> : null}
        </nav>
      ) : null}
    </>
  );
}
