package entity

import (
	"regexp"
	"slices"
	"testing"
)

func TestItemsAndCodes(t *testing.T) {
	configured := []*regexp.Regexp{regexp.MustCompile(`\b(?:SO|ORD)-?\d{4,10}\b`)}
	tests := []struct {
		name       string
		subject    string
		body       string
		wantOrders []string
		wantCodes  []string
		wantItems  []Item
	}{
		{name: "rush order with product code", subject: "Rush order: 250 x Stainless hex bolts, FS-0810",
			wantCodes: []string{"FS-0810"}, wantItems: []Item{{Quantity: 250, Description: "Stainless hex bolts", Code: "FS-0810"}}},
		{name: "two order numbers", subject: "Status of SO-18812 and SO-13853",
			wantOrders: []string{"SO-18812", "SO-13853"}},
		{name: "customer PO is a code, not an order", subject: "RFQ PO-7934: 3 items",
			wantCodes: []string{"PO-7934"}},
		{name: "item lines", subject: "New order", body: "Hello,\n\nplease send\n- 12 pcs SH-200 shelving unit\n- 48x bracket set\n3 items in total\n",
			wantCodes: []string{"SH-200"}, wantItems: []Item{{Quantity: 12, Code: "SH-200", Description: "shelving unit"}, {Quantity: 48, Description: "bracket set"}}},
		{name: "order number written without dash is the order", subject: "SO-10042 and SO10042",
			wantOrders: []string{"SO-10042", "SO10042"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Extract(tt.subject, tt.body, "", Options{OrderPatterns: configured})
			if !slices.Equal(got.OrderNumbers, tt.wantOrders) {
				t.Errorf("order numbers = %q, want %q", got.OrderNumbers, tt.wantOrders)
			}
			if !slices.Equal(got.Codes, tt.wantCodes) {
				t.Errorf("codes = %q, want %q", got.Codes, tt.wantCodes)
			}
			if !slices.Equal(got.Items, tt.wantItems) {
				t.Errorf("items = %+v, want %+v", got.Items, tt.wantItems)
			}
		})
	}
}
