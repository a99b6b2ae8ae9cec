package csvimport

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"salesdesk/internal/store"
)

// Column is one column a kind understands.
type Column struct {
	Name     string   // canonical name, snake_case
	Aliases  []string // other header spellings, matched like Name
	Required bool     // the header must have it
}

// Row is one data row, by canonical column name.
type Row struct {
	Num    int // row number in the file; the header is row 1
	fields map[string]string
}

// Get returns the trimmed value of a column; "" when the column is absent
// or empty.
func (r Row) Get(name string) string { return r.fields[name] }

// Has reports whether the file has the column at all, so that an absent
// column leaves a stored value alone while an empty cell can clear it.
func (r Row) Has(name string) bool {
	_, ok := r.fields[name]
	return ok
}

// Record is a checked row, ready to write. Its key identifies the stored
// row it creates or updates.
type Record interface {
	Key() string
}

// Change says what applying a record did.
type Change int

// The changes a record can make.
const (
	Unchanged Change = iota
	Created
	Updated
)

// Kind is one kind of import file.
type Kind interface {
	// Name is the kind's name on the command line, e.g. "customers".
	Name() string
	// Columns lists the columns the kind understands.
	Columns() []Column
	// Parse checks one row. An error is the row's reason for being bad.
	Parse(r Row) (Record, error)
	// Apply writes one record in tx and reports what changed. A
	// *RowError means the row is bad and nothing of it was written
	// (Apply checks before it writes); any other error ends the import.
	Apply(ctx context.Context, tx *Tx, rec Record) (Change, error)
}

// Tx is where a kind writes its records: the store's import transaction,
// plus the order status changes the import made.
type Tx struct {
	*store.ImportTx
	changes []StatusChange
}

// customerRef finds the account a row names by external id or, when only
// one account has it, by name.
func customerRef(ctx context.Context, tx *Tx, ref string) (int64, error) {
	ids, err := tx.CustomerIDsByRef(ctx, ref)
	if err != nil {
		return 0, err
	}
	switch len(ids) {
	case 0:
		return 0, rowErr("customer %q: no account with that external id or name", ref)
	case 1:
		return ids[0], nil
	}
	return 0, rowErr("customer %q: several accounts have that name; use the external id", ref)
}

// Merger is implemented by kinds whose records may span several rows with
// the same key, such as an order with one item per row. Without it a
// second row with the same key is bad.
type Merger interface {
	// Merge adds next to prev (both with the same key) and returns the
	// result. An error is next's reason for being bad.
	Merge(prev, next Record) (Record, error)
}

// RowError is one bad row.
type RowError struct {
	Row    int // row number in the file; the header is row 1
	Reason string
}

func (e *RowError) Error() string { return fmt.Sprintf("row %d: %s", e.Row, e.Reason) }

// rowErr makes the error Apply returns for a bad row.
func rowErr(format string, args ...any) *RowError {
	return &RowError{Reason: fmt.Sprintf(format, args...)}
}

// Errors of Import.
var (
	// ErrHeader: the file has no usable header (empty file, a required
	// column missing, two columns meaning the same).
	ErrHeader = errors.New("csvimport: bad header")
	// ErrBadRows: some rows are bad and, without SkipBad, nothing was
	// written. The report lists them.
	ErrBadRows = errors.New("csvimport: bad rows, nothing imported")
)

// Options configure one import.
type Options struct {
	// SkipBad writes the good rows and lists the bad ones, instead of
	// writing nothing when any row is bad.
	SkipBad bool
	// Progress, when set, is called as records are written, with how many
	// are done out of how many there are.
	Progress func(done, total int)
	// Now is the time written to created_at/updated_at; default time.Now.
	Now func() time.Time
	// MaxRows bounds the data rows of one file; default 1,000,000.
	MaxRows int
}

// StatusChange is an order whose status an import changed; the caller
// tells the customer after the import committed.
type StatusChange struct {
	OrderID int64
	Number  string
	From    string
	To      string
}

