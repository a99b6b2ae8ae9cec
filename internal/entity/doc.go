// Package entity finds the facts in a customer mail that the follow-on
// work needs: order numbers, urgency and rush cues, the dates and times the
// customer asks for, and the sender's contact details from the signature.
//
// It reads a mail as [mailparse] splits it (the new text and the signature
// block, quoted history left out) and never splits text itself: [Extract]
// takes the parts, and [ExtractText] has [mailparse.SplitReply] split a
// plain-text body first.
package entity
