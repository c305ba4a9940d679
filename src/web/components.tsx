import type { ComponentChildren, InputHTMLAttributes } from 'preact';

/** What a form page knows about a field's problem, keyed by the form field's name. */
export type FieldErrors = Record<string, string>;

/** GOV.UK's error summary: focusable, first in main, each problem a link to its field. */
export function ErrorSummary(props: { errors: FieldErrors; title?: string }) {
  const entries = Object.entries(props.errors);
  if (entries.length === 0) return null;
  return (
    <div class="alert alert--error" role="alert" aria-labelledby="error-summary-title" tabIndex={-1} id="error-summary">
      <h2 id="error-summary-title">{props.title ?? 'There is a problem'}</h2>
      <ul>
        {entries.map(([field, message]) => (
          <li>{field === '_form' ? message : <a href={`#${fieldId(field)}`}>{message}</a>}</li>
        ))}
      </ul>
    </div>
  );
}

/** The element id of a form field (names may hold brackets: attribute[road_class]). */
export function fieldId(name: string): string {
  return `f-${name.replace(/[^A-Za-z0-9_-]+/g, '-')}`;
}

interface FieldBase {
  name: string;
  label: ComponentChildren;
  hint?: ComponentChildren;
  error?: string | undefined;
  required?: boolean;
  /**
   * Say "(optional)" beside the label of a field that is not required (default); a filter does not,
   * nor a field required only in some cases (its hint says which), since it is not optional then.
   */
  markOptional?: boolean;
}

function describedBy(id: string, props: FieldBase): string | undefined {
  const ids = [props.hint ? `${id}-hint` : '', props.error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return ids || undefined;
}

function FieldHead(props: FieldBase & { id: string }) {
  return (
    <>
      <label for={props.id}>
        {props.label}
        {props.required || props.markOptional === false ? null : <span class="hint hint--inline"> (optional)</span>}
      </label>
      {props.hint ? (
        <span class="hint" id={`${props.id}-hint`}>
          {props.hint}
        </span>
      ) : null}
      {props.error ? (
        <span class="error-message" id={`${props.id}-error`}>
          <span class="visually-hidden">Error: </span>
          {props.error}
        </span>
      ) : null}
    </>
  );
}

export function TextField(
  props: FieldBase & { value?: string | undefined; type?: 'text' | 'email' | 'tel' | 'password' | 'search' | 'date' | 'datetime-local' | 'number'; autocomplete?: string; maxLength?: number; class?: string; inputmode?: string; step?: string },
) {
  const id = fieldId(props.name);
  return (
    <div class={`field${props.error ? ' field--error' : ''}`}>
      <FieldHead {...props} id={id} />
      <input
        {...({
          id,
          name: props.name,
          type: props.type ?? 'text',
          value: props.value ?? '',
          required: props.required,
          autocomplete: props.autocomplete,
          maxLength: props.maxLength,
          class: props.class,
          inputMode: props.inputmode,
          step: props.step,
          'aria-invalid': props.error ? 'true' : undefined,
          'aria-describedby': describedBy(id, props),
        } as InputHTMLAttributes<HTMLInputElement>)}
      />
    </div>
  );
}

export function TextArea(props: FieldBase & { value?: string | undefined; rows?: number; maxLength?: number }) {
  const id = fieldId(props.name);
  return (
    <div class={`field${props.error ? ' field--error' : ''}`}>
      <FieldHead {...props} id={id} />
      <textarea
        id={id}
        name={props.name}
        rows={props.rows ?? 5}
        required={props.required}
        maxLength={props.maxLength}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={describedBy(id, props)}
      >
        {props.value ?? ''}
      </textarea>
    </div>
  );
}

export interface Option {
  value: string;
  label: string;
}

export function Select(props: FieldBase & { options: Option[]; value?: string | undefined; placeholder?: string; class?: string }) {
  const id = fieldId(props.name);
  return (
    <div class={`field${props.error ? ' field--error' : ''}`}>
      <FieldHead {...props} id={id} />
      <select id={id} name={props.name} required={props.required} class={props.class} aria-invalid={props.error ? 'true' : undefined} aria-describedby={describedBy(id, props)}>
        {props.placeholder !== undefined ? <option value="">{props.placeholder}</option> : null}
        {props.options.map((o) => (
          <option value={o.value} selected={o.value === props.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** Radio buttons or checkboxes in a fieldset whose legend is the question. */
export function Choices(props: FieldBase & { options: Option[]; value?: string | string[] | undefined; multiple?: boolean; inline?: boolean }) {
  const id = fieldId(props.name);
  const chosen = new Set(Array.isArray(props.value) ? props.value : props.value !== undefined ? [props.value] : []);
  return (
    <fieldset class={props.error ? 'field--error' : undefined} aria-describedby={describedBy(id, props)}>
      <legend>
        {props.label}
        {props.required || props.markOptional === false ? null : <span class="hint hint--inline"> (optional)</span>}
      </legend>
      {props.hint ? (
        <span class="hint" id={`${id}-hint`}>
          {props.hint}
        </span>
      ) : null}
      {props.error ? (
        <span class="error-message" id={`${id}-error`}>
          <span class="visually-hidden">Error: </span>
          {props.error}
        </span>
      ) : null}
      <div class={`choices${props.inline ? ' choices--inline' : ''}`}>
        {props.options.map((o, i) => (
          <label class="choice" for={i === 0 ? id : `${id}-${i}`}>
            <input id={i === 0 ? id : `${id}-${i}`} type={props.multiple ? 'checkbox' : 'radio'} name={props.name} value={o.value} checked={chosen.has(o.value)} />
            <span>{o.label}</span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}

export function Breadcrumbs(props: { items: { href?: string; label: string }[] }) {
  return (
    <nav class="breadcrumbs" aria-label="Breadcrumb">
      <ol>
        {props.items.map((item) => (
          <li>{item.href ? <a href={item.href}>{item.label}</a> : <span aria-current="page">{item.label}</span>}</li>
        ))}
      </ol>
    </nav>
  );
}

export function Alert(props: { kind?: 'info' | 'ok' | 'warn' | 'error'; title?: string; children: ComponentChildren }) {
  const kind = props.kind ?? 'info';
  return (
    <div class={`alert${kind === 'info' ? '' : ` alert--${kind}`}`} role={kind === 'error' ? 'alert' : kind === 'ok' ? 'status' : undefined}>
      {props.title ? <h2>{props.title}</h2> : null}
      {props.children}
    </div>
  );
}

export function Badge(props: { kind?: 'open' | 'ok' | 'warn' | 'bad' | 'muted'; children: ComponentChildren }) {
  return <span class={`badge badge--${props.kind ?? 'open'}`}>{props.children}</span>;
}
