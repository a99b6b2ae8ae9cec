package store

import (
	"strings"
	"unicode"
)

// wordsMatch returns the condition on a mail (and its arguments) that
// holds when every word of q appears in the mail's subject or text, read
// from a full-text index: FTS5 on SQLite, a tsvector with a GIN index on
// PostgreSQL. alias names the mail's row (its table has an id and, on
// PostgreSQL, a search_tsv column), fts the FTS5 table over it: "m" and
// "inbound_search" (migration 0016) for inbound_messages, "o" and
// "outbound_search" (0019) for outbound_emails. A word is
// matched whole, as a phrase of its tokens ("P-77777" is "p" followed by
// "77777"), case- and, on SQLite, accent-insensitively. Words holding no
// letter or digit are ignored; match is "" when none is left.
func (s *Store) wordsMatch(q, alias, fts string) (match string, args []any) {
	var words []string
	for _, w := range strings.Fields(q) {
		if strings.IndexFunc(w, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }) >= 0 {
			words = append(words, w)
		}
	}
	if len(words) == 0 {
		return "", nil
	}
	if s.dialect == Postgres {
		conds := make([]string, len(words))
		for i, w := range words {
			conds[i] = alias + ".search_tsv @@ phraseto_tsquery('simple', ?)"
			args = append(args, w)
		}
		return strings.Join(conds, " AND "), args
	}
	// FTS5: each word a quoted phrase (quotes doubled), all of them
	// required.
	phrases := make([]string, len(words))
	for i, w := range words {
		phrases[i] = `"` + strings.ReplaceAll(w, `"`, `""`) + `"`
	}
	return alias + ".id IN (SELECT rowid FROM " + fts + " WHERE " + fts + " MATCH ?)", []any{strings.Join(phrases, " ")}
}