// Report says what an import did.
type Report struct {
	Kind           string
	Rows           int // data rows read
	Records        int // distinct keys among the good rows
	Created        int // records created
	Updated        int // records updated
	Unchanged      int // records that matched what is stored
	Bad            []RowError
	UnknownColumns []string // header cells no column matched, as written
	Committed      bool     // whether anything was written
	StatusChanges  []StatusChange
}

const defaultMaxRows = 1_000_000

// Import reads a CSV file of kind k and writes it in one transaction of
// st.
//
// A header problem is ErrHeader. Bad rows without opts.SkipBad are
// ErrBadRows with nothing written; the report lists them either way.
func Import(ctx context.Context, st Store, k Kind, r io.Reader, opts Options) (Report, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.MaxRows <= 0 {
		opts.MaxRows = defaultMaxRows
	}
	rep := Report{Kind: k.Name()}
	recs, err := read(k, r, opts, &rep)
	if err != nil {
		return rep, err
	}
	rep.Records = len(recs)

	// Bad rows or not, every record is applied, so that the report lists
	// the rows only the database can judge (an unknown account) too; the
	// transaction is rolled back unless the import may commit.
	var (
		created, updated, unchanged int
		changes                     []StatusChange
	)
	err = st.Import(ctx, opts.Now(), func(stx *store.ImportTx) error {
		tx := &Tx{ImportTx: stx}
		var bad []RowError
		for i, rec := range recs {
			ch, err := k.Apply(ctx, tx, rec.rec)
			var re *RowError
			switch {
			case errors.As(err, &re):
				bad = append(bad, RowError{Row: rec.row, Reason: re.Reason})
			case err != nil:
				return fmt.Errorf("%s row %d: %w", k.Name(), rec.row, err)
			case ch == Created:
				created++
			case ch == Updated:
				updated++
			default:
				unchanged++
			}
			if opts.Progress != nil {
				opts.Progress(i+1, len(recs))
			}
		}
		rep.Bad = append(rep.Bad, bad...)
		slices.SortStableFunc(rep.Bad, func(a, b RowError) int { return a.Row - b.Row })
		if len(rep.Bad) > 0 && !opts.SkipBad {
			return ErrBadRows
		}
		changes = tx.changes
		return nil
	})
	if errors.Is(err, ErrBadRows) {
		return rep, ErrBadRows
	}
	if err != nil {
		return rep, fmt.Errorf("csvimport: %w", err)
	}
	rep.Created, rep.Updated, rep.Unchanged = created, updated, unchanged
	rep.Committed = true
	rep.StatusChanges = changes
	return rep, nil
}

// Store is where Import writes; *store.Store implements it.
type Store interface {
	Import(ctx context.Context, at time.Time, fn func(tx *store.ImportTx) error) error
}

type keyedRecord struct {
	row int // the first row of the record
	rec Record
}

