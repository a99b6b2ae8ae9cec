-- Indexes for the KPI reports and the desk pages on a large database
-- (issue 17): every report reads its span by created_at (or contacted_at,
-- closed_at), and the late-orders list reads open orders by promised
-- date. Without them each report scans the whole table.

CREATE INDEX IF NOT EXISTS orders_created_idx ON orders (created_at);
CREATE INDEX IF NOT EXISTS orders_open_promised_idx ON orders (promised_date, number)
	WHERE status NOT IN ('delivered', 'cancelled') AND promised_date IS NOT NULL;
CREATE INDEX IF NOT EXISTS inquiries_created_idx ON inquiries (created_at);
CREATE INDEX IF NOT EXISTS leads_created_idx ON leads (created_at);
CREATE INDEX IF NOT EXISTS leads_contacted_idx ON leads (contacted_at);
CREATE INDEX IF NOT EXISTS leads_closed_idx ON leads (closed_at);
CREATE INDEX IF NOT EXISTS lead_events_created_idx ON lead_events (created_at);
CREATE INDEX IF NOT EXISTS alerts_created_idx ON alerts (created_at);
