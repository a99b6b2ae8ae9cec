// Package anomaly finds unusual activity on the sales desk: an account
// that keeps complaining, strangers asking about other accounts' orders,
// a surge of inbound mail, our own mail bouncing, one sender flooding the
// inbox (the usual sign of a mail loop).
//
// The detectors are pure functions over plain values ([Detect] and the
// functions it calls), so their thresholds are tested with tables. [Load]
// reads those values for one window from the store and [Scan] runs both.
// What to do with a [Finding] (an alert, a mail to the supervisors) is the
// anomaly:scan handler's business, in package workers.
package anomaly
