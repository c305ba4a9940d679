-- The staff console's search, filters and duplicate spotting (issue 6). Plain btree indexes that
-- PostgreSQL 15 and PGlite both accept (no pg_trgm).

-- Search and "all cases" listings sort by receipt.
create index service_case_received on service_case (received_at, id);

-- Filter by request type, and intake's "open requests of the same type nearby" look-up.
create index service_case_type_open on service_case (request_type_id, next_due_at) where status = 'open';

-- An address typed as the customer says it: the same address (duplicates) or its beginning (search).
create index service_case_address on service_case (lower(address) text_pattern_ops) where address is not null;

-- A customer's name from its beginning (search).
create index service_case_customer_name on service_case (lower(customer_name) text_pattern_ops) where customer_name is not null;

-- The same phone number however it was written: its last ten digits, before any extension.
create index service_case_customer_phone_digits on service_case (right(regexp_replace(split_part(lower(customer_phone), 'x', 1), '[^0-9]', '', 'g'), 10))
  where customer_phone is not null;
