-- Issue 18: the console's search understands word forms ("potholes" finds "pothole") and ranks by
-- relevance, with PostgreSQL's full-text search (PGlite has the same English dictionary). An
-- expression index, so src/cases/find-cases.ts must write the same expression (caseDocument).
create index service_case_search on service_case using gin ((
  setweight(to_tsvector('english', coalesce(reference, '') || ' ' || coalesce(customer_name, '') || ' ' || coalesce(address, '')), 'A')
  || setweight(to_tsvector('english', coalesce(summary, '')), 'B')
  || setweight(to_tsvector('english', coalesce(description, '')), 'C')
));
