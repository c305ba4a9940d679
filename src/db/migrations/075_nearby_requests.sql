-- The resident's side (issue 19). Per request type: how near an open request must be to count as
-- "already reported" (config/request-types.yaml nearbyMetres), and the portal's heading in
-- residents' words with the type's place in the list (the file's order: most reported first).
alter table request_type
  add column nearby_metres integer not null default 100 check (nearby_metres between 1 and 5000),
  add column portal_group text,
  add column portal_order integer not null default 0;

-- The nearby search (cases/find-cases.ts findNearbyOpenRequests): open requests of one type in a
-- bounding box around the point, before the exact distance is computed for the few inside it.
create index service_case_open_point on service_case (request_type_id, latitude, longitude)
  where status = 'open' and latitude is not null and longitude is not null;
