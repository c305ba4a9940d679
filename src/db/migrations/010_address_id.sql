-- The address's id in the City's master address repository, when a client gave one (Open311's
-- address_id), kept as given and returned with the request.
alter table service_case add column address_id text;
