import type { ComponentChildren } from 'preact';
import type { PerformanceRules } from '../../standard/performance-indicators.js';
import type { QueueName } from '../../cases/case-queries.js';
import { seesEveryDivision } from '../../cases/case-policy.js';
import { caseSortKeys, dueFilters, type CaseFilters, type CaseListItem, type CaseSortKey, type DueFilter } from '../../cases/find-cases.js';
import type { Directory } from '../../directory/directory-cache.js';
import type { StaffMember } from '../../directory/staff.js';
import { Badge, Select, type FieldErrors, type Option } from '../components.js';
import { afterOverdueBadge, dueInWords, formatCount, formatShortDateTime } from '../format.js';

/** The console's case lists: the queues and the search share their filters, table and paging. */

export const queueTitles: Record<QueueName, { title: string; about: string }> = {
  mine: { title: 'Your open cases', about: 'Open cases you own, the most urgent first.' },
  division: { title: 'Open cases', about: 'Every open case of the division, by its next deadline.' },
  'acknowledge-due-today': { title: 'Acknowledgments due today', about: 'Not yet acknowledged, with the acknowledgment target before close of business today (CSS §3.3, §4.1).' },
  'acknowledge-overdue': { title: 'Acknowledgments overdue', about: 'The acknowledgment target has passed and no one has acknowledged the customer yet (CSS §4.1).' },
  'resolution-overdue': { title: 'Resolutions overdue', about: 'Open past the resolution target of the Division Service Target (CSS §4).' },
  'update-overdue': { title: 'Updates overdue', about: 'The date promised to the customer has passed: send the status and a new timeline (CSS §3.3).' },
  'at-risk': { title: 'At risk', about: "Open cases that have used the City's at-risk share of the time to their next target, which has not passed yet: act before it does." },
  overdue: { title: 'Overdue now', about: 'Open cases past a deadline, whichever it is (acknowledge, resolve, the date promised, a transfer to confirm), the longest overdue first.' },
  'transfers-in': { title: 'Transfers waiting for you', about: 'Sent to your division: confirm receipt so the customer knows who has it (CSS §3.1).' },
  'transfers-out': { title: 'Transfers not yet confirmed', about: 'Sent to another division and not yet confirmed; follow up after one business day (CSS §3.1).' },
};

/** What a queue holds, in words, with the City's at-risk share (config/performance.yaml) where it applies. */
export function queueAbout(queue: QueueName, rules: PerformanceRules): string {
  if (queue === 'at-risk') return `Open cases that have used ${Math.round(rules.atRiskShare * 100)}% of the time to their next target, which has not passed yet: act before it does.`;
  return queueTitles[queue].about;
}

const sortLabels: Record<CaseSortKey, string> = {
  reference: 'Reference',
  type: 'Type',
  division: 'Division',
  status: 'Status',
  owner: 'Owner',
  customer: 'Customer',
  received: 'Received',
  due: 'Next due',
};

/** The filters as they come in a query string: anything unknown is read as "any". */
export function readFilters(query: Record<string, unknown>): CaseFilters & { errors: FieldErrors } {
  const text = (name: string): string | undefined => {
    const v = query[name];
    return typeof v === 'string' && v.trim() !== '' ? v.trim().slice(0, 200) : undefined;
  };
  const pick = <T extends string>(name: string, allowed: readonly T[]): T | undefined => {
    const v = text(name);
    return v !== undefined && (allowed as readonly string[]).includes(v) ? (v as T) : undefined;
  };
  const page = Number(text('page') ?? '1');
  return {
    text: text('q'),
    division: text('division'),
    requestType: text('type'),
    channel: text('channel'),
    status: pick('status', ['open', 'resolved'] as const),
    due: pick<DueFilter>('due', dueFilters),
    sort: pick<CaseSortKey>('sort', caseSortKeys),
    direction: pick('dir', ['asc', 'desc'] as const),
    page: Number.isInteger(page) && page >= 1 ? page : 1,
    errors: {},
  };
}

