package report

import (
	"encoding/csv"
	"io"
	"strconv"
	"time"

	"salesdesk/internal/lang"
)

// unknownLanguage names the inquiries whose language was not detected.
const unknownLanguage = "unknown"

// LanguageRow is one language's inquiries in the period and the one
// before.
type LanguageRow struct {
	Code     string // ISO 639-1, or "unknown"
	Name     string // "German"
	Count    int
	Previous int
}

// Languages are the inquiries per language, this period's most first,
// then languages seen only in the previous period.
func (r Report) Languages() []LanguageRow {
	var out []LanguageRow
	index := map[string]int{}
	add := func(cs []Count, prior bool) {
		for _, c := range cs {
			i, ok := index[c.Name]
			if !ok {
				name := lang.Name(c.Name)
				if c.Name == unknownLanguage {
					name = "Unknown"
				}
				i = len(out)
				index[c.Name] = i
				out = append(out, LanguageRow{Code: c.Name, Name: name})
			}
			if prior {
				out[i].Previous = c.Count
			} else {
				out[i].Count = c.Count
			}
		}
	}
	add(r.Current.ByLanguage, false)
	add(r.Prior.ByLanguage, true)
	return out
}

// WriteLanguagesCSV writes the inquiries per language, one row per
// language.
func WriteLanguagesCSV(w io.Writer, r Report) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"period_from", "period_to", "language", "name", "inquiries", "previous_inquiries"})
	from, to := r.Period.From.In(r.Period.loc()).Format(time.RFC3339), r.Period.To.In(r.Period.loc()).Format(time.RFC3339)
	for _, l := range r.Languages() {
		cw.Write([]string{from, to, cell(l.Code), cell(l.Name), strconv.Itoa(l.Count), strconv.Itoa(l.Previous)})
	}
	return flush(cw, "languages")
}
