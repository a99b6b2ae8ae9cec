-- The lead a merged lead was folded into (issue 11): the worker that
-- tells the held lead's rep about the new request reads this column
-- instead of parsing the status note. Leads merged before it get theirs
-- from that note ("into lead N"), the only place it was kept.

ALTER TABLE leads ADD COLUMN merged_into BIGINT REFERENCES leads(id);

UPDATE leads SET merged_into = CAST(SUBSTR(lost_reason, 11) AS BIGINT)
 WHERE status = 'merged' AND lost_reason LIKE 'into lead %'
   AND CAST(SUBSTR(lost_reason, 11) AS BIGINT) IN (SELECT id FROM leads);
