package link_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"salesdesk/internal/link"
)

// fuzzSecret signs every link of the fuzz targets.
const fuzzSecret = "fuzz-secret-of-sufficient-length"

// fuzzExp is a link expiry after the fuzz clock's now.
var fuzzExp = now.Add(72 * time.Hour)

func fuzzSigner(f *testing.F) *link.Signer {
	f.Helper()
	s, err := link.New([]byte(fuzzSecret))
	if err != nil {
		f.Fatal(err)
	}
	return s
}

// FuzzVerifyValues feeds arbitrary link fields and query strings to the
// verifier. Whatever the input it must not panic, and it may accept only
// the signature Sign makes for exactly those fields: a link cannot be
// forged or bent to another action, id, extra value or expiry.
func FuzzVerifyValues(f *testing.F) {
	s := fuzzSigner(f)
	genuine := s.Values(link.TriageAction, 42, "order_status", fuzzExp).Encode()
	f.Add(link.TriageAction, int64(42), "order_status", genuine)
	f.Add(link.TriageAction, int64(43), "order_status", genuine)
	f.Add(link.TriageAction, int64(42), "unsubscribe", genuine)
	f.Add(link.LeadAction("accept"), int64(7), "3", s.Values(link.LeadAction("accept"), 7, "3", fuzzExp).Encode())
	f.Add("", int64(0), "", "")
	f.Add(link.TriageAction, int64(-1), "x", "sig=%%%&exp=99999999999999999999")
	f.Add(link.TriageAction, int64(42), "order_status", strings.Replace(genuine, "exp=", "exp=1", 1))
	f.Fuzz(func(t *testing.T, action string, id int64, extra, rawQuery string) {
		q, err := url.ParseQuery(rawQuery)
		if err != nil {
			return
		}
		err = s.VerifyValues(action, id, extra, q, now)
		if err == nil {
			exp, perr := strconv.ParseInt(q.Get(link.ParamExp), 10, 64)
			if perr != nil {
				t.Fatalf("accepted a link without a readable expiry: %q", rawQuery)
			}
			if want := s.Sign(action, id, extra, time.Unix(exp, 0)); q.Get(link.ParamSig) != want {
				t.Fatalf("accepted signature %q for (%q, %d, %q, %d); Sign gives %q", q.Get(link.ParamSig), action, id, extra, exp, want)
			}
			if !now.Before(time.Unix(exp, 0)) {
				t.Fatalf("accepted a link that expired at %d", exp)
			}
		}
	})
}

// FuzzLinkURL builds triage and lead links from arbitrary values and
// reads them back the way a browser and the handler do: every link made
// must parse as a URL whose path gives back the same id and category and
// whose query verifies for them, and for nothing else.
func FuzzLinkURL(f *testing.F) {
	s := fuzzSigner(f)
	f.Add(int64(42), "order_status", int64(3))
	f.Add(int64(1), "a/b?c=d#e", int64(1))
	f.Add(int64(9), "%2F..%2F", int64(9))
	f.Add(int64(5), "ünïcode space", int64(7))
	f.Fuzz(func(t *testing.T, id int64, category string, repID int64) {
		if id <= 0 || repID <= 0 || strings.ContainsRune(category, 0) {
			return
		}
		raw := s.TriageURL(base, id, category, fuzzExp)
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatalf("triage link %q does not parse: %v", raw, err)
		}
		rest, ok := strings.CutPrefix(u.EscapedPath(), "/triage/"+strconv.FormatInt(id, 10)+"/")
		if !ok || strings.Contains(rest, "/") {
			t.Fatalf("triage link path %q is not /triage/%d/{category}", u.EscapedPath(), id)
		}
		got, err := url.PathUnescape(rest)
		if err != nil || got != category {
			t.Fatalf("category from %q = %q (%v), want %q", raw, got, err, category)
		}
		if err := s.VerifyValues(link.TriageAction, id, got, u.Query(), now); err != nil {
			t.Fatalf("own triage link %q refused: %v", raw, err)
		}
		if err := s.VerifyValues(link.TriageAction, id+1, got, u.Query(), now); err == nil {
			t.Fatalf("triage link %q verifies for inquiry %d too", raw, id+1)
		}

		raw = s.LeadURL(base, "accept", id, repID, fuzzExp)
		u, err = url.Parse(raw)
		if err != nil {
			t.Fatalf("lead link %q does not parse: %v", raw, err)
		}
		gotRep, err := s.VerifyLead("accept", id, u.Query(), now)
		if err != nil || gotRep != repID {
			t.Fatalf("own lead link %q: rep %d, %v; want rep %d", raw, gotRep, err, repID)
		}
		if _, err := s.VerifyLead("not_mine", id, u.Query(), now); err == nil {
			t.Fatalf("lead link %q verifies for another action", raw)
		}
	})
}

