package mailer

import "time"

// The data structs below are what each default template expects. Fields a
// template shows are all optional unless noted: an empty one is left out.
// Every string may come from a customer and is treated as hostile: HTML
// bodies escape it and subjects are reduced to one line.

// Signer is the person who signs a customer mail: the account owner or
// the assigned rep. The zero value signs with the team's name, phone and
// hours (RenderOptions).
type Signer struct {
	Name  string
	Title string // role, e.g. "Account Manager"
	Phone string
	Email string
}

// AckData feeds "ack": the acknowledgement of a customer's mail.
type AckData struct {
	CustomerName string // the customer's name; "Hello," when empty
	Reference    string // required: the inquiry's token, e.g. "SD-1234"
	Category     string // routing category; chooses the default next step
	NextStep     string // overrides the category's default next step
	Subject      string // the customer's subject, answered with "Re: "
	// Who is the person who will answer, by name, e.g. "Rita Rep"; ""
	// says "a member of our team".
	Who string
	// WhoOwnsAccount: Who is the owner of the customer's account, said
	// with their role ("Rita Rep, your account manager,").
	WhoOwnsAccount bool
	Signer         Signer
}

// AccountSummary is what salesdesk knows about a customer account, shown
// to the rep who takes over an inquiry or a lead.
type AccountSummary struct {
	Company       string
	OwnerRep      string // the account's owner rep, by name
	OpenOrders    []OrderSummary
	OpenLeads     []LeadSummary
	PastInquiries []InquirySummary
}

// OrderSummary is one order in an account summary.
type OrderSummary struct {
	Number     string
	Status     string
	Total      string // preformatted, e.g. "EUR 1,240.00"
	ExpectedAt time.Time
}

// LeadSummary is one lead in an account summary.
type LeadSummary struct {
	Reference string
	Title     string
	Status    string
	Rep       string
	CreatedAt time.Time
}

// InquirySummary is one earlier inquiry in an account summary.
type InquirySummary struct {
	Reference  string
	Category   string
	Subject    string
	Status     string
	ReceivedAt time.Time
}

// HandoffData feeds "handoff": an inquiry handed to the owner rep (or the
// team address for unknown senders).
type HandoffData struct {
	// Timezone is the reader's IANA timezone (their rep record); times
	// are shown in it, or in the team's when empty.
	Timezone      string
	RepName       string // greeting; "Hello," when empty
	Reference     string // required
	Category      string // support, billing, account, complaint
	CustomerName  string
	CustomerEmail string
	Subject       string
	Body          string // the customer's mail (new part), quoted in the text body
	ReceivedAt    time.Time
	InquiryURL    string // link to the inquiry in salesdesk
	Account       AccountSummary
	KnownCustomer bool // false: the sender matched no account
	// UnverifiedChange is the category of an account change (unsubscribe,
	// order_change, meeting_request) the mail asked for although its
	// sender is not authenticated; nothing was changed. "" otherwise.
	UnverifiedChange string
	// Acknowledged: an acknowledgement of this inquiry was sent to the
	// customer; the mail says so only then.
	Acknowledged bool
	// Answered: an earlier mail of this thread was answered; said only
	// when not Acknowledged.
	Answered bool
}

// CategoryLink is one category a triager can pick with a single click.
type CategoryLink struct {
	Category string // e.g. "quote_request"
	URL      string // signed, expiring decision link
}

// TriageData feeds "triage": a mail the classifier was unsure about, sent
// to the triage address.
type TriageData struct {
	Reference   string // required
	From        string // the sender as received
	Subject     string
	Body        string
	ReceivedAt  time.Time
	Suggested   string  // the model's best guess
	Confidence  float64 // 0..1
	Links       []CategoryLink
	InquiryURL  string
	LinksExpire time.Time
}

// UnsubscribeConfirmData feeds "unsubscribe_confirm".
type UnsubscribeConfirmData struct {
	CustomerName string
	Email        string // the address that was opted out
	Reference    string
	Subject      string // the customer's subject
	Signer       Signer
}

// OrderItem is one line of an order.
type OrderItem struct {
	SKU         string
	Description string
	Quantity    int
	Status      string // per-line status when it differs from the order's
}

// OrderStatusData feeds "order_status": the status of orders, sent only
// to an address on their account; one mail answers every order a mail
// named.
type OrderStatusData struct {
	CustomerName string
	Reference    string
	Subject      string // the customer's subject
	// Intro replaces the opening sentence.
	Intro string
	// Change is why we write without being asked, about the first of
	// Orders: ChangeLate (PromisedAt is past), ChangePending (still
	// being checked) or ChangeStatus. It chooses the subject and the
	// opening sentence; "" answers the customer's mail.
	Change     string
	PromisedAt time.Time    // the delivery date we promised, for ChangeLate
	Orders     []OrderState // required: at least one
	// NotFound are order numbers the mail named that are not on the
	// sender's account; the mail says the same whether or not they exist.
	NotFound   []string
	FormatHint string
	Signer     Signer
}

// The changes OrderStatusData.Change tells a customer about.
const (
	ChangeLate    = "late"
	ChangePending = "pending"
	ChangeStatus  = "status"
)

// OrderState is one order as a status mail shows it.
type OrderState struct {
	OrderNumber string // required
	Status      string // required, human words: "shipped", "in production"
	Note        string // the latest status note, e.g. "left our warehouse in Bremen"
	Items       []OrderItem
	// ExpectedAt is the expected delivery; zero when unknown or past.
	ExpectedAt  time.Time
	Carrier     string
	TrackingURL string
}

