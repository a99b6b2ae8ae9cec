package queue

import (
	"testing"
	"time"

	"salesdesk/tasks"
)

// TestPendingRows: the outbox rows of outboxed tasks are built; a task
// whose own row is its record (mail:send) is refused, since no worker
// would mark its outbox row done.
func TestPendingRows(t *testing.T) {
	ack, err := tasks.NewInquiryAckTask(tasks.InquiryAckPayload{InquiryID: 7})
	if err != nil {
		t.Fatal(err)
	}
	send, err := tasks.NewMailSendTask(tasks.MailSendPayload{OutboundID: 7})
	if err != nil {
		t.Fatal(err)
	}
	due := time.Date(2026, 12, 3, 14, 0, 0, 0, time.UTC)
	rows, err := PendingRows(due, ack)
	if err != nil || len(rows) != 1 || rows[0].Type != ack.Type() || string(rows[0].Payload) != string(ack.Payload()) ||
		!rows[0].DueAt.Equal(due) {
		t.Fatalf("PendingRows(ack) = %+v, %v; want the ack's row", rows, err)
	}
	if rows, err := PendingRows(due, ack, send); err == nil {
		t.Errorf("PendingRows(ack, mail:send) = %+v, want an error", rows)
	}
}
