// Package report compiles the desk's KPI report for a period (inquiries,
// first-response times, leads and win rate, per-rep performance, orders,
// alerts, and the trend against the previous period of the same length)
// and renders it as HTML with inline SVG charts or as CSV.
//
// Compile reads rows in range straight from the store's database and
// aggregates them in Go: dialect-neutral, and quick at a sales team's
// volume. Everything after the read is a pure function of plain values.
package report
