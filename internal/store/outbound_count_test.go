package store

import (
	"fmt"
	"testing"
	"time"
)

func TestCountOutboundTo(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		mail := func(n int, to, status string) {
			t.Helper()
			o := outboundMail(fmt.Sprintf("count:%d", n), fmt.Sprintf("count%d@x", n))
			o.To, o.Cc = []string{to}, nil
			id, _, err := s.CreateOutbound(ctx, o)
			if err != nil {
				t.Fatal(err)
			}
			switch status {
			case OutboundSent:
				err = s.MarkOutboundSent(ctx, id, time.Now())
			case OutboundBounced:
				if err = s.MarkOutboundSent(ctx, id, time.Now()); err == nil {
					err = s.MarkOutboundBounced(ctx, id, "550 gone")
				}
			case OutboundFailed:
				err = s.MarkOutboundFailed(ctx, id, "550 no")
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		mail(1, "ann@example.com", OutboundSent)
		mail(2, "ann@example.com", OutboundSent)
		mail(3, "Ann <ann@example.com>", OutboundSent)
		mail(4, "ann@example.com", OutboundBounced)
		mail(5, "ann@example.com", OutboundQueued) // not sent: not counted
		mail(6, "ann@example.com", OutboundFailed) // not sent: not counted
		mail(7, "bob@example.com", OutboundSent)
		both := []string{"Ann <ann@example.com>", "ann@example.com"}
		hourAgo := time.Now().Add(-time.Hour)
		tests := []struct {
			name  string
			forms []string
			since time.Time
			limit int
			want  int
		}{
			{"bare form", both[1:], hourAgo, 20, 3},
			{"both forms", both, hourAgo, 20, 4},
			{"stops at the limit", both, hourAgo, 2, 2},
			{"none since", both, time.Now().Add(time.Hour), 20, 0},
			{"other address", []string{"bob@example.com"}, hourAgo, 20, 1},
			{"no forms", nil, hourAgo, 20, 0},
		}
		for _, tc := range tests {
			got, err := s.CountOutboundTo(ctx, tc.forms, tc.since, tc.limit)
			if err != nil || got != tc.want {
				t.Errorf("%s: CountOutboundTo = %d, %v; want %d", tc.name, got, err, tc.want)
			}
		}
	})
}
