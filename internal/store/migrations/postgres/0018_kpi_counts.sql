-- The KPI reports count inquiries and orders in SQL (issue 17): these
-- indexes cover those counts, so a report over a month of a large
-- database reads the index alone, never the rows.

CREATE INDEX IF NOT EXISTS inquiries_created_counts_idx ON inquiries (created_at, category, language);
CREATE INDEX IF NOT EXISTS orders_created_counts_idx ON orders (created_at, status, currency, amount_cents);

-- They lead with created_at, so they serve every read of 0013's two.
DROP INDEX IF EXISTS inquiries_created_idx;
DROP INDEX IF EXISTS orders_created_idx;
