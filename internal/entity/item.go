package entity

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Item is one line of goods a mail asks for: "250 x Stainless hex bolts,
// FS-0810".
type Item struct {
	Quantity    int    `json:"quantity"`
	Description string `json:"description,omitempty"`
	// Code is the product code the line names, e.g. "FS-0810"; "" when
	// none.
	Code string `json:"code,omitempty"`
}

var (
	// codeRe finds code-like tokens: letters, an optional dash, digits.
	// They are product codes, part numbers or the customer's own
	// references unless a configured order-number pattern claims them.
	codeRe = regexp.MustCompile(`\b[A-Z]{1,4}-?\d{3,10}(?:-[A-Z0-9]{1,4})?\b`)
	// itemRe finds a quantity and what follows it on the line:
	// "250 x bolts", "250x FS-0810", "250 pcs of bolts", "qty 250 bolts".
	itemRe = regexp.MustCompile(`(?i)(?:^|[\s:(\-*•])(?:qty\.?:?\s*)?(\d{1,3}(?:[.,]\d{3})*|\d{1,7})\s*(?:x|×|pcs\.?|pieces|units|ea\.?|boxes|cartons|pallets|rolls|sets|pairs|kg|m)\s+(?:of\s+)?([^\n;]{2,120})`)
)

// maxItems bounds the lines read from one mail.
const maxItems = 50

// codes returns the code-like tokens of text that are not order numbers
// already, each once, in order.
func codes(text string, orders []string) []string {
	var out []string
	for _, c := range codeRe.FindAllString(text, 50) {
		c = strings.ToUpper(c)
		if !slices.Contains(orders, c) && !slices.Contains(out, c) && !isOrderVariant(c, orders) {
			out = append(out, c)
		}
	}
	return out
}

// isOrderVariant reports a code that is an order number written another
// way (SO10042 for SO-10042).
func isOrderVariant(c string, orders []string) bool {
	flat := strings.ReplaceAll(c, "-", "")
	for _, o := range orders {
		if strings.ReplaceAll(o, "-", "") == flat {
			return true
		}
	}
	return false
}

// items reads the quantity lines of text: one Item per line that starts a
// quantity followed by a unit word ("x", "pcs", ...) and what is ordered.
// A code in the line is the item's code; the rest, trimmed of
// punctuation, is its description.
func items(text string) []Item {
	var out []Item
	for line := range strings.SplitSeq(text, "\n") {
		for _, m := range itemRe.FindAllStringSubmatch(line, 4) {
			n, err := strconv.Atoi(strings.NewReplacer(",", "", ".", "").Replace(m[1]))
			if err != nil || n <= 0 {
				continue
			}
			it := Item{Quantity: n}
			rest := m[2]
			if c := codeRe.FindString(rest); c != "" {
				it.Code = c
				rest = strings.Replace(rest, c, "", 1)
			}
			it.Description = strings.Trim(strings.Join(strings.Fields(rest), " "), " ,.;:-()[]")
			if it.Description == "" && it.Code == "" {
				continue
			}
			out = append(out, it)
			if len(out) == maxItems {
				return out
			}
		}
	}
	return out
}
