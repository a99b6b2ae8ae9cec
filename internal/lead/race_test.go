//go:build race

package lead

// raceEnabled scales the load test down: the race detector slows the
// pure-Go SQLite driver about twentyfold.
const raceEnabled = true
