package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/hibiken/asynq"

	"salesdesk/config"
	"salesdesk/internal/intake"
	"salesdesk/internal/mailparse"
	"salesdesk/internal/routing"
	"salesdesk/internal/store"
	"salesdesk/internal/storetest"
)

// recordingRouter is the service's router, remembering the last decision
// intake took with it.
type recordingRouter struct {
	r    *routing.Router
	mu   sync.Mutex
	last *routing.Decision
}

func (rr *recordingRouter) Route(in routing.Input) routing.Decision {
	d := rr.r.Route(in)
	rr.mu.Lock()
	rr.last = &d
	rr.mu.Unlock()
	return d
}

func (rr *recordingRouter) take() *routing.Decision {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	d := rr.last
	rr.last = nil
	return d
}

// discardQueue accepts every task; this test looks at the decisions only.
type discardQueue struct{}

func (discardQueue) EnqueueContext(context.Context, *asynq.Task, ...asynq.Option) (*asynq.TaskInfo, error) {
	return &asynq.TaskInfo{}, nil
}

// consistencyMails are mails whose entities matter: a signature below the
// text and quoted history (the case where the CLI and the service used to
// differ), a meeting time, a rush change.
var consistencyMails = map[string]string{
	"status-signature.eml": rawMail,
	"meeting.eml": "From: Tom Hill <tom@hill.example>\r\nTo: sales@example.com\r\nSubject: Demo\r\n" +
		"Date: Wed, 12 Mar 2025 10:00:00 +0000\r\nMessage-ID: <m1@hill.example>\r\n\r\n" +
		"Hi, could we do a demo of the new line next Tuesday at 3pm?\r\n\r\n" +
		"Best regards,\r\nTom Hill\r\nPurchasing Manager | Hill Foods Ltd\r\n+44 20 7946 0018\r\n",
	"rush.eml": "From: Beth <beth@acme.example>\r\nTo: sales@example.com\r\nSubject: RE: SO-48213\r\n" +
		"Date: Wed, 12 Mar 2025 10:00:00 +0000\r\nMessage-ID: <r1@acme.example>\r\n\r\n" +
		"Please expedite SO-48213 (your ref ACME482130), our line is down. Ship overnight.\r\nThanks, Beth\r\n\r\n" +
		"-----Original Message-----\r\nFrom: Sales <sales@example.com>\r\nSent: Monday, March 10, 2025 9:00 AM\r\n\r\n" +
		"Your order SO-99999 has been confirmed.\r\n",
}

