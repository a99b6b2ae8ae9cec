package mailer

// ReportData feeds "report": the KPI report mailed to managers. Values
// are preformatted by the report package; names (reps, categories) are
// escaped like any other field.
type ReportData struct {
	Title      string // required, e.g. "Daily KPI report"
	Period     string // required, e.g. "Wed 25 Nov 2026"
	Previous   string // the period the trends compare with
	KPIs       []ReportKPI
	Categories []ReportCount // inquiries by category
	Reps       []ReportRep
	// Meetings are the period's meetings; nil leaves the section out.
	Meetings   *ReportMeetings
	LateOrders int    // open orders past their promised date
	ReportURL  string // the full report with charts
	Attachment string // name of the attached CSV; empty when none
}

// ReportKPI is one headline number and its change.
type ReportKPI struct {
	Label    string
	Value    string
	Change   string // e.g. "+3 (+25%)"
	Previous string
	Good     bool // the change is an improvement
	Bad      bool // the change is a deterioration
}

// ReportCount is a labelled number.
type ReportCount struct {
	Name  string
	Count int
}

// ReportRep is one rep's line of the report.
type ReportRep struct {
	Name      string
	Assigned  int
	Contacted int
	WithinSLA string // e.g. "75.0%", "–" when nothing was contacted
	Won       int
	Lost      int
	WonValue  string
	OpenNow   int
	// Targets say where the rep stands against each monthly target,
	// e.g. "won EUR 800.00 of EUR 1,000.00 due: behind"; none without one.
	Targets []ReportTarget
}

// ReportTarget is one target line of a rep.
type ReportTarget struct {
	Line    string
	OnTrack bool
}

// ReportMeetings counts the period's meetings and the previous
// period's.
type ReportMeetings struct {
	Booked, Held, NoShow             int
	PrevBooked, PrevHeld, PrevNoShow int
}
