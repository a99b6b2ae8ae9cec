package store_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"salesdesk/internal/store"
)

func ExampleOpen() {
	dir, err := os.MkdirTemp("", "salesdesk-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	ctx := context.Background()
	s, err := store.Open(ctx, "sqlite:"+filepath.Join(dir, "salesdesk.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	m := &store.InboundMessage{Mailbox: "sales", UIDValidity: 1, UID: 7, MessageID: "a@example.com",
		ContentHash: "c0ffee", Raw: []byte("Subject: hi\r\n\r\nhello\r\n")}
	_, created, _, err := s.SaveInboundMessage(ctx, m)
	fmt.Println(created, err)
	_, created, _, err = s.SaveInboundMessage(ctx, m)
	fmt.Println(created, err)
	// Output:
	// true <nil>
	// false <nil>
}
