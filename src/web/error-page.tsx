import type { AppError } from '../platform/errors.js';
import { withoutClauses } from './format.js';
import { Layout } from './layout.js';

const titles: Record<number, string> = {
  400: 'Something in the request needs fixing',
  403: 'You cannot do that here',
  404: 'Page not found',
  409: 'Someone else changed this first',
  413: 'That is too much to send at once',
  422: 'That cannot be done yet',
  423: 'The account is locked for now',
  429: 'Too many requests',
  503: 'The service is unavailable for a moment',
};

/** The page for an error no form could show beside its field. */
export function ErrorPage(props: { error: AppError; municipality: string; path: string }) {
  const staff = props.path.startsWith('/staff');
  const title = titles[props.error.httpStatus] ?? 'Sorry, something went wrong';
  return (
    <Layout title={title} municipality={props.municipality} path={props.path} nav={staff ? [{ href: '/staff', label: 'Console home' }] : [{ href: '/', label: 'Home' }]}>
      <h1>{title}</h1>
      <p class="lede">{staff ? props.error.message : withoutClauses(props.error.message)}</p>
      <p>
        <a href={staff ? '/staff' : '/'}>{staff ? 'Go to the console home page' : 'Go to the home page'}</a>
      </p>
    </Layout>
  );
}
