import type { FastifyRequest } from 'fastify';
import type { ComponentChildren } from 'preact';
import type { StaffMember } from '../../directory/staff.js';
import { AppError, isAppError } from '../../platform/errors.js';
import type { AttributeDefinition } from '../../standard/attributes.js';
import { formatTarget, type ServiceTargets, type Target } from '../../standard/targets.js';
import { Breadcrumbs, type FieldErrors } from '../components.js';
import { Layout } from '../layout.js';
import { consoleLayout } from './console-auth.js';

/** What the reference and administration pages share: their frame, targets in words, form errors. */

export function signedIn(request: FastifyRequest): StaffMember {
  if (!request.staff) throw new AppError('UNAUTHENTICATED', 'Sign in first.');
  return request.staff;
}

/** An onRequest hook after requireStaffPage: administration is the administrators' (everyone else: the 403 page). */
export async function requireAdministratorPage(request: FastifyRequest): Promise<void> {
  if (!request.staff) return; // requireStaffPage has already sent the person to sign in.
  if (request.staff.role !== 'administrator') {
    throw new AppError('FORBIDDEN', 'Only an administrator can use the administration pages. Ask your administrator if something needs changing.');
  }
}

export function ConsolePage(props: {
  staff: StaffMember;
  municipality: string;
  path: string;
  title: string;
  crumbs?: { href?: string; label: string }[];
  children: ComponentChildren;
}) {
  return (
    <Layout title={props.title} {...consoleLayout(props.staff, props.path, props.municipality)}>
      {props.crumbs ? <Breadcrumbs items={[{ href: '/staff', label: 'Console' }, ...props.crumbs]} /> : null}
      {props.children}
    </Layout>
  );
}

/** "within 2 business days". */
export const within = (target: Target): string => `within ${formatTarget(target)}`;

/** "Acknowledge within 2 business days; resolve within 7 calendar days". */
export function targetsInWords(targets: Pick<ServiceTargets, 'acknowledge' | 'resolve'>): string {
  return `Acknowledge ${within(targets.acknowledge)}; resolve ${within(targets.resolve)}`;
}

/** The targets chosen by an attribute's value, in words, with the value's name from the request type's question. */
export function targetsByInWords(targets: ServiceTargets, attributes: readonly AttributeDefinition[]): { question: string; rows: { value: string; label: string; words: string }[] } | undefined {
  const rule = targets.byAttribute;
  if (!rule) return undefined;
  const definition = attributes.find((a) => a.code === rule.attribute);
  const rows = Object.entries(rule.values)
    .sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))
    .map(([value, t]) => {
      const label = definition?.values?.find((v) => v.key === value)?.name ?? value;
      const parts = [t.acknowledge ? `acknowledge ${within(t.acknowledge)}` : '', t.resolve ? `resolve ${within(t.resolve)}` : ''].filter(Boolean);
      const words = parts.length > 0 ? parts.join('; ') : 'the targets above';
      return { value, label, words };
    });
  return { question: definition?.description ?? rule.attribute, rows };
}

/**
 * A use case's AppError as a form's errors: each detail beside its field (renamed to the form's
 * field name by `rename`), anything else in the summary under '_form'.
 */
export function formErrors(error: unknown, fields: readonly string[], rename: (field: string) => string = (f) => f): FieldErrors {
  if (!isAppError(error) || error.code === 'FORBIDDEN' || error.code === 'UNAUTHENTICATED') throw error;
  const errors: FieldErrors = {};
  for (const detail of error.details) {
    const name = detail.field !== undefined ? rename(detail.field) : undefined;
    // One problem: the error's own message is the whole sentence (a detail may be a terse "required").
    if (name !== undefined && fields.includes(name)) errors[name] ??= sentence(error.details.length === 1 ? error.message : detail.message);
  }
  if (Object.keys(errors).length === 0) errors['_form'] = error.message;
  return errors;
}

const sentence = (text: string): string => (text.length > 0 ? text.charAt(0).toUpperCase() + text.slice(1) : text);

/** A form body's text field ('' when absent or not text). */
export function textOf(body: unknown, ...path: string[]): string {
  let value: unknown = body;
  for (const key of path) value = value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>)[key] : undefined;
  return typeof value === 'string' ? value : '';
}

/** A route's numeric id, or NaN (the use case answers NOT_FOUND). */
export const idOf = (text: string): number => (/^\d{1,9}$/.test(text) ? Number(text) : Number.NaN);
