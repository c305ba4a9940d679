import type { ComponentChildren } from 'preact';
import { takesContacts } from '../../cases/case-policy.js';
import type { Directory } from '../../directory/directory-cache.js';
import type { StaffMember } from '../../directory/staff.js';
import { managedDivisions } from '../../knowledge/response-templates.js';

/**
 * The home page of an install that holds no case yet (issue 18 point 7): what to do first, per
 * role, instead of queue tiles that all read 0. The first recorded case brings the normal home.
 */

interface Step {
  id: string;
  title: string;
  children: ComponentChildren;
}

function stepsFor(staff: StaffMember, directory: Directory): Step[] {
  const steps: Step[] = [];
  if (staff.role === 'administrator') {
    steps.push(
      {
        id: 'first-invite',
        title: 'Invite your staff',
        children: (
          <>
            <p>Give each person who takes contacts or works cases an account with their role and division.</p>
            <p>
              <a class="button" href="/staff/admin/staff/new">
                Add a staff account
              </a>
            </p>
            <p class="muted">
              On the server: <code>npx citydesk user create --email … --name … --role … --division …</code> (the password on standard input).
            </p>
          </>
        ),
      },
      {
        id: 'first-contact',
        title: 'Have the first contact recorded',
        children: (
          <p>
            Customer Service and division staff record each call, e-mail, counter visit or portal report under <strong>New contact</strong>; administrators run the system and do not record contacts.
            Check first that the <a href="/staff/admin/targets">service targets</a> and <a href="/staff/admin/closures">closure days</a> are the City's.
          </p>
        ),
      },
      {
        id: 'first-demo',
        title: 'Or try it with the demo year',
        children: (
          <p>
            To see citydesk full of life before going live, fill a trial database with a simulated year: <code>npx citydesk demo</code> on the server (on the embedded database,
            stop citydesk first and start it again afterwards). Use a database of its own: the demo's cases stay.
          </p>
        ),
      },
    );
    return steps;
  }
  if (takesContacts(staff)) {
    steps.push({
      id: 'first-contact',
      title: 'Record the first contact',
      children: (
        <>
          <p>When someone calls, writes or comes to a Service Centre, record it: citydesk gives you the reference to tell them and counts the targets from when it was received.</p>
          <p>
            <a class="button" href="/staff/intake">
              Record a new contact
            </a>
          </p>
        </>
      ),
    });
  }
  steps.push({
    id: 'first-targets',
    title: 'Know the targets you answer to',
    children: (
      <p>
        Every request type has its Division Service Targets: when it must be acknowledged and resolved. <a href="/staff/targets">See the Division Service Targets</a>, and read and
        confirm the Standard under <a href="/staff/training">What to read</a>.
      </p>
    ),
  });
  if (managedDivisions(staff, directory).length > 0) {
    steps.push({
      id: 'first-templates',
      title: 'Prepare the ready-made responses',
      children: (
        <p>
          Your staff pick them in the acknowledgment, update, resolution and transfer forms. <a href="/staff/templates">Review the response templates</a> and the{' '}
          <a href="/staff/knowledge">answers</a> for general inquiries.
        </p>
      ),
    });
  } else {
    steps.push({
      id: 'first-answers',
      title: 'Look through the answers',
      children: (
        <p>
          General inquiries are often answered at the first contact from an article: <a href="/staff/knowledge">see the answers</a>.
        </p>
      ),
    });
  }
  return steps;
}

export function FirstLook(props: { staff: StaffMember; directory: Directory }) {
  const steps = stepsFor(props.staff, props.directory);
  return (
    <section class="card first-look" aria-labelledby="first-look-heading">
      <h2 id="first-look-heading">What to do first</h2>
      <p>
        No case has been recorded in citydesk for {props.directory.municipality.name} yet. Once the first one is, this page lists what needs you each day, the most urgent first.
      </p>
      <ol class="first-look__steps">
        {steps.map((step) => (
          <li>
            <h3 id={step.id}>{step.title}</h3>
            {step.children}
          </li>
        ))}
      </ol>
      {props.staff.role !== 'administrator' ? (
        <p class="muted">
          To try citydesk with a year of cases, an administrator can load the demo year (<code>npx citydesk demo</code>) into a trial database.
        </p>
      ) : null}
    </section>
  );
}
