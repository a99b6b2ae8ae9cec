// Package csvimport loads customers, contacts, orders (and any other
// [Kind]) from CSV files exported by other systems.
//
// Columns are matched by header, not position: case, spaces, dashes and
// dots do not matter, and each column has aliases ("E-Mail Address" is
// email, "Qty" is quantity). Columns nobody knows are reported and
// ignored. The delimiter (comma, semicolon or tab) is detected from the
// header line, and a UTF-8 byte order mark is dropped.
//
// An import is one database transaction: every row is checked, and when
// any row is bad nothing is written and every bad row is reported with its
// row number (the header is row 1, as a spreadsheet shows it) and reason.
// With [Options].SkipBad the good rows are written and the bad ones
// listed. Rows are upserted by their natural key (a customer's external
// id, a contact's email, an order's number), and a row that matches what
// is stored changes nothing, not even updated_at: importing the same file
// twice is harmless.
//
// The file streams: rows are checked as they are read and written in
// batches, so a file of millions of rows needs little memory (see
// [Import]). Quoting is strict: a stray quote makes its row bad (reported
// with its line number), and names and other one-line cells may not hold
// line breaks or control characters.
//
// The writes go through the store's import transaction ([store.ImportTx]).
package csvimport
