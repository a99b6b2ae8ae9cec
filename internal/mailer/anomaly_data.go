package mailer

import "time"

// AnomalyAlertData feeds "anomaly_alert": one unusual-activity finding,
// mailed to the supervisors when its alert is first raised. Title and
// Detail are built from values that came in mail (sender addresses) and
// are escaped like any other field.
type AnomalyAlertData struct {
	Title       string // required: one line, e.g. "loop@x.example sent 40 mails"
	Detail      string // what was counted against which threshold
	Kind        string // the alert kind, e.g. "anomaly_sender_flood"
	Severity    string // "warning" or "critical"
	WindowStart time.Time
	WindowEnd   time.Time
	AlertID     int64  // the stored alert, quoted so replies can name it
	AlertURL    string // where supervisors look at and close the alert
}
