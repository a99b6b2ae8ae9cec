-- The per-recipient rate limit counts the mails sent to one address in
-- the last window before every send (issue 17). With only (status,
-- created_at) and (to_addrs, kind, created_at) the planner read every mail
-- sent in the window for each send: quadratic in the mail rate.
CREATE INDEX IF NOT EXISTS outbound_emails_to_status_idx ON outbound_emails (to_addrs, status, created_at);