/** The query string of a list with some values changed (undefined removes one). */
export function listHref(path: string, filters: CaseFilters, change: Partial<Record<'q' | 'division' | 'type' | 'channel' | 'status' | 'due' | 'sort' | 'dir' | 'page', string | undefined>>): string {
  const params: Record<string, string | undefined> = {
    q: filters.text,
    division: filters.division,
    type: filters.requestType,
    channel: filters.channel,
    status: filters.status,
    due: filters.due,
    sort: filters.sort,
    dir: filters.direction,
    page: filters.page && filters.page > 1 ? String(filters.page) : undefined,
    ...change,
  };
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') search.set(k, v);
  const s = search.toString();
  return s ? `${path}?${s}` : path;
}

/** The divisions this person can list: every one, their department's, or their own. */
export function visibleDivisions(directory: Directory, staff: StaffMember): Option[] {
  const all = directory.divisions;
  const seen = seesEveryDivision(staff)
    ? all
    : staff.role === 'department_head'
      ? all.filter((d) => d.departmentId === staff.departmentId)
      : all.filter((d) => d.id === staff.divisionId);
  return [...seen].sort((a, b) => a.name.localeCompare(b.name)).map((d) => ({ value: d.code, label: d.name }));
}

/** A filter: a labelled list whose first choice is "any" (filters are never required). */
function FilterSelect(props: { name: string; label: string; options: Option[]; value: string | undefined; placeholder: string; error?: string | undefined }) {
  return <Select {...props} markOptional={false} />;
}

/** The GET form of filters (works without JavaScript; htmx swaps only the results when it is on). */
export function FilterForm(props: { action: string; now: Date; filters: CaseFilters; directory: Directory; staff: StaffMember; errors: FieldErrors; withText?: boolean; children?: ComponentChildren }) {
  const { filters, directory } = props;
  const divisions = visibleDivisions(directory, props.staff);
  const requestTypes = requestTypeOptions(directory, props.now);
  const channels: Option[] = directory.channels.map((c) => ({ value: c.code, label: c.name }));
  return (
    <form
      method="get"
      action={props.action}
      class="filters card"
      role="search"
      aria-label="Filter the cases"
      hx-get={props.action}
      hx-target="#case-results"
      hx-select="#case-results"
      hx-swap="outerHTML"
      hx-push-url="true"
    >
      {props.withText ? (
        <div class="field">
          <label for="f-q">Reference number, customer, address or words</label>
          <span class="hint" id="f-q-hint">
            For example SR-2026-000123, Dana Resident, 705-555-0142 or Kent St
          </span>
          <input id="f-q" name="q" type="search" value={filters.text ?? ''} aria-describedby="f-q-hint" maxLength={200} />
        </div>
      ) : null}
      <div class="filters__row">
        {divisions.length > 1 ? <FilterSelect name="division" label="Division" options={divisions} value={filters.division} placeholder="Any division" error={props.errors['division']} /> : null}
        <FilterSelect name="type" label="Request type" options={requestTypes} value={filters.requestType} placeholder="Any type" error={props.errors['type']} />
        <FilterSelect name="channel" label="Channel" options={channels} value={filters.channel} placeholder="Any channel" />
        <FilterSelect name="status" label="Status" options={[{ value: 'open', label: 'Open' }, { value: 'resolved', label: 'Resolved' }]} value={filters.status} placeholder="Open or resolved" />
        <FilterSelect
          name="due"
          label="Next due"
          options={[
            { value: 'overdue', label: 'Overdue' },
            { value: 'today', label: 'Due today' },
            { value: 'week', label: 'Due in the next 7 days' },
          ]}
          value={filters.due}
          placeholder="Any time"
        />
      </div>
      {filters.sort ? <input type="hidden" name="sort" value={filters.sort} /> : null}
      {filters.direction ? <input type="hidden" name="dir" value={filters.direction} /> : null}
      <div class="actions">
        <button type="submit">{props.withText ? 'Search' : 'Apply filters'}</button>
        <a href={props.action}>Clear filters</a>
      </div>
    </form>
  );
}

