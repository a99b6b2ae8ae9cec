package tasks_test

import (
	"fmt"
	"time"

	"salesdesk/tasks"
)

func ExampleNewLeadAssignTask() {
	task, err := tasks.NewLeadAssignTask(tasks.LeadAssignPayload{LeadID: 42, Attempt: 1, Reason: "new"})
	if err != nil {
		panic(err)
	}
	fmt.Println(task.Type(), string(task.Payload()))
	// Output: lead:assign {"lead_id":42,"attempt":1,"reason":"new"}
}

func ExampleNewPeriodicTask() {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		panic(err)
	}
	task, err := tasks.NewPeriodicTask(tasks.TypeReportDaily, time.Date(2026, 11, 26, 7, 0, 0, 0, ny))
	if err != nil {
		panic(err)
	}
	fmt.Println(string(task.Payload()))
	// Output: {"day":"2026-11-26","timezone":"America/New_York","scheduled_at":"2026-11-26T07:00:00-05:00"}
}
