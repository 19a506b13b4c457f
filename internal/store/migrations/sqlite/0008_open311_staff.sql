-- Open311 staff workflow and API load: indexes for the public default query
-- (approved requests of the last 90 days, newest first), the staff queue's
-- filters, duplicate suggestions (same service, nearby, close in time) and
-- merged requests. Mirrored by ../postgres/0008_open311_staff.sql.
CREATE INDEX service_requests_org_mod_time ON service_requests(org_id, moderation, requested_at);
CREATE INDEX service_requests_org_status ON service_requests(org_id, status, requested_at);
CREATE INDEX service_requests_service_time ON service_requests(service_id, requested_at);
CREATE INDEX service_requests_duplicate ON service_requests(duplicate_of);
CREATE INDEX audit_log_target ON audit_log(org_id, target);
