package mailer_test

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"net/mail"

	"salesdesk/internal/mailer"
	"salesdesk/internal/smtptest"
)

// A customer's mail is acknowledged: render the template, compose the
// message as a threaded, automated reply and send it.
func Example() {
	srv, err := smtptest.Start(smtptest.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	r, err := mailer.NewRenderer(mailer.RenderOptions{Team: "Acme Sales Support"})
	if err != nil {
		log.Fatal(err)
	}
	out, err := r.Render("ack", mailer.AckData{
		CustomerName: "Ann", Reference: "SD-1234", Category: "quote_request", Subject: "Price for 40 racks",
	})
	if err != nil {
		log.Fatal(err)
	}
	id, err := mailer.NewMessageID("sales@acme.example")
	if err != nil {
		log.Fatal(err)
	}
	sender, err := mailer.NewSender(mailer.Options{Addr: srv.Addr(), TLS: mailer.TLSNone, From: "Acme Sales <sales@acme.example>"})
	if err != nil {
		log.Fatal(err)
	}
	err = sender.Send(context.Background(), mailer.Outgoing{
		To:            []string{"Ann Lee <ann@customer.example>"},
		Subject:       out.Subject,
		Text:          out.Text,
		HTML:          out.HTML,
		MessageID:     id,
		InReplyTo:     "CAF-ann-1@customer.example",
		Reference:     "SD-1234",
		AutoSubmitted: mailer.AutoReplied,
	})
	if err != nil {
		log.Fatal(err)
	}
	m, _ := mail.ReadMessage(bytes.NewReader(srv.Messages()[0].Data))
	fmt.Println(m.Header.Get("Subject"))
	fmt.Println(m.Header.Get("In-Reply-To"))
	fmt.Println(m.Header.Get("Auto-Submitted"))
	// Output:
	// Re: Price for 40 racks [SD-1234]
	// <CAF-ann-1@customer.example>
	// auto-replied
}

func ExampleSubjectWithReference() {
	fmt.Println(mailer.SubjectWithReference("Re: Order 42", "SD-7"))
	fmt.Println(mailer.SubjectWithReference("Re: Re: Order 42 [SD-7]", "SD-7"))
	// Output:
	// Re: Order 42 [SD-7]
	// Re: Re: Order 42 [SD-7]
}

func ExampleCompose() {
	_, err := mailer.Compose(mailer.Outgoing{
		From:      "sales@acme.example",
		To:        []string{"Bob\r\nBcc: evil@example.net <bob@customer.example>"},
		Text:      "hello",
		MessageID: "x1@acme.example",
	})
	fmt.Println(err)
	// Output:
	// mailer: invalid To "Bob\r\nBcc: evil@example.net <bob@customer.example>": control character: permanent
}

func ExampleIsTemporary() {
	fmt.Println(mailer.IsTemporary(context.DeadlineExceeded))
	fmt.Println(mailer.IsTemporary(fmt.Errorf("smtp said no: %w", mailer.ErrPermanent)))
	// Output:
	// true
	// false
}
