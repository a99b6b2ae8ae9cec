package csvimport

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"io/fs"
	"math"
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
	changes   []StatusChange
	customers map[string][]int64 // customerRef's answers: no import kind that uses it creates accounts
}

// maxCachedRefs bounds customerRef's cache.
const maxCachedRefs = 100_000

// customerRef finds the account a row names by external id or, when only
// one account has it, by name.
func customerRef(ctx context.Context, tx *Tx, ref string) (int64, error) {
	ids, ok := tx.customers[ref]
	if !ok {
		var err error
		if ids, err = tx.CustomerIDsByRef(ctx, ref); err != nil {
			return 0, err
		}
		if tx.customers == nil || len(tx.customers) >= maxCachedRefs {
			tx.customers = map[string][]int64{}
		}
		tx.customers[ref] = ids
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

// Batcher is implemented by kinds that write many records with a few
// statements. ApplyBatch does what Apply does for each of recs (whose keys
// are distinct) and returns, per record, its change and, for a bad one,
// its *RowError; any other error ends the import.
type Batcher interface {
	ApplyBatch(ctx context.Context, tx *Tx, recs []Record) ([]Change, []error, error)
}

// Errors of Import.
var (
	// ErrHeader: the file has no usable header (empty file, a required
	// column missing, two columns meaning the same).
	ErrHeader = errors.New("csvimport: bad header")
	// ErrBadRows: some rows are bad and, without SkipBad, nothing was
	// written. The report lists them.
	ErrBadRows = errors.New("csvimport: bad rows, nothing imported")
	// ErrFormat: the file is not CSV from some line on (a quoted field
	// that runs over lines and ends badly, or an unreadable file); nothing
	// was written, whatever SkipBad says, because the rows after it cannot
	// be told apart.
	ErrFormat = errors.New("csvimport: malformed CSV")
)

// Options configure one import.
type Options struct {
	// SkipBad writes the good rows and lists the bad ones, instead of
	// writing nothing when any row is bad.
	SkipBad bool
	// Progress, when set, is called as records are written, with the
	// bytes of the file read so far and its size (0 when unknown).
	Progress func(read, size int64)
	// Size is the file's size in bytes, for Progress; by default it is
	// taken from the reader when that is a file or has a Size method.
	Size int64
	// Now is the time written to created_at/updated_at; default time.Now.
	Now func() time.Time
	// MaxRows bounds the data rows of one file; default 100,000,000.
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

const defaultMaxRows = 100_000_000

// Import reads a CSV file of kind k and writes it in one transaction of
// st.
//
// The file streams: rows are checked and written five hundred records at a
// time, so memory does not grow with the file, except for about 20 bytes
// per distinct key to find a key that comes back. The rows of one record
// (the lines of one order) must lie within [Window] records of each other.
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
	if opts.Size <= 0 {
		opts.Size = sizeOf(r)
	}
	rep := Report{Kind: k.Name()}
	rd, err := newReader(k, r, opts, &rep)
	if err != nil {
		return rep, err
	}

	// Bad rows or not, every record is applied, so that the report lists
	// the rows only the database can judge (an unknown account) too; the
	// transaction is rolled back unless the import may commit.
	var w *writer
	err = st.Import(ctx, opts.Now(), func(stx *store.ImportTx) error {
		w = &writer{kind: k, tx: &Tx{ImportTx: stx}}
		// The file is read, checked and merged on a second goroutine
		// while this one writes the records read before: parsing is
		// about a tenth of an import's CPU, and on PostgreSQL it also
		// fills the round trips to the server.
		batches, stop := make(chan readBatch, 2), make(chan struct{})
		go func() {
			defer close(batches)
			read(rd, newWindow(k, &rep), batches, stop)
		}()
		err := w.write(ctx, batches, opts)
		close(stop)
		for range batches { // the reader has stopped when batches closes
		}
		rep.Records += w.records
		rep.Bad = append(rep.Bad, w.bad...)
		if err != nil {
			return err
		}
		slices.SortStableFunc(rep.Bad, func(a, b RowError) int { return a.Row - b.Row })
		if len(rep.Bad) > 0 && !opts.SkipBad {
			return ErrBadRows
		}
		return nil
	})
	if errors.Is(err, ErrBadRows) || errors.Is(err, ErrFormat) {
		return rep, err
	}
	if err != nil {
		return rep, fmt.Errorf("csvimport: %w", err)
	}
	rep.Created, rep.Updated, rep.Unchanged = w.created, w.updated, w.unchanged
	rep.Committed = true
	rep.StatusChanges = w.tx.changes
	return rep, nil
}

// Store is where Import writes; *store.Store implements it.
type Store interface {
	Import(ctx context.Context, at time.Time, fn func(tx *store.ImportTx) error) error
}

type keyedRecord struct {
	row int // the first row of the record
	key string
	rec Record
}

// readBatch is what the reader hands the writer: records due to be
// written and how far into the file it has read, or the error that ended
// the reading.
type readBatch struct {
	recs   []*keyedRecord
	offset int64
	err    error
}

// read sends the records of rd's file to batches as the window lets them
// go, then the rest, until the file ends, the reading fails (an err
// batch) or stop closes. Only read touches rd and win, and the report's
// Rows and the bad rows they add, until batches closes.
func read(rd *reader, win *window, batches chan<- readBatch, stop <-chan struct{}) {
	send := func(b readBatch) bool {
		select {
		case batches <- b:
			return true
		case <-stop:
			return false
		}
	}
	for {
		row, rec, err := rd.next()
		if errors.Is(err, io.EOF) {
			send(readBatch{recs: win.drain(), offset: rd.cr.InputOffset()})
			return
		}
		if err != nil {
			send(readBatch{err: err})
			return
		}
		if due := win.add(row, rec); len(due) > 0 && !send(readBatch{recs: due, offset: rd.cr.InputOffset()}) {
			return
		}
	}
}

// writer applies records and counts what they changed and the rows only
// the database could judge bad.
type writer struct {
	kind                                 Kind
	tx                                   *Tx
	records, created, updated, unchanged int
	bad                                  []RowError
}

// write applies the batches until they end, reporting progress after
// each.
func (w *writer) write(ctx context.Context, batches <-chan readBatch, opts Options) error {
	for b := range batches {
		if b.err != nil {
			return b.err
		}
		if err := w.apply(ctx, b.recs); err != nil {
			return err
		}
		if opts.Progress != nil {
			opts.Progress(b.offset, opts.Size)
		}
	}
	return nil
}

func (w *writer) apply(ctx context.Context, recs []*keyedRecord) error {
	if len(recs) == 0 {
		return nil
	}
	w.records += len(recs)
	changes := make([]Change, len(recs))
	errs := make([]error, len(recs))
	if b, ok := w.kind.(Batcher); ok {
		batch := make([]Record, len(recs))
		for i, r := range recs {
			batch[i] = r.rec
		}
		var err error
		if changes, errs, err = b.ApplyBatch(ctx, w.tx, batch); err != nil {
			return fmt.Errorf("%s rows %d-%d: %w", w.kind.Name(), recs[0].row, recs[len(recs)-1].row, err)
		}
	} else {
		for i, r := range recs {
			changes[i], errs[i] = w.kind.Apply(ctx, w.tx, r.rec)
		}
	}
	for i, r := range recs {
		var re *RowError
		switch err := errs[i]; {
		case errors.As(err, &re):
			w.bad = append(w.bad, RowError{Row: r.row, Reason: re.Reason})
		case err != nil:
			return fmt.Errorf("%s row %d: %w", w.kind.Name(), r.row, err)
		case changes[i] == Created:
			w.created++
		case changes[i] == Updated:
			w.updated++
		default:
			w.unchanged++
		}
	}
	return nil
}

// Window is how many records an import holds before writing the oldest:
// the rows of one record may be this many records apart. It bounds the
// memory an import uses.
const Window = 2000

// flushSize is how many records a full window writes at once.
const flushSize = 500

// window holds the records not yet written, in the order of their first
// rows, so that later rows of the same key merge into them; and it
// remembers every key seen, to refuse one that comes back after its
// record was written.
type window struct {
	merger  Merger
	rep     *Report
	pending []*keyedRecord
	byKey   map[string]*keyedRecord
	// seen maps a hash of every key so far to its first row. A 64-bit
	// hash keeps a million keys in about 20 MB; two keys sharing one (odds
	// about 1 in 30 million for a million keys, new each run) make a good
	// row bad, reported, never a wrong write.
	seen map[uint64]int32
	seed maphash.Seed
}

func newWindow(k Kind, rep *Report) *window {
	m, _ := k.(Merger)
	return &window{merger: m, rep: rep, byKey: map[string]*keyedRecord{}, seen: map[uint64]int32{}, seed: maphash.MakeSeed()}
}

func (w *window) bad(row int, reason string) {
	w.rep.Bad = append(w.rep.Bad, RowError{Row: row, Reason: reason})
}

// add takes one good row's record and returns the records due to be
// written, if any.
func (w *window) add(row int, rec Record) []*keyedRecord {
	key := rec.Key()
	if p := w.byKey[key]; p != nil {
		if w.merger == nil {
			w.bad(row, fmt.Sprintf("%s is also on row %d", key, p.row))
			return nil
		}
		merged, err := w.merger.Merge(p.rec, rec)
		if err != nil {
			w.bad(row, err.Error())
			return nil
		}
		p.rec = merged
		return nil
	}
	h := maphash.String(w.seed, key)
	if first, dup := w.seen[h]; dup {
		reason := fmt.Sprintf("%s is also on row %d", key, first)
		if w.merger != nil {
			reason += fmt.Sprintf(", more than %d records above: keep the rows of one record together", Window)
		}
		w.bad(row, reason)
		return nil
	}
	w.seen[h] = int32(min(row, math.MaxInt32))
	kr := &keyedRecord{row: row, key: key, rec: rec}
	w.pending = append(w.pending, kr)
	w.byKey[key] = kr
	if len(w.pending) < Window {
		return nil
	}
	due := slices.Clone(w.pending[:flushSize])
	w.pending = append(w.pending[:0], w.pending[flushSize:]...)
	for _, r := range due {
		delete(w.byKey, r.key)
	}
	return due
}

// drain returns every record not yet written.
func (w *window) drain() []*keyedRecord {
	due := w.pending
	w.pending, w.byKey = nil, map[string]*keyedRecord{}
	return due
}

// reader turns CSV rows into records; bad rows go to the report.
type reader struct {
	kind   Kind
	cr     *csv.Reader
	header []string
	cols   []string
	opts   Options
	rep    *Report
}

func newReader(k Kind, r io.Reader, opts Options, rep *Report) (*reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	cr := csv.NewReader(br)
	cr.Comma = sniffDelimiter(br)
	cr.FieldsPerRecord = -1
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
	return &reader{kind: k, cr: cr, header: header, cols: cols, opts: opts, rep: rep}, nil
}

func (rd *reader) bad(row int, reason string) {
	rd.rep.Bad = append(rd.rep.Bad, RowError{Row: row, Reason: reason})
}

// next returns the next good row's number and record, or io.EOF at the
// end of the file.
func (rd *reader) next() (int, Record, error) {
	for {
		fields, err := rd.cr.Read()
		if errors.Is(err, io.EOF) {
			return 0, nil, io.EOF
		}
		var pe *csv.ParseError
		if err != nil {
			if !errors.As(err, &pe) {
				return 0, nil, fmt.Errorf("%w: %w", ErrFormat, err)
			}
			if pe.Line != pe.StartLine || !errors.Is(pe.Err, csv.ErrBareQuote) && !errors.Is(pe.Err, csv.ErrQuote) {
				return 0, nil, fmt.Errorf("%w: line %d: the quoted field that starts on line %d does not end properly (a stray \" quote?)",
					ErrFormat, pe.Line, pe.StartLine)
			}
			if rd.rep.Rows++; rd.rep.Rows > rd.opts.MaxRows {
				return 0, nil, fmt.Errorf("csvimport: more than %d rows", rd.opts.MaxRows)
			}
			rd.bad(pe.StartLine, quoteReason(pe))
			continue
		}
		// The line the row starts on: what an editor or a spreadsheet
		// shows, blank lines included.
		num, _ := rd.cr.FieldPos(0)
		if blank(fields) {
			continue
		}
		if rd.rep.Rows++; rd.rep.Rows > rd.opts.MaxRows {
			return 0, nil, fmt.Errorf("csvimport: more than %d rows", rd.opts.MaxRows)
		}
		if len(fields) > len(rd.header) && !blank(fields[len(rd.header):]) {
			rd.bad(num, fmt.Sprintf("%d fields, the header has %d", len(fields), len(rd.header)))
			continue
		}
		row := Row{Num: num, fields: make(map[string]string, len(rd.cols))}
		var invalid string
		for i, c := range rd.cols {
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
			rd.bad(num, invalid+": not valid UTF-8 text")
			continue
		}
		rec, err := rd.kind.Parse(row)
		if err != nil {
			rd.bad(num, err.Error())
			continue
		}
		return num, rec, nil
	}
}

// quoteReason explains a stray quote in one line.
func quoteReason(pe *csv.ParseError) string {
	if errors.Is(pe.Err, csv.ErrBareQuote) {
		return fmt.Sprintf("a stray \" in an unquoted field at character %d: put the field in quotes and double the quote (\"\")", pe.Column)
	}
	return fmt.Sprintf("a stray \" after a quoted field at character %d: a quote inside quotes is written twice (\"\")", pe.Column)
}

// sizeOf returns the size of a file or of a reader with a Size method
// (strings.Reader, bytes.Reader), or 0.
func sizeOf(r io.Reader) int64 {
	switch r := r.(type) {
	case interface{ Stat() (fs.FileInfo, error) }:
		if fi, err := r.Stat(); err == nil && fi.Mode().IsRegular() {
			return fi.Size()
		}
	case interface{ Size() int64 }:
		return r.Size()
	}
	return 0
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
