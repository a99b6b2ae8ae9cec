package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"

	"salesdesk/internal/api"
	"salesdesk/internal/store"
)

func ExampleNew() {
	dir, err := os.MkdirTemp("", "salesdesk-api-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(dir, "salesdesk.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()

	h := api.New(api.Options{
		Store: st,
		Hooks: api.Hooks{
			OnLeadCreated: func(ctx context.Context, leadID int64) error {
				fmt.Println("assign lead", leadID)
				return nil
			},
		},
	})
	// In salesdesk the handler is web.Options.API, behind bearer-token auth.
	post := func(path, body string) (int, string) {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("POST", path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		h.ServeHTTP(rec, req)
		return rec.Code, strings.TrimSpace(rec.Body.String())
	}
	code, body := post("/api/v1/leads", `{"contact_email":"ann@acme.example","company":"Acme","source":"web"}`)
	var lead struct {
		ID     int64  `json:"id"`
		Status string `json:"status"`
	}
	json.Unmarshal([]byte(body), &lead)
	fmt.Println(code, lead.ID, lead.Status)

	fmt.Println(post("/api/v1/leads", `{"contact_email":"not an address"}`))
	fmt.Println(post("/api/v1/leads", `{"contact_email":"ann@acme.example","campaign":"spring"}`))
	// Output:
	// assign lead 1
	// 201 1 unassigned
	// 422 {"error":"validation failed","fields":{"contact_email":"must be a valid address"}}
	// 400 {"error":"unknown field \"campaign\"","fields":{"campaign":"unknown field"}}
}
