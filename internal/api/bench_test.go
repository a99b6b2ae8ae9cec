package api

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkListInquiries measures one page of 50 from 1,000 inquiries on
// SQLite, JSON included.
func BenchmarkListInquiries(b *testing.B) {
	f := setup(b, tickingClock())
	newInquiries(b, f.st, 1000, "support")
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		f.h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/inquiries?offset=500&limit=50", nil))
		if rec.Code != 200 {
			b.Fatal(rec.Code)
		}
	}
}

// BenchmarkCreateLead measures POST /api/v1/leads on SQLite.
func BenchmarkCreateLead(b *testing.B) {
	f := setup(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		req := httptest.NewRequest("POST", "/api/v1/leads",
			strings.NewReader(fmt.Sprintf(`{"contact_email":"l%d@acme.example","company":"Acme","message":"a quote please","source":"web"}`, i)))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		f.h.ServeHTTP(rec, req)
		if rec.Code != 201 {
			b.Fatal(rec.Code, rec.Body)
		}
	}
}
