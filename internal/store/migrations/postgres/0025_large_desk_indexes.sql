-- The desk pages on the large desk of issue 17 (1,000,000 orders):
-- search compares order numbers without case, which read every order for
-- every search, whatever was searched; an account page lists an
-- account's newest orders, which sorted all of a big account's orders;
-- the team page counts the leads won or lost since a day, which read
-- every closed lead.
CREATE INDEX IF NOT EXISTS orders_number_upper_idx ON orders (upper(number));
CREATE INDEX IF NOT EXISTS orders_customer_created_idx ON orders (customer_id, created_at);
CREATE INDEX IF NOT EXISTS leads_status_closed_idx ON leads (status, closed_at);
