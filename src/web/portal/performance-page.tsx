import type { FastifyInstance } from 'fastify';
import type { CaseServices } from '../../cases/case-services.js';
import { publicPerformance } from '../console/performance-pages.js';
import { sendPage } from '../render.js';
import { PortalLayout, portalContext } from './portal-layout.js';

/**
 * How the City is doing (CSS §6.2, §6.3), for residents: per request type over the last 12
 * months, the share resolved within its target and the median time, in plain words. Counts only;
 * no personal data, no staff names; too few requests say so instead of a percentage.
 */
export function registerPublicPerformancePage(app: FastifyInstance, services: CaseServices): void {
  app.get('/performance', async (_request, reply) => {
    const ctx = await portalContext(services);
    const { result, rows } = await publicPerformance(services);
    const sentence = (r: (typeof rows)[number]): string => {
      const f = r.indicators.resolution;
      const days = r.indicators.completion.calendarDays;
      const median = days.state === 'value' ? ` Half were resolved within ${days.median} ${days.median === 1 ? 'day' : 'days'}.` : '';
      if (f.state === 'no_data') return r.indicators.cases.serviceRequests === 0 ? 'No requests in the last 12 months.' : 'None has reached its target date yet.';
      if (f.state === 'too_few') return `${f.numerator} of ${f.denominator} resolved within the target: too few requests for a percentage.${median}`;
      return `${Math.round(f.value! * 100)}% resolved within the target (${f.numerator} of ${f.denominator}).${median}`;
    };
    return sendPage(
      reply,
      <PortalLayout ctx={ctx} title="How we are doing" path="/performance">
        <h1>How we are doing</h1>
        <p class="lede">
          For each kind of request, how many of those received from {result.from} to {result.to} we resolved within the time we promise. Requests still open and not yet due are not counted; a
          request still open after its target date counts as missed.
        </p>
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Requests resolved within their target, by kind of request">
          <table>
            <caption>Requests resolved within their target, last 12 months</caption>
            <thead>
              <tr>
                <th scope="col">Kind of request</th>
                <th scope="col" class="num">Requests</th>
                <th scope="col">In plain words</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr>
                  <th scope="row">{r.label}</th>
                  <td class="num">{r.indicators.cases.serviceRequests}</td>
                  <td>{sentence(r)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {rows.length === 0 ? <p>No requests in the last 12 months yet.</p> : null}
        <p>
          With fewer than {result.total.minimumGroupSize} requests we give the numbers, not a percentage. Figures as of {result.asOf} (definitions {result.formulaVersion}).
        </p>
      </PortalLayout>,
    );
  });
}
