// Package lead runs the life of a lead: intake with dedupe, assignment
// through the assign package with a shared rotation and a capacity-checked
// compare-and-set in the database, the unassigned pool, SLA checks, the
// one-click link actions and the daily lead list.
//
// # Rounds
//
// A lead's assignment round (the "attempt" of lead:assign and
// lead:sla_check) is the number of assigned, reassigned and pooled events
// in its history. Each assignment or return to the pool starts a new
// round, so every notification, SLA check and reminder is keyed by (lead,
// round) and happens once, and a check for an old round is stale.
//
// # The pool
//
// A lead nobody can take waits with status unassigned and no rep. It is
// retried when capacity frees (Service.SetStatus closing a lead), by every
// leads:sla_scan and by the daily digest, oldest first. A pool assignment
// enqueues lead:assign for the new round, whose handler mails the rep.
package lead
