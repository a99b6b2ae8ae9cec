package link_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"time"

	"salesdesk/internal/link"
)

// Following a triage link only asks; the button's POST files the inquiry.
func ExampleNewHandler() {
	signer, _ := link.New([]byte("a long random secret from config"))
	h := link.NewHandler(link.HandlerOptions{
		Signer: signer,
		Triage: func(ctx context.Context, inquiryID int64, category, by string) error {
			fmt.Printf("filing inquiry %d as %s (by %s)\n", inquiryID, category, by)
			return nil
		},
	})
	u := signer.TriageURL("", 12, "billing", time.Now().Add(time.Hour))

	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", u, nil))
	fmt.Println(w.Code, strings.Contains(w.Body.String(), "File as billing"))

	w = httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("POST", u, nil))
	fmt.Println(w.Code, strings.Contains(w.Body.String(), "Done: inquiry #12 filed as billing."))
	// Output:
	// 200 true
	// filing inquiry 12 as billing (by link)
	// 200 true
}
