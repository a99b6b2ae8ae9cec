package routing_test

import (
	"fmt"
	"time"

	"salesdesk/internal/routing"
)

func ExampleRouter_Route() {
	clf := routing.DefaultClassifier(nil)
	r, err := routing.NewRouter(routing.RouterOptions{
		Rules: []routing.Rule{
			{Name: "opt-out", Body: []string{"unsubscribe", `re:(?i)\bstop (e-?mailing|sending)\b`}, Category: routing.Unsubscribe},
		},
		Classifier:    clf,
		MinConfidence: 0.4,
	})
	if err != nil {
		panic(err)
	}
	d := r.Route(routing.Input{
		From:    "Anna Kowalski <anna@balticdrives.example>",
		Subject: "Order SO-48213",
		Text:    "Hi, please cancel order SO-48213 ASAP, we ordered twice by mistake.\n\nKind regards\nAnna Kowalski\nProcurement, Baltic Drives Sp. z o.o.",
		Date:    time.Date(2025, 3, 12, 10, 0, 0, 0, time.UTC),
	})
	fmt.Println(d.Category, d.Rule == "", d.Priority, d.Entities.OrderNumbers, d.Entities.Rush, d.Entities.Signature.Company)

	d = r.Route(routing.Input{From: "x@y.example", NewText: "Please stop emailing me."})
	fmt.Println(d.Category, d.Rule, d.Confidence)
	// Output:
	// order_change true high [SO-48213] true Baltic Drives Sp. z o.o.
	// unsubscribe opt-out 1
}
