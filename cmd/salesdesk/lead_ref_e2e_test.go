package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"salesdesk/config"
	"salesdesk/internal/store"
	"salesdesk/internal/testenv"
	"salesdesk/tasks"
)

// TestLeadIdentifierEverywhere: one lead, one identifier. Through the
// running process, the lead that a quote request makes is "L-<id>" in the
// rep's mail (subject and body), on its desk page, on the one-click
// link's confirmation page, in the API's answer, in the rep's daily list
// and in the update the rep gets when the customer writes again (merged
// into the lead); the customer's thread token (SD-n) stays the thread's
// and appears once per subject.
func TestLeadIdentifierEverywhere(t *testing.T) {
	d := setupDesk(t, withAPIToken(config.ScopeRead))
	ctx := context.Background()
	d.deliver(t, "Bob Buyer <bob@refprospect.example>", "Quote for 600 pallets",
		"Hello, we would like a quote for 600 euro pallets delivered to Rotterdam next month. What would the price per unit be?\n\nBob Buyer\nPurchasing, Ref Prospect BV")
	lm := d.mailText(t, "rita@desk.example", "600 pallets")
	leads, err := d.st.ListLeads(ctx, store.LeadFilter{ContactEmail: "bob@refprospect.example"})
	if err != nil || len(leads) != 1 {
		t.Fatalf("leads = %+v, %v", leads, err)
	}
	l := leads[0]
	want := fmt.Sprintf("L-%d", l.ID)
	seen := map[string]string{} // place -> what it showed

	if !strings.HasPrefix(lm.Subject, "New lead "+want+":") || len(refToken.FindAllString(lm.Subject, -1)) != 1 {
		t.Errorf("lead mail subject %q, want it to name %s and carry one thread token", lm.Subject, want)
	}
	if !strings.Contains(lm.Text, "Lead:      "+want+"\n") {
		t.Errorf("lead mail body does not name %s:\n%s", want, lm.Text)
	}
	seen["lead mail"] = lm.Subject

	// The desk page, opened from the mail's "Open the lead" link, and the
	// accept link's confirmation page.
	jar, _ := cookiejar.New(nil)
	rita := &http.Client{Jar: jar}
	for _, u := range mailURL.FindAllString(lm.Text, -1) {
		body := get(t, rita, u)
		switch {
		case strings.Contains(u, "/accept"):
			if !strings.Contains(body, "Take lead "+want+"?") {
				t.Errorf("accept page does not name %s:\n%s", want, body)
			}
			seen["accept page"] = want
		case strings.Contains(body, `id="lead-ref"`):
			if !strings.Contains(body, `<span id="lead-ref">`+want+`</span>`) {
				t.Errorf("desk page does not name %s:\n%s", want, body)
			}
			seen["desk page"] = want
		}
	}

	// The API's answer.
	resp := d.api(t, "GET", fmt.Sprintf("/api/v1/leads/%d", l.ID), "")
	var api struct {
		Ref string `json:"ref"`
	}
	err = json.NewDecoder(resp.Body).Decode(&api)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || api.Ref != want {
		t.Errorf("API lead: %d, ref %q, %v; want %s", resp.StatusCode, api.Ref, err, want)
	}
	seen["API"] = api.Ref

	// The rep's daily list.
	opt := asynq.RedisClientOpt{Addr: testenv.RedisAddr(), DB: testenv.RedisDBCmd}
	client := asynq.NewClient(opt)
	defer client.Close()
	now := time.Now().UTC()
	task, err := tasks.NewLeadsDailyDigestTask(tasks.LeadsDailyDigestPayload{Day: now.Format(time.DateOnly), Timezone: "UTC", ScheduledAt: now})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.Enqueue(task); err != nil {
		t.Fatal(err)
	}
	digest := d.mailText(t, "rita@desk.example", "Your leads for")
	if !strings.Contains(digest.Text, "["+want+"]") {
		t.Errorf("daily list does not name %s:\n%s", want, digest.Text)
	}
	seen["daily list"] = want

	// The customer writes again: the request merges into the lead, and
	// the rep's update names the same lead in the lead's thread.
	d.deliver(t, "Bob Buyer <bob@refprospect.example>", "Also 20 pallet collars",
		"Hello, please also quote 20 pallet collars with the pallets. What would the price per unit be?\n\nBob Buyer")
	up := d.mailText(t, "rita@desk.example", "Lead update")
	if !strings.Contains(up.Subject, "Lead update "+want+":") || refToken.FindString(up.Subject) != refToken.FindString(lm.Subject) {
		t.Errorf("update subject %q, want %s in the thread of %q", up.Subject, want, lm.Subject)
	}
	if !strings.Contains(up.Text, "about lead "+want+",") {
		t.Errorf("update body does not name %s:\n%s", want, up.Text)
	}
	seen["lead update"] = up.Subject
	for _, place := range []string{"accept page", "desk page", "daily list"} {
		if seen[place] == "" {
			t.Errorf("%s not checked: no link or mail led to it", place)
		}
	}
	t.Logf("lead %d is %s in: %v", l.ID, want, seen)
}

// testAPIToken is the bearer token withAPIToken configures.
const testAPIToken = "e2e-api-token-of-sufficient-length"

// withAPIToken configures testAPIToken with scope, for setupDeskWith.
func withAPIToken(scope string) func(*config.Config) {
	return func(c *config.Config) {
		c.Web.APITokens = []config.APIToken{{Name: "e2e", Token: config.Secret(testAPIToken), Scopes: []string{scope}}}
	}
}

// api sends a JSON request to the running desk's API with testAPIToken.
func (d e2eDesk) api(t *testing.T, method, path, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, d.base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testAPIToken)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}
