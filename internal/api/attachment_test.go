package api

import (
	"bytes"
	"context"
	"fmt"
	"mime"
	"strings"
	"testing"
	"unicode/utf8"

	"salesdesk/internal/store"
)

// attach stores an attachment of an inbound message at the next position.
func attach(t *testing.T, st *store.Store, inboundID int64, a store.InboundAttachment) *store.InboundAttachment {
	t.Helper()
	have, err := st.InboundAttachments(context.Background(), inboundID)
	if err != nil {
		t.Fatal(err)
	}
	a.InboundMessageID, a.Position = inboundID, len(have)
	if a.Size == 0 {
		a.Size = int64(len(a.Content))
	}
	if _, _, err := st.SaveInboundAttachment(context.Background(), &a); err != nil {
		t.Fatal(err)
	}
	return &a
}

func TestInquiryListsAttachments(t *testing.T) {
	t.Parallel()
	f := setup(t)
	q := mailInquiry(t, f.st, 1, "ann@acme.example", "Quote", "Specification attached.", 0)
	pdf := attach(t, f.st, q.InboundMessageID, store.InboundAttachment{Name: "spec.pdf", ContentType: "application/pdf",
		Content: []byte("%PDF-1.4 …")})
	logo := attach(t, f.st, q.InboundMessageID, store.InboundAttachment{Name: "logo.png", ContentType: "image/png",
		Inline: true, ContentID: "logo@acme", Content: []byte("\x89PNG")})
	big := attach(t, f.st, q.InboundMessageID, store.InboundAttachment{Name: "cad.zip", ContentType: "application/zip",
		Size: 80 << 20, Truncated: true})
	other := mailInquiry(t, f.st, 2, "bob@other.example", "Hello", "No files.", 0)
	attach(t, f.st, other.InboundMessageID, store.InboundAttachment{Name: "not-mine.txt", ContentType: "text/plain"})

	var got struct {
		Attachments []attachmentJSON `json:"attachments"`
	}
	f.do("GET", fmt.Sprintf("/api/v1/inquiries/%d", q.ID), nil).mustStatus(t, 200).json(t, &got)
	want := []attachmentJSON{
		{ID: pdf.ID, Name: "spec.pdf", ContentType: "application/pdf", Size: pdf.Size},
		{ID: logo.ID, Name: "logo.png", ContentType: "image/png", Size: 4, Inline: true},
		{ID: big.ID, Name: "cad.zip", ContentType: "application/zip", Size: 80 << 20, Truncated: true},
	}
	if fmt.Sprint(got.Attachments) != fmt.Sprint(want) {
		t.Errorf("attachments:\n got %+v\nwant %+v", got.Attachments, want)
	}
	// The JSON names are the documented ones.
	m := f.do("GET", fmt.Sprintf("/api/v1/inquiries/%d", q.ID), nil).mustStatus(t, 200).object(t)
	first := m["attachments"].([]any)[0].(map[string]any)
	for _, k := range []string{"id", "name", "content_type", "size", "inline", "truncated"} {
		if _, ok := first[k]; !ok {
			t.Errorf("attachment JSON lacks %q: %v", k, first)
		}
	}
	if len(first) != 6 {
		t.Errorf("attachment JSON = %v, want exactly the six documented fields", first)
	}

	// An inquiry made without a mail lists none.
	byHand := &store.Inquiry{Subject: "by hand", ContactEmail: "c@d.example"}
	if _, _, err := f.st.CreateInquiry(context.Background(), byHand); err != nil {
		t.Fatal(err)
	}
	m = f.do("GET", fmt.Sprintf("/api/v1/inquiries/%d", byHand.ID), nil).mustStatus(t, 200).object(t)
	if a, ok := m["attachments"].([]any); !ok || len(a) != 0 {
		t.Errorf("attachments of an inquiry without mail = %#v, want []", m["attachments"])
	}
}

