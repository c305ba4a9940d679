import type { AppError } from '../platform/errors.js';
import { withoutClauses } from './format.js';
import { ErrorSummary } from './components.js';
import { Layout } from './layout.js';

const titles: Record<number, string> = {
  400: 'Something in the request needs fixing',
  403: 'You cannot do that here',
  404: 'Page not found',
  409: 'Someone else changed this first',
  413: 'That is too much to send at once',
  415: 'That form could not be read',
  422: 'That cannot be done yet',
  423: 'The account is locked for now',
  429: 'Too many requests',
  503: 'The service is unavailable for a moment',
};

/** The page for an error no form could show beside its field. */
export function ErrorPage(props: { error: AppError; municipality: string; path: string }) {
  const staff = props.path.startsWith('/staff');
  const title = titles[props.error.httpStatus] ?? 'Sorry, something went wrong';
  const message = staff ? props.error.message : withoutClauses(props.error.message);
  // Something sent that needs fixing: the GOV.UK error summary says what, at the top of the page.
  const input = [400, 413, 415].includes(props.error.httpStatus);
  return (
    <Layout title={input ? `Error: ${title}` : title} municipality={props.municipality} path={props.path} nav={staff ? [{ href: '/staff', label: 'Console home' }] : [{ href: '/', label: 'Home' }]}>
      {input ? <ErrorSummary errors={{ _form: message }} /> : null}
      <h1>{title}</h1>
      {input ? null : <p class="lede">{message}</p>}
      <p>
        <a href={staff ? '/staff' : '/'}>{staff ? 'Go to the console home page' : 'Go to the home page'}</a>
      </p>
    </Layout>
  );
}
