-- Moderation of a report's public text (issue 19): staff hide the description from the public, or
-- show a redacted version of it. The resident's words stay in description, for staff; the public
-- surfaces (portal, Open311, e-mails to followers) read public_case_description below. Each
-- change is a case event ('moderated') with its reason.
alter table service_case add column description_moderation text check (description_moderation in ('hidden', 'redacted'));
alter table service_case add column public_description text;
alter table service_case add constraint service_case_redaction_text check (description_moderation is distinct from 'redacted' or public_description is not null);
