package mailer

import "time"

// AlertDigestData feeds "alert_digest": every unusual-activity alert of
// one digest window, grouped by kind, in one mail to the supervisors.
// Titles and details name companies, contacts and orders, which came in
// mail; they are escaped like any other field.
type AlertDigestData struct {
	WindowStart, WindowEnd time.Time // the span the alerts were raised in
	Total                  int       // alerts in all groups
	Groups                 []AlertDigestGroup
	AlertsURL              string // the desk's list of alerts; "" leaves it out
}

// AlertDigestGroup is the alerts of one kind.
type AlertDigestGroup struct {
	Kind   string // e.g. "anomaly_complaints"
	Label  string // for people: "Repeated complaints"
	Alerts []AlertDigestItem
}

// AlertDigestItem is one alert of a digest.
type AlertDigestItem struct {
	Title       string
	Detail      string
	Severity    string
	Occurrences int    // how often the finding was raised in its window
	URL         string // the alert's page in the desk; "" without a base URL
}