// read parses the file into records, one per key in file order, and
// notes bad rows and unknown columns in rep.
func read(k Kind, r io.Reader, opts Options, rep *Report) ([]keyedRecord, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	cr := csv.NewReader(br)
	cr.Comma = sniffDelimiter(br)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = true

	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: the file is empty", ErrHeader)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrHeader, err)
	}
	header = slices.Clone(header) // ReuseRecord: the next Read overwrites it
	cols, err := mapHeader(k, header, rep)
	if err != nil {
		return nil, err
	}

	var recs []keyedRecord
	byKey := map[string]int{} // key -> index in recs
	merger, _ := k.(Merger)
	for {
		fields, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var pe *csv.ParseError
		if err != nil && !(errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrFieldCount)) {
			return nil, fmt.Errorf("csvimport: %w", err)
		}
		// The line the row starts on: what an editor or a spreadsheet
		// shows, blank lines included.
		num, _ := cr.FieldPos(0)
		if blank(fields) {
			continue
		}
		rep.Rows++
		if rep.Rows > opts.MaxRows {
			return nil, fmt.Errorf("csvimport: more than %d rows", opts.MaxRows)
		}
		bad := func(reason string) { rep.Bad = append(rep.Bad, RowError{Row: num, Reason: reason}) }
		if len(fields) > len(header) && !blank(fields[len(header):]) {
			bad(fmt.Sprintf("%d fields, the header has %d", len(fields), len(header)))
			continue
		}
		row := Row{Num: num, fields: make(map[string]string, len(cols))}
		var invalid string
		for i, c := range cols {
			if c == "" {
				continue
			}
			v := ""
			if i < len(fields) {
				v = strings.TrimSpace(fields[i])
			}
			if !utf8.ValidString(v) || strings.IndexByte(v, 0) >= 0 {
				invalid = c
			}
			row.fields[c] = v
		}
		if invalid != "" {
			bad(invalid + ": not valid UTF-8 text")
			continue
		}
		rec, err := k.Parse(row)
		if err != nil {
			bad(err.Error())
			continue
		}
		key := rec.Key()
		if i, dup := byKey[key]; dup {
			if merger == nil {
				bad(fmt.Sprintf("%s is also on row %d", key, recs[i].row))
				continue
			}
			merged, err := merger.Merge(recs[i].rec, rec)
			if err != nil {
				bad(err.Error())
				continue
			}
			recs[i].rec = merged
			continue
		}
		byKey[key] = len(recs)
		recs = append(recs, keyedRecord{row: num, rec: rec})
	}
	return recs, nil
}

func blank(fields []string) bool {
	for _, f := range fields {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// mapHeader maps each header cell to a canonical column name ("" for an
// unknown one).
func mapHeader(k Kind, header []string, rep *Report) ([]string, error) {
	names := map[string]string{}
	for _, c := range k.Columns() {
		names[normHeader(c.Name)] = c.Name
		for _, a := range c.Aliases {
			names[normHeader(a)] = c.Name
		}
	}
	cols := make([]string, len(header))
	seen := map[string]string{}
	for i, h := range header {
		if i == 0 {
			h = strings.TrimPrefix(h, "\uFEFF")
		}
		h = strings.ToValidUTF8(strings.TrimSpace(h), "\uFFFD")
		c, ok := names[normHeader(h)]
		if !ok {
			if h == "" {
				h = fmt.Sprintf("(column %d)", i+1)
			}
			rep.UnknownColumns = append(rep.UnknownColumns, h)
			continue
		}
		if prev, dup := seen[c]; dup {
			return nil, fmt.Errorf("%w: columns %q and %q both mean %s", ErrHeader, prev, h, c)
		}
		seen[c] = h
		cols[i] = c
	}
	for _, c := range k.Columns() {
		if _, ok := seen[c.Name]; c.Required && !ok {
			return nil, fmt.Errorf("%w: required column %s is missing", ErrHeader, c.Name)
		}
	}
	return cols, nil
}

// normHeader folds a header cell for matching: lower case letters and
// digits only, so "E-Mail Address", "email_address" and "EmailAddress"
// are one column.
func normHeader(h string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(h) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127 {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// sniffDelimiter picks the delimiter of the header line: the most
// frequent of comma, semicolon and tab outside quotes; comma on a tie.
func sniffDelimiter(br *bufio.Reader) rune {
	peek, _ := br.Peek(br.Size())
	if i := bytes.IndexByte(peek, '\n'); i >= 0 {
		peek = peek[:i]
	}
	counts := map[byte]int{}
	quoted := false
	for _, c := range peek {
		switch {
		case c == '"':
			quoted = !quoted
		case !quoted && (c == ',' || c == ';' || c == '\t'):
			counts[c]++
		}
	}
	best := byte(',')
	for _, c := range []byte{';', '\t'} {
		if counts[c] > counts[best] {
			best = c
		}
	}
	return rune(best)
}
