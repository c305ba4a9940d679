-- Open311 GeoReport v2 (issue 6): GET requests lists service requests newest first, by receipt,
-- optionally of some services; general inquiries are never listed.
create index service_case_open311 on service_case (received_at desc, id desc) where kind = 'service_request';
create index service_case_open311_type on service_case (request_type_id, received_at desc, id desc) where kind = 'service_request';
