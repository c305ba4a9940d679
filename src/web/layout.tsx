import type { ComponentChildren } from 'preact';

export interface NavItem {
  href: string;
  label: string;
}

export interface LayoutProps {
  /** What the page is, first in the browser's title. */
  title: string;
  municipality: string;
  /** The path of the page, to mark the current navigation item. */
  path: string;
  nav: NavItem[];
  /** For staff pages: who is signed in. */
  staff?: { name: string; role: string } | undefined;
  /** A message shown across the top of every page (e.g. "we are closed now"). */
  notice?: ComponentChildren;
  footer?: ComponentChildren;
  /** Load htmx (the console; every page still works without it). */
  htmx?: boolean;
  /** Other scripts of /assets/ that enhance this page (it works without them). */
  scripts?: string[] | undefined;
  /** Other stylesheets of /assets/ this page's enhancements need. */
  styles?: string[] | undefined;
  children: ComponentChildren;
}

/** The shell of every page: skip link, header with navigation, one main landmark, footer. */
export function Layout(props: LayoutProps) {
  const isStaff = props.staff !== undefined || props.path.startsWith('/staff');
  const current = (href: string) => (href === props.path || (href !== '/' && href !== '/staff' && props.path.startsWith(`${href}/`)) ? 'page' : undefined);
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} | ${props.municipality}${isStaff ? ' staff console' : ''}`}</title>
        {(props.styles ?? []).map((href) => (
          <link rel="stylesheet" href={href} />
        ))}
        <link rel="stylesheet" href="/assets/citydesk.css" />
        <link rel="icon" href="/assets/favicon.svg" type="image/svg+xml" />
        {props.htmx ? <script src="/assets/htmx.min.js" defer></script> : null}
        {(props.scripts ?? []).map((src) => (
          <script src={src} defer></script>
        ))}
      </head>
      <body>
        <a class="skip-link" href="#main">
          Skip to main content
        </a>
        <header class="site-header">
          <div class="site-header__inner">
            <a class="brand" href={isStaff ? '/staff' : '/'}>
              {props.municipality}
              <small>{isStaff ? 'Staff console' : 'Service requests and questions'}</small>
            </a>
            <nav class="site-nav" aria-label={isStaff ? 'Console' : 'Main'}>
              <ul>
                {props.nav.map((item) => (
                  <li>
                    <a href={item.href} aria-current={current(item.href)}>
                      {item.label}
                    </a>
                  </li>
                ))}
              </ul>
            </nav>
          </div>
        </header>
        {props.staff ? (
          <div class="staff-bar">
            <div class="staff-bar__inner">
              <span>
                Signed in as <strong>{props.staff.name}</strong> ({props.staff.role})
              </span>
              <form method="post" action="/staff/sign-out">
                <button type="submit" class="link-button">
                  Sign out
                </button>
              </form>
            </div>
          </div>
        ) : null}
        {props.notice ? (
          <div class="notice-bar" role="region" aria-label="Notice">
            <div class="notice-bar__inner">{props.notice}</div>
          </div>
        ) : null}
        <main id="main" tabIndex={-1}>
          {props.children}
        </main>
        <footer class="site-footer">
          <div class="site-footer__inner">{props.footer ?? <p>{props.municipality}</p>}</div>
        </footer>
      </body>
    </html>
  );
}