/** The active request types by name, each with its division: "Pothole (Roads Operations)". */
export function requestTypeOptions(directory: Directory, now: Date): Option[] {
  return directory.activeRequestTypeCodes
    .flatMap((code) => {
      try {
        const found = directory.serviceTargets(code, now.getTime());
        return [{ value: code, label: `${found.requestType.name} (${found.division.name})` }];
      } catch {
        // A type with no targets in force cannot take requests; it is not offered.
        return [];
      }
    })
    .sort((a, b) => a.label.localeCompare(b.label));
}

/** A deadline in words, with a badge: overdue is said, not shown by colour alone. */
export function DueText(props: { dueAt: string | null; dueFor?: string | null; now: Date; zone: string; status?: string }) {
  if (props.dueAt === null) return props.status === 'resolved' ? <span class="muted">Resolved</span> : <span class="muted">No deadline</span>;
  const due = dueInWords(props.dueAt, props.now);
  const endOfDay = formatShortDateTime(props.dueAt, props.zone).slice(0, 15) === formatShortDateTime(props.now, props.zone).slice(0, 15);
  return (
    <>
      {due.overdue ? (
        // "Overdue by 2 days (acknowledge)": the word once, the badge beginning the sentence.
        <>
          <Badge kind="bad">Overdue</Badge> <span>{afterOverdueBadge(due.words)}</span>
          {props.dueFor ? <span class="due-for"> ({props.dueFor})</span> : null}
        </>
      ) : (
        <>
          {endOfDay ? <Badge kind="warn">Due today</Badge> : null} {props.dueFor ? <span class="due-for">{props.dueFor}: </span> : null}
          <span>{due.words}</span>
        </>
      )}
      <br />
      <time dateTime={props.dueAt} class="muted">
        {formatShortDateTime(props.dueAt, props.zone)}
      </time>
    </>
  );
}

export function StatusBadge(props: { item: Pick<CaseListItem, 'status' | 'acknowledged' | 'transferTo'> }) {
  const { item } = props;
  if (item.status === 'resolved') return <Badge kind="ok">Resolved</Badge>;
  if (item.transferTo) return <Badge kind="warn">Transfer pending</Badge>;
  return item.acknowledged ? <Badge kind="open">Open, acknowledged</Badge> : <Badge kind="open">Open, not acknowledged</Badge>;
}

/**
 * The cases as a table, each column header a sort link that says how it is sorted. The next due
 * time and the owner are always shown (issue 18 point 5): at 1366 px every column fits without
 * scrolling sideways, and on a phone (citydesk.css) each row stacks into a card whose cells carry
 * their own labels, the sort links above as a row of choices. With `select`, each case has a
 * checkbox (name "cases") for the bulk form around the table.
 */
