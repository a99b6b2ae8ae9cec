package tasks

import (
	"fmt"
	"net/mail"
	"strings"

	"github.com/hibiken/asynq"
)

// TypeCustomerUnsubscribe opts a customer address out of follow-ups and
// digests and sends one confirmation.
const TypeCustomerUnsubscribe = "customer:unsubscribe"

// CustomerUnsubscribePayload names the address to opt out and, when the
// request came by mail, the inquiry it came in.
type CustomerUnsubscribePayload struct {
	Email     string `json:"email"`
	InquiryID int64  `json:"inquiry_id,omitempty"`
}

func (p CustomerUnsubscribePayload) validate() error {
	if p.Email == "" {
		return invalid(TypeCustomerUnsubscribe, "email is required")
	}
	a, err := mail.ParseAddress(p.Email)
	if err != nil || a.Name != "" || a.Address != p.Email {
		return invalid(TypeCustomerUnsubscribe, "email %q is not a bare address", p.Email)
	}
	return nil
}

// NewCustomerUnsubscribeTask builds the customer:unsubscribe task. Its
// TaskID is per inquiry when there is one, else per lower-cased address.
func NewCustomerUnsubscribeTask(p CustomerUnsubscribePayload) (*asynq.Task, error) {
	id := fmt.Sprintf("%s:inquiry:%d", TypeCustomerUnsubscribe, p.InquiryID)
	if p.InquiryID <= 0 {
		id = TypeCustomerUnsubscribe + ":email:" + strings.ToLower(p.Email)
	}
	return newTask(TypeCustomerUnsubscribe, p, id)
}

// ParseCustomerUnsubscribePayload decodes a customer:unsubscribe payload.
func ParseCustomerUnsubscribePayload(b []byte) (CustomerUnsubscribePayload, error) {
	return parse[CustomerUnsubscribePayload](TypeCustomerUnsubscribe, b)
}
