package api

import (
	"context"
	"fmt"
	"testing"

	"salesdesk/internal/store"
)

// An inquiry shows the language of its mail and its further requests.
func TestInquiryLanguage(t *testing.T) {
	t.Parallel()
	f := setup(t)
	q := &store.Inquiry{Subject: "Lieferstatus", ContactEmail: "sabine@kraus.example", Category: "order_status",
		Language: "de", SecondaryCategories: []string{"quote_request"}}
	if _, _, err := f.st.CreateInquiry(context.Background(), q); err != nil {
		t.Fatal(err)
	}
	m := f.do("GET", fmt.Sprintf("/api/v1/inquiries/%d", q.ID), nil).mustStatus(t, 200).object(t)
	if m["language"] != "de" {
		t.Errorf("language = %#v, want de", m["language"])
	}
	if s, ok := m["secondary_categories"].([]any); !ok || len(s) != 1 || s[0] != "quote_request" {
		t.Errorf("secondary_categories = %#v, want [quote_request]", m["secondary_categories"])
	}
	plain := &store.Inquiry{Subject: "by hand", ContactEmail: "c@d.example"}
	if _, _, err := f.st.CreateInquiry(context.Background(), plain); err != nil {
		t.Fatal(err)
	}
	m = f.do("GET", fmt.Sprintf("/api/v1/inquiries/%d", plain.ID), nil).mustStatus(t, 200).object(t)
	if s, ok := m["secondary_categories"].([]any); !ok || len(s) != 0 || m["language"] != "" {
		t.Errorf("inquiry without language: language %#v secondary %#v", m["language"], m["secondary_categories"])
	}
}
