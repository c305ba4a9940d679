import { formatTarget } from '../../standard/targets.js';
import { PortalLayout, Phones, type PortalContext } from './portal-layout.js';

/** The portal's front door: the four things a resident comes to do. */
export function HomePage(props: { ctx: PortalContext }) {
  const { ctx } = props;
  const cards = [
    { href: '/report', title: 'Report a problem', text: 'A pothole, a streetlight out, a missed collection, a broken sign and more. We tell you when to expect it fixed.' },
    { href: '/ask', title: 'Ask a question', text: `About taxes, permits, by-laws, programs or any City service. A member of staff answers within ${formatTarget(ctx.directory.municipality.settings.generalInquiry.acknowledge)}.` },
    { href: '/track', title: 'Track a request', text: 'Use your reference number to see where your report or question is up to.' },
    { href: '/contact', title: 'Contact us', text: 'Phone, e-mail, our Service Centres and their hours, and what to do in an emergency.' },
  ];
  return (
    <PortalLayout ctx={ctx} title="Home" path="/">
      <h1>{ctx.municipality} service requests</h1>
      <p class="lede">Report a problem, ask a question or track a request at any time. Every report gets a reference number and a date by which we will act.</p>
      <ul class="grid home-cards">
        {cards.map((c) => (
          <li>
            <a class="card" href={c.href}>
              <strong>{c.title}</strong>
              <span class="card__text">{c.text}</span>
            </a>
          </li>
        ))}
      </ul>
      <h2>Prefer to talk to someone?</h2>
      <p>
        Phone <Phones numbers={ctx.phones} /> or visit a <a href="/contact#service-centres">Municipal Service Centre</a>
        {ctx.closed ? ' when our offices open' : ''}.
      </p>
    </PortalLayout>
  );
}
