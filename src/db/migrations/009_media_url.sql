-- A photo or other media of the problem, by its address (Open311's media_url; the staff API's
-- mediaUrl). citydesk keeps the link, not the file.
alter table service_case add column media_url text;
