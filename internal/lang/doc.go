// Package lang tells which language a customer mail is written in, so the
// mail is answered in that language and handed to a rep who speaks it.
//
// Detection combines github.com/abadojack/whatlanggo (character
// trigrams, restricted to the configured languages) with a vote of common
// function words per language, which decides the short one-line mails
// where trigrams alone are unsure. On the one-to-three-sentence mails of
// internal/routing/testdata/unseen.*.tsv the two together are right on
// more than 0.95 of mails (TestDetectShortMails prints the figure);
// github.com/pemistahl/lingua-go was as accurate but adds about 130 MB to
// the binary.
package lang
