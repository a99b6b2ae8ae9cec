package api

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"salesdesk/internal/store"
)

// attachmentJSON is an attachment of an inquiry's mail as the API lists
// it; its content is at GET /api/v1/attachments/{id}.
type attachmentJSON struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	Inline      bool   `json:"inline"`
	// Truncated says the file was larger than the stored limit: it is
	// listed, its content cannot be downloaded (410).
	Truncated bool `json:"truncated"`
}

func attachmentOut(a *store.InboundAttachment) attachmentJSON {
	return attachmentJSON{ID: a.ID, Name: a.Name, ContentType: a.ContentType, Size: a.Size, Inline: a.Inline,
		Truncated: a.Truncated}
}

// attachments lists the attachments of an inbound message; none is [].
func (h *handler) attachments(ctx context.Context, inboundID int64) ([]attachmentJSON, error) {
	out := []attachmentJSON{}
	if inboundID == 0 {
		return out, nil
	}
	rows, err := h.st.InboundAttachments(ctx, inboundID)
	if err != nil {
		return nil, err
	}
	for i := range rows {
		out = append(out, attachmentOut(&rows[i]))
	}
	return out, nil
}

// safeTypes are the content types an attachment is served with as they
// are; every other one is served as application/octet-stream, so that a
// file from a mail is never run as HTML or script in the browser.
var safeTypes = map[string]bool{
	"image/png":       true,
	"image/jpeg":      true,
	"application/pdf": true,
	"text/plain":      true,
}

// servedType is the Content-Type an attachment of content type ct is
// served with: its bare media type when that is safe, else
// application/octet-stream.
func servedType(ct string) string {
	mt, _, err := mime.ParseMediaType(ct)
	if err == nil && safeTypes[mt] {
		return mt
	}
	return "application/octet-stream"
}

func (h *handler) getAttachment(w http.ResponseWriter, r *http.Request, q *query) error {
	id, err := pathID(r, "id", "attachment")
	if err != nil {
		return err
	}
	ctx := r.Context()
	a, err := h.st.InboundAttachment(ctx, id)
	if err != nil {
		return orNotFound(err, "attachment", id)
	}
	content, err := h.st.InboundAttachmentContent(ctx, id)
	switch {
	case a.Truncated || errors.Is(err, store.ErrNoContent):
		return &Error{Status: http.StatusGone, Message: fmt.Sprintf(
			"attachment %d (%d bytes) was larger than the stored limit: it is listed, its content was not kept", id, a.Size)}
	case err != nil:
		return orNotFound(err, "attachment", id)
	}
	hd := w.Header()
	hd.Set("Content-Type", servedType(a.ContentType))
	hd.Set("Content-Disposition", contentDisposition(a.Name))
	hd.Set("Content-Length", strconv.Itoa(len(content)))
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	hd.Set("Cache-Control", "private, no-store")
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return nil
	}
	if _, err := w.Write(content); err != nil {
		h.log.DebugContext(ctx, "api attachment write failed", "attachment_id", id, "err", err)
	}
	return nil
}

// maxFilenameBytes bounds the file name offered for a download.
const maxFilenameBytes = 200

// safeFilename makes a file name from a mail fit to offer for download:
// no directories, no control or format characters, no leading dots, at
// most maxFilenameBytes; "attachment" when nothing is left.
func safeFilename(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			return ' '
		case r == utf8.RuneError, unicode.IsControl(r), unicode.Is(unicode.Cf, r):
			return -1
		case strings.ContainsRune(`"*:<>?|;`, r):
			return '_'
		}
		return r
	}, name)
	name = strings.Join(strings.Fields(name), " ")
	name = strings.TrimLeft(name, ". ")
	if len(name) > maxFilenameBytes {
		name = name[:maxFilenameBytes]
		for !utf8.ValidString(name) {
			name = name[:len(name)-1]
		}
	}
	name = strings.TrimRight(name, ". ")
	if name == "" {
		return "attachment"
	}
	return name
}

// contentDisposition is the Content-Disposition of a download of a file
// named name: attachment, with a plain ASCII filename and, for other
// names, the UTF-8 one in filename* (RFC 6266, RFC 8187).
func contentDisposition(name string) string {
	name = safeFilename(name)
	ascii := strings.Map(func(r rune) rune {
		if r > unicode.MaxASCII || r == '"' || r == '\\' {
			return '_'
		}
		return r
	}, name)
	v := `attachment; filename="` + ascii + `"`
	if ascii != name {
		v += "; filename*=UTF-8''" + encodeExtValue(name)
	}
	return v
}

// encodeExtValue percent-encodes s as an RFC 8187 ext-value, keeping
// only attr-chars.
func encodeExtValue(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
