package order_test

import (
	"context"
	"slices"
	"testing"

	"salesdesk/internal/order"
	"salesdesk/internal/store"
)

func TestResolveNamed(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	f.order(t, f.acme, "SO-18812", store.OrderProcessing, day(2026, 3, 20))
	f.order(t, f.acme, "SO-13853", store.OrderShipped, day(2026, 3, 12))
	f.order(t, f.globex, "SO-55555", store.OrderConfirmed, day(2026, 3, 20))
	f.order(t, f.acme, "FS-0810", store.OrderPending, day(2026, 3, 30)) // a code that is also an order number of Acme

	numbersOf := func(os []store.Order) []string {
		var out []string
		for _, o := range os {
			out = append(out, o.Number)
		}
		return out
	}
	tests := []struct {
		name         string
		sender       string
		numbers      []string
		codes        []string
		wantVisible  []string
		wantNotFound []string
		wantForeign  []string
		wantNamed    bool
	}{
		{name: "every number answered", sender: "ann@acme.example", numbers: []string{"SO-18812", "so 13853"},
			wantVisible: []string{"SO-18812", "SO-13853"}, wantNamed: true},
		{name: "unknown and foreign read the same", sender: "ann@acme.example", numbers: []string{"SO-18812", "SO-55555", "SO-99999"},
			wantVisible: []string{"SO-18812"}, wantNotFound: []string{"SO-55555", "SO-99999"}, wantForeign: []string{"SO-55555"}, wantNamed: true},
		{name: "unknown code is no missing order", sender: "ann@acme.example", codes: []string{"PO-7934"},
			wantVisible: []string{"FS-0810", "SO-13853", "SO-18812"}},
		{name: "own code is an order", sender: "ann@acme.example", codes: []string{"FS-0810"},
			wantVisible: []string{"FS-0810"}, wantNamed: true},
		{name: "foreign code is not mentioned", sender: "gus@globex.example", codes: []string{"SO-18812"},
			wantVisible: []string{"SO-55555"}, wantForeign: []string{"SO-18812"}},
		{name: "stranger: existing", sender: "eve@evil.example", numbers: []string{"SO-18812"},
			wantNotFound: []string{"SO-18812"}, wantForeign: []string{"SO-18812"}, wantNamed: true},
		{name: "stranger: not existing", sender: "eve@evil.example", numbers: []string{"SO-18813"},
			wantNotFound: []string{"SO-18813"}, wantNamed: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := order.ResolveNamed(ctx, f.st, tt.sender, tt.numbers, tt.codes)
			if err != nil {
				t.Fatal(err)
			}
			got := numbersOf(n.Visible)
			slices.Sort(got)
			want := slices.Clone(tt.wantVisible)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("visible = %q, want %q", got, want)
			}
			if !slices.Equal(n.NotFound, tt.wantNotFound) {
				t.Errorf("not found = %q, want %q", n.NotFound, tt.wantNotFound)
			}
			if got := numbersOf(n.Foreign); !slices.Equal(got, tt.wantForeign) {
				t.Errorf("foreign = %q, want %q", got, tt.wantForeign)
			}
			if n.Named != tt.wantNamed {
				t.Errorf("named = %v, want %v", n.Named, tt.wantNamed)
			}
		})
	}
}
