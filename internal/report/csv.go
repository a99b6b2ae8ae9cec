package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// WriteRepsCSV writes the per-rep table: one row per rep and currency,
// amounts in cents, never added across currencies. A rep's first row
// carries the counts that have no currency (assigned, contacted, lost,
// open now, the contacted target); a further currency's row leaves them
// empty, so a column's sum counts each lead once. A rep without a won
// lead or a value target has one row in the team currency. Names that a
// spreadsheet would read as a formula are quoted with a leading
// apostrophe.
func WriteRepsCSV(w io.Writer, r Report) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"period_from", "period_to", "rep_id", "rep", "email", "currency", "assigned", "contacted",
		"contacted_within_sla", "within_sla_pct", "won", "lost", "won_value_cents", "avg_deal_cents", "open_now",
		"target_won_cents", "target_won_due_cents", "target_won_status",
		"target_contacted", "target_contacted_due", "target_contacted_status"})
	from, to := r.Period.From.In(r.Period.loc()).Format(time.RFC3339), r.Period.To.In(r.Period.loc()).Format(time.RFC3339)
	for _, rp := range r.Reps {
		for i, d := range repCurrencies(rp, r.Currency) {
			row := []string{from, to, strconv.FormatInt(rp.RepID, 10), cell(rp.Name), cell(rp.Email), d.Currency}
			if i == 0 {
				row = append(row, strconv.Itoa(rp.Assigned), strconv.Itoa(rp.Contacted), strconv.Itoa(rp.ContactedWithinSLA),
					strconv.FormatFloat(rp.WithinSLA()*100, 'f', 1, 64))
			} else {
				row = append(row, "", "", "", "")
			}
			row = append(row, strconv.Itoa(d.Won))
			if i == 0 {
				row = append(row, strconv.Itoa(rp.Lost))
			} else {
				row = append(row, "")
			}
			row = append(row, strconv.FormatInt(d.Cents, 10), strconv.FormatInt(d.Average(), 10))
			if i == 0 {
				row = append(row, strconv.Itoa(rp.OpenNow))
			} else {
				row = append(row, "")
			}
			row = append(row, progressCells(rp.WonTarget, rp.WonTarget != nil && rp.WonTarget.Currency == d.Currency)...)
			row = append(row, progressCells(rp.ContactedTarget, i == 0)...)
			cw.Write(row)
		}
	}
	return flush(cw, "reps")
}

// repCurrencies are the currencies of a rep's CSV rows: those won in and
// that of a value target; the team's when there is none.
func repCurrencies(rp RepRow, team string) []Deals {
	ds := slices.Clone(rp.Deals)
	if t := rp.WonTarget; t != nil && !slices.ContainsFunc(ds, func(d Deals) bool { return d.Currency == t.Currency }) {
		ds = append(ds, Deals{Currency: t.Currency})
		slices.SortFunc(ds, func(a, b Deals) int { return strings.Compare(a.Currency, b.Currency) })
	}
	if len(ds) == 0 {
		ds = []Deals{{Currency: team}}
	}
	return ds
}

// progressCells are a target's goal, due and status, or empty cells.
func progressCells(p *Progress, show bool) []string {
	if p == nil || !show {
		return []string{"", "", ""}
	}
	return []string{strconv.FormatInt(p.Goal, 10), strconv.FormatInt(p.Due, 10), strings.ReplaceAll(p.Status(), " ", "_")}
}

// WritePipelineCSV writes the open leads at the report's time by stage
// and currency: one row per stage and currency, a stage whose leads
// carry no value in one row with an empty currency.
func WritePipelineCSV(w io.Writer, r Report) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"stage", "leads", "currency", "value_cents"})
	for _, st := range r.Stages {
		if len(st.Value) == 0 {
			cw.Write([]string{st.Name, strconv.Itoa(st.Leads), "", "0"})
		}
		for _, m := range st.Value {
			cw.Write([]string{st.Name, strconv.Itoa(st.Leads), m.Currency, strconv.FormatInt(m.Cents, 10)})
		}
	}
	return flush(cw, "pipeline")
}

// WriteCalibrationCSV writes the win rate by score band of the leads
// closed in the period; win_rate_pct is empty for a band without a
// closed lead.
func WriteCalibrationCSV(w io.Writer, r Report) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"score_from", "score_to", "closed", "won", "lost", "win_rate_pct"})
	for _, b := range r.Current.Calibration {
		rate := ""
		if b.Closed() > 0 {
			rate = strconv.FormatFloat(b.WinRate()*100, 'f', 1, 64)
		}
		cw.Write([]string{strconv.Itoa(b.From), strconv.Itoa(min(b.To, 100)), strconv.Itoa(b.Closed()), strconv.Itoa(b.Won),
			strconv.Itoa(b.Lost), rate})
	}
	return flush(cw, "calibration")
}

// WriteDailyCSV writes the daily series of the period, one row per day.
func WriteDailyCSV(w io.Writer, r Report) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"date", "inquiries", "leads_created", "leads_won", "orders_created", "alerts_opened"})
	for _, d := range r.Days {
		cw.Write([]string{d.Date.Format(time.DateOnly), strconv.Itoa(d.Inquiries), strconv.Itoa(d.LeadsCreated),
			strconv.Itoa(d.LeadsWon), strconv.Itoa(d.OrdersCreated), strconv.Itoa(d.AlertsOpened)})
	}
	return flush(cw, "daily")
}

// cell defuses spreadsheet formulas: a value starting with = + - @ or a
// control character gets a leading apostrophe.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// flush writes out what cw holds; its error names the table.
func flush(cw *csv.Writer, table string) error {
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("report: write %s csv: %w", table, err)
	}
	return nil
}
