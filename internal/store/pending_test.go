package store

import (
	"testing"
	"time"
)

func TestPendingWork(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		waiting, _, _, err := s.SaveInboundMessage(ctx, inbound("sales", 1, 1, "a@example.com"))
		if err != nil {
			t.Fatal(err)
		}
		done, _, _, err := s.SaveInboundMessage(ctx, inbound("sales", 1, 2, "b@example.com"))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetInboundStatus(ctx, done, InboundProcessed, ""); err != nil {
			t.Fatal(err)
		}
		queued, _, err := s.CreateOutbound(ctx, &OutboundEmail{IdempotencyKey: "k1", MessageID: "m1@d.example",
			From: "s@d.example", To: []string{"c@example.com"}, Subject: "s", BodyText: "b"})
		if err != nil {
			t.Fatal(err)
		}
		sent, _, err := s.CreateOutbound(ctx, &OutboundEmail{IdempotencyKey: "k2", MessageID: "m2@d.example",
			From: "s@d.example", To: []string{"c@example.com"}, Subject: "s", BodyText: "b"})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.MarkOutboundSent(ctx, sent, time.Now()); err != nil {
			t.Fatal(err)
		}

		later := time.Now().Add(time.Hour)
		in, err := s.PendingInboundBefore(ctx, later, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(in) != 1 || in[0].ID != waiting || in[0].Mailbox != "sales" || in[0].UIDValidity != 1 || in[0].UID != 1 {
			t.Errorf("pending inbound = %+v, want only message %d", in, waiting)
		}
		out, err := s.QueuedOutboundBefore(ctx, later, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(out) != 1 || out[0] != queued {
			t.Errorf("queued outbound = %v, want only %d", out, queued)
		}
		// Rows written after the cut-off are not counted as lost.
		earlier := time.Now().Add(-time.Hour)
		if in, _ := s.PendingInboundBefore(ctx, earlier, 10); len(in) != 0 {
			t.Errorf("pending inbound before an hour ago = %+v, want none", in)
		}
		if out, _ := s.QueuedOutboundBefore(ctx, earlier, 10); len(out) != 0 {
			t.Errorf("queued outbound before an hour ago = %v, want none", out)
		}
	})
}

// TestPendingTasks: the task outbox keeps one row per task (type and
// payload), lists what is due and not done, counts re-enqueues, and a
// finished row stays finished however often its producer repeats itself.
func TestPendingTasks(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		later := time.Now().Add(time.Hour)
		ack := PendingTask{Type: "inquiry:ack", Payload: []byte(`{"inquiry_id":1}`)}
		answer := PendingTask{Type: "order:status_reply", Payload: []byte(`{"inquiry_id":1}`)}
		scheduled := PendingTask{Type: "lead:sla_check", Payload: []byte(`{"lead_id":1}`), DueAt: later.Add(time.Hour)}
		if err := s.AddPendingTasks(ctx, []PendingTask{ack, answer, scheduled}); err != nil {
			t.Fatal(err)
		}
		if err := s.AddPendingTasks(ctx, []PendingTask{ack}); err != nil { // a re-run of the producer
			t.Fatal(err)
		}
		due, err := s.PendingTasksDueBefore(ctx, later, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(due) != 2 || due[0].Type != ack.Type || string(due[0].Payload) != string(ack.Payload) || due[1].Type != answer.Type {
			t.Fatalf("due = %+v, want the ack and the answer (not the later SLA check)", due)
		}
		if err := s.NotePendingRequeued(ctx, due[0].ID); err != nil {
			t.Fatal(err)
		}
		ok, err := s.FinishPendingTask(ctx, ack.Type, ack.Payload, "")
		if err != nil || !ok {
			t.Fatalf("finish ack = %v, %v; want a pending row finished", ok, err)
		}
		if ok, _ := s.FinishPendingTask(ctx, ack.Type, ack.Payload, "again"); ok {
			t.Error("a finished row was finished again")
		}
		if ok, _ := s.FinishPendingTask(ctx, "mail:send", []byte(`{"outbound_id":1}`), ""); ok {
			t.Error("a task without a row reported finished")
		}
		if err := s.AddPendingTasks(ctx, []PendingTask{ack}); err != nil {
			t.Fatal(err)
		}
		due, err = s.PendingTasksDueBefore(ctx, later, 10)
		if err != nil || len(due) != 1 || due[0].Type != answer.Type {
			t.Fatalf("due after finishing the ack = %+v, %v; want only the answer", due, err)
		}
		all, err := s.PendingTasks(ctx)
		if err != nil || len(all) != 3 {
			t.Fatalf("all rows = %+v, %v", all, err)
		}
		if a := all[0]; a.DoneAt.IsZero() || a.Outcome != "done" || a.Requeued != 1 || a.RequeuedAt.IsZero() {
			t.Errorf("finished ack row = %+v, want done once requeued", a)
		}
	})
}
