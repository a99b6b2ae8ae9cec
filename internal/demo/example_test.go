package demo_test

import (
	"fmt"
	"time"

	"salesdesk/internal/demo"
)

// A simulator writes the same stream for the same seed and clock; here,
// one rush order from a customer.
func ExampleSimulator_Make() {
	now := func() time.Time { return time.Date(2025, 3, 4, 10, 30, 0, 0, time.UTC) }
	world := demo.NewWorld(1, now())
	sim := demo.NewSimulator(world, demo.SimulatorOptions{Seed: 1, Now: now})
	m := sim.Make(demo.KindRushOrder)
	fmt.Println(m.Kind, "from", m.From)
	fmt.Println(m.Subject)
	fmt.Println(world.RecipientKind(m.From), world.RecipientKind(world.Reps[0].Email))
	// Output:
	// rush_order from linda@globex.example
	// Expedite SO-10068 please - urgent
	// customer rep
}
