//go:build !race

package lead

const raceEnabled = false
