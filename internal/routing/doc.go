// Package routing decides what a customer mail is about and where it goes.
//
// Two layers decide: ordered [Rule]s from the configuration, of which the
// first that matches wins with confidence 1, and a [Model], a multinomial
// logistic regression over hashed word and character n-grams that the
// project trains itself from a labelled example set embedded in the binary
// (examples/*.tsv) plus the decisions humans make in triage. A [Router]
// combines both with a minimum confidence below which the inquiry goes to a
// human, and adds the facts [entity.Extract] finds in the mail.
//
// The router reads a mail as [mailparse] splits it: [MessageInput] turns a
// parsed mail into an [Input], [TextInput] a plain-text one, and neither the
// router nor the model strips quotes or signatures again.
//
// The shipped model ([DefaultClassifier]) trains at startup, in well under a
// second, on the training split of the examples; the held-out split (a
// fifth of each category, chosen by a stable hash, see [Split]) is never
// trained on, and TestHeldOutAccuracy reports the accuracy on it. Labels
// humans give in triage are added with [Classifier.Reload], which swaps the
// retrained model in atomically.
//
// # Category policy
//
// Mail often touches two categories. The labels, and so the model, follow
// one rule: a mail is filed under what the customer needs us to do next.
//
//   - order_status: where an existing order or shipment is, when it arrives,
//     tracking, delivery dates, "has it shipped".
//   - order_change: change, cancel, add to, expedite, split or re-address an
//     existing order, and placing a repeat order from an existing account.
//     "Cancel my order" is order_change, never unsubscribe.
//   - quote_request: prices, quotes, availability and lead times for goods
//     not yet ordered, samples and new-business enquiries. "Can we have a
//     call about pricing for 500 units" is quote_request: the price is what
//     they need, the call is only the way. A mail is meeting_request only when
//     the meeting itself is the point (a demo, a visit, a review, a time slot).
//   - meeting_request: arrange, move or cancel a call, demo, visit or meeting.
//   - support: help using or fixing a product or service, technical
//     questions, documentation, returns of a faulty unit handled in a neutral
//     tone. A first defect report is support.
//   - complaint: dissatisfaction is the point: repeated failures ("broke
//     again, third time"), bad service, threats to leave, demands for
//     escalation or compensation. Anger about a late order is complaint when
//     it is about us rather than a question about where the goods are.
//   - billing: invoices, payments, credit notes, refunds of money, prices
//     charged versus agreed, tax and payment terms. "Where is my invoice" is
//     billing, not order_status.
//   - account: logins, passwords, user access, contact and address details
//     of the account, company changes, credit applications, closing the
//     account (which is not the same as unsubscribing from mail).
//   - unsubscribe: stop sending mail, newsletters or marketing; remove me
//     from a list. Only mail about mail: "stop sending me invoices by post" is
//     billing.
//   - other: everything else: job applications, vendors selling to us,
//     thank-you notes without a request, press, spam, wrong recipients.
package routing
