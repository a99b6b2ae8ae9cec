-- The desk pages on the large desk of issue 17 (1,000,000 orders):
-- search compares order numbers without case, which read every order for
-- every search, whatever was searched; an account page lists an
-- account's newest orders, which sorted all of a big account's orders;
-- the team page counts the leads won or lost since a day, which read
-- every closed lead. The id in the account index lets an account's
-- order requests find its orders from the index alone.
CREATE INDEX IF NOT EXISTS orders_number_upper_idx ON orders (upper(number));
CREATE INDEX IF NOT EXISTS orders_customer_created_idx ON orders (customer_id, created_at, id);
CREATE INDEX IF NOT EXISTS leads_status_closed_idx ON leads (status, closed_at);

-- The report's reads, made covering: the acknowledgement times of a
-- span's inquiries read each inquiry's contact address and each answer's
-- time and recipients from the rows (60 days on the large desk: 27,000
-- inquiries, 80,000 row reads, half the report's time), and the late
-- orders read each open order's status from its row. The meetings
-- created in a span read every meeting.
DROP INDEX IF EXISTS inquiries_created_counts_idx;
CREATE INDEX IF NOT EXISTS inquiries_created_contact_idx ON inquiries (created_at, category, language, contact_email) INCLUDE (id);
DROP INDEX IF EXISTS outbound_emails_inquiry_idx;
CREATE INDEX IF NOT EXISTS outbound_emails_inquiry_sent_idx ON outbound_emails (inquiry_id, sent_at, to_addrs);
DROP INDEX IF EXISTS orders_open_promised_idx;
CREATE INDEX IF NOT EXISTS orders_open_late_idx ON orders (promised_date, number, status)
	WHERE status NOT IN ('delivered', 'cancelled') AND promised_date IS NOT NULL;
CREATE INDEX IF NOT EXISTS meetings_created_idx ON meetings (created_at);
