package bench

import (
	"net/smtp"
	"testing"
)

func TestSink(t *testing.T) {
	s, err := StartSink()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	msg := "From: sales@desk.example\r\nTo: Buyer@Acct.example\r\nSubject: re\r\n\r\nhello\r\n"
	if err := smtp.SendMail(s.Addr(), nil, "sales@desk.example", []string{"Buyer@Acct.example", "rep@desk.example"}, []byte(msg)); err != nil {
		t.Fatal(err)
	}
	if s.Total() != 1 {
		t.Errorf("Total = %d, want 1", s.Total())
	}
	for _, addr := range []string{"buyer@acct.example", "BUYER@ACCT.EXAMPLE", "rep@desk.example"} {
		if !s.Got(addr) || len(s.Arrivals(addr)) != 1 {
			t.Errorf("%s: Got %v, %d arrivals, want one", addr, s.Got(addr), len(s.Arrivals(addr)))
		}
	}
	if s.Got("other@acct.example") || len(s.Arrivals("other@acct.example")) != 0 {
		t.Errorf("mail noted for a recipient it was not sent to")
	}
}
