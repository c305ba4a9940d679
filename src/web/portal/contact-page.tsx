import type { Db } from '../../db/connect.js';
import type { DirectoryChannel } from '../../directory/directory-cache.js';
import { administrationHoursWords } from '../../platform/time-words.js';
import { Breadcrumbs } from '../components.js';
import { EmergencyLines, PortalLayout, Phones, type PortalContext } from './portal-layout.js';

/** Contact the City (CSS §3.2): every channel with its hours, the Service Centres, emergencies. */

export interface ServiceCentreAddress {
  code: string;
  name: string;
  address: string;
}

/** The Service Centres with their addresses (the directory in memory keeps only their names). */
export async function serviceCentreAddresses(db: Db): Promise<ServiceCentreAddress[]> {
  return db.kysely.selectFrom('service_centre').select(['code', 'name', 'address']).orderBy('name').execute();
}

/** "Monday to Friday, 8:30 am to 4:30 pm, except holidays". */
export const administrationHours = (ctx: PortalContext): string => administrationHoursWords(ctx.directory.calendar.rules.hours);

function hoursWords(channel: DirectoryChannel, ctx: PortalContext): string {
  switch (channel.hours) {
    case 'always':
      return '24 hours a day, 7 days a week';
    case 'administration':
      return administrationHours(ctx);
    case 'outside-administration':
      return 'For emergencies only, when our offices are closed: evenings, nights, weekends and holidays';
  }
}

function ChannelCard(props: { channel: DirectoryChannel; ctx: PortalContext; centres: ServiceCentreAddress[] }) {
  const { channel, ctx } = props;
  return (
    <section class="card channel" aria-labelledby={`channel-${channel.code}`}>
      <h3 id={`channel-${channel.code}`}>{channel.name}</h3>
      <dl class="facts">
        <dt>Hours</dt>
        <dd>{hoursWords(channel, ctx)}</dd>
        {channel.phones.length > 0 ? (
          <>
            <dt>Phone</dt>
            <dd>
              <Phones numbers={channel.phones} />
            </dd>
          </>
        ) : null}
        {channel.email ? (
          <>
            <dt>E-mail</dt>
            <dd>
              <a href={`mailto:${channel.email}`}>{channel.email}</a>
            </dd>
          </>
        ) : null}
        {channel.code === 'web_portal' ? (
          <>
            <dt>Online</dt>
            <dd>
              <a href="/report">Report a problem</a>, <a href="/ask">ask a question</a> or <a href="/track">track a request</a> on this site
              {channel.url ? (
                <>
                  {' '}
                  (also at <a href={channel.url}>{channel.url.replace(/^https?:\/\//, '')}</a>)
                </>
              ) : null}
            </dd>
          </>
        ) : channel.url ? (
          <>
            <dt>Web</dt>
            <dd>
              <a href={channel.url}>{channel.url.replace(/^https?:\/\//, '')}</a>
            </dd>
          </>
        ) : null}
        {channel.code === 'in_person' && props.centres.length > 0 ? (
          <>
            <dt>Where</dt>
            <dd>
              <a href="#service-centres">Municipal Service Centres</a>, listed below
            </dd>
          </>
        ) : null}
      </dl>
      {channel.serviceRequests ? (
        <p class="muted">You can report a problem or ask a question this way.</p>
      ) : (
        <p class="alert alert--warn">
          We read messages here and can answer general questions, but this is not an official way to report a problem or make a service request. Please use the phone, e-mail, a Service Centre
          or <a href="/report">this website</a>.
        </p>
      )}
    </section>
  );
}

export function ContactPage(props: { ctx: PortalContext; centres: ServiceCentreAddress[] }) {
  const { ctx, centres } = props;
  return (
    <PortalLayout ctx={ctx} title="Contact us" path="/contact">
      <Breadcrumbs items={[{ href: '/', label: 'Home' }, { label: 'Contact us' }]} />
      <h1>Contact the {ctx.municipality}</h1>
      <p class="lede">
        Our offices are open {administrationHours(ctx)}. This website takes reports and questions at any time. {ctx.closed ? null : 'Our offices are open now.'}
      </p>
      {ctx.closed ? null : (
        // At night the notice at the top of the page gives the emergency numbers: once a page (CSS §3.2).
        <div class="alert alert--error emergency">
          <h2>Emergencies</h2>
          <p>
            <EmergencyLines ctx={ctx} />
          </p>
        </div>
      )}
      <h2>Ways to reach us</h2>
      <div class="grid channel-grid">
        {ctx.directory.channels.map((channel) => (
          <ChannelCard channel={channel} ctx={ctx} centres={centres} />
        ))}
      </div>
      <h2 id="service-centres">Municipal Service Centres</h2>
      <p>Visit us in person during office hours: {administrationHours(ctx)}.</p>
      <ul class="grid centre-list">
        {centres.map((c) => (
          <li class="card">
            <h3>{c.name}</h3>
            <dl class="facts">
              <dt>Address</dt>
              <dd>
                <address>{c.address}</address>
                <a href={`https://www.openstreetmap.org/search?query=${encodeURIComponent(c.address)}`}>Map of {c.name}</a>
              </dd>
              <dt>Hours</dt>
              <dd>{administrationHours(ctx)}</dd>
              <dt>Phone</dt>
              <dd>
                <Phones numbers={ctx.phones} />
              </dd>
            </dl>
          </li>
        ))}
      </ul>
    </PortalLayout>
  );
}
