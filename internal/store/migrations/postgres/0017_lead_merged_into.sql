-- The lead a merged lead was folded into (issue 11): the worker that
-- tells the held lead's rep about the new request reads this column
-- instead of parsing the status note. Leads merged before it get theirs
-- from that note ("into lead N"), the only place it was kept.

ALTER TABLE leads ADD COLUMN merged_into BIGINT REFERENCES leads(id);

UPDATE leads SET merged_into = target.id
  FROM leads target
 WHERE leads.status = 'merged'
   AND target.id = CAST(CASE WHEN leads.lost_reason ~ '^into lead [0-9]{1,18}$'
                             THEN SUBSTR(leads.lost_reason, 11) END AS BIGINT);
