// Package lang tells which language a customer mail is written in, so the
// mail is answered in that language and handed to a rep who speaks it.
//
// Detection combines github.com/abadojack/whatlanggo (character
// trigrams, restricted to the configured languages) with a vote of common
// function words per language, which decides the short one-line mails
// where trigrams alone are unsure. On held-out one-to-three-sentence mails
// (testdata/short.*.txt, never tuned on) the two together are right on
// more than 0.95 of mails (TestDetectShortMails prints the figure, and
// those of the sets the word lists were tuned on).
// github.com/pemistahl/lingua-go was as accurate but adds about 130 MB to
// the binary.
//
// [Detector.Guess] also says when a mail was too short or too mixed to
// tell, so that a caller can prefer the customer's known language. Detect
// skips the trigrams when the function words already decide, which makes
// it several times faster with the same answers.
package lang
