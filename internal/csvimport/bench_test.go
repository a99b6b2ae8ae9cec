package csvimport_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"salesdesk/internal/csvimport"
	"salesdesk/internal/store"
)

// BenchmarkImportOrders imports 1,000 new orders (two lines each) into a
// SQLite file, then the same file again (all unchanged).
func BenchmarkImportOrders(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("number,customer,status,amount,promised_date,sku,description,qty,unit_price\n")
	for i := range 1000 {
		fmt.Fprintf(&sb, "SO-%d,C-1,confirmed,100.00,2026-04-01,W-1,Widget,2,25.00\n", i)
		fmt.Fprintf(&sb, "SO-%d,,,,,W-2,Gadget,1,50.00\n", i)
	}
	file := sb.String()
	for _, mode := range []string{"new", "unchanged"} {
		b.Run(mode, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				st, err := store.Open(context.Background(), "sqlite:"+filepath.Join(b.TempDir(), "bench.db"))
				if err != nil {
					b.Fatal(err)
				}
				if _, err := st.CreateCustomer(context.Background(), &store.Customer{ExternalID: "C-1", Name: "Acme"}); err != nil {
					b.Fatal(err)
				}
				if mode == "unchanged" {
					if _, err := csvimport.Import(context.Background(), st, csvimport.Orders(), strings.NewReader(file), csvimport.Options{}); err != nil {
						b.Fatal(err)
					}
				}
				b.StartTimer()
				rep, err := csvimport.Import(context.Background(), st, csvimport.Orders(), strings.NewReader(file), csvimport.Options{})
				if err != nil || rep.Records != 1000 {
					b.Fatal(err, rep.Records)
				}
				b.StopTimer()
				st.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(b.N*2000)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