export function CaseTable(props: {
  path: string;
  filters: CaseFilters;
  items: CaseListItem[];
  now: Date;
  zone: string;
  caption: string;
  defaultSort: CaseSortKey;
  defaultDirection: 'asc' | 'desc';
  select?: { selected: ReadonlySet<string> } | undefined;
}) {
  const sort = props.filters.sort ?? props.defaultSort;
  const direction = props.filters.direction ?? props.defaultDirection;
  const header = (key: CaseSortKey) => {
    const current = sort === key;
    const next = current && direction === 'asc' ? 'desc' : 'asc';
    return (
      <th scope="col" aria-sort={current ? (direction === 'asc' ? 'ascending' : 'descending') : undefined}>
        <a href={listHref(props.path, props.filters, { sort: key, dir: next, page: undefined })}>
          {sortLabels[key]}
          {current ? <span aria-hidden="true">{direction === 'asc' ? ' ▲' : ' ▼'}</span> : null}
          <span class="visually-hidden">{current ? `, sorted ${direction === 'asc' ? 'ascending' : 'descending'}; sort ${next === 'asc' ? 'ascending' : 'descending'}` : ', sort by this column'}</span>
        </a>
      </th>
    );
  };
  // The label a stacked row shows before a cell's value; screen readers have the column header.
  const label = (key: CaseSortKey) => (
    <span class="cell-label" aria-hidden="true">
      {`${sortLabels[key]}:`}
    </span>
  );
  return (
    <div class="table-wrap case-list">
      <table class={`case-table${props.select ? ' case-table--select' : ''}`}>
        <caption>{props.caption}</caption>
        <thead>
          <tr>
            {props.select ? (
              <th scope="col" class="case-select">
                <span class="visually-hidden">Select</span>
              </th>
            ) : null}
            {header('reference')}
            {header('type')}
            {header('status')}
            {header('owner')}
            {header('due')}
            {header('division')}
            {header('customer')}
            {header('received')}
          </tr>
        </thead>
        <tbody>
          {props.items.map((item) => {
            const box = `select-${item.reference}`;
            return (
              <tr>
                {props.select ? (
                  <td class="case-select">
                    <input type="checkbox" id={box} name="cases" value={item.reference} checked={props.select.selected.has(item.reference)} aria-describedby={`${box}-summary`} />
                    <label for={box} class="visually-hidden">{`Select ${item.reference}`}</label>
                  </td>
                ) : null}
                <td class="case-cell--reference">
                  <a href={`/staff/cases/${encodeURIComponent(item.reference)}`} class="case-ref">
                    {item.reference}
                  </a>
                  <span class="case-summary" id={props.select ? `${box}-summary` : undefined}>
                    {item.summary}
                  </span>
                </td>
                <td class="case-cell--type">
                  {label('type')}
                  {item.requestType ?? 'General inquiry'}
                  {item.address ? <span class="muted case-address">{item.address}</span> : null}
                </td>
                <td class="case-cell--status">
                  {label('status')}
                  <StatusBadge item={item} />
                </td>
                <td class="case-cell--owner">
                  {label('owner')}
                  {item.owner ?? <span class="muted">Unassigned</span>}
                </td>
                <td class="case-cell--due">
                  {label('due')}
                  <span class="case-due">
                    <DueText dueAt={item.dueAt} dueFor={item.dueFor} now={props.now} zone={props.zone} status={item.status} />
                  </span>
                </td>
                <td class="case-cell--division">
                  {label('division')}
                  {item.division}
                  {item.transferTo ? <span class="muted case-address">to {item.transferTo}</span> : null}
                </td>
                <td class="case-cell--customer">
                  {label('customer')}
                  {item.customerName ?? <span class="muted">Not given</span>}
                </td>
                <td class="case-cell--received">
                  {label('received')}
                  <time dateTime={item.receivedAt}>{formatShortDateTime(item.receivedAt, props.zone)}</time>
                  <span class="muted case-address">{item.channel}</span>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** "Showing 51–100 of 1,234": above the table, announced when htmx swaps the results in. */
export function ResultCount(props: { page: number; pageSize: number; total: number; shown: number }) {
  const first = (props.page - 1) * props.pageSize + 1;
  const last = (props.page - 1) * props.pageSize + props.shown;
  return (
    <p role="status" class="result-count">
      {props.total === 0 ? 'No cases match.' : props.shown === 0 ? `There are ${formatCount(props.total)} cases; this page is past the last one.` : `Showing ${formatCount(first)}–${formatCount(last)} of ${formatCount(props.total)}`}
    </p>
  );
}

/** Previous and next pages. */
export function Pagination(props: { path: string; filters: CaseFilters; page: number; pageSize: number; total: number }) {
  const { page, pageSize, total } = props;
  const pages = Math.max(1, Math.ceil(total / pageSize));
  if (pages <= 1 && page <= 1) return null;
  return (
    <nav class="pagination" aria-label="Pages of cases">
      {page > 1 ? (
        <a href={listHref(props.path, props.filters, { page: String(Math.min(page - 1, pages)) })} rel="prev">
          Previous page
        </a>
      ) : null}
      <span class="muted">
        Page {formatCount(page)} of {formatCount(pages)}
      </span>
      {page < pages ? (
        <a href={listHref(props.path, props.filters, { page: String(page + 1) })} rel="next">
          Next page
        </a>
      ) : null}
    </nav>
  );
}
