package intake_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"salesdesk/internal/intake"
	"salesdesk/internal/routing"
	"salesdesk/internal/store"
	"salesdesk/internal/testenv"
)

// pdfBytes is a PDF-ish file of n bytes: a PDF header and binary noise.
func pdfBytes(n int) []byte {
	b := []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	r := rand.New(rand.NewPCG(1, 2))
	for len(b) < n {
		b = append(b, byte(r.Uint32()))
	}
	return b[:n]
}

// pngBytes is a small PNG-ish image.
var pngBytes = append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0, 1, 2, 3, 0xff}, 40)...)

// wrap76 base64-encodes b in lines of 76 characters, as mailers do.
func wrap76(b []byte) string {
	s := base64.StdEncoding.EncodeToString(b)
	var out strings.Builder
	for len(s) > 76 {
		out.WriteString(s[:76] + "\n")
		s = s[76:]
	}
	out.WriteString(s + "\n")
	return out.String()
}

// attachmentMail is a quote request with a PDF attachment and an inline
// logo.
func attachmentMail(pdf []byte) mail {
	body := "--b1\n" +
		"Content-Type: text/plain; charset=utf-8\n\n" +
		"Please quote 500 hydraulic pumps, specification attached.\n\n" +
		"--b1\n" +
		"Content-Type: application/pdf; name=\"spec.pdf\"\n" +
		"Content-Disposition: attachment; filename=\"spec.pdf\"\n" +
		"Content-Transfer-Encoding: base64\n\n" +
		wrap76(pdf) + "\n" +
		"--b1\n" +
		"Content-Type: image/png\n" +
		"Content-Disposition: inline; filename=\"logo.png\"\n" +
		"Content-ID: <logo@acme.com>\n" +
		"Content-Transfer-Encoding: base64\n\n" +
		wrap76(pngBytes) + "\n" +
		"--b1--\n"
	return mail{from: "Ann Buyer <ann@acme.com>", subject: "Quote for pumps", messageID: "att@acme.com",
		headers: []string{"MIME-Version: 1.0", `Content-Type: multipart/mixed; boundary="b1"`}, body: body}
}

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// rerun makes a processed message look interrupted before its end and
// takes it in again.
func (e *env) rerun(id int64) {
	e.t.Helper()
	if err := e.st.SetInboundStatus(e.ctx, id, store.InboundStored, ""); err != nil {
		e.t.Fatal(err)
	}
	if err := e.p.Process(e.ctx, id); err != nil {
		e.t.Fatalf("Process(%d) again: %v", id, err)
	}
}

func TestAttachmentsStored(t *testing.T) {
	t.Parallel()
	testAttachmentsStored(t, setup(t, setupOpts{}))
}

func TestAttachmentsStoredPostgres(t *testing.T) {
	t.Parallel()
	testAttachmentsStored(t, setup(t, setupOpts{dsn: testenv.PostgresDSN(t)}))
}