// TestClassifyMatchesIntake runs the same raw mails through `salesdesk
// classify` and through intake (the service's inbound:email path) with the
// router the service builds from the same configuration, and requires the
// same category, confidence, triage flag, priority and entities for every
// mail intake routes. The configuration sets routing.min_confidence and an
// order-number pattern, so the command's defaults must come from it.
func TestClassifyMatchesIntake(t *testing.T) {
	t.Setenv(config.EnvConfigPath, "")
	ctx := context.Background()
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "salesdesk.yaml")
	cfgYAML := "routing:\n  min_confidence: 0.9\n  order_number_patterns: ['\\bACME(\\d{6})\\b']\n"
	if err := os.WriteFile(cfgPath, []byte(cfgYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}

	var files []string
	for name, raw := range consistencyMails {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(raw), 0o600); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	for _, root := range []string{
		filepath.Join("..", "..", "internal", "mailparse", "testdata", "inspect"),
		filepath.Join("..", "..", "..", "shared", "testdata", "mail"),
	} {
		err := filepath.WalkDir(root, func(path string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() {
				return err
			}
			if ext := filepath.Ext(path); ext == ".eml" || ext == ".raw" || ext == ".msg" {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("walk %s: %v", root, err)
		}
	}

	// The command, as an operator runs it with the service's config.
	var out, errOut bytes.Buffer
	runClassify(ctx, append([]string{"-c", cfgPath}, files...), stdio{in: strings.NewReader(""), out: &out, err: &errOut})
	cli := map[string]routing.Decision{}
	dec := json.NewDecoder(&out)
	for dec.More() {
		var r struct {
			File  string `json:"file"`
			Error string `json:"error"`
			routing.Decision
		}
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("classify output: %v\n%s", err, errOut.String())
		}
		if r.Error == "" {
			cli[r.File] = r.Decision
		}
	}

	// The service: intake over a real store with the router built from
	// the same config.
	st, err := store.Open(ctx, storetest.SQLiteDSN(t, "desk.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	router, err := newRouter(cfg.Routing, defaultClassifier(nil))
	if err != nil {
		t.Fatal(err)
	}
	rec := &recordingRouter{r: router}
	p, err := intake.New(intake.Deps{Store: st, Router: rec, Enqueuer: discardQueue{}}, intake.Options{})
	if err != nil {
		t.Fatal(err)
	}

	compared, withEntities := 0, 0
	for i, path := range files {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		m := &store.InboundMessage{Mailbox: "sales", UIDValidity: 1, UID: uint32(i + 1), Raw: raw}
		if parsed, err := mailparse.Parse(raw, mailparse.Options{}); err == nil {
			m.MessageID = parsed.MessageID
		}
		if _, _, _, err := st.SaveInboundMessage(ctx, m); err != nil {
			t.Fatal(err)
		}
		if err := p.Process(ctx, m.ID); err != nil {
			t.Fatalf("%s: intake: %v", path, err)
		}
		svc := rec.take()
		if svc == nil {
			continue // automated or unreadable: intake routes only human mail
		}
		got, ok := cli[path]
		if !ok {
			t.Errorf("%s: intake routed it, classify gave no decision", path)
			continue
		}
		compared++
		if got.Category != svc.Category || got.Confidence != svc.Confidence || got.Triage != svc.Triage ||
			got.Priority != svc.Priority || got.Rule != svc.Rule {
			t.Errorf("%s: classify %s %.4f triage=%v %s, intake %s %.4f triage=%v %s", path,
				got.Category, got.Confidence, got.Triage, got.Priority, svc.Category, svc.Confidence, svc.Triage, svc.Priority)
		}
		if svc.Triage != (svc.Rule == "" && svc.Confidence < cfg.Routing.MinConfidence) {
			t.Errorf("%s: triage=%v at confidence %.3f, want routing.min_confidence %.2f to decide", path,
				svc.Triage, svc.Confidence, cfg.Routing.MinConfidence)
		}
		gotEnts, _ := json.Marshal(got.Entities)
		svcEnts, _ := json.Marshal(svc.Entities)
		if !bytes.Equal(gotEnts, svcEnts) {
			t.Errorf("%s: entities differ\nclassify %s\nintake   %s", path, gotEnts, svcEnts)
		}
		if len(svc.Entities.OrderNumbers) > 0 || svc.Entities.Signature.Name != "" || len(svc.Entities.RequestedTimes) > 0 {
			withEntities++
		}
	}
	t.Logf("%d mails, %d routed by intake and compared, %d of them with entities", len(files), compared, withEntities)
	if compared < 20 || withEntities < len(consistencyMails) {
		t.Errorf("compared %d mails (%d with entities): too few to mean anything", compared, withEntities)
	}

	// The mail with a signature below its text: both read the sender's
	// details from it (the service used to route without the signature).
	sig := filepath.Join(dir, "status-signature.eml")
	if s := cli[sig].Entities.Signature; s.Company != "Baltic Drives Sp. z o.o." || s.Phone != "+48 58 123 45 67" {
		t.Errorf("signature of %s: %+v", sig, s)
	}
	// The configured pattern reaches both, and replaces the built-in
	// ones: SO-48213 is a code, an order only if a real order has it.
	rush := cli[filepath.Join(dir, "rush.eml")].Entities
	if !slices.Equal(rush.OrderNumbers, []string{"482130"}) || !slices.Contains(rush.Codes, "SO-48213") {
		t.Errorf("rush.eml order numbers %q codes %q, want [482130] and the code SO-48213 (quoted SO-99999 left out)", rush.OrderNumbers, rush.Codes)
	}
}
