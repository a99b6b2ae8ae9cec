package score

import (
	"math"
	"regexp"
	"strconv"
	"strings"
)

// Feature names: the columns of a model, in a fixed order.
const (
	FeatQuantity    = "quantity"     // log10(1 + the largest quantity the inquiry names)
	FeatBudget      = "budget"       // the inquiry speaks of budget, price or an amount
	FeatUrgency     = "urgency"      // the inquiry asks for speed
	FeatQuote       = "quote"        // request type: a quote
	FeatMeeting     = "meeting"      // request type: a meeting
	FeatPastOrders  = "past_orders"  // log2(1 + the account's earlier orders)
	FeatRevenue     = "revenue"      // log10(1 + the account's earlier revenue in whole units)
	FeatOpenOrders  = "open_orders"  // the account's open orders, at most 5
	FeatReplies     = "replies"      // the customer's replies since the lead, at most 10
	FeatMeetingsSet = "meetings_set" // meetings booked for the lead, at most 5
)

// Names are the features in model order.
var Names = []string{FeatQuantity, FeatBudget, FeatUrgency, FeatQuote, FeatMeeting, FeatPastOrders, FeatRevenue,
	FeatOpenOrders, FeatReplies, FeatMeetingsSet}

// Input is what is known about a lead when it is scored.
type Input struct {
	Subject, Text string // the inquiry
	Category      string // the inquiry's category ("quote_request", "meeting_request"...)
	PastOrders    int    // the account's orders before the lead
	RevenueCents  int64  // their total
	OpenOrders    int    // the account's orders not delivered or cancelled
	Replies       int    // mails from the customer in the lead's thread after the first
	MeetingsSet   int    // meetings booked for the lead
}

// Vector is one lead's feature values in [Names] order.
type Vector []float64

var (
	quantityRe = regexp.MustCompile(`(?i)\b(\d{1,3}(?:[,.]\d{3})+|\d+)\s*(?:x\s*)?(?:pcs|pieces|units|unit|items|seats|licen[cs]es|pallets|boxes|cases|kg|tons?|tonnes?|rolls|sets|pairs|m2|sqm|meters|metres|users|copies)\b`)
	budgetRe   = regexp.MustCompile(`(?i)\b(budget|price|pricing|cost|costs|quote|quotation|offer|discount|po|purchase order|invoice)\b|[$€£]\s?\d|\d\s?(?:eur|usd|gbp|chf)\b`)
	urgencyRe  = regexp.MustCompile(`(?i)\b(urgent|urgently|asap|as soon as possible|immediately|rush|deadline|this week|by (?:monday|tuesday|wednesday|thursday|friday|tomorrow)|right away)\b`)
)

// Features turns in into a vector.
func Features(in Input) Vector {
	text := in.Subject + "\n" + in.Text
	v := make(Vector, len(Names))
	v[0] = math.Log10(1 + float64(largestQuantity(text)))
	v[1] = flag(budgetRe.MatchString(text))
	v[2] = flag(urgencyRe.MatchString(text))
	v[3] = flag(in.Category == "quote_request")
	v[4] = flag(in.Category == "meeting_request")
	v[5] = math.Log2(1 + float64(max(in.PastOrders, 0)))
	v[6] = math.Log10(1 + float64(max(in.RevenueCents, 0))/100)
	v[7] = float64(min(max(in.OpenOrders, 0), 5))
	v[8] = float64(min(max(in.Replies, 0), 10))
	v[9] = float64(min(max(in.MeetingsSet, 0), 5))
	return v
}

// largestQuantity is the largest "N units"-like quantity in text, 0 when
// none (capped at a billion so a pasted serial number cannot dominate).
func largestQuantity(text string) int64 {
	var best int64
	for _, m := range quantityRe.FindAllStringSubmatch(text, -1) {
		digits := strings.NewReplacer(",", "", ".", "").Replace(m[1])
		n, err := strconv.ParseInt(digits, 10, 64)
		if err == nil && n > best {
			best = min(n, 1_000_000_000)
		}
	}
	return best
}

func flag(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
