// Package assign decides which sales rep gets a lead. It is pure domain
// logic over plain values: no SQL, no queue.
//
// A decision has three layers:
//
//  1. Availability: a rep is skipped when inactive, out of office, outside
//     their working hours in their own timezone (when the config respects
//     working hours), at capacity (open leads >= capacity), or excluded for
//     this lead (they declined it or let its SLA lapse).
//  2. Rules in front of any strategy: account-owner stickiness (a lead from
//     an existing customer goes to the account's owner when available), the
//     team whose territories or skills match the lead, and within it the
//     reps covering the lead's territory and having its skills.
//  3. A strategy over the remaining candidates: round_robin (the candidate
//     picked least recently), weighted (smooth weighted round robin, as in
//     nginx) or least_loaded (lowest open leads relative to capacity, then
//     least recently picked).
//
// Strategies keep their state in a [Rotation]. [MemoryRotation] is the
// reference implementation for one process; the lead package provides one
// in Redis so that every worker process shares a single rotation. Ties are
// broken by the order of the candidates, which [Assigner] shuffles with a
// seeded random source on every decision, never by id or seniority.
//
// When nobody is eligible the decision is empty and the lead waits in the
// unassigned pool until someone becomes eligible.
package assign
