-- Issue 11: who signs a customer mail. A rep's role and direct phone
-- line, shown in the signature of the mails they sign.
ALTER TABLE reps ADD COLUMN title TEXT NOT NULL DEFAULT '';
ALTER TABLE reps ADD COLUMN phone TEXT NOT NULL DEFAULT '';