// OrderUnknownData feeds "order_unknown": no order on the sender's
// account with the numbers named, or none named. Unknown numbers and
// other accounts' orders read the same.
type OrderUnknownData struct {
	CustomerName string
	Reference    string
	Subject      string
	OrderNumbers []string // what the customer wrote; empty when none was found
	FormatHint   string   // what our order numbers look like, e.g. "SO-123456"
	Signer       Signer
}

// OrderRequestConfirmData feeds "order_request_confirm": we received a
// change or rush request for an order, or a new order by mail.
type OrderRequestConfirmData struct {
	CustomerName  string
	Reference     string
	Subject       string
	OrderNumber   string // "" for a new order
	Request       string // one-line summary of what was asked
	Rush          bool
	RequestedDate time.Time
	// Items are the lines of a new order, as read from the mail.
	Items []OrderItem
	// Hours are when the order team works, e.g. "Mon-Fri 08:00-17:00
	// CET"; "" leaves them out.
	Hours  string
	Signer Signer
}

// OrderRequestNotifyData feeds "order_request_notify": an order request
// for the owner rep and operations.
type OrderRequestNotifyData struct {
	RecipientName string
	Reference     string
	CustomerName  string
	CustomerEmail string
	Company       string
	OrderNumber   string
	OrderStatus   string
	Request       string
	Rush          bool
	RequestedDate time.Time
	Body          string // the customer's mail, quoted
	InquiryURL    string
	// Items are the lines of a new order, as read from the mail.
	Items []OrderItem
	// DoneURL and RejectURL are one-click links that close the request
	// (a confirm page first); "" leaves them out.
	DoneURL   string
	RejectURL string
}

// OrderRequestDecidedData feeds "order_request_decided": the customer's
// change or rush request on an order was done or rejected.
type OrderRequestDecidedData struct {
	CustomerName string
	Reference    string
	Subject      string
	OrderNumber  string // required
	Request      string // one-line summary of what was asked
	Done         bool   // false: rejected
	Note         string // the order team's note; "" when none
	Signer       Signer
}

// LeadAssignedData feeds "lead_assigned": a new lead for a rep.
type LeadAssignedData struct {
	// Timezone is the reader's IANA timezone (their rep record); times
	// are shown in it, or in the team's when empty.
	Timezone      string
	RepName       string
	Lead          string // required: the lead's identifier, store.LeadRef ("L-3")
	Reference     string // the customer's thread token ("SD-19"); "" when the lead came without a mail
	CustomerName  string
	CustomerEmail string
	Company       string
	Phone         string
	Subject       string
	Body          string // the original message
	ReceivedAt    time.Time
	RespondBy     time.Time // the SLA deadline; zero when none
	Account       AccountSummary
	AcceptURL     string
	ContactedURL  string
	NotMineURL    string
	LeadURL       string
	// WonURL and LostURL are the one-click outcome links (a page asks
	// for the value or the reason); empty leaves them out.
	WonURL  string
	LostURL string
	// Score is the lead's 0..100 score when Scored, with its top factors
	// in words ("asks for about 500 units").
	Score        int
	Scored       bool
	ScoreFactors []string
	// Language names the customer's language when it is not English
	// ("German"); empty leaves the line out.
	Language string
}

// LeadReminderData feeds "lead_reminder": a lead still waiting for its rep.
type LeadReminderData struct {
	// Timezone is the reader's IANA timezone (their rep record); times
	// are shown in it, or in the team's when empty.
	Timezone     string
	RepName      string
	Lead         string // the lead's identifier, store.LeadRef ("L-3")
	Reference    string // the customer's thread token ("SD-19"); "" when none
	CustomerName string
	Company      string
	Subject      string
	AssignedAt   time.Time
	RespondBy    time.Time
	Overdue      bool
	AcceptURL    string
	ContactedURL string
	NotMineURL   string
	LeadURL      string
	WonURL       string
	LostURL      string
}

// DailyLead is one row of the daily lead list.
type DailyLead struct {
	Reference    string
	CustomerName string
	Company      string
	Subject      string
	Status       string
	AssignedAt   time.Time
	RespondBy    time.Time
	Overdue      bool
	URL          string
	// Score is the lead's 0..100 score when Scored; the lists are ordered
	// by it.
	Score  int
	Scored bool
	// RepName is the rep the lead is assigned to, in the manager's
	// summary; empty while unassigned.
	RepName string
}

// DailyLeadsData feeds "daily_leads": a rep's open leads for the day.
type DailyLeadsData struct {
	// Timezone is the reader's IANA timezone (their rep record); times
	// are shown in it, or in the team's when empty.
	Timezone string
	RepName  string
	Date     time.Time // the day the list is for
	Leads    []DailyLead
	ListURL  string
}

// DailySummaryData feeds "daily_summary": the manager's view of the
// team's leads for the day, with the rep each one is assigned to.
type DailySummaryData struct {
	// Timezone is the manager's IANA timezone; times are shown in it, or
	// in the team's when empty.
	Timezone string
	Date     time.Time // the day the summary is for
	// Groups are the non-empty sections, in the order they are shown.
	Groups []LeadGroup
	// Unassigned, Overdue and New count the sections' leads for the
	// subject.
	Unassigned, Overdue, New int
}

// LeadGroup is one titled section of the manager's summary.
type LeadGroup struct {
	Title string
	Leads []DailyLead
}

// LeadUpdateData feeds "lead_update": a new request from a customer that
// merged into a lead a rep already holds, sent in that lead's thread.
type LeadUpdateData struct {
	RepName       string
	Lead          string // the held lead's identifier, store.LeadRef ("L-3")
	Reference     string // the held lead's thread token ("SD-19"); "" when none
	LeadSubject   string // the held lead's subject
	NewReference  string // the new request's own reference, when it came by mail
	CustomerName  string
	CustomerEmail string
	Subject       string // the new request's subject
	Body          string
	ReceivedAt    time.Time
	LeadURL       string
}