// FuzzHandler sends arbitrary requests to the one-click pages. Whatever
// the method, path, query and body, the handler must not panic, must
// answer with a page, and may apply a decision only for a POST whose
// parameters carry the signature Sign makes for exactly that decision.
func FuzzHandler(f *testing.F) {
	s := fuzzSigner(f)
	triage, err := url.Parse(s.TriageURL(base, 42, "order_status", fuzzExp))
	if err != nil {
		f.Fatal(err)
	}
	lead, err := url.Parse(s.LeadURL(base, "accept", 7, 3, fuzzExp))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(http.MethodPost, triage.Path, "", triage.RawQuery)
	f.Add(http.MethodGet, triage.Path, triage.RawQuery, "")
	f.Add(http.MethodPost, lead.Path, "", lead.RawQuery)
	f.Add(http.MethodPost, lead.Path, lead.RawQuery, "rep=4")
	f.Add(http.MethodPost, "/triage/42/unsubscribe", "", triage.RawQuery)
	f.Add(http.MethodPost, "/leads/7/not_mine", "", lead.RawQuery)
	f.Add(http.MethodPut, "/triage/0/x", "a=%zz", "\x00")
	f.Fuzz(func(t *testing.T, method, path, rawQuery, body string) {
		type decision struct {
			action, extra string
			id            int64
		}
		var applied []decision
		h := link.NewHandler(link.HandlerOptions{
			Signer: s,
			Now:    func() time.Time { return now },
			Triage: func(_ context.Context, id int64, category, _ string) error {
				applied = append(applied, decision{link.TriageAction, category, id})
				return nil
			},
			Lead: func(_ context.Context, id int64, action string, repID int64) error {
				applied = append(applied, decision{link.LeadAction(action), strconv.FormatInt(repID, 10), id})
				return nil
			},
		})
		r, err := http.NewRequest(method, "http://desk.example.com/", strings.NewReader(body))
		if err != nil {
			return
		}
		r.URL.Path, r.URL.RawQuery = path, rawQuery
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code < 200 || w.Code > 599 {
			t.Fatalf("status %d", w.Code)
		}
		if len(applied) == 0 {
			return
		}
		if method != http.MethodPost || len(applied) > 1 {
			t.Fatalf("%s %s applied %+v", method, path, applied)
		}
		// What the handler read: the form, falling back to the query.
		params, _ := url.ParseQuery(rawQuery)
		if form, err := url.ParseQuery(body); err == nil {
			for k, v := range form {
				params[k] = v
			}
		}
		d := applied[0]
		exp, _ := strconv.ParseInt(params.Get(link.ParamExp), 10, 64)
		signed := false
		for _, sig := range params[link.ParamSig] {
			if sig == s.Sign(d.action, d.id, d.extra, time.Unix(exp, 0)) {
				signed = true
			}
		}
		if !signed {
			t.Fatalf("applied %+v without its signature: %s %s ?%s body %q", d, method, path, rawQuery, body)
		}
	})
}

// FuzzVerifyPerson feeds arbitrary desk paths and query strings to the
// magic-link check (the sign-in links of rep mails). Whatever the input it
// must not panic and may name a rep only for a query that carries the
// signature PersonURL makes for exactly that rep and path; a genuine
// link opens its own page only.
func FuzzVerifyPerson(f *testing.F) {
	s := fuzzSigner(f)
	genuine, err := url.Parse(s.PersonURL(base, "/desk/leads/7", 3, fuzzExp))
	if err != nil {
		f.Fatal(err)
	}
	f.Add("/desk/leads/7", genuine.RawQuery)
	f.Add("/desk/leads/8", genuine.RawQuery)
	f.Add("/desk/leads/7", strings.Replace(genuine.RawQuery, "as=3", "as=4", 1))
	f.Add("/desk/leads/7", "as=-1&sig=x&exp=1")
	f.Add("", "as=99999999999999999999&sig=%%")
	f.Fuzz(func(t *testing.T, path, rawQuery string) {
		q, err := url.ParseQuery(rawQuery)
		if err != nil {
			return
		}
		rep, err := s.VerifyPerson(path, q, now)
		if err != nil && err != link.ErrExpired {
			if rep != 0 {
				t.Fatalf("refused link (%v) still names rep %d", err, rep)
			}
			return
		}
		exp, perr := strconv.ParseInt(q.Get(link.ParamExp), 10, 64)
		if perr != nil {
			t.Fatalf("rep %d from a link without a readable expiry: %q", rep, rawQuery)
		}
		if want := s.Sign(link.PersonAction, rep, path, time.Unix(exp, 0)); q.Get(link.ParamSig) != want {
			t.Fatalf("rep %d from signature %q for path %q; Sign gives %q", rep, q.Get(link.ParamSig), path, want)
		}
		if err == nil && !now.Before(time.Unix(exp, 0)) {
			t.Fatalf("signed in with a link that expired at %d", exp)
		}
	})
}
