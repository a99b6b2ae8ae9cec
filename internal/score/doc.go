// Package score rates leads from 0 to 100 by how likely they are to be
// won: features from what the inquiry says (quantities, budget words,
// urgency, request type), the account (past orders and revenue, open
// orders) and engagement (customer replies, meetings booked), weighed by
// a logistic model. Before the team has enough won/lost history the
// model is a hand-set prior; with history, Train learns weights that
// start from (and are pulled towards) that prior. Every score explains
// its top three factors.
package score
