package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// WriteRepsCSV writes the per-rep table, one row per rep, amounts in
// cents. Names that a spreadsheet would read as a formula are quoted
// with a leading apostrophe.
func WriteRepsCSV(w io.Writer, r Report) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"period_from", "period_to", "rep_id", "rep", "email", "assigned", "contacted", "contacted_within_sla",
		"within_sla_pct", "won", "lost", "won_value_cents", "currency", "open_now"})
	from, to := r.Period.From.In(r.Period.loc()).Format(time.RFC3339), r.Period.To.In(r.Period.loc()).Format(time.RFC3339)
	for _, rp := range r.Reps {
		cw.Write([]string{from, to, strconv.FormatInt(rp.RepID, 10), cell(rp.Name), cell(rp.Email),
			strconv.Itoa(rp.Assigned), strconv.Itoa(rp.Contacted), strconv.Itoa(rp.ContactedWithinSLA),
			strconv.FormatFloat(rp.WithinSLA()*100, 'f', 1, 64), strconv.Itoa(rp.Won), strconv.Itoa(rp.Lost),
			strconv.FormatInt(rp.WonValue.Cents, 10), rp.WonValue.Currency, strconv.Itoa(rp.OpenNow)})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("report: write reps csv: %w", err)
	}
	return nil
}

// WriteDailyCSV writes the daily series of the period, one row per day.
func WriteDailyCSV(w io.Writer, r Report) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"date", "inquiries", "leads_created", "leads_won", "orders_created", "alerts_opened"})
	for _, d := range r.Days {
		cw.Write([]string{d.Date.Format(time.DateOnly), strconv.Itoa(d.Inquiries), strconv.Itoa(d.LeadsCreated),
			strconv.Itoa(d.LeadsWon), strconv.Itoa(d.OrdersCreated), strconv.Itoa(d.AlertsOpened)})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("report: write daily csv: %w", err)
	}
	return nil
}

// cell defuses spreadsheet formulas: a value starting with = + - @ or a
// control character gets a leading apostrophe.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
