-- Languages (issue 16): the languages a rep speaks (a JSON array of ISO
-- 639-1 codes, like territories and skills), the detected language of an
-- inquiry ('' when none was detected) and the further requests of a mail
-- that asks more than one thing (a JSON array of categories), each of which
-- gets its own follow-on. A lead shows its inquiry's language.

ALTER TABLE reps ADD COLUMN languages TEXT NOT NULL DEFAULT '[]';
ALTER TABLE inquiries ADD COLUMN language TEXT NOT NULL DEFAULT '';
ALTER TABLE inquiries ADD COLUMN secondary_categories TEXT NOT NULL DEFAULT '[]';
