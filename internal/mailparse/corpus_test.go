package mailparse

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// corpusDir is the shared corpus of real-world mail, used in place.
var corpusDir = filepath.Join("..", "..", "..", "shared", "testdata", "mail")

type corpusMessage struct {
	name string // path under corpusDir, with "#n" for mbox members
	raw  []byte
}

var (
	corpusOnce sync.Once
	corpus     []corpusMessage
	corpusErr  error
)

// loadCorpus reads every message under corpusDir once, splitting mbox
// files on their "From " separator lines.
func loadCorpus(tb testing.TB) []corpusMessage {
	tb.Helper()
	corpusOnce.Do(func() {
		corpusErr = filepath.WalkDir(corpusDir, func(path string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				return nil
			}
			rel, _ := filepath.Rel(corpusDir, path)
			if rel == "PROVENANCE.tsv" || rel == "README.md" || strings.HasPrefix(d.Name(), ".") {
				return nil
			}
			raw, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			if isMbox(rel) {
				for i, m := range splitMbox(raw) {
					corpus = append(corpus, corpusMessage{name: rel + "#" + itoa(i), raw: m})
				}
				return nil
			}
			corpus = append(corpus, corpusMessage{name: rel, raw: raw})
			return nil
		})
	})
	if corpusErr != nil {
		if errors.Is(corpusErr, os.ErrNotExist) && os.Getenv("CI") == "" {
			tb.Skipf("shared corpus not found at %s", corpusDir)
		}
		tb.Fatalf("load corpus: %v", corpusErr)
	}
	if len(corpus) == 0 {
		tb.Fatalf("no messages under %s", corpusDir)
	}
	return corpus
}

func isMbox(rel string) bool {
	base := filepath.Base(rel)
	return strings.HasSuffix(base, ".mbox.txt") || strings.HasPrefix(base, "mbox-")
}

func itoa(i int) string { return strconv.Itoa(i) }

// TestCorpusParses parses every shared message: each parses or returns a
// clean error, and never panics.
func TestCorpusParses(t *testing.T) {
	msgs := loadCorpus(t)
	kinds := map[Kind]int{}
	var failed, warned int
	for _, cm := range msgs {
		m, err := Parse(cm.raw, Options{})
		if err != nil {
			if errors.Is(err, errInternal) {
				t.Errorf("%s: %v", cm.name, err)
			}
			if !errors.Is(err, ErrNotMail) && !errors.Is(err, ErrTooComplex) {
				t.Errorf("%s: error not wrapping ErrNotMail or ErrTooComplex: %v", cm.name, err)
			}
			failed++
			t.Logf("%s: %v", cm.name, err)
			continue
		}
		if !m.Kind.Valid() {
			t.Errorf("%s: invalid kind %q", cm.name, m.Kind)
		}
		kinds[m.Kind]++
		if len(m.Warnings) > 0 {
			warned++
		}
		if testing.Verbose() && os.Getenv("MAILPARSE_DUMP") != "" {
			t.Logf("%s: kind=%s from=%q subj=%q text=%d att=%d warn=%q", cm.name, m.Kind, m.From.Address, m.Subject, len(m.Text), len(m.Attachments), m.Warnings)
		}
	}
	var ks []string
	for k, n := range kinds {
		ks = append(ks, string(k)+"="+itoa(n))
	}
	sort.Strings(ks)
	t.Logf("%d messages: %d errors, %d with warnings, kinds %s", len(msgs), failed, warned, strings.Join(ks, " "))
}

// notAutomated are the corpus messages from sisimai's bounce collection
// that a person wrote: sisimai's own "is not a bounce" samples, and a
// person forwarding a bounce to someone else ("Fwd: Returned mail"), which
// must reach a human at the desk.
var notAutomated = map[string]string{
	"sisimai/is-not-bounce-01.eml": "sisimai's sample of a plain mail",
	"sisimai/is-not-bounce-02.eml": "sisimai's sample of a mail with an attached message",
	"sisimai/mbox-0#35":            "a person forwarding a bounce (Fwd:, quoted DSN)",
}

// automatedOutsideSisimai are the bounces, reports and read receipts in
// the other collections (by their file names and contents).
var automatedOutsideSisimai = []string{
	"enmime/delayed_dsn.raw", "enmime/dsn_with_multipart_alternative.raw",
	"enmime/multi_recipient_dsn.raw", "enmime/simple_dsn.raw",
	"enmime/simple_dsn_with_html.raw", "enmime/multipart-wo-boundary.raw",
	"mikel-mail/multi_address_bounce1.eml", "mikel-mail/multipart_report_multiple_status.eml",
	"mikel-mail/report_422.eml", "mikel-mail/report_530.eml",
	"mikel-mail/raw_email_with_mimepart_without_content_type.eml",
	"mimekit/bounce.txt", "mimekit/delivery-status-multiple-blank-lines.txt",
	"mimekit/delivery-status-no-blank-line.txt", "mimekit/delivery-status.anonymized.eml",
	"mimekit/delivery-status2.txt", "mimekit/disposition-notification.anonymized.eml",
	"mimekit/feedback-report.txt", "php-mime-mail-parser/failure.eml",
	"postal-mime/arf.eml", "postal-mime/bounce.eml",
}

// TestCorpusAutomated checks that every bounce, report and auto-reply in
// the corpus is classified as automated: all of sisimai's collection (a
// corpus of bounces and RFC 3834 auto-replies) but the documented
// exceptions, and the known reports in the other collections.
func TestCorpusAutomated(t *testing.T) {
	msgs := loadCorpus(t)
	want := map[string]bool{}
	for _, n := range automatedOutsideSisimai {
		want[filepath.FromSlash(n)] = true
	}
	counts := map[Kind]int{}
	var checked, bounceWithOriginal, bounces int
	for _, cm := range msgs {
		name := filepath.ToSlash(cm.name)
		sisimai := strings.HasPrefix(name, "sisimai/")
		if _, skip := notAutomated[name]; skip {
			m, err := Parse(cm.raw, Options{})
			if err == nil && m.Kind.Automated() {
				t.Errorf("%s (%s): kind %s, want human", name, notAutomated[name], m.Kind)
			}
			continue
		}
		if !sisimai && !want[cm.name] {
			continue
		}
		delete(want, cm.name)
		checked++
		m, err := Parse(cm.raw, Options{})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		counts[m.Kind]++
		if !m.Kind.Automated() {
			t.Errorf("%s: kind %s, want automated (from %q, subject %q)", name, m.Kind, m.From.Address, m.Subject)
		}
		if m.Kind == KindBounce {
			bounces++
			if m.Bounce == nil {
				t.Errorf("%s: bounce without BounceInfo", name)
			} else if m.Bounce.OriginalMessageID != "" {
				bounceWithOriginal++
			}
		}
	}
	for n := range want {
		t.Errorf("%s: listed as automated but not in the corpus", n)
	}
	t.Logf("%d automated messages checked: %d bounce, %d auto_reply, %d list; %d of %d bounces name the original Message-ID",
		checked, counts[KindBounce], counts[KindAutoReply], counts[KindList], bounceWithOriginal, bounces)
}