func testAttachmentsStored(t *testing.T, e *env) {
	pdf := pdfBytes(30_000)
	id := e.take(attachmentMail(pdf))

	want := []struct {
		name, ctype, contentID string
		inline                 bool
		content                []byte
	}{
		{name: "spec.pdf", ctype: "application/pdf", content: pdf},
		{name: "logo.png", ctype: "image/png", contentID: "logo@acme.com", inline: true, content: pngBytes},
	}
	check := func(when string) {
		t.Helper()
		got, err := e.st.InboundAttachments(e.ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("%s: %d attachments stored, want %d: %+v", when, len(got), len(want), got)
		}
		for i, w := range want {
			g := got[i]
			if g.Position != i || g.Name != w.name || g.ContentType != w.ctype || g.Inline != w.inline ||
				g.ContentID != w.contentID || g.Size != int64(len(w.content)) || g.SHA256 != sum(w.content) || g.Truncated {
				t.Errorf("%s: attachment %d = %+v, want %s %s size %d sha256 %s", when, i, g, w.name, w.ctype,
					len(w.content), sum(w.content))
			}
			c, err := e.st.InboundAttachmentContent(e.ctx, g.ID)
			if err != nil || !bytes.Equal(c, w.content) {
				t.Errorf("%s: content of %s: %d bytes, %v; want the %d bytes sent", when, w.name, len(c), err, len(w.content))
			}
		}
	}
	check("first run")
	if q := e.inquiryOf(id); q.InboundMessageID != id {
		t.Errorf("inquiry = %+v", q)
	}
	parsed, _, err := e.st.InboundParsed(e.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range parsed.Warnings {
		if strings.Contains(w, "attachment") {
			t.Errorf("warning %q", w)
		}
	}

	e.rerun(id)
	check("re-run")
}

func TestAttachmentOverTheCap(t *testing.T) {
	t.Parallel()
	const max = 1000
	e := setup(t, setupOpts{opts: intake.Options{MaxAttachmentBytes: max}})
	for _, n := range []int{max, max + 1, 50_000} {
		pdf := pdfBytes(n)
		id := e.take(attachmentMail(pdf))
		got, err := e.st.InboundAttachments(e.ctx, id)
		if err != nil || len(got) != 2 {
			t.Fatalf("%d bytes: attachments %+v, %v", n, got, err)
		}
		a := got[0]
		if a.Size != int64(n) || a.SHA256 != sum(pdf) || a.Name != "spec.pdf" {
			t.Errorf("%d bytes: listed as %+v, want size %d sha256 %s", n, a, n, sum(pdf))
		}
		c, err := e.st.InboundAttachmentContent(e.ctx, a.ID)
		switch {
		case n <= max && (a.Truncated || err != nil || !bytes.Equal(c, pdf)):
			t.Errorf("%d bytes (at the cap): truncated=%v, content %d bytes, %v; want stored", n, a.Truncated, len(c), err)
		case n > max && (!a.Truncated || !errors.Is(err, store.ErrNoContent)):
			t.Errorf("%d bytes (over the cap): truncated=%v, content err %v; want truncated without content", n, a.Truncated, err)
		}
		// The small logo is under the cap all the same.
		if got[1].Truncated || got[1].Size != int64(len(pngBytes)) {
			t.Errorf("logo = %+v", got[1])
		}
	}
}

// failingStore fails the failOn-th attachment it is asked to store.
type failingStore struct {
	*store.Store
	calls, failOn int
}

var errDiskFull = errors.New("disk full")

func (f *failingStore) SaveInboundAttachment(ctx context.Context, a *store.InboundAttachment) (int64, bool, error) {
	f.calls++
	if f.calls == f.failOn {
		return 0, false, errDiskFull
	}
	return f.Store.SaveInboundAttachment(ctx, a)
}

func TestAttachmentStoreFailureIsRetried(t *testing.T) {
	t.Parallel()
	e := setup(t, setupOpts{})
	router, err := routing.NewRouter(routing.RouterOptions{Classifier: classifier()})
	if err != nil {
		t.Fatal(err)
	}
	// The PDF is stored, the logo after it fails.
	fs := &failingStore{Store: e.st, failOn: 2}
	p, err := intake.New(intake.Deps{Store: fs, Router: router, Enqueuer: e.q}, intake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	id := e.deliver(attachmentMail(pdfBytes(2000)).raw())
	if err := p.Process(e.ctx, id); !errors.Is(err, errDiskFull) {
		t.Fatalf("Process with a failing store = %v, want the store's error", err)
	}
	e.wantStatus(id, store.InboundStored)
	if _, found, _ := e.st.InboundParsed(e.ctx, id); found {
		t.Error("parsed form stored although an attachment was not")
	}
	if n := len(e.q.types()); n != 0 {
		t.Errorf("tasks %v enqueued although the message was not taken in", e.q.types())
	}

	// The retry stores only what is missing.
	fs.calls, fs.failOn = 0, 0
	if err := p.Process(e.ctx, id); err != nil {
		t.Fatalf("retry: %v", err)
	}
	if fs.calls != 1 {
		t.Errorf("retry stored %d attachments, want only the missing one", fs.calls)
	}
	got, err := e.st.InboundAttachments(e.ctx, id)
	if err != nil || len(got) != 2 || got[0].Name != "spec.pdf" || got[1].Name != "logo.png" {
		t.Fatalf("after the retry: %+v, %v", got, err)
	}
	e.wantStatus(id, store.InboundProcessed)
}
