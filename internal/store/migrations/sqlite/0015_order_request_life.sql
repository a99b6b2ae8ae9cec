-- Order requests are decided (done or rejected) with a note and by whom;
-- orders carry the carrier of their shipment.
ALTER TABLE order_requests ADD COLUMN note TEXT NOT NULL DEFAULT '';
ALTER TABLE order_requests ADD COLUMN decided_by TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN carrier TEXT NOT NULL DEFAULT '';