func TestGetAttachment(t *testing.T) {
	t.Parallel()
	f := setup(t)
	q := mailInquiry(t, f.st, 1, "ann@acme.example", "Files", "Several files.", 0)
	in := q.InboundMessageID
	tests := []struct {
		name        string
		a           store.InboundAttachment
		wantType    string
		wantFile    string // the filename the download offers
		wantStatus  int
		wantContent bool
	}{
		{name: "pdf", a: store.InboundAttachment{Name: "spec.pdf", ContentType: "application/pdf", Content: []byte("%PDF-1.4\x00\xff")},
			wantType: "application/pdf", wantFile: "spec.pdf", wantStatus: 200, wantContent: true},
		{name: "png with parameters", a: store.InboundAttachment{Name: "logo.png", ContentType: "Image/PNG; name=logo.png", Content: []byte("\x89PNG")},
			wantType: "image/png", wantFile: "logo.png", wantStatus: 200, wantContent: true},
		{name: "jpeg", a: store.InboundAttachment{Name: "photo.jpg", ContentType: "image/jpeg", Content: []byte("\xff\xd8\xff")},
			wantType: "image/jpeg", wantFile: "photo.jpg", wantStatus: 200, wantContent: true},
		{name: "text", a: store.InboundAttachment{Name: "notes.txt", ContentType: "text/plain", Content: []byte("hello")},
			wantType: "text/plain", wantFile: "notes.txt", wantStatus: 200, wantContent: true},
		{name: "html is a download", a: store.InboundAttachment{Name: "page.html", ContentType: "text/html",
			Content: []byte("<script>alert(1)</script>")},
			wantType: "application/octet-stream", wantFile: "page.html", wantStatus: 200, wantContent: true},
		{name: "svg is a download", a: store.InboundAttachment{Name: "x.svg", ContentType: "image/svg+xml", Content: []byte("<svg/>")},
			wantType: "application/octet-stream", wantFile: "x.svg", wantStatus: 200, wantContent: true},
		{name: "no type", a: store.InboundAttachment{Name: "blob", Content: []byte{1, 2}},
			wantType: "application/octet-stream", wantFile: "blob", wantStatus: 200, wantContent: true},
		{name: "empty file", a: store.InboundAttachment{Name: "empty.txt", ContentType: "text/plain", Content: []byte{}},
			wantType: "text/plain", wantFile: "empty.txt", wantStatus: 200, wantContent: true},
		{name: "hostile name", a: store.InboundAttachment{Name: "../../etc/x\"; filename=evil.html\r\nSet-Cookie: a=b", ContentType: "text/plain", Content: []byte("x")},
			wantType: "text/plain", wantFile: "x__ filename=evil.html Set-Cookie_ a=b", wantStatus: 200, wantContent: true},
		{name: "over the cap", a: store.InboundAttachment{Name: "cad.zip", ContentType: "application/zip", Size: 80 << 20, Truncated: true},
			wantStatus: 410},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := attach(t, f.st, in, tt.a)
			res := f.do("GET", fmt.Sprintf("/api/v1/attachments/%d", a.ID), nil).mustStatus(t, tt.wantStatus)
			if got := res.Header.Get("X-Content-Type-Options"); tt.wantStatus == 200 && got != "nosniff" {
				t.Errorf("X-Content-Type-Options %q", got)
			}
			if tt.wantStatus != 200 {
				var e errorBody
				res.json(t, &e)
				if e.Error == "" || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
					t.Errorf("error answer %q (%s)", res.Body, res.Header.Get("Content-Type"))
				}
				return
			}
			if got := res.Header.Get("Content-Type"); got != tt.wantType {
				t.Errorf("Content-Type %q, want %q", got, tt.wantType)
			}
			if tt.wantContent && !bytes.Equal(res.Body, tt.a.Content) {
				t.Errorf("body %q, want %q", res.Body, tt.a.Content)
			}
			cd := res.Header.Get("Content-Disposition")
			disp, params, err := mime.ParseMediaType(cd)
			if err != nil || disp != "attachment" || params["filename"] != tt.wantFile {
				t.Errorf("Content-Disposition %q = %q %v %v, want attachment with filename %q", cd, disp, params, err, tt.wantFile)
			}
			if strings.ContainsAny(cd, "\r\n") {
				t.Errorf("Content-Disposition %q carries a line break", cd)
			}
		})
	}

	for _, path := range []string{"/api/v1/attachments/999999", "/api/v1/attachments/abc", "/api/v1/attachments/0"} {
		res := f.do("GET", path, nil).mustStatus(t, 404)
		if res.Header.Get("Content-Disposition") != "" {
			t.Errorf("%s: a 404 offers a download", path)
		}
	}
	f.do("GET", "/api/v1/attachments/1?download=1", nil).mustStatus(t, 400)
	f.do("DELETE", "/api/v1/attachments/1", nil).mustStatus(t, 405)
}

func TestContentDisposition(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("ü", 300) + ".pdf"
	tests := []struct {
		name      string
		in        string
		wantFile  string
		wantASCII string // the plain filename parameter; "" when it is wantFile
	}{
		{name: "plain", in: "Quote 2026.pdf", wantFile: "Quote 2026.pdf"},
		{name: "path", in: `C:\Users\ann\..\spec.pdf`, wantFile: "spec.pdf"},
		{name: "unix path", in: "../../etc/passwd", wantFile: "passwd"},
		{name: "dot file", in: ".htaccess", wantFile: "htaccess"},
		{name: "only dots", in: "...", wantFile: "attachment"},
		{name: "empty", in: "", wantFile: "attachment"},
		{name: "quotes", in: `a"b\c.txt`, wantFile: "c.txt"},
		{name: "quote", in: `say "hi".txt`, wantFile: "say _hi_.txt"},
		{name: "controls", in: "a\x00b\x07c\r\nd.txt", wantFile: "abc d.txt"},
		{name: "bidi override", in: "invoice\u202Efdp.exe", wantFile: "invoicefdp.exe"},
		{name: "unicode", in: "Angebot Müller.pdf", wantFile: "Angebot Müller.pdf", wantASCII: "Angebot M_ller.pdf"},
		{name: "invalid utf-8", in: "a\xffb.txt", wantFile: "ab.txt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cd := contentDisposition(tt.in)
			disp, params, err := mime.ParseMediaType(cd)
			if err != nil || disp != "attachment" || params["filename"] != tt.wantFile {
				t.Fatalf("contentDisposition(%q) = %q: %q %v %v; want filename %q", tt.in, cd, disp, params, err, tt.wantFile)
			}
			ascii := tt.wantASCII
			if ascii == "" {
				ascii = tt.wantFile
			}
			if !strings.HasPrefix(cd, `attachment; filename="`+ascii+`"`) {
				t.Errorf("contentDisposition(%q) = %q, want the plain filename %q first", tt.in, cd, ascii)
			}
			for i := 0; i < len(cd); i++ {
				if cd[i] < 0x20 || cd[i] > 0x7e {
					t.Fatalf("contentDisposition(%q) = %q has byte %#x", tt.in, cd, cd[i])
				}
			}
		})
	}
	if got := safeFilename(long); len(got) > maxFilenameBytes || !utf8.ValidString(got) || got == "" {
		t.Errorf("safeFilename of a long name = %q (%d bytes)", got, len(got))
	}
}
