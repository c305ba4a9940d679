import type { PublicCase } from '../../cases/find-public-case.js';
import { Breadcrumbs, ErrorSummary, TextField, type FieldErrors } from '../components.js';
import { Honeypot } from './portal-forms.js';
import { PortalLayout, OfficePhones, type PortalContext } from './portal-layout.js';

/**
 * Following a request by e-mail (issue 19): the form on /track/:reference/follow, and the pages
 * the e-mail links open. Those links only show a page with one button: a mail scanner that opens
 * every link confirms or unfollows nothing.
 */

export function FollowStart(props: { ctx: PortalContext; found: PublicCase; email: string; errors: FieldErrors; sent?: boolean }) {
  const { ctx, found, errors } = props;
  const title = `Follow ${found.reference}`;
  return (
    <PortalLayout ctx={ctx} title={`${Object.keys(errors).length > 0 ? 'Error: ' : ''}${title}`} path="/track">
      <Breadcrumbs items={[{ href: '/', label: 'Home' }, { href: '/track', label: 'Track a request' }, { href: `/track/${found.reference}`, label: found.reference }, { label: 'Follow' }]} />
      <ErrorSummary errors={errors} />
      <h1>
        <span class="caption">{found.requestType?.name ?? 'Service request'}</span>
        {title}
      </h1>
      {props.sent ? (
        <div class="alert alert--ok" role="status">
          <h2>Check your e-mail</h2>
          <p>We have sent a link to the address you gave. Open it and press the button to start the updates. Nothing is sent until you do. The link works for 7 days.</p>
        </div>
      ) : (
        <>
          <p class="lede">We will e-mail you each time there is a public update on this request: when it is acknowledged, when its timeline changes, and when it is resolved.</p>
          <p>
            Anyone can follow a request. We use your address only for these e-mails; nobody else who follows it, and not the person who reported it, sees it. Every e-mail has a link to stop them.
          </p>
          <div class="panel">
            <form method="post" action={`/track/${found.reference}/follow`} novalidate>
              <TextField name="email" label="Your e-mail address" type="email" autocomplete="email" value={props.email} error={errors['email']} maxLength={320} required />
              <Honeypot />
              <div class="actions">
                <button type="submit">Send me a link to confirm</button>
                <a href={`/track/${found.reference}`}>Back to {found.reference}</a>
              </div>
            </form>
          </div>
        </>
      )}
    </PortalLayout>
  );
}

export type FollowLinkState = 'ask' | 'done' | 'invalid' | 'expired';

const words = {
  confirm: {
    ask: { title: 'Confirm you want updates', lede: 'Press the button to get an e-mail each time there is a public update on this request.', button: 'Yes, e-mail me the updates' },
    done: { title: 'You are following this request', lede: 'Done. We will e-mail you each public update from now on. Every e-mail has a link to stop them.' },
  },
  stop: {
    ask: { title: 'Stop updates on this request', lede: 'Press the button and we will not e-mail you about this request again.', button: 'Stop e-mailing me about it' },
    done: { title: 'No more updates', lede: 'Done. We will not e-mail you about this request again. You can still see it on the tracking page.' },
  },
} as const;

export function FollowLinkPage(props: { ctx: PortalContext; kind: 'confirm' | 'stop'; token: string; state: FollowLinkState; reference?: string | undefined }) {
  const { ctx, kind, state } = props;
  const path = kind === 'confirm' ? '/follow/confirm' : '/follow/stop';
  if (state === 'invalid' || state === 'expired') {
    const title = state === 'expired' ? 'This link has expired' : 'This link does not work';
    return (
      <PortalLayout ctx={ctx} title={title} path="/track">
        <h1>{title}</h1>
        <p class="lede">
          {state === 'expired'
            ? 'Confirmation links work for 7 days. Ask again from the request’s tracking page and use the new link.'
            : 'The link may have been cut short when it was copied. Open it again from the e-mail we sent you, or phone '}
          {state === 'invalid' ? <OfficePhones ctx={ctx} /> : null}
          {state === 'invalid' ? '.' : null}
        </p>
        {props.reference ? (
          <p>
            <a href={`/track/${props.reference}/follow`}>Follow {props.reference} again</a>
          </p>
        ) : null}
      </PortalLayout>
    );
  }
  const w = words[kind];
  return (
    <PortalLayout ctx={ctx} title={state === 'done' ? w.done.title : w.ask.title} path="/track">
      <h1>
        {props.reference ? <span class="caption">{props.reference}</span> : null}
        {state === 'done' ? w.done.title : w.ask.title}
      </h1>
      {state === 'done' ? (
        <div class="alert alert--ok" role="status">
          <p>{w.done.lede}</p>
        </div>
      ) : (
        <>
          <p class="lede">{w.ask.lede}</p>
          <form method="post" action={`${path}/${props.token}`} class="actions">
            <button type="submit">{w.ask.button}</button>
          </form>
        </>
      )}
      {props.reference ? (
        <p>
          <a href={`/track/${props.reference}`}>See {props.reference}</a>
        </p>
      ) : null}
    </PortalLayout>
  );
}

/** On the tracking page: the way to follow the request. */
export function FollowInvitation(props: { reference: string }) {
  return (
    <>
      <h3>Get updates by e-mail</h3>
      <p>Anyone can follow this request: we e-mail you each public update.</p>
      <p>
        <a href={`/track/${props.reference}/follow`}>Follow this request</a>
      </p>
    </>
  );
}
